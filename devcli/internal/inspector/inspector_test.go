package inspector_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"

	"github.com/govapp/govapp/devcli/internal/inspector"
	"github.com/govapp/govapp/internal/testenv"
)

func assets(t *testing.T) *inspector.Assets {
	t.Helper()
	cache, err := inspector.CachePath()
	if err != nil {
		cache = t.TempDir() + "/chii.tgz"
	}
	a, err := inspector.Load(context.Background(), http.DefaultClient, inspector.Registry(), cache)
	if err != nil {
		testenv.NeedNPM(t, err)
	}
	return a
}

type targetJSON struct {
	ID, Title, URL string
	Clients        int
}

func targets(t *testing.T, base string) []targetJSON {
	resp, err := http.Get(base + inspector.Prefix + "targets")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ Targets []targetJSON }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v.Targets
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// A page opened in Chromium (the phone) becomes a target; the DevTools protocol reaches it
// through the hub (Runtime.evaluate answered by chobitsu inside the page), and the real
// DevTools frontend loads and connects to it.
func TestInspectPage(t *testing.T) {
	a := assets(t)
	bin := testenv.Chromium(t)
	hub := inspector.NewHub(a)
	mux := http.NewServeMux()
	mux.Handle(inspector.Prefix, hub)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html><head><meta charset="utf-8"><title>检查我</title>` + inspector.Inject() +
			`</head><body><p id="p">你好</p><script>window.answer = 6 * 7;</script></body></html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("user-data-dir", t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	phone, cancelP := chromedp.NewContext(actx)
	defer cancelP()
	if err := chromedp.Do(phone, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	var id string
	waitFor(t, "the page to connect as a target", func() bool {
		ts := targets(t, srv.URL)
		if len(ts) == 1 && ts[0].Title == "检查我" {
			id = ts[0].ID
			return true
		}
		return false
	})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+host+inspector.Prefix+"client/test?target="+id, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(32 << 20)
	call := `{"id":1,"method":"Runtime.evaluate","params":{"expression":"answer + ':' + document.getElementById('p').textContent","returnByValue":true}}`
	if err := c.Write(ctx, websocket.MessageText, []byte(call)); err != nil {
		t.Fatal(err)
	}
	for {
		_, msg, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("no answer to Runtime.evaluate: %v", err)
		}
		var m struct {
			ID     int
			Result struct{ Result struct{ Value any } }
		}
		if json.Unmarshal(msg, &m) == nil && m.ID == 1 {
			if m.Result.Result.Value != "42:你好" {
				t.Fatalf("Runtime.evaluate = %s", msg)
			}
			break
		}
	}

	// The DevTools frontend itself: its window connects as a second client of the page.
	devtools, cancelD := chromedp.NewContext(phone) // a second tab in the same browser
	defer cancelD()
	if err := chromedp.Do(devtools, chromedp.Navigate(inspector.InspectURL(host, id))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the DevTools frontend to connect", func() bool {
		ts := targets(t, srv.URL)
		return len(ts) == 1 && ts[0].Clients == 2
	})

	// The list page names the device and links to the frontend.
	resp, err := http.Get(srv.URL + inspector.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page strings.Builder
	buf := make([]byte, 1<<16)
	for {
		n, err := resp.Body.Read(buf)
		page.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if !strings.Contains(page.String(), "检查我") || !strings.Contains(page.String(), "chii_app.html?ws=") {
		t.Errorf("the inspector list lacks the device:\n%s", page.String())
	}

	// The proxy serves this server's files only.
	r2, err := http.Get(srv.URL + inspector.Prefix + "proxy?url=" + "http://example.com/")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusForbidden {
		t.Errorf("proxy to another host: %d, want 403", r2.StatusCode)
	}
}

func TestLoadRejectsWrongTarball(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("not the tarball")) }))
	defer srv.Close()
	_, err := inspector.Load(context.Background(), srv.Client(), srv.URL, t.TempDir()+"/c.tgz")
	if err == nil || !strings.Contains(err.Error(), "integrity") {
		t.Fatalf("Load from a registry serving the wrong file: %v, want an integrity error", err)
	}
}
