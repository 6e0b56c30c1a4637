package devserver

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The dev loop's latencies (issue 5), measured by bench/dev.sh — not timed tests.

func benchProject(b *testing.B) string {
	dir := b.TempDir()
	for name, body := range map[string]string{
		"govapp.json":   `{"app_id": "demo-app", "name": "演示", "version": "1.0.0", "scripts": ["src/main.ts"]}`,
		"index.html":    "<!doctype html><html><head><meta charset=\"utf-8\"></head><body><p>演示</p></body></html>",
		"src/main.ts":   `document.body.setAttribute("data-v", "0");`,
		"src/style.css": "body { color: rgb(1, 2, 3); }",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

func report(b *testing.B, name string, d []time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	ms := func(x time.Duration) float64 { return float64(x.Microseconds()) / 1000 }
	b.ReportMetric(ms(d[len(d)/2]), name+"-p50-ms")
	b.ReportMetric(ms(d[min(len(d)-1, len(d)*95/100)]), name+"-p95-ms")
	fmt.Printf("%s over %d: median %.1f ms, p95 %.1f ms\n", name, len(d), ms(d[len(d)/2]), ms(d[min(len(d)-1, len(d)*95/100)]))
}

// BenchmarkSaveToReload: a save of src/main.ts until a connected headless Chromium runs the
// new code (the watcher's default 100 ms poll included, as a developer gets it).
func BenchmarkSaveToReload(b *testing.B) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		b.Skip("no chromium")
	}
	dir := benchProject(b)
	s, err := New(Options{Dir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	u, err := s.Start(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("user-data-dir", b.TempDir()),
		chromedp.UserAgent("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible(`body[data-v="0"]`)); err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		want := fmt.Sprint(i)
		t0 := time.Now()
		if err := os.WriteFile(filepath.Join(dir, "src", "main.ts"), []byte(`document.body.setAttribute("data-v", "`+want+`");`), 0o644); err != nil {
			b.Fatal(err)
		}
		for {
			v, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.getAttribute("data-v") || ""`))
			if v == want {
				break
			}
			if time.Since(t0) > 10*time.Second {
				b.Fatalf("save %d never reloaded", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
		lat = append(lat, time.Since(t0))
	}
	report(b, "save-to-reload", lat)
}

// BenchmarkColdStart: from New to the first page served.
func BenchmarkColdStart(b *testing.B) {
	dir := benchProject(b)
	var lat []time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		s, err := New(Options{Dir: dir, Addr: "127.0.0.1:0"})
		if err != nil {
			b.Fatal(err)
		}
		u, err := s.Start(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone) Mobile")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("first page: %v %v", resp, err)
		}
		resp.Body.Close()
		lat = append(lat, time.Since(t0))
		s.Close()
	}
	report(b, "cold-start", lat)
}
