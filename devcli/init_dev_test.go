package devcli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/govapp/govapp/internal/testenv"
)

// TestInitDevPhone is issue 5's first "Done when": `govapp init demo`, `govapp dev`, and a
// headless Chromium as the phone — the page loads, its console.log, a thrown error and a 404
// fetch appear in govapp dev's output with the device name, and a save reloads it.
func TestInitDevPhone(t *testing.T) {
	bin := testenv.Chromium(t)
	root := t.TempDir()
	out := &syncBuffer{}
	env := &Env{Stdin: strings.NewReader(""), Stdout: out, Stderr: out, Getenv: func(k string) string {
		if k == envConfig {
			return filepath.Join(root, ".cli.json")
		}
		return ""
	}}
	env.ConfigPath = configPath(env.Getenv)
	if code := env.run(context.Background(), []string{"init", "demo", "--dir", filepath.Join(root, "demo")}); code != 0 {
		t.Fatalf("govapp init demo: exit %d\n%s", code, out)
	}
	dir := filepath.Join(root, "demo")
	// The phone's own code: a log line, a failing request and an uncaught error on start.
	mainPath := filepath.Join(dir, "src", "main.ts")
	orig, err := os.ReadFile(mainPath)
	must(t, err)
	extra := "\nconsole.log('hello from phone');\nfetch('/missing.json').catch(() => {});\nsetTimeout(() => { throw new Error('boom'); }, 0);\ndocument.body.setAttribute('data-v', 'one');\n"
	must(t, os.WriteFile(mainPath, append(orig, extra...), 0o644))

	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan int, 1)
	go func() { exited <- env.run(ctx, []string{"dev", "--dir", dir, "--addr", "127.0.0.1:0", "--no-qr"}) }()
	defer func() { cancel(); <-exited }()
	out.waitFor(t, 15*time.Second, "is served at")
	u := regexp.MustCompile(`(http://127\.0\.0\.1:\d+/)`).FindStringSubmatch(out.String())
	if u == nil {
		t.Fatalf("no local URL in:\n%s", out)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("user-data-dir", t.TempDir()),
		chromedp.UserAgent("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	must(t, chromedp.Do(bctx, chromedp.Navigate("about:blank")))
	tctx, tcancel := context.WithTimeout(bctx, 30*time.Second)
	defer tcancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(u[1]), chromedp.WaitVisible(`body[data-v="one"]`)); err != nil {
		t.Fatalf("the phone did not load the app: %v\n%s", err, out)
	}
	out.waitFor(t, 10*time.Second, "[Android/Chrome#", "] log: hello from phone", "] error: Uncaught Error: boom", "] net: GET /missing.json 404")

	must(t, os.WriteFile(mainPath, append(orig, strings.Replace(extra, "'one'", "'two'", 1)...), 0o644))
	deadline := time.Now().Add(10 * time.Second)
	for {
		v, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`document.body.getAttribute("data-v") || ""`))
		if v == "two" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reload after a save (data-v %q)\n%s", v, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
