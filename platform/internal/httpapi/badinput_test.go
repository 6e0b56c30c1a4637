package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
)

// TestBadInput checks that each kind of bad request gets a clear error naming the field,
// and changes nothing: no row, no audit entry.
func TestBadInput(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		existing := f.createApp("draft")
		app := func(mod func(m map[string]any)) string {
			m := map[string]any{"id": "new-app", "name": "公积金提取", "owner_node": f.deptA, "category": "住房",
				"regions": []string{"330100"}, "containers": []string{"wechat"}}
			mod(m)
			b, _ := json.Marshal(m)
			return string(b)
		}
		cases := []struct {
			name, as, method, path, body string
			status, code                 int
			field, mention               string
		}{
			{"unknown field", "devA", "POST", "/v1/apps", app(func(m map[string]any) { m["nmae"] = "x" }), 400, 40003, "nmae", "unknown field"},
			{"over-long name", "devA", "POST", "/v1/apps", app(func(m map[string]any) { m["name"] = strings.Repeat("长", 33) }), 400, 40001, "name", "at most 32"},
			{"invalid region code", "devA", "POST", "/v1/apps", app(func(m map[string]any) { m["regions"] = []string{"33010"} }), 400, 40001, "regions[0]", "GB/T 2260"},
			{"region not in tree", "devA", "POST", "/v1/apps", app(func(m map[string]any) { m["regions"] = []string{"110000"} }), 400, 40001, "regions[0]", "not a region"},
			{"unknown container", "devA", "POST", "/v1/apps", app(func(m map[string]any) { m["containers"] = []string{"douyin"} }), 400, 40001, "containers[0]", "wechat, alipay"},
			{"wrong type", "devA", "POST", "/v1/apps", app(func(m map[string]any) { m["regions"] = "330100" }), 400, 40002, "regions", "array"},
			{"duplicate app id", "devA", "POST", "/v1/apps", app(func(m map[string]any) { m["id"] = existing }), 409, 40902, "", "already registered"},
			{"bad app id", "devA", "POST", "/v1/apps", app(func(m map[string]any) { m["id"] = "Has Space" }), 400, 40001, "id", "lowercase"},
			{"malformed JSON", "devA", "POST", "/v1/apps", `{"id":`, 400, 40002, "", "JSON"},
			{"two JSON values", "devA", "POST", "/v1/apps", app(func(map[string]any) {}) + `{}`, 400, 40002, "", "exactly one"},
			{"body too large", "devA", "POST", "/v1/apps", `{"description":"` + strings.Repeat("x", 1<<20) + `"}`, 413, 41301, "", "limit"},
			{"malformed token", "gvt_short", "GET", "/v1/me", "", 401, 40102, "", "malformed"},
			{"unknown token", "gvt_" + strings.Repeat("A", 43), "GET", "/v1/me", "", 401, 40102, "", "not known"},
			{"over-long org name", "adminA", "POST", "/v1/orgs", fmt.Sprintf(`{"parent_id":%q,"kind":"department","name":%q}`, f.deptA, strings.Repeat("部", 65)), 400, 40001, "name", "at most 64"},
			{"bad region code for city", "adminA", "POST", "/v1/orgs", `{"parent_id":"330000","kind":"city","name":"新市","code":"12"}`, 403, 40301, "", "org.admin"},
			{"unknown parent", "adminA", "POST", "/v1/orgs", `{"parent_id":"d-00000000","kind":"department","name":"x"}`, 404, 40402, "", "not found"},
			{"bad node id", "adminA", "POST", "/v1/users", `{"name":"zhang","kind":"staff","node_id":"../etc"}`, 400, 40001, "node_id", "organisation id"},
			{"bad login name", "adminA", "POST", "/v1/users", fmt.Sprintf(`{"name":"Zhang San","kind":"staff","node_id":%q}`, f.deptA), 400, 40001, "name", "login name"},
			{"reject without comment", "reviewer", "POST", "/v1/apps/" + existing + "/reject", `{}`, 400, 40001, "comment", "required"},
			{"wrong state", "reviewer", "POST", "/v1/apps/" + existing + "/approve", `{}`, 409, 40905, "", "draft"},
			{"bad query", "adminA", "GET", "/v1/audit?limit=abc", "", 400, 40001, "limit", "whole number"},
			{"unknown route", "adminA", "GET", "/v1/nothing", "", 404, 40401, "", "openapi.json"},
			{"grant escalation", "adminA", "POST", "/v1/users/" + f.users["devA"] + "/grants", `{"role":"admin","node_id":"330100"}`, 403, 40301, "", "org.admin"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f.t = t
				before, apps := f.auditCount(), f.count("apps")
				st, body, _ := f.do(c.as, c.method, c.path, c.body)
				if st != c.status {
					t.Fatalf("status %d, want %d: %v", st, c.status, body)
				}
				m, _ := body.(map[string]any)
				if code, _ := m["code"].(float64); int(code) != c.code {
					t.Errorf("code %v, want %d: %v", m["code"], c.code, body)
				}
				if field, _ := m["field"].(string); field != c.field {
					t.Errorf("field %q, want %q: %v", field, c.field, body)
				}
				if msg, _ := m["error"].(string); !strings.Contains(msg, c.mention) {
					t.Errorf("message %q does not mention %q", msg, c.mention)
				}
				if rid, _ := m["request_id"].(string); rid == "" {
					t.Errorf("no request_id in %v", body)
				}
				if f.auditCount() != before || f.count("apps") != apps {
					t.Errorf("a failed request changed state: audit %d→%d, apps %d→%d", before, f.auditCount(), apps, f.count("apps"))
				}
			})
		}
	})
}

func (f *fixture) count(table string) int {
	var n int
	must(f.t, f.db.QueryRowContext(context.Background(), `SELECT count(*) FROM `+table).Scan(&n))
	return n
}

// TestOpenAPIDocument checks that the document is valid OpenAPI 3 and lists exactly the
// routes of the table; TestRouteAuthorisation validates real responses against it.
func TestOpenAPIDocument(t *testing.T) {
	doc, err := openAPIDocument()
	must(t, err)
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}
	want := map[string]bool{}
	for _, r := range (&server{}).routes() {
		if !r.external {
			want[r.method+" "+openAPIPath(r.path)] = true
		}
	}
	got := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			got[method+" "+path] = true
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("route %s missing from the document", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("document lists %s, which is not a route", k)
		}
	}
}

// TestRequestID keeps a caller's plain request id (for tracing through proxies) and replaces
// one that could smuggle text into the logs.
func TestRequestID(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	for _, c := range []struct {
		sent string
		kept bool
	}{{"trace-123.abc", true}, {strings.Repeat("a", 65), false}, {"has space", false}} {
		req, _ := http.NewRequest("GET", f.srv.URL+"/healthz", nil)
		req.Header.Set("X-Request-Id", c.sent)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		got := resp.Header.Get("X-Request-Id")
		if (got == c.sent) != c.kept || got == "" {
			t.Errorf("sent %q, got %q, kept should be %v", c.sent, got, c.kept)
		}
	}
}
