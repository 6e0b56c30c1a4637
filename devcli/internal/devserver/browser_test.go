package devserver

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/govapp/govapp/internal/testenv"
)

const phoneMain = `import "./style.css";
const version: string = "one";
document.body.setAttribute("data-v", version);
console.log("hello from phone");
fetch("/missing.json").catch(() => {});
setTimeout(() => { throw new Error("boom"); }, 0);
`

// TestBrowserDev is the "done when" on one machine: headless
// Chromium opens the dev URL through the desktop chooser, its console, an
// uncaught error and a 404 fetch reach the terminal with the device name, a
// save reloads the page, a CSS-only save swaps the stylesheet without a
// reload, and a compile error shows as an overlay with file:line.
func TestBrowserDev(t *testing.T) {
	bin := testenv.Chromium(t)
	dir := project(t, phoneMain)
	_, u, out := start(t, dir)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("user-data-dir", t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil { // starts the browser
		t.Fatal(err)
	}
	tctx, tcancel := context.WithTimeout(ctx, 20*time.Second)
	defer tcancel()

	// The desktop chooser, then the plain-browser choice.
	if err := chromedp.Do(tctx, chromedp.Navigate(u), chromedp.WaitVisible(`#open-web`), chromedp.Click(`#open-web`), chromedp.WaitVisible(`body[data-v="one"]`)); err != nil {
		t.Fatalf("open the app: %v\n%s", err, out)
	}
	out.waitFor(t, 5*time.Second,
		"[HeadlessChrome#", "] log: hello from phone",
		"] error: Uncaught Error: boom at src/main.ts:6:",
		"] net: GET /missing.json 404 ")

	// eval runs expr until it yields want.
	eval := func(what, expr, want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, err := chromedp.Run(tctx, chromedp.Evaluate[string](expr))
			if err == nil && got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s = %q (%v), want %q\n%s", what, expr, got, err, want, out)
			}
			time.Sleep(30 * time.Millisecond)
		}
	}
	write := func(p, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A script save reloads the page.
	saved := time.Now()
	write("src/main.ts", strings.Replace(phoneMain, `"one"`, `"two"`, 1))
	eval("reload after a save", `document.body.getAttribute("data-v") || ""`, "two")
	t.Logf("save to reloaded page: %s", time.Since(saved).Round(time.Millisecond))

	// A stylesheet save swaps the CSS: the page's state survives.
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[string](`window.__kept = "yes"; "ok"`)); err != nil {
		t.Fatal(err)
	}
	write("src/style.css", "body { color: rgb(4, 5, 6); }\n")
	eval("css swap", `getComputedStyle(document.body).color`, "rgb(4, 5, 6)")
	eval("no reload on css", `window.__kept || "reloaded"`, "yes")

	// A compile error: the overlay with file:line, and the terminal.
	write("src/main.ts", "const broken: string = ;\n")
	eval("overlay", `(document.getElementById("__govapp_overlay") || {textContent: ""}).textContent.indexOf("src/main.ts:1:") >= 0 ? "shown" : "none"`, "shown")
	out.waitFor(t, time.Second, "build error: src/main.ts:1:")
	write("src/main.ts", strings.Replace(phoneMain, `"one"`, `"three"`, 1))
	eval("fixed", `document.body.getAttribute("data-v") + (document.getElementById("__govapp_overlay") ? "+overlay" : "")`, "three")
	if testing.Verbose() {
		t.Logf("terminal:\n%s", out)
	}
}

// TestSimPanel: the desktop panel edits the simulation's answers and the app in the frame gets
// them.
func TestSimPanel(t *testing.T) {
	bin := testenv.Chromium(t)
	dir := project(t, `document.body.setAttribute("data-v", "one");`)
	writeFiles(t, dir, map[string]string{"govapp.json": `{"app_id": "demo-app", "name": "演示", "version": "1.0.0", "scripts": ["src/main.ts"], "jsapi_permissions": ["scan"]}`})
	_, u, _ := start(t, dir)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.Flag("user-data-dir", t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	tctx, tcancel := context.WithTimeout(ctx, 20*time.Second)
	defer tcancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(u+"__govapp/sim?container=wechat"), chromedp.WaitVisible(`#apply`)); err != nil {
		t.Fatal(err)
	}
	eval := func(expr, want string) {
		t.Helper()
		deadline := time.Now().Add(8 * time.Second)
		for {
			got, err := chromedp.Run(tctx, chromedp.Evaluate[string](expr))
			if err == nil && got == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s = %q (%v), want %q", expr, got, err, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	frame := `document.getElementById("phone").contentWindow`
	eval(`(`+frame+`.document.body && `+frame+`.document.body.getAttribute("data-v")) || ""`, "one")
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.getElementById("method").value = "scan";
		document.getElementById("mock").value = JSON.stringify({result: {text: "MOCK-123", type: "qrcode"}});
		document.getElementById("apply").click(); "ok"`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[string](`window.__r = ""; `+frame+`.govapp.scan().then(function (r) { window.__r = r.text; }, function (e) { window.__r = "error " + e.code; }); "ok"`)); err != nil {
		t.Fatal(err)
	}
	eval(`window.__r || ""`, "MOCK-123")
}
