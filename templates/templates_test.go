package templates_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/govapp/govapp/hotupdate/build"
	"github.com/govapp/govapp/internal/testenv"
	sdkjs "github.com/govapp/govapp/sdk-js"
	"github.com/govapp/govapp/templates"
)

// buildTemplate copies template name out of the embedded FS and builds it as `govapp build` would.
func buildTemplate(t *testing.T, name string) (*build.Result, string) {
	t.Helper()
	dir := t.TempDir()
	sub, err := fs.Sub(templates.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(dir, sub); err != nil {
		t.Fatal(err)
	}
	if templates.NeedsNPM(name) {
		testenv.NPMCI(t, dir)
	}
	res, err := build.Build(build.Options{Dir: dir})
	if err != nil {
		t.Fatalf("template %s does not build: %v", name, err)
	}
	return res, dir
}

// TestTemplatesBuild builds every template as `govapp build` would.
func TestTemplatesBuild(t *testing.T) {
	for _, name := range templates.Names() {
		t.Run(name, func(t *testing.T) {
			res, dir := buildTemplate(t, name)
			if templates.NeedsNPM(name) {
				// The template's own type check (tsc against the framework's types) passes too.
				cmd := exec.Command("npm", "run", "--silent", "typecheck")
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("npm run typecheck: %v\n%s", err, out)
				}
			}
			for _, want := range []string{"index.html", "logo.svg"} {
				if _, ok := res.Files[want]; !ok {
					t.Fatalf("no %s in %v", want, keys(res.Files))
				}
			}
			if res.Config.AppID != templates.PlaceholderAppID || res.Config.Version != "1.0.0" || res.Config.Entry != "index.html" ||
				res.Config.SizeBudgetKB <= 0 || len(res.Config.Scripts) == 0 || res.Config.JSAPIPermissions == nil {
				t.Errorf("govapp.json = %+v", res.Config)
			}
			page := string(res.Files["index.html"])
			for _, want := range []string{`lang="zh-CN"`, `name="viewport"`, `data-govapp-elder`, `<script src="assets/`} {
				if !strings.Contains(page, want) {
					t.Errorf("index.html lacks %s", want)
				}
			}
			if regexp.MustCompile(`(?i)user-scalable\s*=\s*(no|0)|maximum-scale\s*=\s*1(\.0)?\b`).MatchString(page) {
				t.Error("index.html disables zoom; the large-print mode is no substitute for it")
			}
			if strings.Contains(page, "/sdk/govapp.js") {
				t.Error("index.html includes /sdk/govapp.js; the platform injects it (src/govapp.ts loads it only when missing)")
			}
			var js strings.Builder
			for p, b := range res.Files {
				if strings.HasSuffix(p, ".js") {
					js.Write(b)
				}
			}
			// Every govapp.* call that needs a permission has it in jsapi_permissions.
			perms := map[string]string{"scan": "scan", "getLocation": "location", "share": "share", "phoneCall": "phone_call"}
			for method, perm := range perms {
				if strings.Contains(js.String(), "."+method+"(") && !slices.Contains(res.Config.JSAPIPermissions, perm) {
					t.Errorf("the script calls %s but jsapi_permissions lacks %q", method, perm)
				}
			}
			if !strings.Contains(js.String(), "getUiStyle") || !strings.Contains(js.String(), ".ready()") {
				t.Error("the script does not follow getUiStyle or call ready()")
			}
		})
	}
}

func TestTemplateNamesAndDescriptions(t *testing.T) {
	names := templates.Names()
	if len(names) == 0 || names[0] != templates.Default {
		t.Fatalf("Names() = %v, want %q first", names, templates.Default)
	}
	for _, want := range []string{"basic", "vue", "query", "microsite"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() = %v lacks %q", names, want)
		}
	}
	for _, name := range names {
		if d := templates.Describe(name); d == "" || strings.Contains(d, "\n") {
			t.Errorf("Describe(%q) = %q", name, d)
		}
		b, err := fs.ReadFile(templates.FS, name+"/govapp.json")
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatalf("%s/govapp.json: %v", name, err)
		}
		for _, member := range []string{"app_id", "name", "version", "entry", "scripts", "public", "min_container", "size_budget_kb", "jsapi_permissions"} {
			if _, ok := raw[member]; !ok {
				t.Errorf("%s/govapp.json lacks %s", name, member)
			}
		}
	}
	if templates.Describe("nope") != "" {
		t.Error("Describe of an unknown template is not empty")
	}
	// Every folder in FS is a listed template.
	entries, _ := fs.ReadDir(templates.FS, ".")
	for _, e := range entries {
		if !slices.Contains(names, e.Name()) {
			t.Errorf("folder %s is embedded but not in Names()", e.Name())
		}
	}
}

// catcher goes first in <head>: it collects console.error calls, uncaught errors, unhandled
// rejections and resources that failed to load into window.__errors.
const catcher = `<script>window.__errors=[];(function(){var E=window.__errors,ce=console.error;` +
	`console.error=function(){E.push("console.error: "+Array.prototype.map.call(arguments,String).join(" "));return ce.apply(console,arguments)};` +
	`window.addEventListener("error",function(ev){var t=ev.target;if(t&&t!==window&&(t.src||t.href)){E.push("failed to load "+(t.src||t.href))}else{E.push("error: "+ev.message)}},true);` +
	`window.addEventListener("unhandledrejection",function(ev){var r=ev.reason;E.push("unhandled rejection: "+(r&&r.message||r))})})();</script>`

// appServer serves a built bundle under /app/ and sdk-js at /sdk/, injecting nothing but the
// catcher, and records every request that failed.
type appServer struct {
	*httptest.Server
	mu     sync.Mutex
	failed []string
}

func newAppServer(t *testing.T, files map[string][]byte) *appServer {
	s := &appServer{}
	fail := func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.failed = append(s.failed, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		http.NotFound(w, r)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sdk/govapp.js" {
			b, err := fs.ReadFile(sdkjs.Dist, "dist/govapp.js")
			if err != nil {
				fail(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			w.Write(b)
			return
		}
		p, ok := strings.CutPrefix(r.URL.Path, "/app/")
		if !ok {
			fail(w, r)
			return
		}
		if p == "" {
			p = "index.html"
		}
		b, ok := files[p]
		if !ok {
			fail(w, r)
			return
		}
		if p == "index.html" {
			page := string(b)
			i := strings.Index(page, "<head>")
			if i < 0 {
				t.Errorf("index.html has no <head>")
				fail(w, r)
				return
			}
			i += len("<head>")
			b = []byte(page[:i] + catcher + page[i:])
		}
		ct := map[string]string{".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
			".json": "application/json", ".svg": "image/svg+xml"}[path.Ext(p)]
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Write(b)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *appServer) failures() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.failed)
}

// TestTemplatesRenderInBrowser opens every built template in headless Chromium, as a phone's
// plain browser would: the first screen must come up (body[data-ready]) without console
// errors and without failed requests, and the large-print switch must work and persist.
func TestTemplatesRenderInBrowser(t *testing.T) {
	bin := testenv.Chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("user-data-dir", t.TempDir()), chromedp.WindowSize(390, 844))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil { // starts the browser
		t.Fatal(err)
	}

	// extra drives what each template offers beyond its first screen.
	extra := map[string]func(ctx context.Context) error{
		"query": func(ctx context.Context) error {
			return chromedp.Do(ctx, chromedp.Click(`#demo`), chromedp.Click(`#query button[type=submit]`), chromedp.WaitVisible(`#result dl[data-result]`))
		},
		// The buttons are Vue's: a click must reach sdk-js and its answer re-render the page.
		"vue": func(ctx context.Context) error {
			return chromedp.Do(ctx, chromedp.WaitVisible(`button[data-action=share]`), chromedp.Click(`button[data-action=share]`),
				chromedp.Poll[chromedp.Void](`document.getElementById('out').textContent.length > 0`))
		},
		"microsite": func(ctx context.Context) error {
			return chromedp.Do(ctx, chromedp.WaitVisible(`ul[data-list] a`), chromedp.Click(`ul[data-list] a`), chromedp.WaitVisible(`article[data-article]`),
				chromedp.Click(`a.back`), chromedp.WaitVisible(`ul[data-list]`))
		},
	}

	for _, name := range templates.Names() {
		t.Run(name, func(t *testing.T) {
			res, _ := buildTemplate(t, name)
			srv := newAppServer(t, res.Files)
			tctx, cancelT := chromedp.NewContext(bctx) // a new tab
			defer cancelT()
			if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil { // opens the tab (no timeout on this first call)
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(tctx, 30*time.Second)
			defer cancel()
			url := srv.URL + "/app/"

			report := func(step string, err error) {
				t.Helper()
				dctx, dcancel := context.WithTimeout(tctx, 5*time.Second)
				defer dcancel()
				errs, _ := chromedp.Run(dctx, chromedp.Evaluate[[]string](`window.__errors || []`))
				html, _ := chromedp.Run(dctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
				t.Fatalf("%s: %v\npage errors: %v\nfailed requests: %v\npage: %.1500s", step, err, errs, srv.failures(), html)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(`body[data-ready]`)); err != nil {
				report("first screen", err)
			}
			if f := extra[name]; f != nil {
				if err := f(ctx); err != nil {
					report("interaction", err)
				}
			}
			// The large-print switch toggles html.elder and survives a reload.
			if err := chromedp.Do(ctx, chromedp.Click(`[data-govapp-elder]`)); err != nil {
				report("elder switch", err)
			}
			elder := func() bool {
				v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.classList.contains("elder")`))
				if err != nil {
					report("elder state", err)
				}
				return v
			}
			if !elder() {
				report("elder switch", fmt.Errorf("html.elder not set after a click"))
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(`body[data-ready]`)); err != nil {
				report("reload", err)
			}
			if !elder() {
				report("elder after reload", fmt.Errorf("large print not kept in localStorage"))
			}
			if err := chromedp.Do(ctx, chromedp.Click(`[data-govapp-elder]`)); err != nil || elder() {
				report("elder switch back", err)
			}
			// Let late work (getUiStyle, ready) settle, then check nothing went wrong.
			if err := chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)); err != nil {
				report("settle", err)
			}
			errs, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__errors`))
			if err != nil {
				report("errors", err)
			}
			if len(errs) > 0 {
				t.Errorf("console errors: %q", errs)
			}
			if f := srv.failures(); len(f) > 0 {
				t.Errorf("failed requests: %q", f)
			}
			loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(window.govapp && typeof window.govapp.ready === "function")`))
			if err != nil || !loaded {
				t.Errorf("window.govapp not loaded (%v)", err)
			}
			n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`performance.getEntriesByType("resource").filter(function(e){return /\/sdk\/govapp\.js$/.test(e.name)}).length`))
			if err != nil || n != 1 {
				t.Errorf("/sdk/govapp.js loaded %d times (%v), want once", n, err)
			}
		})
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
