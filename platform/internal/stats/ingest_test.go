package stats_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/stats"
)

var now = time.Date(2025, 4, 22, 10, 0, 0, 0, stats.ChinaTime)

func fixedClock() time.Time { return now }

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func ev(id string, ts int64, extra string) string {
	return fmt.Sprintf(`{"id":%q,"name":"page_view","ts":%d,"container":"wechat","page":"/home"%s}`, id, ts, extra)
}

func TestIngestPerItemAnswers(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d, stats.Config{Now: fixedClock})
		ms := now.UnixMilli()
		bigProps := `,"props":{"q":"` + strings.Repeat("x", 2100) + `"}`
		items := []string{
			ev("evt-00000001", ms-5000, `,"props":{"form":"apply","step":2,"ok":true}`),
			`{"id":"evt-00000002","name":"page_view","ts":"yesterday","container":"wechat"}`,
			`{"id":"evt-00000003","app":"no-such-app","name":"app_launch","ts":` + fmt.Sprint(ms) + `,"container":"wechat"}`,
			ev("evt-00000004", ms+10*60*1000, ""),
			ev("evt-00000005", ms-8*24*3600*1000, ""),
			ev("evt-00000006", ms, bigProps),
			ev("evt-00000007", ms, `,"props":{"a":{"b":1}}`),
			`{"id":"evt-00000008","name":"page_veiw","ts":` + fmt.Sprint(ms) + `,"container":"wechat"}`,
			`{"id":"evt-00000009","name":"page_view","ts":` + fmt.Sprint(ms) + `,"container":"qq"}`,
			ev("x", ms, ""),
			ev("evt-00000001", ms-5000, ""),
			`{"id":"evt-00000012","name":"custom_apply_submit","ts":` + fmt.Sprint(ms) + `,"container":"alipay","version":"1.2.0"}`,
			`"not an object"`,
			ev("evt-00000014", ms, `,"props":[1,2]`),
		}
		body := fmt.Sprintf(`{"sent_at":%d,"app":"app-a","device_id":"device-0001","events":[%s]}`, ms, strings.Join(items, ","))
		b, err := stats.ParseBatch([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Ingest(ctx, b, stats.Origin{Region: "330106", ReceivedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ status, code, field string }{
			{stats.StatusAccepted, "", ""},
			{stats.StatusRejected, stats.CodeInvalid, "ts"},
			{stats.StatusRejected, stats.CodeUnknownApp, "app"},
			{stats.StatusRejected, stats.CodeFuture, "ts"},
			{stats.StatusRejected, stats.CodeTooOld, "ts"},
			{stats.StatusRejected, stats.CodeInvalid, "props"},
			{stats.StatusRejected, stats.CodeInvalid, "props"},
			{stats.StatusRejected, stats.CodeInvalid, "name"},
			{stats.StatusRejected, stats.CodeInvalid, "container"},
			{stats.StatusRejected, stats.CodeInvalid, "id"},
			{stats.StatusDuplicate, "", ""},
			{stats.StatusAccepted, "", ""},
			{stats.StatusRejected, stats.CodeInvalid, "event"},
			{stats.StatusRejected, stats.CodeInvalid, "props"},
		}
		for i, w := range want {
			it := res.Items[i]
			if it.Index != i || it.Status != w.status || it.Code != w.code || it.Field != w.field {
				t.Errorf("item %d = %+v, want %s/%s/%s", i, it, w.status, w.code, w.field)
			}
			if it.Status == stats.StatusRejected && it.Error == "" {
				t.Errorf("item %d has no message", i)
			}
		}
		if res.Accepted != 2 || res.Duplicates != 1 || res.Rejected != 11 {
			t.Errorf("totals = %d/%d/%d", res.Accepted, res.Duplicates, res.Rejected)
		}
		// Resent before the write (pending) and after it (stored): "duplicate", stored once.
		again, _ := stats.ParseBatch([]byte(fmt.Sprintf(`{"sent_at":%d,"app":"app-a","device_id":"device-0001","events":[%s]}`, ms, ev("evt-00000001", ms-5000, ""))))
		for round := range 2 {
			res, err := s.Ingest(ctx, again, stats.Origin{ReceivedAt: now})
			if err != nil || res.Duplicates != 1 || res.Items[0].Status != stats.StatusDuplicate {
				t.Fatalf("resend %d: %+v %v", round, res, err)
			}
			if err := s.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, d, `SELECT count(*) FROM stats_events`); n != 2 {
			t.Fatalf("stored %d events, want 2", n)
		}
		// Raw identities are not stored: only the keyed hash, and no IP column exists.
		if n := count(t, d, `SELECT count(*) FROM stats_users WHERE hash LIKE '%device%'`); n != 0 {
			t.Error("a device id was stored in clear")
		}
		var props string
		if err := d.QueryRowContext(ctx, `SELECT props FROM stats_events WHERE id = 'evt-00000001'`).Scan(&props); err != nil || props != `{"form":"apply","step":2,"ok":true}` {
			t.Errorf("props = %q, %v", props, err)
		}
	})
}

func TestIngestCorrectsClockSkew(t *testing.T) {
	d := dbtest.SQLite(t)
	s := newStore(t, d, stats.Config{Now: fixedClock})
	ctx := context.Background()
	ms := now.UnixMilli()
	for _, c := range []struct {
		name   string
		offset int64 // how far the phone's clock is ahead
		ago    int64 // how long before sending the event happened
		status string
	}{
		{"behind a day", -24 * 3600 * 1000, 5000, stats.StatusAccepted},
		{"ahead an hour", 3600 * 1000, 5000, stats.StatusAccepted},
		{"event after sending", 0, -10 * 60 * 1000, stats.StatusRejected},
		{"ahead, event after sending", 3600 * 1000, -10 * 60 * 1000, stats.StatusRejected},
	} {
		id := "skew-" + strings.ReplaceAll(c.name, " ", "_")
		id = strings.ReplaceAll(id, ",", "")
		b := stats.Batch{SentAt: ms + c.offset, App: "app-a", DeviceID: "device-0002",
			Events: []stats.Event{{ID: id, Name: stats.EventLaunch, TS: ms + c.offset - c.ago, Container: "web"}}}
		res, err := s.Ingest(ctx, b, stats.Origin{ReceivedAt: now})
		if err != nil || res.Items[0].Status != c.status {
			t.Fatalf("%s: %+v %v", c.name, res, err)
		}
		if c.status != stats.StatusAccepted {
			continue
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		var ts int64
		var day int
		if err := d.QueryRowContext(ctx, `SELECT ts, day FROM stats_events WHERE id = $1`, id).Scan(&ts, &day); err != nil {
			t.Fatal(err)
		}
		if ts != ms-c.ago || stats.Day(day) != stats.DayOf(now, stats.ChinaTime) {
			t.Errorf("%s: stored ts %d day %d, want %d day %d", c.name, ts, day, ms-c.ago, stats.DayOf(now, stats.ChinaTime))
		}
	}
}

func TestBatchRefusals(t *testing.T) {
	ms := now.UnixMilli()
	many := make([]string, stats.MaxBatchEvents+1)
	for i := range many {
		many[i] = ev(fmt.Sprintf("evt-%08d", i), ms, "")
	}
	for _, c := range []struct {
		name, body, field string
	}{
		{"too many events", fmt.Sprintf(`{"sent_at":%d,"events":[%s]}`, ms, strings.Join(many, ",")), "events"},
		{"too large", fmt.Sprintf(`{"sent_at":%d,"events":[%s]}`, ms, ev("evt-00000001", ms, `,"props":{"q":"`+strings.Repeat("x", 70000)+`"}`)), "body"},
		{"no events", fmt.Sprintf(`{"sent_at":%d,"events":[]}`, ms), "events"},
		{"no sent_at", `{"events":[` + ev("evt-00000001", ms, "") + `]}`, "sent_at"},
		{"sent_at a string", `{"sent_at":"now","events":[` + ev("evt-00000001", ms, "") + `]}`, "sent_at"},
		{"not JSON", `sent_at=1`, "body"},
	} {
		_, err := stats.ParseBatch([]byte(c.body))
		if !errors.Is(err, errs.ErrInvalid) || errs.Field(err) != c.field {
			t.Errorf("%s: err = %v, want invalid %s", c.name, err, c.field)
		}
	}
	s := newStore(t, dbtest.SQLite(t), stats.Config{Now: fixedClock})
	ctx := context.Background()
	b := stats.Batch{SentAt: ms, App: "app-a", Events: []stats.Event{{ID: "evt-00000001", Name: stats.EventLaunch, TS: ms, Container: "web"}}}
	if _, err := s.Ingest(ctx, b, stats.Origin{}); errs.Field(err) != "device_id" {
		t.Errorf("signed out without device id: %v", err)
	}
	if _, err := s.Ingest(ctx, b, stats.Origin{CitizenID: "c1", Region: "hangzhou"}); errs.Field(err) != "region" {
		t.Errorf("bad region: %v", err)
	}
	failing := newStore(t, dbtest.SQLite(t), stats.Config{Apps: func(context.Context, string) (bool, error) { return false, errors.New("registry down") }})
	if _, err := failing.Ingest(ctx, b, stats.Origin{CitizenID: "c1", ReceivedAt: now}); err == nil {
		t.Error("a failing app lookup must fail the batch, not reject its events as unknown")
	}
	if _, err := stats.New(ctx, dbtest.SQLite(t), stats.Config{Secret: []byte("short"), Apps: lookup()}); err == nil {
		t.Error("a short secret was accepted")
	}
}

func TestReportScopeRefusals(t *testing.T) {
	s := newStore(t, dbtest.SQLite(t), stats.Config{Now: fixedClock})
	ctx := context.Background()
	today := stats.DayOf(now, stats.ChinaTime)
	dept := stats.Scope{Areas: []stats.Area{{Apps: []string{"app-a"}}}}
	city := stats.Scope{Areas: []stats.Area{{Region: "330100"}}}
	for _, c := range []struct {
		name string
		sc   stats.Scope
		f    stats.Filter
		kind error
		fld  string
	}{
		{"ten years", stats.Everything(), stats.Filter{From: today - 3652, To: today}, errs.ErrInvalid, "to"},
		{"backwards", stats.Everything(), stats.Filter{From: today, To: today - 1}, errs.ErrInvalid, "to"},
		{"bad channel", stats.Everything(), stats.Filter{From: today, To: today, Channel: "qq"}, errs.ErrInvalid, "channel"},
		{"bad region", stats.Everything(), stats.Filter{From: today, To: today, Region: "33"}, errs.ErrInvalid, "region"},
		{"region outside", city, stats.Filter{From: today, To: today, Region: "330300"}, errs.ErrForbidden, ""},
		{"app outside", dept, stats.Filter{From: today, To: today, Apps: []string{"app-b"}}, errs.ErrForbidden, ""},
		{"no scope", stats.Scope{}, stats.Filter{From: today, To: today}, errs.ErrForbidden, ""},
	} {
		_, err := s.TopApps(ctx, c.sc, c.f, 10)
		if !errors.Is(err, c.kind) || errs.Field(err) != c.fld {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	if _, err := s.App(ctx, dept, stats.Filter{From: today, To: today}, "app-b"); !errors.Is(err, errs.ErrForbidden) {
		t.Errorf("app report outside the scope: %v", err)
	}
	if _, err := s.ActiveByRegion(ctx, city, stats.Filter{From: today, To: today}, "street"); errs.Field(err) != "level" {
		t.Errorf("bad level: %v", err)
	}
	// A district inside the caller's city is fine; so is the whole province (narrowed to the city).
	for _, r := range []string{"330106", "330000"} {
		if _, err := s.TopApps(ctx, city, stats.Filter{From: today, To: today, Region: r}, 10); err != nil {
			t.Errorf("region %s inside the scope: %v", r, err)
		}
	}
}

func TestScopeFor(t *testing.T) {
	owned := map[string][]string{"/330000/330100/": {"hz-app"}, "/330000/d-0000000a/": {"app-a", "app-b"}}
	appsUnder := func(path string) ([]string, error) { return owned[path], nil }
	grant := func(path string, perms ...string) identity.PrincipalGrant {
		return identity.PrincipalGrant{NodePath: path, Permissions: perms}
	}
	for _, c := range []struct {
		name   string
		grants []identity.PrincipalGrant
		want   string
	}{
		{"root", []identity.PrincipalGrant{grant("/330000/", identity.PermStatsRead)}, `[{"areas":[{}]}]`},
		{"city", []identity.PrincipalGrant{grant("/330000/330100/", identity.PermStatsRead)}, `[{"areas":[{"region":"330100"},{"apps":["hz-app"]}]}]`},
		{"department", []identity.PrincipalGrant{grant("/330000/d-0000000a/", identity.PermStatsRead)}, `[{"areas":[{"apps":["app-a","app-b"]}]}]`},
		{"no stats.read", []identity.PrincipalGrant{grant("/330000/", identity.PermPushSend)}, `forbidden`},
	} {
		sc, err := stats.ScopeFor(&identity.Principal{Grants: c.grants}, appsUnder)
		got := "forbidden"
		if err == nil {
			b, _ := json.Marshal([]stats.Scope{sc})
			got = string(b)
		} else if !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: scope %s, want %s", c.name, got, c.want)
		}
	}
}

func TestWriterFlushesByTimeAndOnClose(t *testing.T) {
	ctx := context.Background()
	b := stats.Batch{SentAt: now.UnixMilli(), App: "app-a", Events: []stats.Event{{ID: "evt-00000001", Name: stats.EventLaunch, TS: now.UnixMilli(), Container: "web"}}}
	d := dbtest.SQLite(t)
	s := newStore(t, d, stats.Config{FlushInterval: 20 * time.Millisecond})
	if _, err := s.Ingest(ctx, b, stats.Origin{CitizenID: "c1", ReceivedAt: now}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for count(t, d, `SELECT count(*) FROM stats_events`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the writer did not flush within 5 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	d2 := dbtest.SQLite(t)
	s2 := newStore(t, d2, stats.Config{})
	if _, err := s2.Ingest(ctx, b, stats.Origin{CitizenID: "c1", ReceivedAt: now}); err != nil {
		t.Fatal(err)
	}
	if count(t, d2, `SELECT count(*) FROM stats_events`) != 0 {
		t.Fatal("written before the interval")
	}
	if err := s2.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if count(t, d2, `SELECT count(*) FROM stats_events`) != 1 {
		t.Fatal("Close did not flush")
	}
	if _, err := s2.Ingest(ctx, b, stats.Origin{CitizenID: "c2", ReceivedAt: now}); err == nil {
		t.Fatal("accepted after Close")
	}
}

func TestExportAndPrune(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d, stats.Config{Retention: 20 * 24 * time.Hour})
		bs := generate(t, testConfig(1500))
		evs := rawEvents(bs)
		ingestAll(t, s, bs)
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		from, to := testEnd-9, testEnd
		want := 0
		for _, e := range evs {
			if e.day >= from && e.day <= to {
				want++
			}
		}
		var buf bytes.Buffer
		n, err := s.Export(ctx, &buf, from, to)
		if err != nil || int(n) != want {
			t.Fatalf("exported %d (%v), want %d", n, err, want)
		}
		zr, err := gzip.NewReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(zr)
		lines := 0
		for dec.More() {
			var e stats.ExportedEvent
			if err := dec.Decode(&e); err != nil {
				t.Fatal(err)
			}
			if e.Day < from || e.Day > to || len(e.User) != 32 || strings.Contains(e.User, "citizen") || e.Channel == "" {
				t.Fatalf("exported line %+v", e)
			}
			lines++
		}
		if lines != want {
			t.Fatalf("%d lines, want %d", lines, want)
		}
		f := stats.Filter{From: testEnd - 44, To: testEnd}
		before, err := s.TopApps(ctx, stats.Everything(), f, 0)
		if err != nil {
			t.Fatal(err)
		}
		pruneAt := testEnd.Start(stats.ChinaTime).Add(12 * time.Hour) // retention reaches back to testEnd-20
		gone, err := s.Prune(ctx, pruneAt)
		if err != nil {
			t.Fatal(err)
		}
		old := 0
		for _, e := range evs {
			if e.day < testEnd-20 {
				old++
			}
		}
		if int(gone) != old || count(t, d, `SELECT count(*) FROM stats_events`) != len(evs)-old {
			t.Fatalf("pruned %d, want %d", gone, old)
		}
		after, err := s.TopApps(ctx, stats.Everything(), f, 0)
		if err != nil || fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("reports changed by pruning raw events: %v / %v (%v)", before, after, err)
		}
	})
}

func TestDemoProportions(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d, stats.Config{Now: fixedClock})
		n, err := stats.Demo(ctx, s, 20000, 7)
		if err != nil || n < 20000 {
			t.Fatalf("demo: %d events, %v", n, err)
		}
		cfg, _ := stats.DemoConfig(20000, 7, s.Today()-1)
		f := stats.Filter{From: s.Today() - stats.DemoDays, To: s.Today() - 1}
		top, err := s.TopApps(ctx, stats.Everything(), f, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(top) != len(cfg.Apps) {
			t.Fatalf("top apps: %+v", top)
		}
		// The apps come out in the deck's order and proportions (to within one user of rounding).
		for i, a := range cfg.Apps {
			if top[i].App != a.Name {
				t.Fatalf("rank %d is %s, want %s", i+1, top[i].App, a.Name)
			}
			want := float64(top[0].Users) * a.Weight / cfg.Apps[0].Weight
			if math.Abs(float64(top[i].Users)-want) > 1.5 {
				t.Errorf("%s: %d users, want %.1f (deck proportion)", a.Name, top[i].Users, want)
			}
		}
		// Cities: every user's home city, in the deck's proportions of active users.
		tr, err := s.Trend(ctx, stats.Everything(), f)
		if err != nil {
			t.Fatal(err)
		}
		total := float64(tr[len(tr)-1].Total)
		sumW := 0.0
		for _, r := range cfg.Regions {
			sumW += r.Weight
		}
		// The province's own code (省本级) is what the cities leave: its filter is the whole province.
		province, rest := "", total
		for _, r := range cfg.Regions {
			if strings.HasSuffix(r.Name, "0000") {
				province = r.Name
				continue
			}
			ct, err := s.Trend(ctx, stats.Everything(), stats.Filter{From: f.From, To: f.To, Region: r.Name})
			if err != nil {
				t.Fatal(err)
			}
			got, want := float64(ct[len(ct)-1].Total), total*r.Weight/sumW
			rest -= got
			if math.Abs(got-want) > 1.5 {
				t.Errorf("city %s: %.0f users, want %.1f", r.Name, got, want)
			}
		}
		for _, r := range cfg.Regions {
			if r.Name == province && math.Abs(rest-total*r.Weight/sumW) > 1.5 {
				t.Errorf("province level %s: %.0f users, want %.1f", r.Name, rest, total*r.Weight/sumW)
			}
		}
		chs, err := s.Channels(ctx, stats.Everything(), f)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range stats.DemoChannelShares {
			if want := total * c.Weight / 100; math.Abs(float64(chs[i].Users)-want) > 1.5 {
				t.Errorf("channel %s: %d users, want %.1f", c.Name, chs[i].Users, want)
			}
		}
	})
}

// A resend the store no longer remembers (another instance, a restart) is answered
// "accepted" but stored and counted once: the raw table's key decides, on both engines,
// also when it shares a write with new events.
func TestForgottenResendCountedOnce(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ms := now.UnixMilli()
		batch := func(ids ...string) stats.Batch {
			var items []string
			for _, id := range ids {
				items = append(items, ev(id, ms-5000, ""))
			}
			b, err := stats.ParseBatch([]byte(fmt.Sprintf(`{"sent_at":%d,"app":"app-a","device_id":"device-0001","events":[%s]}`, ms, strings.Join(items, ","))))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		first := newStore(t, d, stats.Config{Now: fixedClock})
		if res, err := first.Ingest(ctx, batch("evt-old-0001", "evt-old-0002"), stats.Origin{ReceivedAt: now}); err != nil || res.Accepted != 2 {
			t.Fatalf("first: %+v %v", res, err)
		}
		if err := first.Close(ctx); err != nil {
			t.Fatal(err)
		}
		second := newStore(t, d, stats.Config{Now: fixedClock})
		res, err := second.Ingest(ctx, batch("evt-new-0001", "evt-old-0001", "evt-new-0002", "evt-old-0002", "evt-new-0003"), stats.Origin{ReceivedAt: now})
		if err != nil || res.Accepted != 5 {
			t.Fatalf("second: %+v %v", res, err)
		}
		if err := second.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, `SELECT count(*) FROM stats_events`); n != 5 {
			t.Fatalf("stored %d events, want 5", n)
		}
		day := stats.DayOf(now, stats.ChinaTime)
		top, err := second.TopApps(ctx, stats.Everything(), stats.Filter{From: day, To: day}, 0)
		if err != nil || len(top) != 1 || top[0].Events != 5 || top[0].Users != 1 {
			t.Fatalf("top apps = %+v, %v; want 5 events of 1 user", top, err)
		}
	})
}
