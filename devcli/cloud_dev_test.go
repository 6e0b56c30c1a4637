package devcli

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/govapp/govapp/devcli/internal/devserver"
	"github.com/govapp/govapp/internal/testenv"
	"github.com/govapp/govapp/platform"
)

// syncBuffer collects a running command's output for polling.
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

func (s *syncBuffer) waitFor(t *testing.T, d time.Duration, subs ...string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		all := true
		for _, sub := range subs {
			if !strings.Contains(s.String(), sub) {
				all = false
			}
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q:\n%s", subs, s.String())
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// TestCloudDev is issue 5's "the same through --cloud against an in-process platform": the
// phone (headless Chromium) opens the platform's session URL, never the PC; its console, an
// uncaught error and a 404 fetch reach `govapp dev`'s terminal with the device name through
// the platform, and a save reloads it.
func TestCloudDev(t *testing.T) {
	bin := testenv.Chromium(t)
	cfg := platform.DefaultConfig()
	cfg.DataDir, cfg.Addr = t.TempDir(), "127.0.0.1:0"
	p, err := platform.New(cfg, platform.WithLogger(slog.New(slog.DiscardHandler)), platform.WithDevClient(devserver.ClientJS()))
	must(t, err)
	ln, err := p.Listen()
	must(t, err)
	pctx, pcancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = p.Serve(pctx, ln); close(done) }()
	defer func() { pcancel(); <-done; p.Close() }()
	base := "http://" + ln.Addr().String()

	dir := t.TempDir()
	write := func(name, body string) {
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	const main = `import "./style.css";
document.body.setAttribute("data-v", "one");
console.log("hello from phone");
fetch("/missing.json").catch(() => {});
setTimeout(() => { throw new Error("boom"); }, 0);
`
	write("govapp.json", `{"app_id":"housing-fund","name":"公积金","version":"1.0.0","entry":"index.html","scripts":["src/main.ts"]}`)
	write("index.html", `<!doctype html><html><head><meta charset="utf-8"></head><body><p>dev</p></body></html>`)
	write("src/main.ts", main)
	write("src/style.css", "body { color: rgb(1, 2, 3); }\n")

	out := &syncBuffer{}
	env := &Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: out, Getenv: func(k string) string {
		switch k {
		case envServer:
			return base
		case envToken:
			return p.FirstStart().AdminToken
		case envConfig:
			return filepath.Join(dir, ".cli.json")
		}
		return ""
	}}
	env.ConfigPath = configPath(env.Getenv)
	dctx, dcancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	go func() {
		exited <- env.run(dctx, []string{"dev", "--cloud", "--dir", dir, "--addr", "127.0.0.1:0", "--no-qr"})
	}()
	defer func() { dcancel(); <-exited }()
	out.waitFor(t, 15*time.Second, "cloud: phones open ")
	phone := regexp.MustCompile(`cloud: phones open (\S+)`).FindStringSubmatch(out.String())[1]
	if !strings.HasPrefix(phone, base+"/d/") {
		t.Fatalf("phone URL %s is not on the platform", phone)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("user-data-dir", t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	must(t, chromedp.Do(bctx, chromedp.Navigate("about:blank")))
	tctx, tcancel := context.WithTimeout(bctx, 30*time.Second)
	defer tcancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(phone), chromedp.WaitVisible(`body[data-v="one"]`)); err != nil {
		t.Fatalf("open the session: %v\n%s", err, out)
	}
	out.waitFor(t, 10*time.Second, "[HeadlessChrome#", "] log: hello from phone", "] error: Uncaught Error: boom", "] net: GET /missing.json 404")

	write("src/main.ts", strings.Replace(main, `"one"`, `"two"`, 1))
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`document.body.getAttribute("data-v") || ""`))
		if v == "two" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the phone did not reload after a save (data-v %q)\n%s", v, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
