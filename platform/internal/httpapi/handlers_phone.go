package httpapi

import (
	"bytes"
	"html/template"
	"net/http"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/govapp/govapp/platform/internal/push"
)

// Arrival is one notification a sandbox provider accepted for a device: what the phone
// would show.
type Arrival struct {
	Kind   string // apns, fcm, wechat, alipay
	Token  string // the device token, openid or user id it went to
	Title  string
	Body   string
	Notice string // the notice id the payload carried
	At     time.Time
}

// phoneDevice is one simulated device on the page.
type phoneDevice struct {
	push.Device
	Arrived []Arrival
	Inbox   []push.InboxItem
}

var phonePage = template.Must(template.New("phone").Funcs(template.FuncMap{
	"short": func(s string) string {
		if len(s) > 16 {
			return s[:8] + "…" + s[len(s)-6:]
		}
		return s
	},
	"when": func(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("01-02 15:04:05") },
}).Parse(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="5"><title>沙箱手机 · govapp</title>
<style>body{font:14px system-ui,sans-serif;margin:16px;background:#f3f4f6;color:#111}h1{font-size:18px}
.dev{background:#fff;border-radius:12px;padding:12px 16px;margin:12px 0;max-width:720px;box-shadow:0 1px 3px #0002}
.dev h2{font-size:15px;margin:0 0 6px}.muted{color:#6b7280}.n{border-left:3px solid #2563eb;padding:4px 8px;margin:6px 0}
.i{border-left:3px solid #16a34a;padding:4px 8px;margin:6px 0}.gone{opacity:.5}</style></head><body>
<h1>沙箱手机 <span class="muted">— 每台模拟设备收到的推送与收件箱（每 5 秒刷新）</span></h1>
{{if not .}}<p class="muted">还没有设备注册推送。轻应用调用 govapp.push.register() 后会出现在这里。</p>{{end}}
{{range .}}<div class="dev{{if .Unregistered}} gone{{end}}"><h2>{{.Kind}} · <code>{{short .Token}}</code>{{if .Topic}} · {{.Topic}}{{end}}</h2>
<div class="muted">用户 {{.UserID}}{{if .AppID}} · 应用 {{.AppID}}{{end}} · 注册于 {{when .RegisteredAt}}{{if .Unregistered}} · 已注销{{end}}</div>
<h3>收到的推送（{{len .Arrived}}）</h3>{{range .Arrived}}<div class="n"><b>{{.Title}}</b> {{.Body}} <span class="muted">{{.Notice}} · {{when .At}}</span></div>{{else}}<div class="muted">无</div>{{end}}
<h3>收件箱（{{len .Inbox}}）</h3>{{range .Inbox}}<div class="i"><b>{{.Title}}</b> {{.Body}} <span class="muted">{{.Notice}} · {{when .At}}{{if .OpenedAt}} · 已读{{end}}</span></div>{{else}}<div class="muted">无</div>{{end}}
</div>{{end}}</body></html>`))

// handleSandboxPhone shows, per registered device, what the sandbox providers delivered
// to it and its owner's inbox. It exists only in sandbox mode (Deps.Arrivals set).
func (s *server) handleSandboxPhone(c echo.Context) error {
	if s.Arrivals == nil {
		return errNoRoute
	}
	ctx := c.Request().Context()
	devs, err := s.Push.Devices.Recent(ctx, 100)
	if err != nil {
		return err
	}
	byToken := map[string][]Arrival{}
	for _, a := range s.Arrivals() {
		byToken[a.Kind+"\x00"+a.Token] = append(byToken[a.Kind+"\x00"+a.Token], a)
	}
	inboxes := map[string][]push.InboxItem{}
	out := make([]phoneDevice, 0, len(devs))
	for _, d := range devs {
		arr := byToken[d.Kind+"\x00"+d.Token]
		sort.Slice(arr, func(i, j int) bool { return arr[i].At.After(arr[j].At) })
		in, ok := inboxes[d.UserID]
		if !ok {
			if in, err = s.Push.Inbox(ctx, d.UserID, 20); err != nil {
				return err
			}
			inboxes[d.UserID] = in
		}
		out = append(out, phoneDevice{Device: d, Arrived: arr, Inbox: in})
	}
	var buf bytes.Buffer
	if err := phonePage.Execute(&buf, out); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}
