package devcli

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/govapp/govapp/devcli/internal/inspector"
	"github.com/govapp/govapp/internal/testenv"
)

// TestDevInspect: `govapp dev --inspect` serves the inspector, and a phone's page connects
// to it as a target the DevTools frontend can open.
func TestDevInspect(t *testing.T) {
	bin := testenv.Chromium(t)
	if cache, err := inspector.CachePath(); err == nil {
		if _, err := inspector.Load(context.Background(), http.DefaultClient, inspector.Registry(), cache); err != nil {
			testenv.NeedNPM(t, err)
		}
	}
	root := t.TempDir()
	out := &syncBuffer{}
	env := &Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: out, Getenv: func(k string) string {
		if k == envConfig {
			return filepath.Join(root, ".cli.json")
		}
		return ""
	}}
	env.ConfigPath = configPath(env.Getenv)
	dir := filepath.Join(root, "demo")
	if code := env.run(context.Background(), []string{"init", "demo", "--dir", dir}); code != 0 {
		t.Fatalf("govapp init demo: exit %d\n%s", code, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	go func() {
		exited <- env.run(ctx, []string{"dev", "--inspect", "--dir", dir, "--addr", "127.0.0.1:0", "--no-qr"})
	}()
	defer func() { cancel(); <-exited }()
	out.waitFor(t, 30*time.Second, "inspector: open http://127.0.0.1:")
	m := regexp.MustCompile(`inspector: open (http://127\.0\.0\.1:\d+)(/__govapp/inspector/)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no inspector URL in:\n%s", out)
	}
	base := m[1]

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("user-data-dir", t.TempDir()),
		chromedp.UserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	tctx, tcancel := context.WithTimeout(bctx, 30*time.Second)
	defer tcancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(`body[data-ready]`)); err != nil {
		t.Fatalf("the phone did not load the app: %v\n%s", err, out)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var v struct {
			Targets []struct{ ID, Title, UserAgent string }
		}
		resp, err := http.Get(base + inspector.Prefix + "targets")
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		if err == nil && len(v.Targets) == 1 && strings.Contains(v.Targets[0].UserAgent, "MicroMessenger") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the phone's page did not connect to the inspector: %+v\n%s", v, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
