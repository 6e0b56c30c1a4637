package httpapi

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/releases"
)

// DeviceCookie keeps a browser's device id, so its cohort is stable across launches.
const DeviceCookie = "govapp_did"

var reUA = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"wechat", regexp.MustCompile(`MicroMessenger/([0-9.]+)`)},
	{"alipay", regexp.MustCompile(`AlipayClient/([0-9.]+)`)},
	{"govapp", regexp.MustCompile(`GovApp/([0-9.]+)`)},
}

// containerOf tells the container from the User-Agent, as WeChat and Alipay announce themselves.
func containerOf(ua string) (kind, ver string) {
	for _, c := range reUA {
		if m := c.re.FindStringSubmatch(ua); m != nil {
			return c.kind, strings.Trim(m[1], ".")
		}
	}
	return "web", ""
}

var loaderPage = template.Must(template.New("loader").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<title>{{.Name}}</title>
<style>body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center;color:#555}</style>
</head><body><p id="govapp-status">正在加载…</p>
<script>window.__GOVAPP_LOADER__ = {{.Config}};</script>
<script src="/sdk/govapp.js"></script>
<script>window.govappBootLoader && window.govappBootLoader(window.__GOVAPP_LOADER__);</script>
<noscript>请开启浏览器的 JavaScript 后使用本应用。</noscript>
</body></html>`))

type loaderConfig struct {
	Server  string          `json:"server"`
	AppID   string          `json:"appId"`
	Channel string          `json:"channel"`
	Device  string          `json:"device"`
	Offer   json.RawMessage `json:"offer"`
}

// handleAppLoader serves /a/{appId}/: a never-cached loader carrying what this device's cohort
// should run; the sdk-js loader verifies it and opens the immutable bundle, so WeChat's HTML
// cache can never pin an old version (it only ever holds this tiny page).
func (s *server) handleAppLoader(c echo.Context) error {
	appID := c.Param("id")
	a, err := s.Apps.Lookup(c.Request().Context(), appID)
	if err != nil || a.Status != apps.StatusOnline {
		return s.h5Error(c, http.StatusNotFound, "应用暂未上线", "该应用尚未上线或已下线。")
	}
	device := ""
	if ck, err := c.Cookie(DeviceCookie); err == nil && reDeviceID.MatchString(ck.Value) {
		device = ck.Value
	} else {
		var b [16]byte
		_, _ = rand.Read(b[:])
		device = hex.EncodeToString(b[:])
		c.SetCookie(&http.Cookie{Name: DeviceCookie, Value: device, Path: "/", MaxAge: 2 * 365 * 24 * 3600, HttpOnly: true,
			SameSite: http.SameSiteLaxMode, Secure: c.Request().TLS != nil})
	}
	kind, ver := containerOf(c.Request().UserAgent())
	res, err := s.Releases.Check(c.Request().Context(), releases.CheckRequest{AppID: appID, Channel: "production", Container: kind,
		ContainerVersion: ver, Device: device, Region: c.QueryParam("region")})
	if err != nil {
		return err
	}
	offer := json.RawMessage("null")
	if !res.NoUpdate {
		offer = res.Body
	}
	cfg, _ := json.Marshal(loaderConfig{Server: "", AppID: appID, Channel: "production", Device: device, Offer: offer})
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0")
	h.Set("Pragma", "no-cache")
	h.Set("Expires", "0")
	var buf bytes.Buffer
	if err := loaderPage.Execute(&buf, map[string]any{"Name": a.Name, "Config": template.JS(cfg)}); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

var reDeviceID = regexp.MustCompile(`^[A-Za-z0-9_-]{8,128}$`)

// handleBundleFile serves /a/{appId}/b/{bundleId}/{path}: immutable files of a released
// bundle; the entry HTML gets the sdk-js runtime (govapp.ready(), failure reports).
func (s *server) handleBundleFile(c echo.Context) error {
	appID, bundleID := c.Param("id"), c.Param("bundle")
	p := c.Param("*")
	f, err := s.Releases.File(c.Request().Context(), appID, bundleID, p)
	if err != nil {
		if errors.Is(err, releases.ErrBundleNotFound) {
			return s.h5Error(c, http.StatusNotFound, "找不到文件", "该版本中没有这个文件。")
		}
		return err
	}
	entry, err := s.Releases.Entry(c.Request().Context(), appID, bundleID)
	if err != nil {
		return err
	}
	if p == "" {
		return c.Redirect(http.StatusFound, "/a/"+appID+"/b/"+bundleID+"/"+entry)
	}
	blob, err := s.Releases.OpenBlob(f.SHA256)
	if err != nil {
		return err
	}
	defer blob.Close()
	h := c.Response().Header()
	ct := f.ContentType
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(p))
	}
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	if p != entry {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		http.ServeContent(c.Response(), c.Request(), "", zeroTime, blob)
		return nil
	}
	body, err := io.ReadAll(blob)
	if err != nil {
		return err
	}
	cfg, _ := json.Marshal(s.runtimeConfig(c, appID, bundleID))
	body = injectSDK(body, []byte(`<script>window.__GOVAPP__=`+string(cfg)+`;</script><script src="/sdk/govapp.js"></script>`))
	h.Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, ct, body)
}

// sdkFiles are the files of sdk-js/dist served at /sdk/.
var sdkFiles = map[string]bool{"govapp.js": true, "ed25519.js": true, "sm2.js": true}

func (s *server) handleSDK(c echo.Context) error {
	name := c.Param("file")
	if !sdkFiles[name] || s.SDK == nil {
		return s.h5Error(c, http.StatusNotFound, "找不到文件", "没有这个 SDK 文件。")
	}
	b, err := fs.ReadFile(s.SDK, "dist/"+name)
	if err != nil {
		return s.h5Error(c, http.StatusNotFound, "SDK 未构建", "sdk-js/dist/"+name+" 不存在；在 sdk-js 中运行 npm run build。")
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", b)
}

var h5ErrorPage = template.Must(template.New("err").Parse(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{{.Title}}</title></head>
<body style="font-family:sans-serif;text-align:center;padding-top:20vh;color:#555"><h2>{{.Title}}</h2><p>{{.Text}}</p></body></html>`))

func (s *server) h5Error(c echo.Context, status int, title, text string) error {
	var buf bytes.Buffer
	_ = h5ErrorPage.Execute(&buf, map[string]string{"Title": title, "Text": text})
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}

var (
	reHeadOpen = regexp.MustCompile(`(?i)<head(\s[^>]*)?>`)
	reDoctype  = regexp.MustCompile(`(?i)^\s*<!doctype[^>]*>`)
)

// injectSDK puts the runtime first in <head> (attributes allowed), so it sees errors from
// every later script; without a <head>, right after the doctype so the page keeps standards mode.
func injectSDK(body, tag []byte) []byte {
	at := 0
	if loc := reHeadOpen.FindIndex(body); loc != nil {
		at = loc[1]
	} else if loc := reDoctype.FindIndex(body); loc != nil {
		at = loc[1]
	}
	out := make([]byte, 0, len(body)+len(tag))
	out = append(out, body[:at]...)
	out = append(out, tag...)
	return append(out, body[at:]...)
}

// runtimeConfig is window.__GOVAPP__ for a bundle's pages (sdk-js reads it): which bridge APIs
// the app declared (anything else is refused in the page, as by the signature endpoint) and
// the platform's WeChat and Alipay app ids for container sign-in, and the bundle's version.
func (s *server) runtimeConfig(c echo.Context, appID, bundleID string) map[string]any {
	cfg := map[string]any{"appId": appID, "bundleId": bundleID, "server": "", "jsapi": []string{}}
	if a, err := s.Apps.Lookup(c.Request().Context(), appID); err == nil {
		cfg["jsapi"] = a.JSAPIPermissions
	}
	if v, err := s.Releases.Version(c.Request().Context(), appID, bundleID); err == nil {
		cfg["version"] = v // usage events carry it: update adoption per release
	}
	if s.WeChatAppID != "" {
		cfg["wechat"] = map[string]string{"appId": s.WeChatAppID, "oauthUrl": s.WeChatOAuthURL}
	}
	if s.AlipayAppID != "" {
		cfg["alipay"] = map[string]string{"appId": s.AlipayAppID}
	}
	return cfg
}

// contentTypeOf guesses a served file's type by extension (text types in UTF-8).
func contentTypeOf(p string) string {
	ct := mime.TypeByExtension(path.Ext(p))
	if ct == "" {
		return "application/octet-stream"
	}
	if strings.HasPrefix(ct, "text/") && !strings.Contains(ct, "charset") {
		ct += "; charset=utf-8"
	}
	return ct
}
