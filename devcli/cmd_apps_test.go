package devcli

import (
	"strings"
	"testing"
)

const appJSON = `{"id":"hz-bus","name":"杭州公交","description":"实时公交查询","icon":"","owner_node":"d-1",
  "category":"交通","regions":["330100","330106"],"containers":["wechat","web"],"jsapi_permissions":["location","scan"],
  "contacts":[{"name":"张三","phone":"0571-88888888","email":"zs@example.gov.cn"}],"status":"draft",
  "created_at":"2025-03-01T08:30:00Z","updated_at":"2025-03-01T08:30:00Z"}`

func TestAppsCreate(t *testing.T) {
	f := setup(t)
	f.on("POST /v1/apps", 201, appJSON)
	stdout, _ := mustRun(t, 0, "apps", "create",
		"--id", "hz-bus", "--name", "杭州公交", "--owner", "d-1", "--category", "交通",
		"--region", "330100,330106", "--container", "wechat", "--container", "web",
		"--jsapi", "location,scan", "--description", "实时公交查询",
		"--contact", "张三:0571-88888888:zs@example.gov.cn", "--contact", "李四")
	req := f.only(t)
	if req.method != "POST" || req.path != "/v1/apps" || req.auth != "Bearer "+testToken {
		t.Errorf("request = %+v", req)
	}
	assertJSON(t, req.body, `{"id":"hz-bus","name":"杭州公交","owner_node":"d-1","category":"交通",
	  "regions":["330100","330106"],"containers":["wechat","web"],"jsapi_permissions":["location","scan"],
	  "description":"实时公交查询",
	  "contacts":[{"name":"张三","phone":"0571-88888888","email":"zs@example.gov.cn"},{"name":"李四"}]}`)
	if !strings.Contains(stdout, "Created app hz-bus (杭州公交), status draft.") || !strings.Contains(stdout, "govapp apps submit hz-bus") {
		t.Errorf("stdout = %q", stdout)
	}
}

func TestAppsCreateJSON(t *testing.T) {
	f := setup(t)
	f.on("POST /v1/apps", 201, appJSON)
	stdout, _ := mustRun(t, 0, "apps", "create", "--json",
		"--id", "hz-bus", "--name", "杭州公交", "--owner", "d-1", "--category", "交通",
		"--region", "330100", "--container", "web")
	if stdout != indented(t, appJSON) {
		t.Errorf("stdout = %q", stdout)
	}
}

func TestAppsCreateRefused(t *testing.T) {
	f := setup(t)
	f.on("POST /v1/apps", 400, `{"code":40001,"http":400,"error":"name: must be at most 64 characters; shorten it","field":"name","request_id":"r-1"}`)
	_, stderr := mustRun(t, ExitFailure, "apps", "create",
		"--id", "hz-bus", "--name", strings.Repeat("长", 65), "--owner", "d-1", "--category", "交通",
		"--region", "330100", "--container", "web")
	if want := "error: name: must be at most 64 characters; shorten it (code 40001, HTTP 400)\n"; stderr != want {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
}

func TestAppsList(t *testing.T) {
	f := setup(t)
	body := `{"apps":[` + appJSON + `,{"id":"sb","name":"社保查询","owner_node":"d-22","category":"社保",
	  "regions":["330000"],"containers":["govapp"],"jsapi_permissions":[],"contacts":[],"status":"online",
	  "created_at":"2025-03-01T08:30:00Z","updated_at":"2025-03-01T08:30:00Z"}]}`
	f.on("GET /v1/apps", 200, body)

	stdout, _ := mustRun(t, 0, "apps", "list", "--status", "draft", "--owner", "d-1")
	if got := f.only(t).query; got != "owner=d-1&status=draft" {
		t.Errorf("query = %q", got)
	}
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("stdout = %q, want a header and two rows", stdout)
	}
	// Columns line up in terminal cells although names are Chinese.
	col := displayWidth(lines[0][:strings.Index(lines[0], "STATUS")])
	for _, l := range lines[1:] {
		if i := strings.Index(l, "draft"); i < 0 {
			i = strings.Index(l, "online")
			if got := displayWidth(l[:i]); got != col {
				t.Errorf("STATUS column at %d in %q, want %d", got, l, col)
			}
		} else if got := displayWidth(l[:i]); got != col {
			t.Errorf("STATUS column at %d in %q, want %d", got, l, col)
		}
	}
	if !strings.Contains(lines[1], "杭州公交") || !strings.Contains(lines[1], "wechat,web") {
		t.Errorf("row = %q", lines[1])
	}

	stdout, _ = mustRun(t, 0, "apps", "list", "--json")
	if stdout != indented(t, body) {
		t.Errorf("--json stdout = %q", stdout)
	}
}

func TestAppsShowJSONFlagAfterID(t *testing.T) {
	f := setup(t)
	f.on("GET /v1/apps/hz-bus", 200, appJSON)
	stdout, stderr := mustRun(t, 0, "apps", "show", "hz-bus", "--json")
	if stdout != indented(t, appJSON) {
		t.Errorf("stdout = %q", stdout)
	}
	if stderr != "" {
		t.Errorf("stderr = %q", stderr)
	}
	if req := f.only(t); req.method != "GET" || req.path != "/v1/apps/hz-bus" {
		t.Errorf("request = %+v", req)
	}
}

func TestAppsShow(t *testing.T) {
	f := setup(t)
	f.on("GET /v1/apps/hz-bus", 200, strings.Replace(appJSON, `"status":"draft"`,
		`"status":"draft","submitted_by":"u-1","last_review":{"reviewer_id":"u-9","decision":"rejected","comment":"请补充隐私说明","at":"2025-03-02T08:30:00Z"}`, 1))
	f.on("GET /v1/apps/hz-bus/history", 200, `{"transitions":[
	  {"seq":1,"app_id":"hz-bus","from":"draft","to":"in_review","actor_id":"u-1","comment":"请审核","at":"2025-03-01T09:00:00Z"},
	  {"seq":2,"app_id":"hz-bus","from":"in_review","to":"draft","actor_id":"u-9","comment":"请补充隐私说明","at":"2025-03-02T08:30:00Z"}]}`)
	stdout, _ := mustRun(t, 0, "apps", "show", "hz-bus")
	for _, want := range []string{
		"杭州公交", "330100,330106", "location,scan", "张三 (0571-88888888, zs@example.gov.cn)",
		"rejected by u-9", "History:", "in_review", "请审核", "请补充隐私说明",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if reqs := f.requests(); len(reqs) != 2 || reqs[1].path != "/v1/apps/hz-bus/history" {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestAppsHistoryJSON(t *testing.T) {
	f := setup(t)
	body := `{"transitions":[{"seq":1,"app_id":"hz-bus","from":"draft","to":"in_review","actor_id":"u-1","comment":"","at":"2025-03-01T09:00:00Z"}]}`
	f.on("GET /v1/apps/hz-bus/history", 200, body)
	stdout, _ := mustRun(t, 0, "apps", "history", "--json", "hz-bus")
	if stdout != indented(t, body) {
		t.Errorf("stdout = %q", stdout)
	}
}

func TestAppsTransitions(t *testing.T) {
	tests := []struct {
		args     []string
		path     string
		body     string
		status   string
		wantText string
	}{
		{[]string{"submit", "hz-bus", "--comment", "请审核"}, "/v1/apps/hz-bus/submit", `{"comment":"请审核"}`, "in_review", "Submitted hz-bus for review; status in_review."},
		{[]string{"submit", "hz-bus"}, "/v1/apps/hz-bus/submit", `{"comment":""}`, "in_review", "Submitted hz-bus"},
		{[]string{"approve", "--comment", "同意", "hz-bus"}, "/v1/apps/hz-bus/approve", `{"comment":"同意"}`, "online", "Approved hz-bus; status online."},
		{[]string{"reject", "hz-bus", "--comment", "请补充隐私说明"}, "/v1/apps/hz-bus/reject", `{"comment":"请补充隐私说明"}`, "draft", "Rejected hz-bus; status draft."},
		{[]string{"offline", "hz-bus", "--comment=停止服务"}, "/v1/apps/hz-bus/offline", `{"comment":"停止服务"}`, "offline", "Took hz-bus offline; status offline."},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := setup(t)
			f.on("POST "+tt.path, 200, strings.Replace(appJSON, `"status":"draft"`, `"status":"`+tt.status+`"`, 1))
			stdout, _ := mustRun(t, 0, append([]string{"apps"}, tt.args...)...)
			req := f.only(t)
			if req.method != "POST" || req.path != tt.path {
				t.Errorf("request = %s %s, want POST %s", req.method, req.path, tt.path)
			}
			assertJSON(t, req.body, tt.body)
			if !strings.Contains(stdout, tt.wantText) {
				t.Errorf("stdout = %q, want %q", stdout, tt.wantText)
			}
		})
	}
}

func TestAppsApproveForbidden(t *testing.T) {
	f := setup(t)
	f.on("POST /v1/apps/hz-bus/approve", 403, `{"code":40302,"http":403,"error":"you submitted this app: another reviewer must approve it","request_id":"r-2"}`)
	_, stderr := mustRun(t, ExitFailure, "apps", "approve", "hz-bus", "--json")
	if !strings.HasPrefix(stderr, "error: you submitted this app: another reviewer must approve it (code 40302, HTTP 403)\n") {
		t.Errorf("stderr = %q", stderr)
	}
	if !strings.Contains(stderr, "govapp whoami") {
		t.Errorf("stderr has no hint: %q", stderr)
	}
}

func TestAppsShowNotFound(t *testing.T) {
	setup(t)
	code, stdout, stderr := run(t, "apps", "show", "nope")
	if code != ExitFailure || stdout != "" || !strings.Contains(stderr, "(code 40400, HTTP 404)") {
		t.Errorf("exit %d stdout %q stderr %q", code, stdout, stderr)
	}
}

func TestParseContact(t *testing.T) {
	tests := map[string]string{
		"张三:0571-1:a@b.cn": "张三|0571-1|a@b.cn",
		"张三::a@b.cn":       "张三||a@b.cn",
		"张三":               "张三||",
		" 张三 : 1 ":         "张三|1|",
	}
	for in, want := range tests {
		c, err := parseContact(in)
		if err != nil {
			t.Errorf("parseContact(%q): %v", in, err)
			continue
		}
		if got := c.Name + "|" + c.Phone + "|" + c.Email; got != want {
			t.Errorf("parseContact(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", ":1:a", "a:b:c:d"} {
		if _, err := parseContact(bad); err == nil {
			t.Errorf("parseContact(%q) accepted", bad)
		}
	}
}
