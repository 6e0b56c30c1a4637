package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/client"
)

const testToken = "gvt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

// recorded is what the fake server saw of one request.
type recorded struct {
	method, path, rawQuery, auth, contentType string
	body                                      []byte
}

// fakeServer answers every request with status and body and records it.
func fakeServer(t *testing.T, status int, body string) (*client.Client, *recorded) {
	t.Helper()
	rec := &recorded{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.method = r.Method
		rec.path = r.URL.EscapedPath()
		rec.rawQuery = r.URL.RawQuery
		rec.auth = r.Header.Get("Authorization")
		rec.contentType = r.Header.Get("Content-Type")
		rec.body, _ = io.ReadAll(r.Body)
		w.Header().Set("X-Request-Id", "req-1")
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	// A trailing slash on the base URL must not double the slash in paths.
	return client.New(srv.URL+"/", testToken, client.WithHTTPClient(srv.Client())), rec
}

// assertJSON compares two JSON documents structurally.
func assertJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	if want == "" {
		if len(got) != 0 {
			t.Errorf("body = %s, want none", got)
		}
		return
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %q is not JSON: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body = %s, want %s", got, want)
	}
}

var t0 = time.Date(2025, 3, 1, 8, 30, 0, 0, time.UTC)

const appJSON = `{"id":"hz-bus","name":"杭州公交","description":"","icon":"","owner_node":"d-1",
 "category":"交通","regions":["330100"],"containers":["wechat","web"],"jsapi_permissions":["location"],
 "contacts":[{"name":"张三","phone":"0571-1"}],"status":"in_review","created_at":"2025-03-01T08:30:00Z",
 "updated_at":"2025-03-01T08:30:00Z","submitted_by":"u-1",
 "last_review":{"reviewer_id":"u-2","decision":"rejected","comment":"补充说明","at":"2025-03-01T08:30:00Z"}}`

func TestRequestShapes(t *testing.T) {
	ctx := context.Background()
	str := func(s string) *string { return &s }
	tests := []struct {
		name      string
		call      func(c *client.Client) (any, error)
		status    int
		reply     string
		method    string
		path      string
		query     string
		body      string // JSON the client must send; "" for none
		wantValue any    // what the call must decode to; nil to skip
	}{
		{
			name:   "Me",
			call:   func(c *client.Client) (any, error) { return c.Me(ctx) },
			status: 200,
			reply: `{"user":{"id":"u-1","name":"zhangsan","display_name":"张三","kind":"staff","node_id":"330100",
			  "region":"330100","verified_level":2,"created_at":"2025-03-01T08:30:00Z"},
			  "grants":[{"id":"g-1","user_id":"u-1","role":"admin","node_id":"330000","created_at":"2025-03-01T08:30:00Z"}]}`,
			method: "GET", path: "/v1/me",
			wantValue: &client.Identity{
				User:   client.User{ID: "u-1", Name: "zhangsan", DisplayName: "张三", Kind: "staff", NodeID: "330100", Region: "330100", VerifiedLevel: 2, CreatedAt: t0},
				Grants: []client.Grant{{ID: "g-1", UserID: "u-1", Role: "admin", NodeID: "330000", CreatedAt: t0}},
			},
		},
		{
			name:   "Roles",
			call:   func(c *client.Client) (any, error) { return c.Roles(ctx) },
			status: 200, reply: `{"roles":[{"name":"reviewer","title":"审核员","permissions":["app.review","stats.read"]}]}`,
			method: "GET", path: "/v1/roles",
			wantValue: []client.Role{{Name: "reviewer", Title: "审核员", Permissions: []string{"app.review", "stats.read"}}},
		},
		{
			name:   "ListOrgs",
			call:   func(c *client.Client) (any, error) { return c.ListOrgs(ctx) },
			status: 200, reply: `{"nodes":[{"id":"330000","parent_id":null,"kind":"province","name":"浙江省","code":"330000","path":"/330000","created_at":"2025-03-01T08:30:00Z"}]}`,
			method: "GET", path: "/v1/orgs",
			wantValue: []client.Node{{ID: "330000", Kind: "province", Name: "浙江省", Code: "330000", Path: "/330000", CreatedAt: t0}},
		},
		{
			name:   "GetOrg",
			call:   func(c *client.Client) (any, error) { return c.GetOrg(ctx, "330100") },
			status: 200, reply: `{"id":"330100","parent_id":"330000","kind":"city","name":"杭州市","code":"330100","path":"/330000/330100","created_at":"2025-03-01T08:30:00Z"}`,
			method: "GET", path: "/v1/orgs/330100",
			wantValue: &client.Node{ID: "330100", ParentID: "330000", Kind: "city", Name: "杭州市", Code: "330100", Path: "/330000/330100", CreatedAt: t0},
		},
		{
			name: "CreateOrg",
			call: func(c *client.Client) (any, error) {
				return c.CreateOrg(ctx, client.NodeCreate{ParentID: "330100", Kind: "department", Name: "杭州市数据资源管理局"})
			},
			status: 201, reply: `{"id":"d-1","kind":"department"}`,
			method: "POST", path: "/v1/orgs",
			body: `{"parent_id":"330100","kind":"department","name":"杭州市数据资源管理局"}`,
		},
		{
			name: "UpdateOrg sends only set fields",
			call: func(c *client.Client) (any, error) {
				return c.UpdateOrg(ctx, "d-1", client.NodeUpdate{Name: str("新名字")})
			},
			status: 200, reply: `{"id":"d-1"}`,
			method: "PATCH", path: "/v1/orgs/d-1",
			body: `{"name":"新名字"}`,
		},
		{
			name:   "DeleteOrg",
			call:   func(c *client.Client) (any, error) { return nil, c.DeleteOrg(ctx, "d-1") },
			status: 204,
			method: "DELETE", path: "/v1/orgs/d-1",
		},
		{
			name:   "ListUsers",
			call:   func(c *client.Client) (any, error) { return c.ListUsers(ctx) },
			status: 200, reply: `{"users":[{"id":"u-1","name":"lisi"}]}`,
			method: "GET", path: "/v1/users",
			wantValue: []client.User{{ID: "u-1", Name: "lisi"}},
		},
		{
			name: "CreateUser",
			call: func(c *client.Client) (any, error) {
				return c.CreateUser(ctx, client.UserCreate{Name: "lisi", DisplayName: "李四", Kind: "staff", NodeID: "330100"})
			},
			status: 201, reply: `{"id":"u-2","name":"lisi"}`,
			method: "POST", path: "/v1/users",
			body: `{"name":"lisi","display_name":"李四","kind":"staff","node_id":"330100"}`,
		},
		{
			name:   "GetUser escapes the ID",
			call:   func(c *client.Client) (any, error) { return c.GetUser(ctx, "u/2") },
			status: 200, reply: `{"id":"u/2","grants":[{"id":"g-2","role":"reviewer"}]}`,
			method: "GET", path: "/v1/users/u%2F2",
			wantValue: &client.User{ID: "u/2", Grants: []client.Grant{{ID: "g-2", Role: "reviewer"}}},
		},
		{
			name: "CreateGrant",
			call: func(c *client.Client) (any, error) {
				return c.CreateGrant(ctx, "u-2", client.GrantCreate{Role: "reviewer", NodeID: "330000"})
			},
			status: 201, reply: `{"id":"g-3","user_id":"u-2","role":"reviewer","node_id":"330000","created_at":"2025-03-01T08:30:00Z"}`,
			method: "POST", path: "/v1/users/u-2/grants",
			body:      `{"role":"reviewer","node_id":"330000"}`,
			wantValue: &client.Grant{ID: "g-3", UserID: "u-2", Role: "reviewer", NodeID: "330000", CreatedAt: t0},
		},
		{
			name:   "DeleteGrant",
			call:   func(c *client.Client) (any, error) { return nil, c.DeleteGrant(ctx, "u-2", "g-3") },
			status: 204,
			method: "DELETE", path: "/v1/users/u-2/grants/g-3",
		},
		{
			name:   "ListTokens own",
			call:   func(c *client.Client) (any, error) { return c.ListTokens(ctx, "") },
			status: 200, reply: `{"tokens":[{"id":"t-1","name":"ci","prefix":"gvt_AbC","created_at":"2025-03-01T08:30:00Z","revoked_at":"2025-03-01T08:30:00Z"}]}`,
			method: "GET", path: "/v1/tokens",
			wantValue: []client.Token{{ID: "t-1", Name: "ci", Prefix: "gvt_AbC", CreatedAt: t0, RevokedAt: &t0}},
		},
		{
			name:   "ListTokens of a user",
			call:   func(c *client.Client) (any, error) { return c.ListTokens(ctx, "u-2") },
			status: 200, reply: `{"tokens":[]}`,
			method: "GET", path: "/v1/tokens", query: "user_id=u-2",
		},
		{
			name: "CreateToken",
			call: func(c *client.Client) (any, error) {
				return c.CreateToken(ctx, client.TokenCreate{Name: "ci", UserID: "u-2", ExpiresInDays: 30})
			},
			status: 201, reply: `{"id":"t-2","user_id":"u-2","name":"ci","prefix":"gvt_xyz","created_at":"2025-03-01T08:30:00Z","token":"gvt_secret"}`,
			method: "POST", path: "/v1/tokens",
			body: `{"name":"ci","user_id":"u-2","expires_in_days":30}`,
			wantValue: &client.TokenCreated{
				Token:  client.Token{ID: "t-2", UserID: "u-2", Name: "ci", Prefix: "gvt_xyz", CreatedAt: t0},
				Secret: "gvt_secret",
			},
		},
		{
			name:   "CreateToken minimal",
			call:   func(c *client.Client) (any, error) { return c.CreateToken(ctx, client.TokenCreate{Name: "laptop"}) },
			status: 201, reply: `{"id":"t-3","token":"gvt_x"}`,
			method: "POST", path: "/v1/tokens",
			body: `{"name":"laptop"}`,
		},
		{
			name:   "RevokeToken",
			call:   func(c *client.Client) (any, error) { return nil, c.RevokeToken(ctx, "t-2") },
			status: 204,
			method: "DELETE", path: "/v1/tokens/t-2",
		},
		{
			name:   "ListApps no filter",
			call:   func(c *client.Client) (any, error) { return c.ListApps(ctx, client.ListAppsOptions{}) },
			status: 200, reply: `{"apps":[]}`,
			method: "GET", path: "/v1/apps",
		},
		{
			name: "ListApps filtered",
			call: func(c *client.Client) (any, error) {
				return c.ListApps(ctx, client.ListAppsOptions{Status: "in_review", Owner: "d-1"})
			},
			status: 200, reply: `{"apps":[` + appJSON + `]}`,
			method: "GET", path: "/v1/apps", query: "owner=d-1&status=in_review",
		},
		{
			name: "CreateApp",
			call: func(c *client.Client) (any, error) {
				return c.CreateApp(ctx, client.AppCreate{
					ID: "hz-bus", Name: "杭州公交", OwnerNode: "d-1", Category: "交通",
					Regions: []string{"330100"}, Containers: []string{"wechat", "web"},
					JSAPIPermissions: []string{"location"}, Contacts: []client.Contact{{Name: "张三", Phone: "0571-1"}},
				})
			},
			status: 201, reply: appJSON,
			method: "POST", path: "/v1/apps",
			body: `{"id":"hz-bus","name":"杭州公交","owner_node":"d-1","category":"交通","regions":["330100"],
			  "containers":["wechat","web"],"jsapi_permissions":["location"],"contacts":[{"name":"张三","phone":"0571-1"}]}`,
			wantValue: &client.App{
				ID: "hz-bus", Name: "杭州公交", OwnerNode: "d-1", Category: "交通",
				Regions: []string{"330100"}, Containers: []string{"wechat", "web"},
				JSAPIPermissions: []string{"location"}, Contacts: []client.Contact{{Name: "张三", Phone: "0571-1"}},
				Status: "in_review", CreatedAt: t0, UpdatedAt: t0, SubmittedBy: "u-1",
				LastReview: &client.Review{ReviewerID: "u-2", Decision: "rejected", Comment: "补充说明", At: t0},
			},
		},
		{
			name:   "GetApp",
			call:   func(c *client.Client) (any, error) { return c.GetApp(ctx, "hz-bus") },
			status: 200, reply: appJSON,
			method: "GET", path: "/v1/apps/hz-bus",
		},
		{
			name: "UpdateApp sends only set fields",
			call: func(c *client.Client) (any, error) {
				empty := []string{}
				return c.UpdateApp(ctx, "hz-bus", client.AppUpdate{Description: str("公交实时查询"), JSAPIPermissions: &empty})
			},
			status: 200, reply: appJSON,
			method: "PATCH", path: "/v1/apps/hz-bus",
			body: `{"description":"公交实时查询","jsapi_permissions":[]}`,
		},
		{
			name:   "SubmitApp",
			call:   func(c *client.Client) (any, error) { return c.SubmitApp(ctx, "hz-bus", "请审核") },
			status: 200, reply: appJSON,
			method: "POST", path: "/v1/apps/hz-bus/submit", body: `{"comment":"请审核"}`,
		},
		{
			name:   "ApproveApp without comment",
			call:   func(c *client.Client) (any, error) { return c.ApproveApp(ctx, "hz-bus", "") },
			status: 200, reply: appJSON,
			method: "POST", path: "/v1/apps/hz-bus/approve", body: `{"comment":""}`,
		},
		{
			name:   "RejectApp",
			call:   func(c *client.Client) (any, error) { return c.RejectApp(ctx, "hz-bus", "补充说明") },
			status: 200, reply: appJSON,
			method: "POST", path: "/v1/apps/hz-bus/reject", body: `{"comment":"补充说明"}`,
		},
		{
			name:   "OfflineApp",
			call:   func(c *client.Client) (any, error) { return c.OfflineApp(ctx, "hz-bus", "停止服务") },
			status: 200, reply: appJSON,
			method: "POST", path: "/v1/apps/hz-bus/offline", body: `{"comment":"停止服务"}`,
		},
		{
			name:   "AppHistory",
			call:   func(c *client.Client) (any, error) { return c.AppHistory(ctx, "hz-bus") },
			status: 200, reply: `{"transitions":[{"seq":1,"app_id":"hz-bus","from":"draft","to":"in_review","actor_id":"u-1","comment":"请审核","at":"2025-03-01T08:30:00Z"}]}`,
			method: "GET", path: "/v1/apps/hz-bus/history",
			wantValue: []client.Transition{{Seq: 1, AppID: "hz-bus", From: "draft", To: "in_review", ActorID: "u-1", Comment: "请审核", At: t0}},
		},
		{
			name:   "ListAudit",
			call:   func(c *client.Client) (any, error) { return c.ListAudit(ctx, 41, 100) },
			status: 200, reply: `{"entries":[{"seq":42,"at":"2025-03-01T08:30:00Z","action":"app.create","before":null,"after":{"id":"hz-bus"},"prev_hash":"aa","hash":"bb"}]}`,
			method: "GET", path: "/v1/audit", query: "after_seq=41&limit=100",
			wantValue: []client.AuditEntry{{Seq: 42, At: t0, Action: "app.create", Before: json.RawMessage("null"), After: json.RawMessage(`{"id":"hz-bus"}`), PrevHash: "aa", Hash: "bb"}},
		},
		{
			name:   "ListAudit defaults",
			call:   func(c *client.Client) (any, error) { return c.ListAudit(ctx, 0, 0) },
			status: 200, reply: `{"entries":[]}`,
			method: "GET", path: "/v1/audit",
		},
		{
			name:   "VerifyAudit",
			call:   func(c *client.Client) (any, error) { return c.VerifyAudit(ctx) },
			status: 200, reply: `{"ok":true,"entries":42,"head":"bb"}`,
			method: "GET", path: "/v1/audit/verify",
			wantValue: &client.AuditVerification{OK: true, Entries: 42, Head: "bb"},
		},
		{
			name:   "Health",
			call:   func(c *client.Client) (any, error) { return c.Health(ctx) },
			status: 200, reply: `{"status":"ok"}`,
			method: "GET", path: "/healthz",
			wantValue: &client.Health{Status: "ok"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := fakeServer(t, tt.status, tt.reply)
			got, err := tt.call(c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if rec.method != tt.method || rec.path != tt.path {
				t.Errorf("request = %s %s, want %s %s", rec.method, rec.path, tt.method, tt.path)
			}
			if rec.rawQuery != tt.query {
				t.Errorf("query = %q, want %q", rec.rawQuery, tt.query)
			}
			if rec.auth != "Bearer "+testToken {
				t.Errorf("Authorization = %q", rec.auth)
			}
			assertJSON(t, rec.body, tt.body)
			if tt.body != "" && rec.contentType != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", rec.contentType)
			}
			if tt.body == "" && rec.contentType != "" {
				t.Errorf("Content-Type = %q on a request without body", rec.contentType)
			}
			if tt.wantValue != nil && !reflect.DeepEqual(got, tt.wantValue) {
				t.Errorf("decoded\n %#v\nwant\n %#v", got, tt.wantValue)
			}
		})
	}
}

func TestAPIErrorDecoding(t *testing.T) {
	c, _ := fakeServer(t, 400, `{"code":40001,"http":400,"error":"name: must be at most 64 characters; shorten it","field":"name","request_id":"req-body"}`)
	_, err := c.CreateApp(context.Background(), client.AppCreate{ID: "x"})
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %T %v, want *client.APIError", err, err)
	}
	want := client.APIError{HTTP: 400, Code: 40001, Message: "name: must be at most 64 characters; shorten it", Field: "name", RequestID: "req-body"}
	if *apiErr != want {
		t.Errorf("APIError = %+v, want %+v", *apiErr, want)
	}
	if got := err.Error(); got != "name: must be at most 64 characters; shorten it (code 40001, HTTP 400)" {
		t.Errorf("Error() = %q", got)
	}
}

func TestAPIErrorNotJSON(t *testing.T) {
	c, _ := fakeServer(t, 502, "<html>\n<h1>502 Bad Gateway</h1>\n</html>")
	_, err := c.Me(context.Background())
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %T %v, want *client.APIError", err, err)
	}
	if apiErr.HTTP != 502 || apiErr.Code != 0 || apiErr.RequestID != "req-1" {
		t.Errorf("APIError = %+v", *apiErr)
	}
	if !strings.HasPrefix(apiErr.Message, "Bad Gateway") || !strings.Contains(err.Error(), "HTTP 502") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestAPIErrorEmptyBody(t *testing.T) {
	c, _ := fakeServer(t, 404, "")
	err := c.RevokeToken(context.Background(), "t-x")
	if got, want := err.Error(), "Not Found (HTTP 404)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestUndecodableReply(t *testing.T) {
	c, _ := fakeServer(t, 200, "<html>not the API</html>")
	_, err := c.Me(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cannot decode") {
		t.Fatalf("err = %v, want a decode error", err)
	}
}

func TestNetworkErrorHint(t *testing.T) {
	// Take a free port and close it, so nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	l.Close()
	c := client.New(url, testToken)
	_, err = c.Me(context.Background())
	if err == nil {
		t.Fatal("no error against a closed port")
	}
	if want := "(is `govapp serve` running at " + url + "?)"; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %q, want it to contain %q", err, want)
	}
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		t.Errorf("a network error decoded as APIError")
	}
}

func TestCanceledContextHasNoHint(t *testing.T) {
	c, _ := fakeServer(t, 200, `{}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Me(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if strings.Contains(err.Error(), "govapp serve") {
		t.Errorf("err = %q blames the server for a cancel", err)
	}
}

func TestNoTokenNoHeader(t *testing.T) {
	var sawAuth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawAuth = r.Header.Values("Authorization")
		io.WriteString(w, `{"status":"ok"}`)
	}))
	defer srv.Close()
	if _, err := client.New(srv.URL, "").Health(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sawAuth) != 0 {
		t.Errorf("Authorization sent without a token: %q", sawAuth)
	}
}

func TestOptions(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		w.Header().Set("X-Request-Id", "req-9")
		io.WriteString(w, `{"apps": [ ]}`)
	}))
	defer srv.Close()
	var seen []client.Response
	c := client.New(srv.URL, testToken,
		client.WithHTTPClient(srv.Client()),
		client.WithUserAgent("govapp-cli/test"),
		client.WithResponseHook(func(r client.Response) { seen = append(seen, r) }))
	if c.BaseURL() != srv.URL {
		t.Errorf("BaseURL() = %q", c.BaseURL())
	}
	if _, err := c.ListApps(context.Background(), client.ListAppsOptions{Status: "online"}); err != nil {
		t.Fatal(err)
	}
	if ua != "govapp-cli/test" {
		t.Errorf("User-Agent = %q", ua)
	}
	want := []client.Response{{Method: "GET", Path: "/v1/apps?status=online", Status: 200, RequestID: "req-9", Body: []byte(`{"apps": [ ]}`)}}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("hook saw %+v, want %+v", seen, want)
	}
}
