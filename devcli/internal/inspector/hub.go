package inspector

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Prefix is where the inspector lives on the dev server.
const Prefix = "/__govapp/inspector/"

// Hub serves the assets and relays the DevTools protocol: each page (target) has one
// websocket, each DevTools window (client) one more; what a client sends goes to its target,
// what a target sends goes to every client watching it.
type Hub struct {
	assets *Assets
	mu     sync.Mutex
	seq    int
	target map[string]*target
}

type target struct {
	ID        string    `json:"id"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	UserAgent string    `json:"userAgent"`
	Since     time.Time `json:"since"`
	Clients   int       `json:"clients"` // DevTools windows open on it
	conn      *websocket.Conn
	clients   map[*websocket.Conn]bool
	seq       int
}

// NewHub serves assets.
func NewHub(a *Assets) *Hub { return &Hub{assets: a, target: map[string]*target{}} }

// Inject is the HTML that makes a dev page inspectable; it goes after the dev client.
func Inject() string {
	return `<script>window.ChiiServerUrl = location.origin + "` + Prefix + `";</script>` + "\n" +
		`<script src="` + Prefix + `target.js"></script>` + "\n"
}

// Targets lists the connected pages, oldest first.
func (h *Hub) Targets() []target {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]target, 0, len(h.target))
	for _, t := range h.target {
		out = append(out, target{ID: t.ID, Title: t.Title, URL: t.URL, UserAgent: t.UserAgent, Since: t.Since, Clients: len(t.clients), seq: t.seq})
	}
	slices.SortFunc(out, func(a, b target) int { return a.seq - b.seq })
	return out
}

// ServeHTTP answers everything under Prefix.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, Prefix)
	switch {
	case rest == "":
		h.serveIndex(w, r)
	case rest == "targets":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"targets": h.Targets()})
	case strings.HasPrefix(rest, "target/"):
		h.serveTarget(w, r, strings.TrimPrefix(rest, "target/"))
	case strings.HasPrefix(rest, "client/"):
		h.serveClient(w, r)
	case rest == "proxy":
		h.serveProxy(w, r)
	default:
		b, ok := h.assets.File(path.Clean(rest))
		if !ok {
			http.NotFound(w, r)
			return
		}
		if ct := mime.TypeByExtension(path.Ext(rest)); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Cache-Control", "max-age=7200")
		_, _ = w.Write(b)
	}
}

// InspectURL opens the DevTools frontend on target id; host is the dev server's host:port.
func InspectURL(host, id string) string {
	ws := host + Prefix + "client/" + randomID() + "?target=" + id
	return "http://" + host + Prefix + "front_end/chii_app.html?ws=" + url.QueryEscape(ws) + "&rtc=false"
}

func (h *Hub) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
		`<meta http-equiv="refresh" content="5"><title>govapp dev 调试器</title>` +
		`<style>body{font:15px/1.6 system-ui,sans-serif;margin:24px;color:#222}li{margin:8px 0}a{color:#1a73e8}small{color:#777}</style></head><body>` +
		`<h1>govapp dev 调试器 / Inspector</h1><p>点击一个设备，用 Chrome DevTools 查看它的元素、控制台和网络。页面每 5 秒刷新。</p><ul data-targets>`)
	ts := h.Targets()
	if len(ts) == 0 {
		b.WriteString(`<li>还没有设备连接：在手机上打开 govapp dev 打印的地址。/ No device yet: open the dev URL on a phone.</li>`)
	}
	for _, t := range ts {
		fmt.Fprintf(&b, `<li><a target="_blank" href="%s">%s</a><br><small>%s · %s</small></li>`,
			html.EscapeString(InspectURL(r.Host, t.ID)), html.EscapeString(t.Title), html.EscapeString(t.URL), html.EscapeString(t.UserAgent))
	}
	b.WriteString(`</ul></body></html>`)
	_, _ = io.WriteString(w, b.String())
}

func (h *Hub) serveTarget(w http.ResponseWriter, r *http.Request, id string) {
	if id == "" || len(id) > 64 {
		http.Error(w, "bad target id", http.StatusBadRequest)
		return
	}
	c, err := websocket.Accept(w, r, nil) // same origin only: the page came from this server
	if err != nil {
		return
	}
	c.SetReadLimit(32 << 20) // DOM snapshots and screenshots are large
	q := r.URL.Query()
	t := &target{ID: id, Title: q.Get("title"), URL: q.Get("url"), UserAgent: r.UserAgent(), Since: time.Now(), conn: c, clients: map[*websocket.Conn]bool{}}
	h.mu.Lock()
	if old := h.target[id]; old != nil { // the same page reconnected
		old.conn.Close(websocket.StatusGoingAway, "replaced")
	}
	h.seq++
	t.seq = h.seq
	h.target[id] = t
	h.mu.Unlock()
	ctx := r.Context()
	for {
		typ, msg, err := c.Read(ctx)
		if err != nil {
			break
		}
		h.mu.Lock()
		clients := make([]*websocket.Conn, 0, len(t.clients))
		for cl := range t.clients {
			clients = append(clients, cl)
		}
		h.mu.Unlock()
		for _, cl := range clients {
			_ = write(ctx, cl, typ, msg)
		}
	}
	h.mu.Lock()
	if h.target[id] == t {
		delete(h.target, id)
	}
	clients := t.clients
	t.clients = map[*websocket.Conn]bool{}
	h.mu.Unlock()
	for cl := range clients {
		cl.Close(websocket.StatusNormalClosure, "the page went away")
	}
	c.Close(websocket.StatusNormalClosure, "")
}

func (h *Hub) serveClient(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("target")
	h.mu.Lock()
	t := h.target[id]
	h.mu.Unlock()
	if t == nil {
		http.Error(w, "no such device: it disconnected; open the inspector list again", http.StatusNotFound)
		return
	}
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	c.SetReadLimit(32 << 20)
	h.mu.Lock()
	t.clients[c] = true
	h.mu.Unlock()
	ctx := r.Context()
	for {
		typ, msg, err := c.Read(ctx)
		if err != nil {
			break
		}
		if err := write(ctx, t.conn, typ, msg); err != nil {
			break
		}
	}
	h.mu.Lock()
	delete(t.clients, c)
	h.mu.Unlock()
	c.Close(websocket.StatusNormalClosure, "")
}

// write sends one message; coder/websocket allows concurrent writers.
func write(ctx context.Context, c *websocket.Conn, typ websocket.MessageType, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.Write(ctx, typ, msg)
}

// serveProxy lets chobitsu read the page's own resources (stylesheets, scripts) for the
// Sources and Elements panels. It fetches from this dev server only, never elsewhere, so it
// cannot be used to reach the developer's network.
func (h *Hub) serveProxy(w http.ResponseWriter, r *http.Request) {
	u, err := url.Parse(r.URL.Query().Get("url"))
	if err != nil || u.Host != r.Host || (u.Scheme != "http" && u.Scheme != "https") {
		http.Error(w, "the inspector proxy fetches this dev server's own files only", http.StatusForbidden)
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "http://"+r.Host+u.RequestURI(), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Header.Set("User-Agent", r.UserAgent())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, io.LimitReader(resp.Body, 32<<20))
}

func randomID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
