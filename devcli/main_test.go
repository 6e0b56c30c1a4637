package devcli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

const testToken = "gvt_TESTTESTTESTTESTTESTTESTTESTTESTTESTTESTTES"

// reply is a canned answer of the fake API.
type reply struct {
	status int
	body   string
}

// request is what the fake API saw.
type request struct {
	method, path, query, auth string
	body                      string
}

// fakeAPI imitates the console API just enough for the CLI: fixed replies
// per "METHOD /path", everything recorded.
type fakeAPI struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	routes map[string]reply
	seen   []request
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, routes: map[string]reply{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.seen = append(f.seen, request{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Get("Authorization"), string(body)})
	rep, ok := f.routes[r.Method+" "+r.URL.EscapedPath()]
	f.mu.Unlock()
	w.Header().Set("X-Request-Id", "req-test")
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(404)
		io.WriteString(w, `{"code":40400,"http":404,"error":"no such route in the fake","request_id":"req-test"}`)
		return
	}
	if rep.status == 0 {
		rep.status = 200
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

// on sets the reply to "METHOD /path".
func (f *fakeAPI) on(route string, status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[route] = reply{status, body}
}

// requests returns what the fake has seen so far.
func (f *fakeAPI) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.seen...)
}

// only asserts that exactly one request was made and returns it.
func (f *fakeAPI) only(t *testing.T) request {
	t.Helper()
	reqs := f.requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %+v, want exactly one", reqs)
	}
	return reqs[0]
}

// setup isolates the CLI config in a temp dir and logs in to a fake API
// through the environment.
func setup(t *testing.T) *fakeAPI {
	t.Helper()
	f := newFakeAPI(t)
	isolate(t)
	t.Setenv(envServer, f.srv.URL)
	t.Setenv(envToken, testToken)
	return f
}

// isolate points the CLI config at a temp file and clears the login env.
func isolate(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "conf", "govapp", "cli.json")
	t.Setenv(envConfig, path)
	t.Setenv(envServer, "")
	t.Setenv(envToken, "")
	return path
}

// run runs the CLI and returns its exit code and outputs.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runStdin(t, "", args...)
}

func runStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// mustRun runs the CLI and fails the test unless it exits with want.
func mustRun(t *testing.T, want int, args ...string) (string, string) {
	t.Helper()
	code, stdout, stderr := run(t, args...)
	if code != want {
		t.Fatalf("govapp %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, stdout, stderr)
	}
	return stdout, stderr
}

// assertJSON compares a JSON document with want structurally.
func assertJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("not JSON: %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("JSON = %s\nwant %s", got, want)
	}
}

// indented is body as --json must print it.
func indented(t *testing.T, body string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, []byte(strings.TrimSpace(body)), "", "  "); err != nil {
		t.Fatal(err)
	}
	return buf.String() + "\n"
}

func TestVersion(t *testing.T) {
	stdout, _ := mustRun(t, 0, "version")
	if !strings.HasPrefix(stdout, "govapp dev (commit unknown, go1.") || !strings.HasSuffix(stdout, ")\n") {
		t.Errorf("version = %q", stdout)
	}
	if out, _ := mustRun(t, 0, "--version"); out != stdout {
		t.Errorf("--version = %q, want %q", out, stdout)
	}
}

func TestCommandTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commands() {
		if seen[c.name] || c.summary == "" || c.run == nil {
			t.Errorf("bad or duplicate entry %q", c.name)
		}
		seen[c.name] = true
	}
	for _, want := range []string{"version", "help", "login", "apps", "orgs", "tokens", "users", "serve", "audit"} {
		if !seen[want] {
			t.Errorf("command %q missing from the table", want)
		}
	}
}

func TestHelp(t *testing.T) {
	isolate(t)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"help"}, []string{"usage: govapp <command>", "serve", "audit", "apps", "GOVAPP_TOKEN"}},
		{[]string{"--help"}, []string{"usage: govapp <command>"}},
		{[]string{"-h"}, []string{"usage: govapp <command>"}},
		{[]string{"help", "apps"}, []string{"usage: govapp apps <command>", "approve", "reject"}},
		{[]string{"apps", "-h"}, []string{"usage: govapp apps <command>"}},
		{[]string{"apps", "help", "reject"}, []string{"usage: govapp apps reject ID --comment C"}},
		{[]string{"help", "apps", "create"}, []string{"usage: govapp apps create --id ID", "-contact name:phone:email"}},
		{[]string{"apps", "show", "-h"}, []string{"usage: govapp apps show ID [--json]", "-json"}},
		{[]string{"tokens", "create", "--help"}, []string{"usage: govapp tokens create --name N"}},
		{[]string{"help", "login"}, []string{"usage: govapp login --server URL"}},
		{[]string{"help", "version"}, []string{"usage: govapp version"}},
	}
	for _, tt := range tests {
		stdout, stderr := mustRun(t, 0, tt.args...)
		for _, w := range tt.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("govapp %s: stdout lacks %q:\n%s", strings.Join(tt.args, " "), w, stdout)
			}
		}
		if stderr != "" {
			t.Errorf("govapp %s: stderr = %q", strings.Join(tt.args, " "), stderr)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	f := setup(t)
	tests := []struct {
		args []string
		want string // in stderr
	}{
		{nil, "usage: govapp <command>"},
		{[]string{"frobnicate"}, `error: unknown command "frobnicate"`},
		{[]string{"help", "frobnicate"}, `error: unknown command "frobnicate"`},
		{[]string{"apps"}, "usage: govapp apps <command>"},
		{[]string{"apps", "frob"}, `unknown command "apps frob"`},
		{[]string{"apps", "show"}, "error: apps show: missing ID"},
		{[]string{"apps", "show", "a", "b"}, `error: apps show: unexpected argument "b"`},
		{[]string{"apps", "list", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"apps", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"apps", "create", "--name", "x"}, "error: apps create: missing --id"},
		{[]string{"apps", "create", "--id", "a", "--name", "b", "--owner", "d", "--category", "c", "--region", "330100"}, "missing --container"},
		{[]string{"apps", "create", "--id", "a", "--name", "b", "--owner", "d", "--category", "c", "--region", "330100",
			"--container", "web", "--contact", "a:b:c:d"}, `--contact "a:b:c:d"`},
		{[]string{"apps", "reject", "hz-bus"}, "error: apps reject: missing --comment"},
		{[]string{"apps", "submit", "--comment"}, "flag needs an argument: -comment"},
		{[]string{"tokens", "create"}, "missing --name"},
		{[]string{"tokens", "create", "--name", "ci", "--expires-days", "-1"}, "must not be negative"},
		{[]string{"tokens", "create", "--name", "ci", "--expires-days", "soon"}, "invalid value"},
		{[]string{"tokens", "revoke"}, "missing ID"},
		{[]string{"users", "create", "--name", "a", "--node", "n", "--kind", "robot"}, "--kind must be staff or citizen"},
		{[]string{"users", "grant", "u-1", "--role", "reviewer"}, "missing --node"},
		{[]string{"users", "grant", "--role", "reviewer", "--node", "n"}, "missing USER_ID"},
		{[]string{"version", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		code, stdout, stderr := run(t, tt.args...)
		if code != ExitUsage {
			t.Errorf("govapp %s: exit %d, want 2 (stderr %q)", strings.Join(tt.args, " "), code, stderr)
		}
		if !strings.Contains(stderr, tt.want) {
			t.Errorf("govapp %s: stderr = %q, want it to contain %q", strings.Join(tt.args, " "), stderr, tt.want)
		}
		if stdout != "" {
			t.Errorf("govapp %s: stdout = %q, want nothing", strings.Join(tt.args, " "), stdout)
		}
	}
	if reqs := f.requests(); len(reqs) != 0 {
		t.Errorf("usage errors sent requests: %+v", reqs)
	}
}

func TestNotLoggedIn(t *testing.T) {
	isolate(t)
	for _, args := range [][]string{{"apps", "list"}, {"whoami"}, {"tokens", "revoke", "t-1"}} {
		_, stderr := mustRun(t, ExitFailure, args...)
		if !strings.Contains(stderr, "not logged in") || !strings.Contains(stderr, "govapp login --server URL --token TOKEN") {
			t.Errorf("govapp %s: stderr = %q", strings.Join(args, " "), stderr)
		}
	}
}

const meJSON = `{"user":{"id":"u-1","name":"zhangsan","display_name":"张三","kind":"staff","node_id":"330100",
  "region":"330100","verified_level":0,"created_at":"2025-03-01T08:30:00Z"},
  "grants":[{"id":"g-1","user_id":"u-1","role":"developer","node_id":"d-1","created_at":"2025-03-01T08:30:00Z"}]}`

func TestLoginSavesConfig(t *testing.T) {
	f := newFakeAPI(t)
	path := isolate(t)
	f.on("GET /v1/me", 200, meJSON)

	stdout, _ := mustRun(t, 0, "login", "--server", f.srv.URL+"/", "--token", testToken)
	if want := "Logged in to " + f.srv.URL + " as zhangsan (张三)\n"; !strings.HasPrefix(stdout, want) {
		t.Errorf("stdout = %q, want it to start with %q", stdout, want)
	}
	if got := f.only(t); got.auth != "Bearer "+testToken || got.path != "/v1/me" {
		t.Errorf("login sent %+v", got)
	}

	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("config mode = %v, want 0600", st.Mode().Perm())
	}
	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if dir.Mode().Perm() != 0o700 {
		t.Errorf("config dir mode = %v, want 0700", dir.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	assertJSON(t, string(data), `{"server":"`+f.srv.URL+`","token":"`+testToken+`"}`)

	// Later commands use the saved login.
	f.on("GET /v1/apps", 200, `{"apps":[]}`)
	stdout, _ = mustRun(t, 0, "apps", "list")
	if stdout != "No apps.\n" {
		t.Errorf("apps list = %q", stdout)
	}
	if reqs := f.requests(); reqs[1].auth != "Bearer "+testToken {
		t.Errorf("apps list sent %+v", reqs[1])
	}

	// whoami shows the grants; logout forgets the token, keeps the server.
	stdout, _ = mustRun(t, 0, "whoami")
	if !strings.Contains(stdout, "zhangsan (张三)") || !strings.Contains(stdout, "developer") {
		t.Errorf("whoami = %q", stdout)
	}
	mustRun(t, 0, "logout")
	data, _ = os.ReadFile(path)
	assertJSON(t, string(data), `{"server":"`+f.srv.URL+`"}`)
	mustRun(t, ExitFailure, "apps", "list")
}

func TestLoginTokenFromStdin(t *testing.T) {
	f := newFakeAPI(t)
	path := isolate(t)
	f.on("GET /v1/me", 200, meJSON)
	code, stdout, stderr := runStdin(t, testToken+"\n", "login", "--server", f.srv.URL)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "Paste an API token") || !strings.Contains(stdout, "Logged in") {
		t.Errorf("stdout %q stderr %q", stdout, stderr)
	}
	if got := f.only(t).auth; got != "Bearer "+testToken {
		t.Errorf("auth = %q", got)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("config not saved: %v", err)
	}
}

func TestLoginRefused(t *testing.T) {
	f := newFakeAPI(t)
	path := isolate(t)
	f.on("GET /v1/me", 401, `{"code":40101,"http":401,"error":"token unknown, revoked or expired: create a new one","request_id":"r"}`)
	_, stderr := mustRun(t, ExitFailure, "login", "--server", f.srv.URL, "--token", "gvt_bad")
	if !strings.Contains(stderr, "error: login to "+f.srv.URL+": token unknown, revoked or expired: create a new one (code 40101, HTTP 401)") {
		t.Errorf("stderr = %q", stderr)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("config written after a refused login (stat: %v)", err)
	}
}

func TestLoginMissingServer(t *testing.T) {
	isolate(t)
	_, stderr := mustRun(t, ExitUsage, "login", "--token", testToken)
	if !strings.Contains(stderr, "missing --server") {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestEnvOverridesSavedLogin(t *testing.T) {
	saved := newFakeAPI(t)
	other := newFakeAPI(t)
	path := isolate(t)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := `{"server":"` + saved.srv.URL + `","token":"gvt_saved"}`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []*fakeAPI{saved, other} {
		f.on("GET /v1/apps", 200, `{"apps":[]}`)
	}

	mustRun(t, 0, "apps", "list")
	if got := saved.only(t).auth; got != "Bearer gvt_saved" {
		t.Errorf("saved login: auth = %q", got)
	}

	t.Setenv(envToken, "gvt_env")
	mustRun(t, 0, "apps", "list")
	if got := saved.requests()[1].auth; got != "Bearer gvt_env" {
		t.Errorf("GOVAPP_TOKEN: auth = %q", got)
	}

	t.Setenv(envServer, other.srv.URL)
	mustRun(t, 0, "apps", "list")
	if got := other.only(t).auth; got != "Bearer gvt_env" {
		t.Errorf("GOVAPP_SERVER: auth = %q", got)
	}
}

func TestBrokenConfig(t *testing.T) {
	path := isolate(t)
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte("{not json"), 0o600)
	_, stderr := mustRun(t, ExitFailure, "apps", "list")
	if !strings.Contains(stderr, path) || !strings.Contains(stderr, "not valid JSON") {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestNetworkErrorHint(t *testing.T) {
	f := setup(t)
	url := f.srv.URL
	f.srv.Close()
	_, stderr := mustRun(t, ExitFailure, "apps", "list")
	if !strings.Contains(stderr, "(is `govapp serve` running at "+url+"?)") {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestConfigPath(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		getenv func(string) string
		want   string
	}{
		{env("GOVAPP_CLI_CONFIG", "/etc/x.json", "XDG_CONFIG_HOME", "/xdg", "HOME", "/home/a"), "/etc/x.json"},
		{env("XDG_CONFIG_HOME", "/xdg", "HOME", "/home/a"), "/xdg/govapp/cli.json"},
		{env("XDG_CONFIG_HOME", "relative", "HOME", "/home/a"), "/home/a/.config/govapp/cli.json"},
		{env("HOME", "/home/a"), "/home/a/.config/govapp/cli.json"},
	}
	for _, tt := range tests {
		if got := configPath(tt.getenv); got != tt.want {
			t.Errorf("configPath = %q, want %q", got, tt.want)
		}
	}
}
