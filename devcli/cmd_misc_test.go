package devcli

import (
	"strings"
	"testing"
)

func TestOrgsList(t *testing.T) {
	f := setup(t)
	// Out of order on purpose; the caller holds grants from the city down.
	body := `{"nodes":[
	  {"id":"d-1","parent_id":"330100","kind":"department","name":"杭州市数据资源管理局","code":"330100","path":"/330000/330100/d-1","created_at":"2025-03-01T08:30:00Z"},
	  {"id":"330100","parent_id":"330000","kind":"city","name":"杭州市","code":"330100","path":"/330000/330100","created_at":"2025-03-01T08:30:00Z"},
	  {"id":"330106","parent_id":"330100","kind":"district","name":"西湖区","code":"330106","path":"/330000/330100/330106","created_at":"2025-03-01T08:30:00Z"}]}`
	f.on("GET /v1/orgs", 200, body)
	stdout, _ := mustRun(t, 0, "orgs", "list")
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	want := []string{"NAME", "杭州市", "  西湖区", "  杭州市数据资源管理局"}
	if len(lines) != len(want) {
		t.Fatalf("stdout:\n%s", stdout)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w+" ") {
			t.Errorf("line %d = %q, want it to start with %q", i, lines[i], w)
		}
	}
	if !strings.Contains(lines[3], "d-1") || !strings.Contains(lines[3], "department") {
		t.Errorf("department row = %q", lines[3])
	}
	// ID column aligned in terminal cells.
	idCol := displayWidth(lines[0][:strings.Index(lines[0], "ID")])
	for _, l := range lines[1:] {
		if got := displayWidth(l[:strings.Index(l, "330")]); !strings.HasPrefix(strings.TrimLeft(l, " "), "杭州市数据") && got != idCol {
			t.Errorf("ID column at %d in %q, want %d", got, l, idCol)
		}
	}

	stdout, _ = mustRun(t, 0, "orgs", "list", "--json")
	if stdout != indented(t, body) {
		t.Errorf("--json = %q", stdout)
	}
}

func TestPathDepth(t *testing.T) {
	for path, want := range map[string]int{"/330000": 0, "330000": 0, "/330000/330100/": 1, "330000.330100.d-1": 2, "": 0} {
		if got := pathDepth(path); got != want {
			t.Errorf("pathDepth(%q) = %d, want %d", path, got, want)
		}
	}
}

const tokenCreatedJSON = `{"id":"t-2","user_id":"u-1","name":"ci","prefix":"gvt_Zk3","created_at":"2025-03-01T08:30:00Z",
  "expires_at":"2025-03-31T08:30:00Z","token":"gvt_Zk3SECRETSECRETSECRETSECRETSECRETSECRETSEC"}`

func TestTokensCreate(t *testing.T) {
	f := setup(t)
	f.on("POST /v1/tokens", 201, tokenCreatedJSON)
	stdout, stderr := mustRun(t, 0, "tokens", "create", "--name", "ci", "--expires-days", "30", "--user", "u-1")
	assertJSON(t, f.only(t).body, `{"name":"ci","user_id":"u-1","expires_in_days":30}`)
	// The secret alone on stdout, so $(govapp tokens create …) captures it.
	if stdout != "gvt_Zk3SECRETSECRETSECRETSECRETSECRETSECRETSEC\n" {
		t.Errorf("stdout = %q", stdout)
	}
	if !strings.Contains(stderr, "will not be shown again") || !strings.Contains(stderr, `"ci" (t-2)`) {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestTokensCreateJSON(t *testing.T) {
	f := setup(t)
	f.on("POST /v1/tokens", 201, tokenCreatedJSON)
	stdout, stderr := mustRun(t, 0, "tokens", "create", "--json", "--name", "laptop")
	assertJSON(t, f.only(t).body, `{"name":"laptop"}`)
	if stdout != indented(t, tokenCreatedJSON) {
		t.Errorf("stdout = %q", stdout)
	}
	if !strings.Contains(stderr, "will not be shown again") {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestTokensListAndRevoke(t *testing.T) {
	f := setup(t)
	f.on("GET /v1/tokens", 200, `{"tokens":[
	  {"id":"t-1","user_id":"u-2","name":"ci","prefix":"gvt_Ab","created_at":"2025-03-01T08:30:00Z","revoked_at":"2025-03-02T08:30:00Z"},
	  {"id":"t-2","user_id":"u-2","name":"laptop","prefix":"gvt_Cd","created_at":"2025-03-01T08:30:00Z","expires_at":"2000-01-01T00:00:00Z"},
	  {"id":"t-3","user_id":"u-2","name":"手机","prefix":"gvt_Ef","created_at":"2025-03-01T08:30:00Z"}]}`)
	f.on("DELETE /v1/tokens/t-3", 204, "")
	stdout, _ := mustRun(t, 0, "tokens", "list", "--user", "u-2")
	if got := f.only(t).query; got != "user_id=u-2" {
		t.Errorf("query = %q", got)
	}
	for _, want := range []string{"revoked", "expired", "active", "gvt_Ef"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "SECRET") {
		t.Errorf("list shows a secret: %s", stdout)
	}

	stdout, _ = mustRun(t, 0, "tokens", "revoke", "t-3")
	if req := f.requests()[1]; req.method != "DELETE" || req.path != "/v1/tokens/t-3" || req.body != "" {
		t.Errorf("revoke sent %+v", req)
	}
	if stdout != "Revoked token t-3.\n" {
		t.Errorf("stdout = %q", stdout)
	}
}

const userJSON = `{"id":"u-7","name":"lisi","display_name":"李四","kind":"staff","node_id":"330000","region":"",
  "verified_level":0,"created_at":"2025-03-01T08:30:00Z"}`

func TestUsersCreateAndGrant(t *testing.T) {
	f := setup(t)
	f.on("POST /v1/users", 201, userJSON)
	f.on("POST /v1/users/u-7/grants", 201, `{"id":"g-9","user_id":"u-7","role":"reviewer","node_id":"330000","created_at":"2025-03-01T08:30:00Z"}`)

	stdout, _ := mustRun(t, 0, "users", "create", "--name", "lisi", "--display-name", "李四", "--node", "330000")
	assertJSON(t, f.only(t).body, `{"name":"lisi","display_name":"李四","kind":"staff","node_id":"330000"}`)
	if !strings.Contains(stdout, "Created staff user lisi (李四), ID u-7, at node 330000.") {
		t.Errorf("stdout = %q", stdout)
	}

	stdout, _ = mustRun(t, 0, "users", "grant", "u-7", "--role", "reviewer", "--node", "330000")
	req := f.requests()[1]
	if req.method != "POST" || req.path != "/v1/users/u-7/grants" {
		t.Errorf("grant sent %+v", req)
	}
	assertJSON(t, req.body, `{"role":"reviewer","node_id":"330000"}`)
	if stdout != "Granted reviewer on 330000 to u-7 (grant g-9).\n" {
		t.Errorf("stdout = %q", stdout)
	}
}

func TestUsersListAndShow(t *testing.T) {
	f := setup(t)
	f.on("GET /v1/users", 200, `{"users":[`+userJSON+`]}`)
	f.on("GET /v1/users/u-7", 200, strings.Replace(userJSON, `"verified_level":0`,
		`"verified_level":0,"grants":[{"id":"g-9","user_id":"u-7","role":"reviewer","node_id":"330000","created_at":"2025-03-01T08:30:00Z"}]`, 1))
	stdout, _ := mustRun(t, 0, "users", "list")
	if !strings.Contains(stdout, "李四") || !strings.Contains(stdout, "u-7") {
		t.Errorf("list = %q", stdout)
	}
	stdout, _ = mustRun(t, 0, "users", "show", "u-7")
	if !strings.Contains(stdout, "lisi (李四)") || !strings.Contains(stdout, "reviewer") || !strings.Contains(stdout, "g-9") {
		t.Errorf("show = %q", stdout)
	}
	stdout, _ = mustRun(t, 0, "users", "list", "--json")
	if stdout != indented(t, `{"users":[`+userJSON+`]}`) {
		t.Errorf("--json = %q", stdout)
	}
}
