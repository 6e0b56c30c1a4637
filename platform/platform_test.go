package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
)

// The boot test of the platform as a library: New, Listen, Serve and a graceful stop, on
// every engine, as `govapp serve`, `govapp dev` and the e2e tests use it.

// quiet is a logger that drops everything, so test output stays readable.
func quiet() Option { return WithLogger(slog.New(slog.DiscardHandler)) }

// forEachEngine runs fn once per engine from dbtest.URLs, in a stable order, as a subtest
// named after the dialect. url is "" for SQLite and a fresh schema's URL for PostgreSQL.
func forEachEngine(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	urls := dbtest.URLs(t)
	dialects := make([]string, 0, len(urls))
	for d := range urls {
		dialects = append(dialects, string(d))
	}
	sort.Strings(dialects)
	for _, d := range dialects {
		url := urls[db.Dialect(d)]
		t.Run(d, func(t *testing.T) { fn(t, url) })
	}
}

// bootConfig is DefaultConfig on a fresh data dir, the given database and a free port.
func bootConfig(t *testing.T, dataDir, url string) Config {
	t.Helper()
	c := DefaultConfig()
	c.DataDir = dataDir
	c.DatabaseURL = url
	c.Addr = "127.0.0.1:0"
	return c
}

// running is a platform answering on a real port.
type running struct {
	p    *Platform
	url  string
	stop context.CancelFunc
	done chan error // receives Serve's result once
	// stopped is set once stop has been waited for, so cleanup does not wait twice.
	stopped bool
	err     error
}

// boot creates the platform with New, listens on a free port and serves in a goroutine.
// Cleanup stops it and closes the store, unless the test did.
func boot(t *testing.T, cfg Config) *running {
	t.Helper()
	p, err := New(cfg, quiet())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := p.Listen()
	if err != nil {
		p.Close()
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{p: p, url: p.PublicURL(ln.Addr()), stop: cancel, done: make(chan error, 1)}
	go func() { r.done <- p.Serve(ctx, ln) }()
	t.Cleanup(func() {
		r.shutdown()
		p.Close()
	})
	return r
}

// shutdown cancels Serve's context and returns what Serve returned.
func (r *running) shutdown() error {
	if !r.stopped {
		r.stop()
		r.err = <-r.done
		r.stopped = true
	}
	return r.err
}

// do sends one request and returns the status and body.
func (r *running) do(t *testing.T, method, path, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, r.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, out
}

// getJSON GETs path, requires 200 and decodes the body into v.
func (r *running) getJSON(t *testing.T, path, token string, v any) {
	t.Helper()
	code, body := r.do(t, http.MethodGet, path, token, nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200: %s", path, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: not JSON: %v: %s", path, err, body)
	}
}

// counts is what a second start must leave alone.
type counts struct {
	apps, users int
	userNames   []string
}

func (r *running) counts(t *testing.T, token string) counts {
	t.Helper()
	var a struct {
		Apps []json.RawMessage `json:"apps"`
	}
	r.getJSON(t, "/v1/apps", token, &a)
	var u struct {
		Users []struct {
			Name string `json:"name"`
		} `json:"users"`
	}
	r.getJSON(t, "/v1/users", token, &u)
	c := counts{apps: len(a.Apps), users: len(u.Users)}
	for _, x := range u.Users {
		c.userNames = append(c.userNames, x.Name)
	}
	sort.Strings(c.userNames)
	return c
}

// isToken reports whether s looks like an API token: gvt_ and 43 base64url characters.
func isToken(s string) bool {
	rest, ok := strings.CutPrefix(s, "gvt_")
	if !ok || len(rest) != 43 {
		return false
	}
	for _, c := range rest {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// readTokenFile returns the token in a first-start file after checking its mode.
func readTokenFile(t *testing.T, path string) string {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("token file: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s mode = %v, want 0600", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func TestBootServeAndRestart(t *testing.T) {
	forEachEngine(t, func(t *testing.T, url string) {
		dir := t.TempDir()
		cfg := bootConfig(t, dir, url)
		r := boot(t, cfg)

		fs := r.p.FirstStart()
		if !fs.Created {
			t.Fatal("FirstStart().Created = false on an empty store")
		}
		if !isToken(fs.AdminToken) {
			t.Errorf("AdminToken = %q, want gvt_ and 43 base64url characters", fs.AdminToken)
		}
		if !isToken(fs.ReviewerToken) || fs.ReviewerToken == fs.AdminToken {
			t.Errorf("ReviewerToken = %q (admin %q), want a distinct gvt_ token with the demo on", fs.ReviewerToken, fs.AdminToken)
		}
		if fs.DemoApps == 0 {
			t.Error("FirstStart().DemoApps = 0 with the demo on")
		}
		if want := filepath.Join(dir, AdminTokenFile); fs.TokenFile != want {
			t.Errorf("TokenFile = %q, want %q", fs.TokenFile, want)
		}
		if got := readTokenFile(t, filepath.Join(dir, AdminTokenFile)); got != fs.AdminToken {
			t.Errorf("%s holds %q, want the admin token %q", AdminTokenFile, got, fs.AdminToken)
		}
		if got := readTokenFile(t, filepath.Join(dir, ReviewerTokenFile)); got != fs.ReviewerToken {
			t.Errorf("%s holds %q, want the reviewer token %q", ReviewerTokenFile, got, fs.ReviewerToken)
		}
		wantDB := "sqlite "
		if url != "" {
			wantDB = "postgres "
		}
		if !strings.HasPrefix(r.p.Database(), wantDB) {
			t.Errorf("Database() = %q, want it to start with %q", r.p.Database(), wantDB)
		}
		if !strings.HasPrefix(r.url, "http://127.0.0.1:") || strings.HasSuffix(r.url, ":0") {
			t.Errorf("PublicURL = %q, want http://127.0.0.1:<the real port>", r.url)
		}

		// The unauthenticated endpoints.
		var health struct {
			Status string `json:"status"`
		}
		r.getJSON(t, "/healthz", "", &health)
		if health.Status != "ok" {
			t.Errorf("/healthz status = %q, want ok", health.Status)
		}
		code, metrics := r.do(t, http.MethodGet, "/metrics", "", nil)
		if code != http.StatusOK || !strings.Contains(string(metrics), "govapp_http_requests_total") {
			t.Errorf("GET /metrics = %d, want 200 with govapp_http_requests_total:\n%.2000s", code, metrics)
		}
		var doc map[string]any
		r.getJSON(t, "/v1/openapi.json", "", &doc)
		if v, ok := doc["openapi"].(string); !ok || !strings.HasPrefix(v, "3.") {
			t.Errorf("openapi.json: openapi = %v, want a 3.x version", doc["openapi"])
		}

		// The admin token works; no token and a wrong one do not.
		var me struct {
			User struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"user"`
			Grants []struct {
				Role   string `json:"role"`
				NodeID string `json:"node_id"`
			} `json:"grants"`
		}
		r.getJSON(t, "/v1/me", fs.AdminToken, &me)
		if me.User.Name != "admin" {
			t.Errorf("/v1/me with the admin token: user %q, want admin", me.User.Name)
		}
		if len(me.Grants) != 1 || me.Grants[0].Role != "admin" || me.Grants[0].NodeID != "330000" {
			t.Errorf("admin grants = %+v, want one admin grant on the root 330000", me.Grants)
		}
		if code, body := r.do(t, http.MethodGet, "/v1/me", "", nil); code != http.StatusUnauthorized {
			t.Errorf("/v1/me without a token = %d, want 401: %s", code, body)
		}
		if code, body := r.do(t, http.MethodGet, "/v1/me", fs.ReviewerToken+"x", nil); code != http.StatusUnauthorized {
			t.Errorf("/v1/me with a wrong token = %d, want 401: %s", code, body)
		}
		before := r.counts(t, fs.AdminToken)
		if before.apps != fs.DemoApps {
			t.Errorf("GET /v1/apps lists %d apps, FirstStart says %d demo apps", before.apps, fs.DemoApps)
		}
		if strings.Join(before.userNames, ",") != "admin,reviewer" {
			t.Errorf("users = %v, want admin and reviewer", before.userNames)
		}

		// Graceful stop: Serve returns nil and the port stops answering.
		if err := r.shutdown(); err != nil {
			t.Fatalf("Serve after cancel = %v, want nil", err)
		}
		noKeepAlive := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		if resp, err := noKeepAlive.Get(r.url + "/healthz"); err == nil {
			resp.Body.Close()
			t.Errorf("GET /healthz after shutdown = %d, want a refused connection", resp.StatusCode)
		}
		if err := r.p.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		// A second start on the same store creates nothing and keeps the old tokens.
		adminFile, _ := os.ReadFile(filepath.Join(dir, AdminTokenFile))
		r2 := boot(t, cfg)
		fs2 := r2.p.FirstStart()
		if fs2.Created || fs2.AdminToken != "" || fs2.ReviewerToken != "" || fs2.DemoApps != 0 {
			t.Errorf("second start: FirstStart() = %+v, want nothing created", fs2)
		}
		if again, _ := os.ReadFile(filepath.Join(dir, AdminTokenFile)); !bytes.Equal(again, adminFile) {
			t.Errorf("second start rewrote %s: %q, was %q", AdminTokenFile, again, adminFile)
		}
		var me2 struct {
			User struct {
				ID string `json:"id"`
			} `json:"user"`
		}
		r2.getJSON(t, "/v1/me", fs.AdminToken, &me2)
		if me2.User.ID != me.User.ID {
			t.Errorf("after restart the admin token belongs to %q, was %q", me2.User.ID, me.User.ID)
		}
		r2.getJSON(t, "/v1/me", fs.ReviewerToken, &me2)
		after := r2.counts(t, fs.AdminToken)
		if after.apps != before.apps || after.users != before.users {
			t.Errorf("after restart: %d apps, %d users (%v); before: %d apps, %d users", after.apps, after.users, after.userNames, before.apps, before.users)
		}
		if err := r2.shutdown(); err != nil {
			t.Errorf("second Serve after cancel = %v, want nil", err)
		}
	})
}

func TestBootNoDemo(t *testing.T) {
	forEachEngine(t, func(t *testing.T, url string) {
		dir := t.TempDir()
		cfg := bootConfig(t, dir, url)
		cfg.NoDemo = true
		r := boot(t, cfg)
		fs := r.p.FirstStart()
		if !fs.Created || !isToken(fs.AdminToken) {
			t.Fatalf("FirstStart() = %+v, want the admin created", fs)
		}
		if fs.ReviewerToken != "" || fs.DemoApps != 0 {
			t.Errorf("NoDemo: ReviewerToken %q, DemoApps %d, want none", fs.ReviewerToken, fs.DemoApps)
		}
		if _, err := os.Stat(filepath.Join(dir, ReviewerTokenFile)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("NoDemo: %s exists (stat: %v)", ReviewerTokenFile, err)
		}
		if got := readTokenFile(t, filepath.Join(dir, AdminTokenFile)); got != fs.AdminToken {
			t.Errorf("%s = %q, want %q", AdminTokenFile, got, fs.AdminToken)
		}
		c := r.counts(t, fs.AdminToken)
		if c.apps != 0 {
			t.Errorf("NoDemo: GET /v1/apps lists %d apps, want none", c.apps)
		}
		if strings.Join(c.userNames, ",") != "admin" {
			t.Errorf("NoDemo: users = %v, want only admin", c.userNames)
		}
		// The region tree is always there: the admin's grant needs it.
		var orgs struct {
			Nodes []struct {
				ID   string `json:"id"`
				Kind string `json:"kind"`
			} `json:"nodes"`
		}
		r.getJSON(t, "/v1/orgs", fs.AdminToken, &orgs)
		regions := 0
		for _, n := range orgs.Nodes {
			if n.Kind != "department" {
				regions++
			}
		}
		if regions < 2 {
			t.Errorf("NoDemo: %d region nodes, want the region tree", regions)
		}
	})
}

func TestNewUnreachableDatabase(t *testing.T) {
	// The password may sit in the user info or in a password= parameter; neither may
	// reach the error, which is printed and logged.
	for _, dbURL := range []string{
		"postgres://u:secret@127.0.0.1:1/db",
		"postgres://u@127.0.0.1:1/db?password=secret",
		"postgresql://u@127.0.0.1:1/db?sslmode=disable&password=secret",
	} {
		t.Run(dbURL, func(t *testing.T) {
			cfg := bootConfig(t, filepath.Join(t.TempDir(), "data"), dbURL)
			p, err := New(cfg, quiet())
			if err == nil {
				p.Close()
				t.Fatal("New with an unreachable database succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, "database") {
				t.Errorf("error = %q, want it to mention the database", msg)
			}
			if strings.Contains(msg, "secret") {
				t.Errorf("error = %q leaks the password", msg)
			}
			if !strings.Contains(msg, "127.0.0.1:1") {
				t.Errorf("error = %q, want it to say where it tried", msg)
			}
		})
	}
}

func TestNewBadConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	cfg := bootConfig(t, dir, "")
	cfg.LogLevel = "loud"
	p, err := New(cfg, quiet())
	if err == nil {
		p.Close()
		t.Fatal("New with log_level loud succeeded")
	}
	if !strings.Contains(err.Error(), "log_level") || !strings.Contains(err.Error(), "loud") {
		t.Errorf("error = %q, want it to name log_level and the bad value", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused config created the data dir (stat: %v)", err)
	}
}

func TestVerifyAudit(t *testing.T) {
	forEachEngine(t, func(t *testing.T, url string) {
		dir := t.TempDir()
		cfg := bootConfig(t, dir, url)
		r := boot(t, cfg)
		admin := r.p.FirstStart().AdminToken

		// A few audited changes through the API.
		var me struct {
			User struct {
				NodeID string `json:"node_id"`
			} `json:"user"`
		}
		r.getJSON(t, "/v1/me", admin, &me)
		if code, body := r.do(t, http.MethodPost, "/v1/tokens", admin, map[string]any{"name": "ci"}); code != http.StatusCreated {
			t.Fatalf("POST /v1/tokens = %d: %s", code, body)
		}
		var dept struct {
			ID string `json:"id"`
		}
		code, body := r.do(t, http.MethodPost, "/v1/orgs", admin, map[string]any{"parent_id": "330100", "kind": "department", "name": "审计测试局"})
		if code != http.StatusCreated || json.Unmarshal(body, &dept) != nil || dept.ID == "" {
			t.Fatalf("POST /v1/orgs = %d: %s", code, body)
		}
		app := map[string]any{"id": "audit-test", "name": "审计测试", "owner_node": dept.ID, "category": "测试",
			"regions": []string{"330100"}, "containers": []string{"web"}}
		if code, body := r.do(t, http.MethodPost, "/v1/apps", admin, app); code != http.StatusCreated {
			t.Fatalf("POST /v1/apps = %d: %s", code, body)
		}

		ctx := context.Background()
		rep, err := VerifyAudit(ctx, cfg)
		if err != nil {
			t.Fatalf("VerifyAudit: %v", err)
		}
		if !rep.OK || rep.Entries == 0 || rep.Problem != "" || len(rep.Head) != 64 {
			t.Fatalf("VerifyAudit = %+v, want ok with entries", rep)
		}
		// The store's verdict and the API's agree.
		var remote AuditReport
		r.getJSON(t, "/v1/audit/verify", admin, &remote)
		if remote != rep {
			t.Errorf("GET /v1/audit/verify = %+v, VerifyAudit = %+v", remote, rep)
		}

		// One more change adds to the chain.
		if code, body := r.do(t, http.MethodPost, "/v1/apps/audit-test/submit", admin, map[string]any{}); code != http.StatusOK {
			t.Fatalf("submit = %d: %s", code, body)
		}
		rep2, err := VerifyAudit(ctx, cfg)
		if err != nil || !rep2.OK || rep2.Entries <= rep.Entries || rep2.Head == rep.Head {
			t.Fatalf("VerifyAudit after a change = %+v, %v; before %+v", rep2, err, rep)
		}

		// Editing history breaks the chain, and VerifyAudit says so.
		if err := r.shutdown(); err != nil {
			t.Fatal(err)
		}
		d, err := db.Open(ctx, url, dir)
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.ExecContext(ctx, `UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 2`)
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		bad, err := VerifyAudit(ctx, cfg)
		if err != nil {
			t.Fatalf("VerifyAudit on a tampered chain: %v", err)
		}
		if bad.OK || bad.Entries != 1 || !strings.Contains(bad.Problem, "entry 2") {
			t.Errorf("VerifyAudit on a tampered chain = %+v, want not ok at entry 2", bad)
		}
	})
}

func TestVerifyAuditNoStore(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.DataDir = dir
	_, err := VerifyAudit(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "no platform database") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("VerifyAudit on an empty dir = %v, want an error saying there is no platform database in %s", err, dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("VerifyAudit on an empty dir left %d files behind, e.g. %s", len(entries), entries[0].Name())
	}

	// A directory that does not exist is not created either.
	missing := filepath.Join(dir, "nope")
	cfg.DataDir = missing
	if _, err := VerifyAudit(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "no platform database") {
		t.Errorf("VerifyAudit on a missing dir = %v", err)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("VerifyAudit created %s (stat: %v)", missing, err)
	}

	// Nor is an SQLite file named by an explicit URL: verify only reads.
	for _, dbURL := range []string{
		"sqlite://" + filepath.Join(dir, "explicit", "govapp.db"),
		"file:" + filepath.Join(dir, "file-url", "govapp.db"),
	} {
		cfg := DefaultConfig()
		cfg.DataDir = filepath.Join(dir, "unused")
		cfg.DatabaseURL = dbURL
		if _, err := VerifyAudit(context.Background(), cfg); err == nil {
			t.Errorf("VerifyAudit(%s) on a missing file succeeded", dbURL)
		}
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			var names []string
			for _, e := range left {
				names = append(names, e.Name())
				os.RemoveAll(filepath.Join(dir, e.Name()))
			}
			t.Errorf("VerifyAudit(%s) created %v; a verify must not create a database", dbURL, names)
		}
	}
}

// TestVerifyAuditForeignStore: a database that is not govapp's is refused with a hint, on
// every engine, and VerifyAudit does not turn it into one.
func TestVerifyAuditForeignStore(t *testing.T) {
	forEachEngine(t, func(t *testing.T, url string) {
		dir := t.TempDir()
		ctx := context.Background()
		if url == "" {
			// An SQLite file of another program where govapp.db is expected.
			d, err := db.Open(ctx, "", dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.ExecContext(ctx, `CREATE TABLE other (x INTEGER)`)
			d.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		cfg := DefaultConfig()
		cfg.DataDir, cfg.DatabaseURL = dir, url
		_, err := VerifyAudit(ctx, cfg)
		if err == nil || !strings.Contains(err.Error(), "no govapp audit log") {
			t.Fatalf("VerifyAudit on a foreign store = %v, want \"no govapp audit log\"", err)
		}
		d, err := db.Open(ctx, url, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var n int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err == nil {
			t.Errorf("VerifyAudit created schema_migrations (%d rows) in a foreign store", n)
		}
	})
}
