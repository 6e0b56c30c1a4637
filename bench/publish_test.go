package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/govapp/govapp/devcli"
	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/platform"
	"github.com/govapp/govapp/templates"
)

// TestPublishAndDownloadBytes checks issue 3's byte targets (deterministic, so a test rather
// than a timing): after a one-file change, publish sends at most that file + the manifest +
// 2 KB, and a device downloads at most the changed files + the manifest.
func TestPublishAndDownloadBytes(t *testing.T) {
	cfg := platform.DefaultConfig()
	cfg.DataDir, cfg.Addr = t.TempDir(), "127.0.0.1:0"
	p, err := platform.New(cfg, platform.WithLogger(slog.New(slog.DiscardHandler)))
	must(t, err)
	defer p.Close()
	var sent atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		sent.Add(int64(len(body)))
		r.Body = io.NopCloser(bytes.NewReader(body))
		p.Handler().ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String()
	t.Setenv("GOVAPP_CLI_CONFIG", filepath.Join(t.TempDir(), "cli.json"))
	t.Setenv("GOVAPP_SERVER", url)
	t.Setenv("GOVAPP_TOKEN", p.FirstStart().AdminToken)
	run := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := devcli.Main(context.Background(), args, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("govapp %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
		}
		return out.String()
	}
	var app struct {
		OwnerNode string `json:"owner_node"`
	}
	must(t, json.Unmarshal([]byte(run("apps", "show", "housing-fund", "--json")), &app))
	run("keys", "create", "--org", app.OwnerNode)
	run("apps", "update", "housing-fund", "--jsapi", "location,scan,phone_call")
	dir := t.TempDir()
	sub, _ := fs.Sub(templates.FS, "query")
	must(t, os.CopyFS(dir, sub))
	raw, _ := os.ReadFile(filepath.Join(dir, "govapp.json"))
	var project map[string]any
	must(t, json.Unmarshal(raw, &project))
	project["app_id"], project["jsapi_permissions"] = "housing-fund", []string{"location", "phone_call"}
	raw, _ = json.Marshal(project)
	must(t, os.WriteFile(filepath.Join(dir, "govapp.json"), raw, 0o644))

	// A device asks the update check as a phone would.
	check := func(current string) (hotupdate.Manifest, int64) {
		resp, err := http.Get(url + "/v1/runtime/apps/housing-fund/update?channel=staging&device=bench-device-1&bundle=" + current)
		must(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var ans struct {
			Manifest json.RawMessage `json:"manifest"`
		}
		must(t, json.Unmarshal(b, &ans))
		env, err := hotupdate.ParseEnvelope(ans.Manifest)
		must(t, err)
		return env.Manifest, int64(len(b))
	}
	run("publish", "--dir", dir, "--channel", "staging", "--json")
	v1, _ := check("")

	newLogo := []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28"><rect width="28" height="28" fill="#0a0"/></svg>`)
	must(t, os.WriteFile(filepath.Join(dir, "public", "logo.svg"), newLogo, 0o644))
	before := sent.Load()
	run("publish", "--dir", dir, "--channel", "staging", "--json")
	publishBytes := sent.Load() - before

	v2, manifestBytes := check(v1.BundleID)
	changed, _ := hotupdate.Diff(v1, v2)
	var download int64
	for _, f := range changed {
		resp, err := http.Get(url + "/v1/runtime/files/" + f.SHA256)
		must(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Fatalf("file %s does not hash right", f.Path)
		}
		download += int64(len(b))
	}
	limitPublish := int64(len(newLogo)) + manifestBytes + 2048
	limitDownload := int64(len(newLogo)) + manifestBytes
	fmt.Printf("one-file change (logo.svg, %d B): publish sent %d B in all requests (limit %d = file + manifest %d + 2048); device downloads %d file(s) = %d B + manifest %d B (limit %d)\n",
		len(newLogo), publishBytes, limitPublish, manifestBytes, len(changed), download, manifestBytes, limitDownload)
	if publishBytes > limitPublish {
		t.Errorf("publish after a one-file change sent %d bytes, more than the file + manifest + 2 KB (%d)", publishBytes, limitPublish)
	}
	if len(changed) != 1 || changed[0].Path != "logo.svg" || download+manifestBytes > limitDownload {
		t.Errorf("device download after a one-file change: %v, %d + %d bytes (limit %d)", changed, download, manifestBytes, limitDownload)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
