package httpapi

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/auth"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/stats"
)

// citizenToken signs a citizen of 杭州 (330100) in through a container and returns their
// access token, as govapp.login() gives it to a light app.
func (f *fixture) citizenToken(provider, subject string) string {
	f.t.Helper()
	ctx := context.Background()
	app := f.createApp(apps.StatusOnline)
	reg, err := f.auth.RegisterClient(ctx, f.principal("devA"), app, auth.ClientRegistration{RedirectURIs: []string{"https://app.example.gov.cn/cb"}, Confidential: true})
	must(f.t, err)
	f.ups[provider].who = auth.UpstreamIdentity{Provider: provider, Subject: subject, Nickname: "市民", Region: "330100"}
	st, body, _ := f.do("", "POST", "/v1/auth/container-login", `{"app_id":"`+app+`","container":"`+provider+`","credential":"`+f.ups[provider].code()+`"}`)
	if st != 200 {
		f.t.Fatalf("container login: %d %v", st, body)
	}
	code := body.(map[string]any)["code"].(string)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://app.example.gov.cn/cb"}}
	req, err := http.NewRequest("POST", f.srv.URL+"/oidc/oauth/token", strings.NewReader(form.Encode()))
	must(f.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(app, reg.Secret)
	resp, err := http.DefaultClient.Do(req)
	must(f.t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &tok); err != nil || tok.AccessToken == "" {
		f.t.Fatalf("token exchange: %d %s", resp.StatusCode, raw)
	}
	return tok.AccessToken
}

// postEvents posts a batch with an optional bearer token and returns status and body.
func (f *fixture) postEvents(bearer, body string) (int, map[string]any, http.Header) {
	f.t.Helper()
	req, err := http.NewRequest("POST", f.srv.URL+"/v1/runtime/events", strings.NewReader(body))
	must(f.t, err)
	req.Header.Set("Content-Type", "text/plain") // what navigator.sendBeacon sends
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	must(f.t, err)
	defer resp.Body.Close()
	var m map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m, resp.Header
}

// get sends a GET as caller and returns status, headers and the raw body.
func (f *fixture) get(caller, path string) (int, http.Header, []byte) {
	f.t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL+path, nil)
	must(f.t, err)
	req.Header.Set("Authorization", "Bearer "+f.tokens[caller])
	resp, err := http.DefaultClient.Do(req)
	must(f.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	must(f.t, err)
	return resp.StatusCode, resp.Header, raw
}

type testEvent struct {
	ID, App, Name, Container string
	TS                       int64
	Props                    string
}

func batchJSON(sentAt int64, device string, evs ...testEvent) string {
	var items []string
	for _, e := range evs {
		s := fmt.Sprintf(`{"id":%q,"app":%q,"name":%q,"ts":%d,"container":%q`, e.ID, e.App, e.Name, e.TS, e.Container)
		if e.Props != "" {
			s += `,"props":` + e.Props
		}
		items = append(items, s+"}")
	}
	dev := ""
	if device != "" {
		dev = fmt.Sprintf(`"device_id":%q,`, device)
	}
	return fmt.Sprintf(`{"sent_at":%d,%s"events":[%s]}`, sentAt, dev, strings.Join(items, ","))
}

// TestStatsOverHTTP: batches through POST /v1/runtime/events (a signed-in citizen, signed-out
// devices, a stale token) with good, bad, duplicate and unknown-app items and whole-batch
// faults; after a flush the reports, their CSV and the export reflect exactly the accepted
// events, and each department sees only its own apps.
func TestStatsOverHTTP(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		appA, appA2 := f.createApp(apps.StatusOnline), f.createApp(apps.StatusOnline)
		appB := f.uniq("app-b-")
		_, err := f.apps.Create(ctx, f.principal("adminB"), apps.Create{ID: appB, Name: "温州应用", OwnerNode: f.deptB, Category: "测试", Regions: []string{"330300"}, Containers: []string{"web"}})
		must(t, err)
		tok := f.citizenToken("wechat", f.uniq("oid-stats-"))
		now := time.Now().UnixMilli()

		// A citizen's batch: three good events, a bad name, an unknown app, a repeated id, a
		// bad props value.
		st, res, _ := f.postEvents(tok, batchJSON(now, "",
			testEvent{ID: "evt-a-0001", App: appA, Name: "app_launch", Container: "wechat", TS: now - 2000},
			testEvent{ID: "evt-a-0002", App: appA, Name: "page_view", Container: "wechat", TS: now - 1500, Props: `{"step":2}`},
			testEvent{ID: "evt-a-0003", App: appA, Name: "jsapi_call", Container: "wechat", TS: now - 1000},
			testEvent{ID: "evt-a-0004", App: appA, Name: "page_veiw", Container: "wechat", TS: now - 900},
			testEvent{ID: "evt-a-0005", App: "no-such-app", Name: "app_launch", Container: "wechat", TS: now - 800},
			testEvent{ID: "evt-a-0001", App: appA, Name: "app_launch", Container: "wechat", TS: now - 2000},
			testEvent{ID: "evt-a-0006", App: appA, Name: "error", Container: "wechat", TS: now - 700, Props: `{"stack":{"deep":1}}`},
		))
		if st != 200 || res["accepted"] != 3.0 || res["duplicates"] != 1.0 || res["rejected"] != 3.0 {
			t.Fatalf("citizen batch: %d %v", st, res)
		}
		items := res["items"].([]any)
		for i, want := range []string{"accepted", "accepted", "accepted", "rejected/invalid", "rejected/unknown_app", "duplicate", "rejected/invalid"} {
			it := items[i].(map[string]any)
			got := it["status"].(string)
			if c, _ := it["code"].(string); c != "" {
				got += "/" + c
			}
			if got != want {
				t.Errorf("item %d: %s, want %s (%v)", i, got, want, it)
			}
		}
		f.validate("POST", "/v1/runtime/events", 200, jsonAny(t, res))

		// Signed out: the app-scoped device id is the user.
		if st, res, _ := f.postEvents("", batchJSON(now, "device-0000001",
			testEvent{ID: "evt-b-0001", App: appA2, Name: "app_launch", Container: "alipay", TS: now - 500},
			testEvent{ID: "evt-b-0002", App: appB, Name: "app_launch", Container: "web", TS: now - 400},
		)); st != 200 || res["accepted"] != 2.0 {
			t.Fatalf("device batch: %d %v", st, res)
		}
		// A stale token counts as signed out, never refuses the batch.
		if st, res, _ := f.postEvents("not-a-token", batchJSON(now, "device-0000002",
			testEvent{ID: "evt-c-0001", App: appA, Name: "app_launch", Container: "govapp", TS: now - 300},
		)); st != 200 || res["accepted"] != 1.0 {
			t.Fatalf("stale-token batch: %d %v", st, res)
		}
		// The citizen's batch again (sdk-js resends after a lost reply): nothing new.
		if st, res, _ := f.postEvents(tok, batchJSON(now, "",
			testEvent{ID: "evt-a-0001", App: appA, Name: "app_launch", Container: "wechat", TS: now - 2000},
			testEvent{ID: "evt-a-0002", App: appA, Name: "page_view", Container: "wechat", TS: now - 1500},
		)); st != 200 || res["accepted"] != 0.0 || res["duplicates"] != 2.0 {
			t.Fatalf("resent batch: %d %v", st, res)
		}

		// Whole-batch faults.
		many := make([]testEvent, stats.MaxBatchEvents+1)
		for i := range many {
			many[i] = testEvent{ID: fmt.Sprintf("evt-m-%04d", i), App: appA, Name: "page_view", Container: "web", TS: now}
		}
		big := batchJSON(now, "device-0000003", testEvent{ID: "evt-big-001", App: appA, Name: "page_view", Container: "web", TS: now, Props: `{"x":"` + strings.Repeat("y", stats.MaxBatchBytes) + `"}`})
		for _, tc := range []struct {
			name, bearer, body string
			status, code       int
			field              string
		}{
			{"not JSON", "", `{"sent_at":`, 400, 40001, "body"},
			{"too many events", "", batchJSON(now, "device-0000003", many...), 400, 40001, "events"},
			{"no sent_at", "", batchJSON(0, "device-0000003", many[0]), 400, 40001, "sent_at"},
			{"signed out without device id", "", batchJSON(now, "", many[0]), 400, 40001, "device_id"},
			{"empty", "", `{"sent_at":1,"events":[]}`, 400, 40001, "events"},
			{"over 64 KB", "", big, 413, 41301, ""},
		} {
			st, res, _ := f.postEvents(tc.bearer, tc.body)
			if st != tc.status || res["code"] != float64(tc.code) || (tc.field != "" && res["field"] != tc.field) {
				t.Errorf("%s: %d %v, want %d code %d field %q", tc.name, st, res, tc.status, tc.code, tc.field)
			}
			f.validate("POST", "/v1/runtime/events", st, jsonAny(t, res))
		}
		must(t, f.stats.Flush(ctx))

		// Department A sees its two apps: appA with the citizen and the stale-token device.
		st, _, raw := f.get("viewerA", "/v1/stats/top")
		var top struct {
			From, To string
			Apps     []stats.AppUsage `json:"apps"`
		}
		if st != 200 || json.Unmarshal(raw, &top) != nil {
			t.Fatalf("top as viewerA: %d %s", st, raw)
		}
		want := []stats.AppUsage{{App: appA, Users: 2, Launches: 2, Events: 4}, {App: appA2, Users: 1, Launches: 1, Events: 1}}
		if fmt.Sprint(top.Apps) != fmt.Sprint(want) {
			t.Errorf("top as viewerA = %v, want %v", top.Apps, want)
		}
		today := stats.DayOf(time.Now(), f.stats.Location())
		if top.To != today.String() || top.From != (today-29).String() {
			t.Errorf("default range %s..%s, want the 30 days ending %s", top.From, top.To, today)
		}
		// Department B sees only its app; asking for A's app is refused.
		if st, _, raw := f.get("adminB", "/v1/stats/top"); st != 200 || !strings.Contains(string(raw), appB) || strings.Contains(string(raw), appA) {
			t.Errorf("top as adminB: %d %s", st, raw)
		}
		if st, _, raw := f.get("adminB", "/v1/stats/top?app="+appA); st != 403 {
			t.Errorf("top of A's app as adminB: %d %s", st, raw)
		}
		// The province's auditor sees every app.
		if st, _, raw := f.get("auditor", "/v1/stats/top?limit=10"); st != 200 || !strings.Contains(string(raw), appB) || !strings.Contains(string(raw), appA2) {
			t.Errorf("top as auditor: %d %s", st, raw)
		}

		// CSV of the same report, and of the city report (the citizen's profile region).
		st, hdr, raw := f.get("viewerA", "/v1/stats/top?format=csv&app="+appA+","+appA2)
		if st != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") || !strings.Contains(hdr.Get("Content-Disposition"), ".csv") {
			t.Fatalf("top csv: %d %v %s", st, hdr, raw)
		}
		rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
		must(t, err)
		if fmt.Sprint(rows) != fmt.Sprint([][]string{{"app", "users", "launches", "events"}, {appA, "2", "2", "4"}, {appA2, "1", "1", "1"}}) {
			t.Errorf("top csv rows %v", rows)
		}
		st, _, raw = f.get("viewerA", "/v1/stats/regions?format=csv&app="+appA)
		if st != 200 || !strings.Contains(string(raw), today.String()+",330100,1,1") {
			t.Errorf("regions csv: %d %s", st, raw)
		}
		for _, path := range []string{"/v1/stats/channels", "/v1/stats/trend", "/v1/stats/active", "/v1/stats/retention", "/v1/stats/apps/" + appA} {
			if st, _, raw := f.get("viewerA", path+"?format=csv"); st != 200 || !strings.Contains(string(raw), ",") {
				t.Errorf("%s csv: %d %s", path, st, raw)
			}
		}

		// Bad report parameters each have their answer.
		for _, tc := range []struct {
			path   string
			status int
		}{
			{"/v1/stats/top?from=2015-01-01&to=2025-01-01", 400},
			{"/v1/stats/top?from=yesterday", 400},
			{"/v1/stats/top?format=xlsx", 400},
			{"/v1/stats/top?channel=douyin", 400},
			{"/v1/stats/regions?level=street", 400},
			{"/v1/stats/top?region=33", 400},
			{"/v1/stats/top?limit=-1", 400},
			{"/v1/stats/apps/" + appB, 403},
		} {
			if st, _, raw := f.get("viewerA", tc.path); st != tc.status {
				t.Errorf("%s: %d %s, want %d", tc.path, st, raw, tc.status)
			}
		}

		// The export: every accepted event, one JSON line each, gzip.
		st, hdr, raw = f.get("auditor", "/v1/stats/export?from="+(today-1).String()+"&to="+today.String())
		if st != 200 || hdr.Get("Content-Type") != "application/gzip" {
			t.Fatalf("export: %d %v", st, hdr)
		}
		zr, err := gzip.NewReader(strings.NewReader(string(raw)))
		must(t, err)
		sc := bufio.NewScanner(zr)
		lines := 0
		for sc.Scan() {
			var e stats.ExportedEvent
			must(t, json.Unmarshal(sc.Bytes(), &e))
			if e.User == "" || strings.Contains(sc.Text(), "device-000") {
				t.Errorf("export line %s: the user must be the keyed hash only", sc.Text())
			}
			lines++
		}
		if lines != 6 {
			t.Errorf("export: %d lines, want the 6 accepted events", lines)
		}
		if st, _, _ := f.get("viewerA", "/v1/stats/export?from="+today.String()+"&to="+today.String()); st != 403 {
			t.Errorf("export as a department: %d, want 403", st)
		}
	})
}

// jsonAny re-decodes v as the generic JSON the OpenAPI validator takes.
func jsonAny(t *testing.T, v any) any {
	raw, err := json.Marshal(v)
	must(t, err)
	var out any
	must(t, json.Unmarshal(raw, &out))
	return out
}
