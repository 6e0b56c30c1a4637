package devcli

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govapp/govapp/hotupdate"
)

// hotFake is a stateful imitation of the hot-update endpoints, enough for
// the CLI: keys per node, a blob store that checks hashes, bundles verified
// with the real hotupdate code against the registered keys, and releases.
// Every request is recorded.
type hotFake struct {
	t   *testing.T
	srv *httptest.Server

	mu      sync.Mutex
	seen    []request
	owner   string
	keys    []map[string]any // SigningKey JSON objects
	blobs   map[string][]byte
	failPut map[string]int // sha → status to answer once
	// failAfter delays a failPut answer until that many blobs are stored, so
	// the uploads running beside the failing one end first and a test sees
	// exactly what a rerun must still send.
	failAfter int
	bundles   []hotupdate.Envelope
	releases  []map[string]any
}

func newHotFake(t *testing.T) *hotFake {
	t.Helper()
	f := &hotFake{t: t, owner: "d-1", blobs: map[string][]byte{}, failPut: map[string]int{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	isolate(t)
	t.Setenv(envServer, f.srv.URL)
	t.Setenv(envToken, testToken)
	return f
}

func (f *hotFake) reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (f *hotFake) refuse(w http.ResponseWriter, status int, msg string) {
	f.reply(w, status, map[string]any{"code": status * 100, "http": status, "error": msg, "request_id": "req-test"})
}

func (f *hotFake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if r.Method == "PUT" {
		f.mu.Lock()
		failing := f.failPut[r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]] != 0
		f.mu.Unlock()
		for deadline := time.Now().Add(5 * time.Second); failing && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			f.mu.Lock()
			enough := len(f.blobs) >= f.failAfter
			f.mu.Unlock()
			if enough {
				break
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	path := r.URL.EscapedPath()
	f.seen = append(f.seen, request{r.Method, path, r.URL.RawQuery, r.Header.Get("Authorization"), string(body)})
	parts := strings.Split(strings.Trim(path, "/"), "/")
	route := r.Method + " " + path
	switch {
	case route == "GET /v1/apps/housing-fund":
		f.reply(w, 200, map[string]any{"id": "housing-fund", "name": "住房公积金", "owner_node": f.owner, "status": "online",
			"created_at": "2025-03-01T08:30:00Z", "updated_at": "2025-03-01T08:30:00Z"})
	case r.Method == "GET" && len(parts) == 4 && parts[1] == "orgs" && parts[3] == "keys":
		keys := []map[string]any{}
		for _, k := range f.keys {
			if k["node_id"] == parts[2] {
				keys = append(keys, k)
			}
		}
		f.reply(w, 200, map[string]any{"keys": keys})
	case r.Method == "POST" && len(parts) == 4 && parts[1] == "orgs" && parts[3] == "keys":
		var in struct{ Name, Alg, PublicKey string }
		json.Unmarshal(body, &in)
		var raw map[string]string
		json.Unmarshal(body, &raw)
		k := map[string]any{"key_id": hotupdate.KeyID(raw["alg"], raw["public_key"]), "alg": raw["alg"], "public_key": raw["public_key"],
			"node_id": parts[2], "name": raw["name"], "created_at": "2025-03-01T08:30:00Z"}
		f.keys = append(f.keys, k)
		f.reply(w, 201, k)
	case r.Method == "POST" && len(parts) == 4 && parts[1] == "keys" && parts[3] == "retire":
		for _, k := range f.keys {
			if k["key_id"] == parts[2] {
				k["retired_at"] = "2025-03-02T08:30:00Z"
				f.reply(w, 200, k)
				return
			}
		}
		f.refuse(w, 404, "signing key not found")
	case route == "POST /v1/apps/housing-fund/blobs/missing":
		var in struct{ Hashes []string }
		json.Unmarshal(body, &in)
		missing := []string{}
		for _, h := range in.Hashes {
			if _, ok := f.blobs[h]; !ok {
				missing = append(missing, h)
			}
		}
		f.reply(w, 200, map[string]any{"missing": missing})
	case r.Method == "PUT" && len(parts) == 5 && parts[3] == "blobs":
		sha := parts[4]
		if st := f.failPut[sha]; st != 0 {
			delete(f.failPut, sha)
			f.refuse(w, st, "storage unavailable; retry")
			return
		}
		if got := sha256.Sum256(body); hex.EncodeToString(got[:]) != sha {
			f.refuse(w, 400, "sha256: content does not match")
			return
		}
		status := 201
		if _, ok := f.blobs[sha]; ok {
			status = 200
		}
		f.blobs[sha] = body
		f.reply(w, status, map[string]any{"sha256": sha, "size": len(body)})
	case route == "POST /v1/apps/housing-fund/bundles":
		var trusted []hotupdate.PublicKey
		for _, k := range f.keys {
			if k["retired_at"] == nil && k["node_id"] == f.owner {
				trusted = append(trusted, hotupdate.PublicKey{KeyID: k["key_id"].(string), Alg: k["alg"].(string), PublicKey: k["public_key"].(string)})
			}
		}
		env, err := hotupdate.VerifyBundle(body, trusted, hotupdate.Limits{}, nil)
		if err != nil {
			f.refuse(w, 422, "bundle refused: "+err.Error())
			return
		}
		for _, file := range env.Manifest.Files {
			if _, ok := f.blobs[file.SHA256]; !ok {
				f.refuse(w, 409, "bundle files missing: "+file.Path)
				return
			}
		}
		f.bundles = append(f.bundles, env)
		f.reply(w, 201, map[string]any{"bundle_id": env.Manifest.BundleID, "app_id": env.Manifest.AppID, "version": env.Manifest.Version,
			"entry": env.Manifest.Entry, "files": env.Manifest.Files, "key_id": env.Signature.KeyID, "created_at": "2025-03-01T08:30:00Z"})
	case route == "POST /v1/apps/housing-fund/releases":
		var in map[string]any
		json.Unmarshal(body, &in)
		rel := map[string]any{"id": fmt.Sprintf("r-%d", len(f.releases)+1), "app_id": "housing-fund", "channel": in["channel"],
			"bundle_id": in["bundle_id"], "version": "1.0.0", "percent": in["percent"], "mandatory": in["mandatory"] == true,
			"notes": in["notes"], "target": map[string]any{}, "status": "active", "created_by": "u-1",
			"created_at": "2025-03-01T08:30:00Z", "updated_at": "2025-03-01T08:30:00Z", "stats": map[string]any{"devices": 0, "ready": 0, "failed": 0}}
		f.releases = append(f.releases, rel)
		f.reply(w, 201, rel)
	default:
		f.refuse(w, 404, "no such route in the fake: "+route)
	}
}

// requests returns what the fake saw so far and forgets it.
func (f *hotFake) take() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := f.seen
	f.seen = nil
	return seen
}

// puts lists the blob hashes PUT in reqs, sorted.
func puts(reqs []request) []string {
	var out []string
	for _, r := range reqs {
		if r.method == "PUT" {
			out = append(out, r.path[strings.LastIndex(r.path, "/")+1:])
		}
	}
	slices.Sort(out)
	return out
}

// routes lists "METHOD /path" of reqs, PUTs folded into one entry per call.
func routes(reqs []request) []string {
	var out []string
	for _, r := range reqs {
		p := r.path
		if r.method == "PUT" {
			p = p[:strings.LastIndex(p, "/")+1] + "…"
		}
		out = append(out, r.method+" "+p)
	}
	return out
}

func sha(data string) string {
	sum := sha256.Sum256([]byte(data))
	return hex.EncodeToString(sum[:])
}

// writeApp writes a small light-app project and returns its folder.
func writeApp(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	base := map[string]string{
		"govapp.json": `{"app_id": "housing-fund", "name": "住房公积金", "version": "1.0.0", "scripts": ["src/main.ts"],
		  "min_container": {"govapp": "3.0.0"}, "size_budget_kb": 500}`,
		"index.html":         "<!doctype html>\n<html><head><title>公积金</title></head><body><div id=app></div></body></html>\n",
		"src/main.ts":        "import './style.css';\nconst who: string = '市民';\ndocument.getElementById('app')!.textContent = `你好，${who}`;\n",
		"src/style.css":      "body { color: #333; }\n",
		"public/logo.png":    "\x89PNG-logo-v1",
		"public/notice.txt":  "办事指南",
		"public/data/a.json": `{"a":1}`,
	}
	for p, c := range files {
		base[p] = c
	}
	for p, c := range base {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// createKey runs `keys create` against the fake and returns the key ID.
func createKey(t *testing.T, f *hotFake, args ...string) string {
	t.Helper()
	stdout, _ := mustRun(t, 0, append([]string{"keys", "create", "--org", "d-1", "--json"}, args...)...)
	var k struct {
		KeyID string `json:"key_id"`
	}
	if err := json.Unmarshal([]byte(stdout), &k); err != nil || k.KeyID == "" {
		t.Fatalf("keys create --json = %q (%v)", stdout, err)
	}
	f.take()
	return k.KeyID
}

func TestPublishUploadsOnlyWhatChanged(t *testing.T) {
	f := newHotFake(t)
	keyID := createKey(t, f)
	dir := writeApp(t, nil)

	stdout, stderr := mustRun(t, 0, "publish", "--dir", dir, "--channel", "staging", "--rollout", "5", "--notes", "首发")
	first := f.take()
	if got, want := routes(first), []string{
		"GET /v1/apps/housing-fund", "GET /v1/orgs/d-1/keys", "POST /v1/apps/housing-fund/blobs/missing",
		"PUT /v1/apps/housing-fund/blobs/…", "PUT /v1/apps/housing-fund/blobs/…", "PUT /v1/apps/housing-fund/blobs/…",
		"PUT /v1/apps/housing-fund/blobs/…", "PUT /v1/apps/housing-fund/blobs/…", "PUT /v1/apps/housing-fund/blobs/…",
		"POST /v1/apps/housing-fund/bundles", "POST /v1/apps/housing-fund/releases",
	}; !slices.Equal(got, want) {
		t.Fatalf("first publish requests:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(f.bundles) != 1 || f.bundles[0].Signature.KeyID != keyID || len(f.bundles[0].Manifest.Files) != 6 {
		t.Fatalf("bundle = %+v", f.bundles)
	}
	m := f.bundles[0].Manifest
	if m.AppID != "housing-fund" || m.Version != "1.0.0" || m.Entry != "index.html" || m.MinContainer["govapp"] != "3.0.0" {
		t.Errorf("manifest = %+v", m)
	}
	assertJSON(t, first[len(first)-1].body, `{"bundle_id":"`+m.BundleID+`","channel":"staging","percent":5,"notes":"首发"}`)
	for _, want := range []string{"Bundle", m.BundleID, "Files uploaded  6 of 6", "Release         r-1", "Channel         staging", "Rollout         5%", keyID} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	// Not a terminal: one plain line per file, no carriage returns.
	if strings.Contains(stderr, "\r") || strings.Count(stderr, "uploaded ") != 6 || !strings.Contains(stderr, "6 of 6 files") {
		t.Errorf("stderr = %q", stderr)
	}

	// Change one public file: only it is uploaded, then the bundle and the release.
	os.WriteFile(filepath.Join(dir, "public", "logo.png"), []byte("\x89PNG-logo-v2"), 0o644)
	stdout, _ = mustRun(t, 0, "publish", "--dir", dir, "--json")
	second := f.take()
	if got := puts(second); !slices.Equal(got, []string{sha("\x89PNG-logo-v2")}) {
		t.Errorf("second publish PUT %v, want only the changed logo", got)
	}
	if got, want := routes(second)[len(second)-2:], []string{"POST /v1/apps/housing-fund/bundles", "POST /v1/apps/housing-fund/releases"}; !slices.Equal(got, want) {
		t.Errorf("second publish ends with %v", got)
	}
	if len(f.bundles) != 2 {
		t.Fatalf("bundles = %d", len(f.bundles))
	}
	changed, removed := hotupdate.Diff(f.bundles[0].Manifest, f.bundles[1].Manifest)
	if len(changed) != 1 || changed[0].Path != "logo.png" || len(removed) != 0 {
		t.Errorf("diff = %+v, %v", changed, removed)
	}
	var out publishOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("--json = %q: %v", stdout, err)
	}
	if out.FilesUploaded != 1 || out.FilesTotal != 6 || out.BytesUploaded != int64(len("\x89PNG-logo-v2")) ||
		out.BundleID != f.bundles[1].Manifest.BundleID || out.Release == nil || out.Release.Channel != "production" || out.Release.Percent != 100 {
		t.Errorf("--json = %+v", out)
	}

	// Change a script: its output gets a new name, so the page changes too.
	os.WriteFile(filepath.Join(dir, "src", "main.ts"), []byte("document.title = '公积金查询';\n"), 0o644)
	mustRun(t, 0, "publish", "--dir", dir)
	third := f.take()
	if got := puts(third); len(got) != 2 {
		t.Errorf("after a script change PUT %d files, want the script and index.html", len(got))
	}
}

func TestPublishResumesAfterAFailedUpload(t *testing.T) {
	f := newHotFake(t)
	createKey(t, f)
	dir := writeApp(t, nil)
	f.failPut[sha("办事指南")] = 503
	f.failAfter = 5 // the other files

	_, stderr := mustRun(t, ExitFailure, "publish", "--dir", dir)
	if !strings.Contains(stderr, "upload notice.txt: storage unavailable; retry") || !strings.Contains(stderr, "run the same command again") {
		t.Errorf("stderr = %q", stderr)
	}
	failed := f.take()
	if routes(failed)[len(failed)-1] == "POST /v1/apps/housing-fund/releases" || len(f.bundles) != 0 {
		t.Fatal("released although an upload failed")
	}
	if len(f.blobs) != 5 {
		t.Fatalf("%d files stored, want the 5 that did not fail", len(f.blobs))
	}

	stdout, _ := mustRun(t, 0, "publish", "--dir", dir)
	again := f.take()
	// It asked again and sent only what was still missing.
	if got := puts(again); !slices.Equal(got, []string{sha("办事指南")}) {
		t.Errorf("rerun PUT %v, want only notice.txt", got)
	}
	if !strings.Contains(stdout, "Files uploaded  1 of 6") {
		t.Errorf("stdout = %s", stdout)
	}
}

func TestPublishKeyChoice(t *testing.T) {
	f := newHotFake(t)
	dir := writeApp(t, nil)

	// No key on this machine.
	_, stderr := mustRun(t, ExitFailure, "publish", "--dir", dir)
	if !strings.Contains(stderr, "no signing key on this machine") || !strings.Contains(stderr, "govapp keys create --org d-1") {
		t.Errorf("stderr = %q", stderr)
	}

	// Two local keys, the newer retired: the older one signs.
	older := createKey(t, f)
	time.Sleep(time.Millisecond) // created_at orders the keys
	newer := createKey(t, f)
	mustRun(t, 0, "keys", "retire", newer)
	f.take()
	mustRun(t, 0, "publish", "--dir", dir)
	if got := f.bundles[len(f.bundles)-1].Signature.KeyID; got != older {
		t.Errorf("signed with %s, want the active %s", got, older)
	}

	// A key registered on another node is not used.
	f.owner = "d-2"
	_, stderr = mustRun(t, ExitFailure, "publish", "--dir", dir)
	if !strings.Contains(stderr, "is registered (and not retired) for d-2") {
		t.Errorf("stderr = %q", stderr)
	}
	// Unless named: the platform judges it.
	_, stderr = mustRun(t, ExitFailure, "publish", "--dir", dir, "--key", older)
	if !strings.Contains(stderr, "register bundle") || !strings.Contains(stderr, "unknown_key") {
		t.Errorf("stderr = %q", stderr)
	}
	_, stderr = mustRun(t, ExitFailure, "publish", "--dir", dir, "--key", "0000000000000000")
	if !strings.Contains(stderr, "no private key 0000000000000000 on this machine") {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestPublishSM2(t *testing.T) {
	f := newHotFake(t)
	keyID := createKey(t, f, "--alg", "sm2-sm3")
	mustRun(t, 0, "publish", "--dir", writeApp(t, nil))
	if s := f.bundles[0].Signature; s.KeyID != keyID || s.Alg != hotupdate.AlgSM2 {
		t.Errorf("signature = %+v", s)
	}
}

func TestPublishBuildErrors(t *testing.T) {
	f := newHotFake(t)
	createKey(t, f)
	dir := writeApp(t, map[string]string{"src/main.ts": "const a: number = ;\n"})
	_, stderr := mustRun(t, ExitFailure, "publish", "--dir", dir)
	if !strings.Contains(stderr, "src/main.ts:1:19: error: Unexpected \";\"") || !strings.Contains(stderr, "build failed with 1 error") {
		t.Errorf("stderr = %q", stderr)
	}
	if reqs := f.take(); len(reqs) != 0 {
		t.Errorf("a failed build sent %v", routes(reqs))
	}
}

// ttyBuffer is a stderr that says it is a terminal.
type ttyBuffer struct{ bytes.Buffer }

func (*ttyBuffer) IsTerminal() bool { return true }

func TestProgress(t *testing.T) {
	var tty ttyBuffer
	p := newProgress(&tty, isTerminal(&tty), 2048, 2)
	p.add(1024)
	p.done("a.js", 1024)
	p.add(1024)
	p.done("b.js", 1024)
	p.finish()
	out := tty.String()
	if !strings.Contains(out, "\r[===============>              ]  50%  1.0 KB / 2.0 KB  1/2 files") ||
		!strings.HasSuffix(out, "\r[==============================] 100%  2.0 KB / 2.0 KB  2/2 files\x1b[K\n") {
		t.Errorf("terminal progress = %q", out)
	}

	var plain bytes.Buffer
	p = newProgress(&plain, isTerminal(&plain), 2048, 2)
	p.add(1024)
	p.done("a.js", 1024)
	p.add(-512) // a failed file takes its bytes back
	p.finish()
	if got := plain.String(); got != "uploaded a.js (1.0 KB), 1.0 KB of 2.0 KB sent (50%), 1 of 2 files\n" {
		t.Errorf("plain progress = %q", got)
	}
}

func TestParsePercent(t *testing.T) {
	for in, want := range map[string]float64{"100": 100, "5": 5, "12.5%": 12.5, "0.01": 0.01, " 33.33 ": 33.33} {
		if got, err := parsePercent(in); err != nil || got != want {
			t.Errorf("parsePercent(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "0.001", "100.01", "-5", "1.234", "abc", "NaN", "Inf"} {
		if _, err := parsePercent(bad); err == nil {
			t.Errorf("parsePercent(%q) accepted", bad)
		}
	}
	if fmtPercent(12.5) != "12.5%" || fmtPercent(100) != "100%" {
		t.Error("fmtPercent")
	}
}

func TestKeysCreate(t *testing.T) {
	f := newHotFake(t)
	stdout, _ := mustRun(t, 0, "keys", "create", "--org", "d-1", "--name", "张三的电脑")
	reqs := f.take()
	if len(reqs) != 1 || reqs[0].method != "POST" || reqs[0].path != "/v1/orgs/d-1/keys" {
		t.Fatalf("requests = %v", routes(reqs))
	}
	var sent struct {
		Name, Alg string
		PublicKey string `json:"public_key"`
	}
	json.Unmarshal([]byte(reqs[0].body), &sent)
	keyID := hotupdate.KeyID(sent.Alg, sent.PublicKey)
	if sent.Alg != "ed25519" || sent.Name != "张三的电脑" || !strings.Contains(stdout, "Created signing key "+keyID) {
		t.Errorf("sent %+v; stdout %q", sent, stdout)
	}
	if strings.Contains(reqs[0].body, "private") {
		t.Errorf("the private key was sent: %s", reqs[0].body)
	}

	dir := filepath.Join(filepath.Dir(os.Getenv(envConfig)), "keys")
	file := filepath.Join(dir, keyID+".json")
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", st.Mode().Perm())
	}
	if dst, _ := os.Stat(dir); dst.Mode().Perm() != 0o700 {
		t.Errorf("keys dir mode = %v, want 0700", dst.Mode().Perm())
	}
	data, _ := os.ReadFile(file)
	var saved localKey
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	if saved.KeyID != keyID || saved.PublicKey != sent.PublicKey || saved.Private == "" || saved.NodeID != "d-1" || saved.Name != "张三的电脑" {
		t.Errorf("saved key = %+v", saved)
	}
	// The saved key signs what the registered public key verifies.
	m, err := hotupdate.NewManifest("housing-fund", "1", "index.html", map[string][]byte{"index.html": []byte("x")}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	env, err := hotupdate.Sign(m, saved.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := hotupdate.Verify(env, []hotupdate.PublicKey{{KeyID: keyID, Alg: "ed25519", PublicKey: sent.PublicKey}}, hotupdate.Limits{}); err != nil {
		t.Errorf("verify: %v", err)
	}

	// keys list: the org's keys, this machine's marked.
	f.keys = append(f.keys, map[string]any{"key_id": "ffffffffffffffff", "alg": "sm2-sm3", "public_key": "BB", "node_id": "d-1", "name": "ci",
		"created_at": "2025-03-01T08:30:00Z", "retired_at": "2025-03-02T08:30:00Z"})
	stdout, _ = mustRun(t, 0, "keys", "list", "--org", "d-1")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], keyID) || !strings.Contains(lines[1], "active") || !strings.HasSuffix(lines[1], "yes") ||
		!strings.Contains(lines[2], "retired") || !strings.HasSuffix(lines[2], "-") {
		t.Errorf("keys list =\n%s", stdout)
	}
	// Without --org: the keys of this machine, no request.
	f.take()
	stdout, _ = mustRun(t, 0, "keys", "list")
	if !strings.Contains(stdout, keyID) || !strings.Contains(stdout, "d-1") || len(f.take()) != 0 {
		t.Errorf("local keys list = %s", stdout)
	}
	stdout, _ = mustRun(t, 0, "keys", "list", "--json")
	if strings.Contains(stdout, "private") || !strings.Contains(stdout, keyID) {
		t.Errorf("local keys list --json = %s", stdout)
	}
}

func TestKeysCreateRefusedLeavesNoFile(t *testing.T) {
	f := setup(t)
	f.on("POST /v1/orgs/d-1/keys", 403, `{"code":40300,"http":403,"error":"you need app.publish on d-1","request_id":"r"}`)
	_, stderr := mustRun(t, ExitFailure, "keys", "create", "--org", "d-1")
	if !strings.Contains(stderr, "you need app.publish on d-1") {
		t.Errorf("stderr = %q", stderr)
	}
	entries, _ := os.ReadDir(filepath.Join(filepath.Dir(os.Getenv(envConfig)), "keys"))
	if len(entries) != 0 {
		t.Errorf("keys dir holds %v after a refusal", entries)
	}
}

func TestKeysRotate(t *testing.T) {
	f := newHotFake(t)
	old := createKey(t, f)
	// A colleague's key, and one already retired.
	f.keys = append(f.keys,
		map[string]any{"key_id": "cccccccccccccccc", "alg": "ed25519", "public_key": "CC", "node_id": "d-1", "name": "ci", "created_at": "2025-03-01T08:30:00Z"},
		map[string]any{"key_id": "dddddddddddddddd", "alg": "ed25519", "public_key": "DD", "node_id": "d-1", "name": "old", "created_at": "2025-03-01T08:30:00Z", "retired_at": "2025-03-01T09:30:00Z"})

	stdout, _ := mustRun(t, 0, "keys", "rotate", "--org", "d-1")
	reqs := routes(f.take())
	want := []string{"GET /v1/orgs/d-1/keys", "POST /v1/orgs/d-1/keys", "POST /v1/keys/" + old + "/retire"}
	if !slices.Equal(reqs, want) {
		t.Errorf("requests = %v, want %v", reqs, want)
	}
	if !strings.Contains(stdout, "Retired "+old) || !strings.Contains(stdout, "Still active, private key not on this machine: cccccccccccccccc") {
		t.Errorf("stdout = %s", stdout)
	}
	local, _ := (&Env{ConfigPath: os.Getenv(envConfig)}).localKeys()
	if len(local) != 2 || local[1].KeyID != old {
		t.Errorf("local keys = %+v", local)
	}
}
