package devserver

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a terminal for tests: the server writes from several
// goroutines while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls the output until it contains every string, or fails.
func (s *syncBuffer) waitFor(t *testing.T, d time.Duration, want ...string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		out := s.String()
		missing := ""
		for _, w := range want {
			if !strings.Contains(out, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q:\n%s", missing, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// writeFiles writes files (path → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// project is a small TypeScript app in a temp folder.
func project(t *testing.T, mainTS string) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"govapp.json":   `{"app_id": "demo-app", "name": "演示", "version": "1.0.0", "scripts": ["src/main.ts"]}`,
		"index.html":    "<!doctype html>\n<html>\n<head><meta charset=\"utf-8\"><title>demo</title></head>\n<body><p>演示</p></body>\n</html>\n",
		"src/main.ts":   mainTS,
		"src/style.css": "body { color: rgb(1, 2, 3); }\n",
	})
	return dir
}

// start runs a server on a free loopback port.
func start(t *testing.T, dir string) (*Server, string, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	s, err := New(Options{Dir: dir, Addr: "127.0.0.1:0", Out: out, Poll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, u, out
}

func TestMissingConfig(t *testing.T) {
	_, err := New(Options{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "govapp init NAME") || !strings.Contains(err.Error(), "govapp.json") {
		t.Fatalf("err = %v, want one naming govapp.json and 'govapp init NAME'", err)
	}
}

func TestPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	out := &syncBuffer{}
	s, err := New(Options{Dir: project(t, `console.log(1);`), Addr: "127.0.0.1:" + strconv.Itoa(port), Out: out})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err := s.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(u, ":"+strconv.Itoa(port)+"/") {
		t.Fatalf("served at %s, the busy port", u)
	}
	out.waitFor(t, time.Second, "port "+strconv.Itoa(port)+" is in use; using ")
	if res, err := http.Get(u + "assets/main.js"); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET main.js at the new port: %v %v", res, err)
	}
}

// TestRelayGarbage: malformed or oversized messages are refused and the
// relay keeps working for everyone.
func TestRelayGarbage(t *testing.T) {
	_, u, out := start(t, project(t, `console.log(1);`))
	post := func(ua, body string) int {
		req, _ := http.NewRequest("POST", u+"__govapp/log", strings.NewReader(body))
		req.Header.Set("User-Agent", ua)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	const iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.40"
	const android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
	for _, bad := range []string{"garbage", `{"id": "../../x", "entries": []}`, `{"id": "a1b2", "entries": 7}`, `{"id":"a1b2","entries":[{"kind":"log","text":"` + strings.Repeat("x", MaxMessage) + `"}]}`} {
		if code := post(iphone, bad); code/100 != 4 {
			t.Errorf("garbage %.40q: status %d, want 4xx", bad, code)
		}
	}
	if code := post(android, `{"id":"c3d4","entries":[{"kind":"log","text":"still \u001b[2Jhere"},{"kind":"net","method":"get","url":"/api/x","status":404,"ms":12},{"kind":"bogus"}]}`); code != 204 {
		t.Fatalf("good message: status %d", code)
	}
	out.waitFor(t, time.Second, "[Android/Chrome#c3d4] log: still [2Jhere", "[Android/Chrome#c3d4] net: GET /api/x 404 12ms")
	if strings.Contains(out.String(), "xxxxxxxx") || strings.Contains(out.String(), "bogus") {
		t.Fatalf("garbage reached the terminal:\n%s", out)
	}
}

func TestDeviceName(t *testing.T) {
	for _, c := range []struct{ ua, container, want string }{
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 MicroMessenger/8.0.40", "", "iPhone/WeChat"},
		{"Mozilla/5.0 (Linux; Android 14) Chrome/126.0 Mobile Safari/537.36", "", "Android/Chrome"},
		{"Mozilla/5.0 (Linux; U; Android 12) AlipayClient/10.5", "", "Android/Alipay"},
		{"Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/126.0 Safari/537.36", "", "HeadlessChrome"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Chrome/126.0 Safari/537.36", "wechat", "Mac/Chrome(sim:wechat)"},
	} {
		if got := deviceName(c.ua, c.container); got != c.want {
			t.Errorf("deviceName(%q, %q) = %q, want %q", c.ua, c.container, got, c.want)
		}
	}
}

// TestChooser: a desktop browser gets the container chooser; a chosen
// container loads sdk-js's simulation before the runtime; a phone gets the
// app directly.
func TestChooser(t *testing.T) {
	_, u, _ := start(t, project(t, `console.log(1);`))
	get := func(path, ua string) string {
		req, _ := http.NewRequest("GET", u+path, nil)
		req.Header.Set("User-Agent", ua)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	const desktop = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36"
	if page := get("", desktop); !strings.Contains(page, `href="/__govapp/sim?container=wechat"`) || !strings.Contains(page, `href="/?container=web"`) || !strings.Contains(page, "浙里办") {
		t.Fatalf("desktop / is not the chooser:\n%s", page)
	}
	page := get("?container=wechat", desktop)
	sim, rt, app := strings.Index(page, "/sdk/sim.js"), strings.Index(page, "/sdk/govapp.js"), strings.Index(page, "assets/main.js")
	if sim < 0 || rt < sim || app < rt || !strings.Contains(page, `"container":"wechat"`) {
		t.Fatalf("simulated page lacks sim.js before govapp.js before the app:\n%s", page)
	}
	if page := get("", "Mozilla/5.0 (iPhone) Mobile MicroMessenger/8"); strings.Contains(page, "sim.js") || !strings.Contains(page, "/__govapp/dev.js") {
		t.Fatalf("phone page:\n%s", page)
	}
	if js := get("sdk/sim.js", desktop); len(js) < 1000 {
		t.Fatalf("sim.js not served: %.100s", js)
	}
}

func TestChangeKind(t *testing.T) {
	old := map[string][]byte{"index.html": []byte("a"), "assets/main.js": []byte("b"), "assets/main.css": []byte("c")}
	for _, c := range []struct {
		cur  map[string][]byte
		want string
	}{
		{map[string][]byte{"index.html": []byte("a"), "assets/main.js": []byte("b"), "assets/main.css": []byte("c")}, ""},
		{map[string][]byte{"index.html": []byte("a"), "assets/main.js": []byte("b"), "assets/main.css": []byte("C")}, "css"},
		{map[string][]byte{"index.html": []byte("a"), "assets/main.js": []byte("B"), "assets/main.css": []byte("C")}, "reload"},
		{map[string][]byte{"index.html": []byte("a"), "assets/main.js": []byte("b")}, "css"},
	} {
		if got := changeKind(old, c.cur); got != c.want {
			t.Errorf("changeKind → %q, want %q", got, c.want)
		}
	}
}

// TestPreflightWarns: what `govapp build` refuses, `govapp dev` says once as a warning.
func TestPreflightWarns(t *testing.T) {
	dir := project(t, "const g = (window as any).govapp;\ngovapp.scan();\n")
	_, _, out := start(t, dir)
	if !strings.Contains(out.String(), "preflight warning: src/main.ts:2: govapp.scan needs scan") {
		t.Fatalf("no preflight warning:\n%s", out)
	}
}
