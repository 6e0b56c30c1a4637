package devserver

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"

	"github.com/govapp/govapp/devcli/internal/inspector"
	sdkjs "github.com/govapp/govapp/sdk-js"
)

// devJS is the debug client injected into the entry HTML of dev builds only.
//
//go:embed dev.js
var devJS []byte

// ClientJS is the dev client script; the platform serves the same one in cloud sessions, so
// a phone speaks one protocol whether it reaches the PC or the platform.
func ClientJS() []byte { return append([]byte(nil), devJS...) }

// simContainers are the containers the desktop chooser offers, with the
// names developers know them by. They are the containers sdk-js's
// simulation (sim.js) fakes; "web" is a plain browser, without simulation.
var simContainers = []struct{ id, label string }{
	{"wechat", "微信"},
	{"alipay", "支付宝"},
	{"zlb", "浙里办"},
	{"govapp", "政务App"},
	{"web", "浏览器"},
}

// event is a message to the devices on the event stream.
type event struct {
	Type   string        `json:"type"` // hello, reload, css, errors
	Build  int           `json:"build,omitempty"`
	Errors []overlayLine `json:"errors,omitempty"`
}

// overlayLine is one build error as the overlay shows it.
type overlayLine struct {
	Where string `json:"where,omitempty"` // file:line:col
	Text  string `json:"text"`
	Line  string `json:"line,omitempty"` // the source line
}

// client is one open event stream (one page on one device).
type client struct {
	device string
	ch     chan event
}

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /__govapp/dev.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(devJS)
	})
	mux.HandleFunc("GET /__govapp/events", s.serveEvents)
	mux.HandleFunc("POST /__govapp/log", s.serveLog)
	mux.HandleFunc("GET /sdk/{file}", serveSDK)
	mux.HandleFunc("GET /__govapp/sim", s.serveSimPanel)
	mux.HandleFunc("GET /v1/bridge/wechat/signature", s.serveDevSignature)
	mux.HandleFunc("POST /v1/auth/container-login", s.serveDevLogin)
	mux.HandleFunc("GET "+inspector.Prefix, s.serveInspector)
	mux.HandleFunc("GET /", s.serveApp)
	return mux
}

// serveSDK serves the runtime and the simulation from the binary, so the
// app under development runs the same sdk-js the platform serves.
func serveSDK(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	data, err := fs.ReadFile(sdkjs.Dist, "dist/"+name)
	if err != nil || !strings.HasSuffix(name, ".js") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(data)
}

// serveApp serves the last good build; the entry HTML gets the dev client,
// the runtime and, on a desktop, the container simulation.
func (s *Server) serveApp(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	s.mu.Lock()
	entry, appID, name := s.cfg.Entry, s.cfg.AppID, s.cfg.Name
	jsapi := s.cfg.JSAPIPermissions
	data, ok := s.files[p]
	if p == "" {
		data, ok = s.files[entry]
	}
	id := s.buildID
	inspect := s.inspector != nil
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	isEntry := p == "" || p == entry
	if isEntry {
		container := r.URL.Query().Get("container")
		if container == "" && !isMobile(r.UserAgent()) {
			writeChooser(w, name)
			return
		}
		if !ok {
			// The first build failed: a page that loads the dev client still
			// shows the errors, and reloads once they are fixed.
			data = []byte("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + html.EscapeString(name) + "</title></head><body></body></html>")
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(injectDev(data, appID, jsapi, container, id, inspect))
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(p)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	_, _ = w.Write(data)
}

var headTag = regexp.MustCompile(`(?i)<head(\s[^>]*)?>`)

// injectDev puts the dev scripts at the start of <head>: the dev client
// first, so it sees the errors of every later script, then the simulation
// (it must install the fake bridges before the runtime looks for them),
// then the runtime, before any of the app's own scripts.
func injectDev(page []byte, appID string, jsapi []string, container string, build int, inspect bool) []byte {
	if jsapi == nil {
		jsapi = []string{}
	}
	govapp, _ := json.Marshal(map[string]any{"appId": appID, "server": "", "jsapi": jsapi})
	dev, _ := json.Marshal(map[string]any{"build": build, "container": container})
	var b strings.Builder
	fmt.Fprintf(&b, "\n<script>window.__GOVAPP_DEV__ = %s;</script>\n<script src=\"/__govapp/dev.js\"></script>\n", dev)
	if inspect {
		b.WriteString(inspector.Inject())
	}
	if known(container) && container != "web" {
		sim, _ := json.Marshal(map[string]string{"container": container})
		fmt.Fprintf(&b, "<script>window.__GOVAPP_SIM__ = %s;</script>\n<script src=\"/sdk/sim.js\"></script>\n", sim)
	}
	fmt.Fprintf(&b, "<script>window.__GOVAPP__ = %s;</script>\n<script src=\"/sdk/govapp.js\"></script>\n", govapp)
	if loc := headTag.FindIndex(page); loc != nil {
		return []byte(string(page[:loc[1]]) + b.String() + string(page[loc[1]:]))
	}
	return []byte(b.String() + string(page))
}

func known(container string) bool {
	for _, c := range simContainers {
		if c.id == container {
			return true
		}
	}
	return false
}

// writeChooser is the desktop landing page: a developer without a phone
// picks the container to simulate.
func writeChooser(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>govapp dev · ` + html.EscapeString(name) + `</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;color:#222}
a.c{display:block;margin:.6em 0;padding:.8em 1em;border:1px solid #ccd;border-radius:8px;text-decoration:none;color:#124}
a.c:hover{background:#f3f6ff}small{color:#667}</style></head><body>
<h1>` + html.EscapeString(name) + `</h1><p>在哪个容器里打开？<small>（桌面浏览器：由 sdk-js 的容器模拟回答 scan、getLocation、login 等调用；手机扫码直接打开应用）</small></p>
<div id="choices">`)
	for _, c := range simContainers {
		href := "/__govapp/sim?container=" + c.id // the app beside the mock-data panel
		if c.id == "web" {
			href = "/?container=web"
		}
		fmt.Fprintf(&b, "<a class=\"c\" id=\"open-%s\" href=\"%s\">%s <small>%s</small></a>\n", c.id, href, c.label, c.id)
	}
	b.WriteString("</div></body></html>")
	_, _ = w.Write([]byte(b.String()))
}

// isMobile tells phones (and the in-app browsers on them), which get the
// app directly, from desktop browsers, which get the chooser.
func isMobile(ua string) bool {
	for _, k := range []string{"Mobile", "Android", "iPhone", "iPad", "MicroMessenger", "AlipayClient", "HarmonyOS"} {
		if strings.Contains(ua, k) {
			return true
		}
	}
	return false
}

// serveEvents is the server → device channel (server-sent events).
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	c := &client{device: deviceKey(r.URL.Query().Get("id"), r.UserAgent(), r.URL.Query().Get("container")), ch: make(chan event, 16)}
	s.mu.Lock()
	s.clients[c] = struct{}{}
	hello := event{Type: "hello", Build: s.buildID}
	s.mu.Unlock()
	s.seen(r.URL.Query().Get("id"), r.UserAgent(), r.URL.Query().Get("container"))
	defer func() {
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
	}()
	send := func(e event) bool {
		b, _ := json.Marshal(e)
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		fl.Flush()
		return true
	}
	if !send(hello) {
		return
	}
	if ev := s.errorEvent(); len(ev.Errors) > 0 {
		send(ev)
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case e := <-c.ch:
			if !send(e) {
				return
			}
		}
	}
}

// broadcast sends e to every open page and returns how many devices that
// is. A device whose queue is full (a stalled connection) misses the event
// rather than blocking the others; it resynchronises from its next hello.
func (s *Server) broadcast(e event) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	devs := map[string]bool{}
	for c := range s.clients {
		select {
		case c.ch <- e:
		default:
		}
		devs[c.device] = true
	}
	return len(devs)
}

// errorEvent is the overlay content for the current build errors.
func (s *Server) errorEvent() event {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := event{Type: "errors"}
	for _, m := range s.errs {
		where := m.File
		if m.File != "" && m.Line > 0 {
			where = fmt.Sprintf("%s:%d:%d", m.File, m.Line, m.Column)
		}
		e.Errors = append(e.Errors, overlayLine{Where: where, Text: m.Text, Line: m.LineText})
	}
	if s.errText != "" {
		e.Errors = append(e.Errors, overlayLine{Text: s.errText})
	}
	return e
}

// ReloadAll makes every open page reload (the terminal's r key).
func (s *Server) ReloadAll() int {
	s.mu.Lock()
	id := s.buildID
	s.mu.Unlock()
	return s.broadcast(event{Type: "reload", Build: id})
}
