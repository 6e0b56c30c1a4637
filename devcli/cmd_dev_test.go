package devcli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// runDevCLI runs the real command line with buffers.
func runDevCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := e.run(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestDevWithoutProject(t *testing.T) {
	code, _, stderr := runDevCLI(t, "dev", "--dir", t.TempDir())
	if code != ExitFailure || !strings.Contains(stderr, "govapp init NAME") {
		t.Fatalf("exit %d, stderr %q; want 1 and how to create a project", code, stderr)
	}
}

func TestDevHelpAndFlags(t *testing.T) {
	code, stdout, _ := runDevCLI(t, "dev", "-h")
	if code != ExitOK || !strings.Contains(stdout, "--no-qr") || !strings.Contains(stdout, "--addr") {
		t.Fatalf("dev -h: exit %d\n%s", code, stdout)
	}
	if code, _, _ := runDevCLI(t, "dev", "--bogus"); code != ExitUsage {
		t.Fatalf("dev --bogus: exit %d, want %d", code, ExitUsage)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "govapp.json"), []byte(`{"app_id":"demo-app","name":"演示","version":"1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<p>hi</p>"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runDevCLI(t, "dev", "--dir", dir, "--addr", "nonsense")
	if code != ExitFailure || !strings.Contains(stderr, "HOST:PORT") {
		t.Fatalf("bad --addr: exit %d, stderr %q", code, stderr)
	}
}

// TestDevServes runs `govapp dev` until its context ends.
func TestDevServes(t *testing.T) {
	dir := t.TempDir()
	for p, c := range map[string]string{
		"govapp.json": `{"app_id":"demo-app","name":"演示","version":"1.0.0","scripts":["main.ts"]}`,
		"index.html":  "<html><head></head><body></body></html>",
		"main.ts":     `console.log("hi");`,
	} {
		if err := os.WriteFile(filepath.Join(dir, p), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncWriter
	done := make(chan int)
	go func() {
		e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		done <- e.run(ctx, []string{"dev", "--dir", dir, "--addr", "127.0.0.1:0", "--no-qr"})
	}()
	for i := 0; i < 200 && !strings.Contains(out.String(), "http://127.0.0.1:"); i++ {
		select {
		case code := <-done:
			t.Fatalf("dev exited %d early: %s %s", code, out.String(), errb.String())
		default:
		}
		sleepMS(10)
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "built demo-app") {
		t.Fatalf("output:\n%s", out.String())
	}
}

// syncWriter is a buffer written by the command's goroutines and read by
// the test.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func sleepMS(n int) { time.Sleep(time.Duration(n) * time.Millisecond) }
