package devcli

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/govapp/govapp/platform"
)

// The whole CLI against the real platform, in-process: the platform runs with
// platform.New + Listen + Serve on a free port, and every command goes through the same
// dispatch as Main, with buffers and an environment of its own (no process environment,
// no ~/.config).

// Environment of the PostgreSQL leg, as in platform/internal/dbtest (which devcli, outside
// the platform tree, may not import).
const (
	envTestDatabaseURL     = "GOVAPP_TEST_DATABASE_URL"
	envTestRequirePostgres = "GOVAPP_TEST_REQUIRE_POSTGRES"
)

// e2eEngines runs fn as a subtest per engine: "sqlite" always (dbURL ""), "postgres" with a
// fresh schema's URL when GOVAPP_TEST_DATABASE_URL is set. Without it the PostgreSQL leg
// is skipped, or fails when GOVAPP_TEST_REQUIRE_POSTGRES is set.
func e2eEngines(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Helper()
	t.Run("postgres", func(t *testing.T) { fn(t, e2ePostgresURL(t)) })
	t.Run("sqlite", func(t *testing.T) { fn(t, "") })
}

// e2ePostgresURL creates a schema for this test on the test server (dropped at cleanup)
// and returns a URL whose search_path points at it. It talks to the server through
// database/sql and the "pgx" driver, which the platform package registers.
func e2ePostgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv(envTestDatabaseURL)
	if base == "" {
		if os.Getenv(envTestRequirePostgres) != "" {
			t.Fatalf("%s is set but %s is empty", envTestRequirePostgres, envTestDatabaseURL)
		}
		t.Skipf("PostgreSQL leg skipped: set %s=postgres://... to run it", envTestDatabaseURL)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// e2ePlatform is a platform serving on a real port for the test's lifetime.
type e2ePlatform struct {
	url     string // http://127.0.0.1:PORT
	dataDir string
	first   platform.FirstStart
}

// startPlatform boots the platform on dataDir and the database dbURL and serves it until
// the test ends; cleanup requires Serve to return nil (a graceful stop).
func startPlatform(t *testing.T, dataDir, dbURL string) *e2ePlatform {
	t.Helper()
	cfg := platform.DefaultConfig()
	cfg.DataDir, cfg.DatabaseURL, cfg.Addr = dataDir, dbURL, "127.0.0.1:0"
	p, err := platform.New(cfg, platform.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("platform.New: %v", err)
	}
	ln, err := p.Listen()
	if err != nil {
		p.Close()
		t.Fatalf("Listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve after cancel = %v, want nil", err)
		}
		p.Close()
	})
	return &e2ePlatform{url: p.PublicURL(ln.Addr()), dataDir: dataDir, first: p.FirstStart()}
}

// e2eCLI runs CLI commands with an environment of its own.
type e2eCLI struct {
	t   *testing.T
	env map[string]string
	ctx context.Context
}

// newCLI isolates the CLI config in the test's temp dir.
func newCLI(t *testing.T) *e2eCLI {
	return &e2eCLI{t: t, ctx: context.Background(), env: map[string]string{
		envConfig: filepath.Join(t.TempDir(), "conf", "govapp", "cli.json"),
	}}
}

// with returns a CLI whose environment also holds kv (name, value, …).
func (c *e2eCLI) with(kv ...string) *e2eCLI {
	env := make(map[string]string, len(c.env)+len(kv)/2)
	for k, v := range c.env {
		env[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return &e2eCLI{t: c.t, ctx: c.ctx, env: env}
}

// run builds the Env the way Main does, but with c's environment, and runs args.
func (c *e2eCLI) run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	getenv := func(k string) string { return c.env[k] }
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: getenv}
	e.ConfigPath = configPath(getenv)
	code = e.run(c.ctx, args)
	return code, out.String(), errb.String()
}

// must runs args and fails the test unless the exit code is want.
func (c *e2eCLI) must(want int, args ...string) (stdout, stderr string) {
	c.t.Helper()
	code, stdout, stderr := c.run(args...)
	if code != want {
		c.t.Fatalf("govapp %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, stdout, stderr)
	}
	return stdout, stderr
}

// mustJSON runs args (which include --json), requires exit 0 and decodes stdout into v.
func (c *e2eCLI) mustJSON(v any, args ...string) {
	c.t.Helper()
	stdout, _ := c.must(ExitOK, args...)
	if err := json.Unmarshal([]byte(stdout), v); err != nil {
		c.t.Fatalf("govapp %s: stdout is not JSON: %v\n%s", strings.Join(args, " "), err, stdout)
	}
}

// readSecret reads a first-start token file.
func readSecret(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return strings.TrimSpace(string(b))
}

// TestE2E is the "Done when" of the issue: from a login to an approved app, a CI token
// created and revoked, and the audit chain verified, all through the CLI.
func TestE2E(t *testing.T) {
	e2eEngines(t, func(t *testing.T, dbURL string) {
		srv := startPlatform(t, t.TempDir(), dbURL)
		admin := readSecret(t, filepath.Join(srv.dataDir, platform.AdminTokenFile))
		reviewer := readSecret(t, filepath.Join(srv.dataDir, platform.ReviewerTokenFile))
		if admin != srv.first.AdminToken || reviewer != srv.first.ReviewerToken {
			t.Fatalf("token files hold %q and %q; FirstStart says %q and %q", admin, reviewer, srv.first.AdminToken, srv.first.ReviewerToken)
		}
		cli := newCLI(t)

		// Not logged in yet.
		if _, stderr := cli.must(ExitFailure, "apps", "list"); !strings.Contains(stderr, "not logged in") {
			t.Errorf("apps list before login: stderr = %q", stderr)
		}

		// login saves the server and the token.
		stdout, _ := cli.must(ExitOK, "login", "--server", srv.url+"/", "--token", admin)
		if want := "Logged in to " + srv.url + " as admin (平台管理员)\n"; !strings.HasPrefix(stdout, want) {
			t.Errorf("login: stdout = %q, want it to start with %q", stdout, want)
		}
		saved, err := os.ReadFile(cli.env[envConfig])
		if err != nil {
			t.Fatalf("login saved no config: %v", err)
		}
		var savedCfg cliConfig
		if err := json.Unmarshal(saved, &savedCfg); err != nil || savedCfg.Server != srv.url || savedCfg.Token != admin {
			t.Errorf("saved config = %s (%v), want server %s and the admin token", saved, err, srv.url)
		}

		var me struct {
			User struct {
				ID     string `json:"id"`
				NodeID string `json:"node_id"`
			} `json:"user"`
		}
		cli.mustJSON(&me, "whoami", "--json")

		// orgs list shows the tree; --json gives the ids.
		stdout, _ = cli.must(ExitOK, "orgs", "list")
		for _, want := range []string{"浙江省", "330000", "杭州市", "省大数据发展管理局"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("orgs list lacks %q:\n%s", want, stdout)
			}
		}
		var orgs struct {
			Nodes []struct {
				ID   string `json:"id"`
				Kind string `json:"kind"`
				Name string `json:"name"`
				Path string `json:"path"`
			} `json:"nodes"`
		}
		cli.mustJSON(&orgs, "orgs", "list", "--json")
		sort.Slice(orgs.Nodes, func(i, j int) bool { return orgs.Nodes[i].Path < orgs.Nodes[j].Path })
		dept, home := "", ""
		for _, n := range orgs.Nodes {
			if n.Kind != "department" {
				continue
			}
			if n.Name == "省大数据发展管理局" {
				home = n.ID
			} else if dept == "" {
				dept = n.ID
			}
		}
		if dept == "" || home == "" {
			t.Fatalf("orgs list --json: no demo department besides the operator's (home %q): %+v", home, orgs.Nodes)
		}
		if me.User.NodeID != home {
			t.Errorf("the admin's home node is %q, want 省大数据发展管理局 %q", me.User.NodeID, home)
		}
		if !strings.Contains(stdout, dept) {
			t.Errorf("orgs list does not show department %s:\n%s", dept, stdout)
		}

		// Register, submit, and go through review.
		const id = "e2e-test-app"
		stdout, _ = cli.must(ExitOK, "apps", "create", "--id", id, "--name", "端到端测试", "--owner", dept,
			"--category", "测试", "--region", "330000", "--container", "wechat,web")
		if !strings.Contains(stdout, "Created app "+id+" (端到端测试), status draft.") {
			t.Errorf("apps create: stdout = %q", stdout)
		}
		if _, stderr := cli.must(ExitFailure, "apps", "create", "--id", id, "--name", "重复", "--owner", dept,
			"--category", "测试", "--region", "330000", "--container", "web"); !strings.Contains(stderr, "error: ") {
			t.Errorf("apps create of an existing id: stderr = %q", stderr)
		}
		stdout, _ = cli.must(ExitOK, "apps", "submit", id)
		if stdout != "Submitted "+id+" for review; status in_review.\n" {
			t.Errorf("apps submit: stdout = %q", stdout)
		}
		// The admin submitted it: approving it would be reviewing their own work.
		stdout, stderr := cli.must(ExitFailure, "apps", "approve", id)
		if !strings.Contains(stderr, "self-review") || stdout != "" {
			t.Errorf("apps approve by the submitter: stdout %q, stderr %q, want a self-review refusal", stdout, stderr)
		}
		var app struct {
			Status      string   `json:"status"`
			OwnerNode   string   `json:"owner_node"`
			Category    string   `json:"category"`
			Regions     []string `json:"regions"`
			Containers  []string `json:"containers"`
			SubmittedBy string   `json:"submitted_by"`
			LastReview  *struct {
				ReviewerID string `json:"reviewer_id"`
				Decision   string `json:"decision"`
			} `json:"last_review"`
		}
		cli.mustJSON(&app, "apps", "show", id, "--json")
		if app.Status != "in_review" || app.LastReview != nil {
			t.Errorf("after the refused approve: status %q, last_review %+v; want in_review and no review", app.Status, app.LastReview)
		}

		// The demo reviewer (GOVAPP_TOKEN overrides the saved login) may approve.
		asReviewer := cli.with(envToken, reviewer)
		var rme struct {
			User struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"user"`
		}
		asReviewer.mustJSON(&rme, "whoami", "--json")
		if rme.User.Name != "reviewer" {
			t.Fatalf("GOVAPP_TOKEN=<reviewer-token> whoami: user %q, want reviewer", rme.User.Name)
		}
		stdout, _ = asReviewer.must(ExitOK, "apps", "approve", id, "--comment", "looks good")
		if stdout != "Approved "+id+"; status online.\n" {
			t.Errorf("apps approve: stdout = %q", stdout)
		}
		cli.mustJSON(&app, "apps", "show", id, "--json")
		if app.Status != "online" || app.OwnerNode != dept || app.Category != "测试" ||
			strings.Join(app.Containers, ",") != "wechat,web" || strings.Join(app.Regions, ",") != "330000" || app.SubmittedBy != me.User.ID {
			t.Errorf("apps show --json = %+v, want online, owned by %s, submitted by %s", app, dept, me.User.ID)
		}
		if app.LastReview == nil || app.LastReview.ReviewerID != rme.User.ID || app.LastReview.Decision != "approved" {
			t.Errorf("last_review = %+v, want approved by %s", app.LastReview, rme.User.ID)
		}
		stdout, _ = cli.must(ExitOK, "apps", "show", id)
		for _, want := range []string{"online", "in_review", "looks good"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("apps show lacks %q:\n%s", want, stdout)
			}
		}
		stdout, _ = cli.must(ExitOK, "apps", "list", "--status", "online")
		if !strings.Contains(stdout, id) {
			t.Errorf("apps list --status online lacks %s:\n%s", id, stdout)
		}

		// A CI token: created, listed, working, revoked, refused.
		stdout, stderr = cli.must(ExitOK, "tokens", "create", "--name", "ci")
		secret := strings.TrimSuffix(stdout, "\n")
		if !strings.HasPrefix(secret, "gvt_") || len(secret) != len("gvt_")+43 || strings.Contains(secret, "\n") {
			t.Fatalf("tokens create: stdout = %q, want the gvt_ secret alone on its line", stdout)
		}
		if !strings.Contains(stderr, `Created token "ci"`) || strings.Contains(stderr, secret) {
			t.Errorf("tokens create: stderr = %q", stderr)
		}
		var toks struct {
			Tokens []struct {
				ID        string  `json:"id"`
				Name      string  `json:"name"`
				Prefix    string  `json:"prefix"`
				RevokedAt *string `json:"revoked_at"`
			} `json:"tokens"`
		}
		cli.mustJSON(&toks, "tokens", "list", "--json")
		ciID := ""
		for _, tk := range toks.Tokens {
			if tk.Name == "ci" {
				ciID = tk.ID
				if tk.RevokedAt != nil || !strings.HasPrefix(secret, tk.Prefix) {
					t.Errorf("new token listed as %+v", tk)
				}
			}
		}
		if ciID == "" {
			t.Fatalf("tokens list --json lacks the ci token: %+v", toks.Tokens)
		}
		stdout, _ = cli.must(ExitOK, "tokens", "list")
		if !strings.Contains(stdout, ciID) || !strings.Contains(stdout, "ci") || !strings.Contains(stdout, "active") {
			t.Errorf("tokens list lacks the active ci token %s:\n%s", ciID, stdout)
		}
		if strings.Contains(stdout, secret) {
			t.Errorf("tokens list shows the secret:\n%s", stdout)
		}
		asCI := cli.with(envToken, secret)
		if stdout, _ := asCI.must(ExitOK, "whoami"); !strings.Contains(stdout, "admin") {
			t.Errorf("whoami with the ci token = %q", stdout)
		}
		stdout, _ = cli.must(ExitOK, "tokens", "revoke", ciID)
		if stdout != "Revoked token "+ciID+".\n" {
			t.Errorf("tokens revoke: stdout = %q", stdout)
		}
		for _, args := range [][]string{{"whoami"}, {"apps", "list"}} {
			stdout, stderr := asCI.must(ExitFailure, args...)
			if stdout != "" || !strings.Contains(stderr, "The token was refused") {
				t.Errorf("govapp %s with a revoked token: stdout %q, stderr %q", strings.Join(args, " "), stdout, stderr)
			}
		}
		stdout, _ = cli.must(ExitOK, "tokens", "list")
		if line := lineWith(stdout, ciID); !strings.Contains(line, "revoked") {
			t.Errorf("tokens list after revoke: ci line %q, want revoked:\n%s", line, stdout)
		}

		// The audit chain, read from the store as an operator does on the server, and
		// through the API; both agree.
		var local []string
		if dbURL == "" {
			local = []string{"audit", "verify", "--data", srv.dataDir}
		} else {
			local = []string{"audit", "verify", "--database-url", dbURL}
		}
		stdout, _ = cli.must(ExitOK, local...)
		if !strings.HasPrefix(stdout, "audit chain ok: ") || strings.HasPrefix(stdout, "audit chain ok: 0 ") {
			t.Errorf("%s: stdout = %q, want ok with entries", strings.Join(local, " "), stdout)
		}
		remote, _ := cli.must(ExitOK, "audit", "verify", "--remote")
		if remote != stdout {
			t.Errorf("audit verify --remote = %q, on the store %q", remote, stdout)
		}
		var rep platform.AuditReport
		cli.mustJSON(&rep, append(local, "--json")...)
		if !rep.OK || rep.Entries == 0 {
			t.Errorf("audit verify --json = %+v", rep)
		}
		if _, stderr := cli.must(ExitFailure, "audit", "verify", "--data", t.TempDir()); !strings.Contains(stderr, "no platform database") {
			t.Errorf("audit verify on an empty dir: stderr = %q", stderr)
		}

		// Usage errors exit 2 and reach no server.
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"apps", "create"}, "missing --id"},
			{[]string{"frobnicate"}, `unknown command "frobnicate"`},
			{[]string{"apps", "approve"}, "missing ID"},
		} {
			code, stdout, stderr := cli.run(tt.args...)
			if code != ExitUsage || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("govapp %s: exit %d, stdout %q, stderr %q; want 2 and %q", strings.Join(tt.args, " "), code, stdout, stderr, tt.want)
			}
		}

		// logout forgets the token: the next command is not logged in.
		cli.must(ExitOK, "logout")
		if _, stderr := cli.must(ExitFailure, "apps", "list"); !strings.Contains(stderr, "not logged in") {
			t.Errorf("apps list after logout: stderr = %q", stderr)
		}
	})
}

// lineWith returns the first line of s containing sub.
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func TestServePrintConfig(t *testing.T) {
	cli := newCLI(t).with("GOVAPP_DATABASE_URL", "postgres://u:pw@h/db", "GOVAPP_LOG_LEVEL", "warn")
	stdout, stderr := cli.must(ExitOK, "serve", "--print-config", "--addr", "127.0.0.1:9999")
	if !strings.Contains(stdout, "database_url: postgres://u:xxxxx@h/db") || strings.Contains(stdout, "pw@") {
		t.Errorf("serve --print-config = %q, want the password replaced by xxxxx", stdout)
	}
	// Defaults < env < flags, all shown.
	for _, want := range []string{"addr: 127.0.0.1:9999", "log_level: warn", "data_dir: " + platform.DefaultDataDir} {
		if !strings.Contains(stdout, want) {
			t.Errorf("serve --print-config lacks %q:\n%s", want, stdout)
		}
	}
	if stderr != "" {
		t.Errorf("serve --print-config: stderr = %q", stderr)
	}
	// A password in the query is hidden too.
	stdout, _ = newCLI(t).must(ExitOK, "serve", "--print-config", "--database-url", "postgres://u@h/db?password=pw")
	if strings.Contains(stdout, "=pw") || !strings.Contains(stdout, "xxxxx") {
		t.Errorf("serve --print-config with ?password= = %q", stdout)
	}
}

func TestServeBadAddr(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	// A cancelled context: should serve wrongly start, it stops at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cli := newCLI(t)
	cli.ctx = ctx
	code, stdout, stderr := cli.run("serve", "--addr", "bad", "--data", data)
	if code != ExitUsage {
		t.Errorf("serve --addr bad: exit %d, want 2\nstdout %q\nstderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "addr (GOVAPP_ADDR)") || !strings.Contains(stderr, `"bad"`) || !strings.Contains(stderr, "host:port") {
		t.Errorf("serve --addr bad: stderr = %q, want it to name addr, the value and what is allowed", stderr)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve --addr bad created the data dir (stat: %v)", err)
	}
}

// TestServeFirstStart runs `govapp serve` itself with an already cancelled context: it
// starts, prints the first-start banner, and stops gracefully at once. A second start on
// the same store prints no token.
func TestServeFirstStart(t *testing.T) {
	e2eEngines(t, func(t *testing.T, dbURL string) {
		data := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		cli := newCLI(t)
		cli.ctx = ctx
		args := []string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--log-level", "error"}
		if dbURL != "" {
			args = append(args, "--database-url", dbURL)
		}
		stdout, _ := cli.must(ExitOK, args...)
		admin := readSecret(t, filepath.Join(data, platform.AdminTokenFile))
		reviewer := readSecret(t, filepath.Join(data, platform.ReviewerTokenFile))
		for _, want := range []string{"First start", "Admin token", admin, reviewer,
			"govapp login --server http://127.0.0.1:", filepath.Join(data, platform.AdminTokenFile)} {
			if !strings.Contains(stdout, want) {
				t.Errorf("serve: stdout lacks %q:\n%s", want, stdout)
			}
		}
		if strings.Contains(stdout, "127.0.0.1:0/") {
			t.Errorf("serve printed port 0 instead of the real one:\n%s", stdout)
		}
		wantDB := "database  sqlite " + filepath.Join(data, "govapp.db")
		if dbURL != "" {
			wantDB = "database  postgres postgres://"
		}
		if !strings.Contains(stdout, wantDB) {
			t.Errorf("serve: stdout lacks %q:\n%s", wantDB, stdout)
		}

		stdout, _ = cli.must(ExitOK, args...)
		if strings.Contains(stdout, "First start") || strings.Contains(stdout, admin) || strings.Contains(stdout, "gvt_") {
			t.Errorf("second serve printed first-start output:\n%s", stdout)
		}
		if got := readSecret(t, filepath.Join(data, platform.AdminTokenFile)); got != admin {
			t.Errorf("second serve rewrote the admin token file")
		}
	})
}
