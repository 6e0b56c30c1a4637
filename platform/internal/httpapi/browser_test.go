package httpapi

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/govapp/govapp/internal/testenv"
	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/dbtest"
	sdkjs "github.com/govapp/govapp/sdk-js"
)

// appPage is a light app: it shows its version and calls govapp.ready() — or throws first.
func appPage(version string, crash bool) map[string]string {
	js := fmt.Sprintf(`document.title = %q; document.body.setAttribute("data-version", %q); window.govapp.ready();`, version, version)
	if crash {
		js = `throw new Error("boom in ` + version + `");`
	}
	return map[string]string{
		"index.html": `<!doctype html><html><head><meta charset="utf-8"><title>loading</title></head><body><p>公积金查询 ` + version + `</p><script src="app.js"></script></body></html>`,
		"app.js":     js,
	}
}

// TestBrowserHotUpdate runs the H5 path in headless Chromium with the real sdk-js: the app
// updates itself; a bundle with one flipped byte is refused and the old one keeps running; a
// bundle that throws on start is replaced by the last good one and the failure is reported.
func TestBrowserHotUpdate(t *testing.T) {
	bin := testenv.Chromium(t)
	f := newFixture(t, dbtest.SQLite(t))
	// The real sdk-js build, not the fixture's stub.
	f.srv.Config.Handler = mustHandler(t, f)
	app := f.createApp(apps.StatusOnline)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless,
		chromedp.DisableGPU, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("user-data-dir", t.TempDir()))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	must(t, chromedp.Do(ctx, chromedp.Navigate("about:blank"))) // starts the browser (no timeout on this first call)

	// launch opens the app like a citizen tapping its tile and waits for a version to run.
	launch := func(want string) {
		t.Helper()
		lctx, lcancel := context.WithTimeout(ctx, 30*time.Second)
		defer lcancel()
		err := chromedp.Do(lctx, chromedp.Navigate(f.srv.URL+"/a/"+app+"/"), chromedp.WaitVisible(`body[data-version]`))
		if err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
			html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
			t.Fatalf("launch waiting for %s: %v (at %s: %.600s)", want, err, loc, html)
		}
		got, err := chromedp.Run(lctx, chromedp.Evaluate[string](`document.body.getAttribute("data-version")`))
		must(t, err)
		if got != want {
			t.Fatalf("the app runs %s, want %s", got, want)
		}
	}
	reports := func(rid, event string) (n int, reason string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			must(t, f.db.QueryRowContext(context.Background(), `SELECT count(*), COALESCE(MAX(reason), '') FROM release_reports WHERE release_id = $1 AND event = $2`, rid, event).Scan(&n, &reason))
			if n > 0 || time.Now().After(deadline) {
				return n, reason
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	r1, _ := f.publishFiles(app, "1.0.0", appPage("v1", false))
	launch("v1")
	if n, _ := reports(r1, "ready"); n != 1 {
		t.Fatalf("v1 ready reports: %d, want 1", n)
	}

	// v2 is published, then one byte of its script is flipped in storage.
	r2, m2 := f.publishFiles(app, "2.0.0", appPage("v2", false))
	for _, file := range m2.Files {
		if file.Path == "app.js" {
			p := filepath.Join(f.blobDir, file.SHA256[:2], file.SHA256)
			b, err := os.ReadFile(p)
			must(t, err)
			b[len(b)/2] ^= 0x01
			must(t, os.WriteFile(p, b, 0o600))
		}
	}
	launch("v1")
	if n, reason := reports(r2, "verify_failed"); n != 1 || !strings.Contains(reason, "hash_mismatch") {
		t.Fatalf("verify_failed reports for the corrupted v2: %d (%q)", n, reason)
	}

	// v3 throws before ready(): the launch falls back to v1 and the failure is reported.
	r3, _ := f.publishFiles(app, "3.0.0", appPage("v3", true))
	launch("v1")
	if n, reason := reports(r3, "failed"); n != 1 || !strings.Contains(reason, "boom in v3") {
		t.Fatalf("failed reports for the crashing v3: %d (%q)", n, reason)
	}
	launch("v1") // and it stays on v1 afterwards
}

func mustHandler(t *testing.T, f *fixture) http.Handler {
	t.Helper()
	h, err := New(Deps{Identity: f.ids, Apps: f.apps, Audit: f.audit, Releases: f.rel, SDK: sdkjs.Dist,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry(), BodyLimit: 1 << 20, Version: "test", Ping: f.db.PingContext})
	must(t, err)
	return h
}
