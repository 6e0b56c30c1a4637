package stats_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/stats"
)

var testSecret = []byte("0123456789abcdef-test-secret")

func lookup(apps ...string) stats.AppLookup {
	return func(_ context.Context, id string) (bool, error) { return slices.Contains(apps, id), nil }
}

func newStore(t *testing.T, d *db.DB, cfg stats.Config) *stats.Store {
	t.Helper()
	if cfg.Secret == nil {
		cfg.Secret = testSecret
	}
	if cfg.Apps == nil {
		cfg.Apps = lookup(allApps...)
	}
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = time.Hour // tests flush by size and by hand
	}
	s, err := stats.New(context.Background(), d, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

var allApps = []string{"accounting-exam", "housing-fund", "traffic-fines", "social-security", "public-payment", "tax-certificate", "penalty-lookup", "app-a", "app-b", "app-c"}

// ---- the oracle: reports computed from the generated events, knowing nothing of rollups ----

type rawEvent struct {
	app, user, region, channel, name, version string
	day                                       stats.Day
}

func rawEvents(bs []stats.GenBatch) []rawEvent {
	var out []rawEvent
	for _, b := range bs {
		skew := b.Origin.ReceivedAt.UnixMilli() - b.Batch.SentAt
		for _, e := range b.Batch.Events {
			app := e.App
			if app == "" {
				app = b.Batch.App
			}
			user := "c:" + b.Origin.CitizenID
			if b.Origin.CitizenID == "" {
				user = "d:" + app + ":" + b.Batch.DeviceID
			}
			out = append(out, rawEvent{app: app, user: user, region: b.Origin.Region, channel: e.Container, name: e.Name, version: e.Version,
				day: stats.DayOf(time.UnixMilli(e.TS+skew), stats.ChinaTime)})
		}
	}
	return out
}

func under(code, root string) bool {
	switch {
	case root == "":
		return true
	case code == "":
		return false
	case strings.HasSuffix(root, "0000"):
		return code[:2] == root[:2]
	case strings.HasSuffix(root, "00"):
		return code[:4] == root[:4]
	}
	return code == root
}

func visible(e rawEvent, sc stats.Scope, f stats.Filter) bool {
	if f.Apps != nil && !slices.Contains(f.Apps, e.app) {
		return false
	}
	if !under(e.region, f.Region) || (f.Channel != "" && e.channel != f.Channel) {
		return false
	}
	for _, a := range sc.Areas {
		if (a.Apps == nil || slices.Contains(a.Apps, e.app)) && under(e.region, a.Region) {
			return true
		}
	}
	return false
}

type set map[string]bool

func (s set) n() int64 { return int64(len(s)) }

func oracleTop(evs []rawEvent, sc stats.Scope, f stats.Filter) stats.TopApps {
	users := map[string]set{}
	out := map[string]*stats.AppUsage{}
	for _, e := range evs {
		if e.day < f.From || e.day > f.To || !visible(e, sc, f) {
			continue
		}
		if out[e.app] == nil {
			out[e.app], users[e.app] = &stats.AppUsage{App: e.app}, set{}
		}
		users[e.app][e.user] = true
		out[e.app].Events++
		if e.name == stats.EventLaunch {
			out[e.app].Launches++
		}
	}
	res := stats.TopApps{}
	for a, u := range out {
		u.Users = users[a].n()
		res = append(res, *u)
	}
	sort.Slice(res, func(i, j int) bool {
		if res[i].Users != res[j].Users {
			return res[i].Users > res[j].Users
		}
		if res[i].Launches != res[j].Launches {
			return res[i].Launches > res[j].Launches
		}
		return res[i].App < res[j].App
	})
	return res
}

func oracleRegions(evs []rawEvent, sc stats.Scope, f stats.Filter, level string) stats.RegionActivity {
	type key struct {
		d stats.Day
		r string
	}
	users := map[key]set{}
	launches := map[key]int64{}
	for _, e := range evs {
		if e.day < f.From || e.day > f.To || !visible(e, sc, f) {
			continue
		}
		r := e.region
		if level == stats.LevelCity {
			r = stats.CityOf(r)
		}
		k := key{e.day, r}
		if users[k] == nil {
			users[k] = set{}
		}
		users[k][e.user] = true
		if e.name == stats.EventLaunch {
			launches[k]++
		}
	}
	res := stats.RegionActivity{}
	for k, u := range users {
		res = append(res, stats.RegionDay{Day: k.d, Region: k.r, Users: u.n(), Launches: launches[k]})
	}
	sort.Slice(res, func(i, j int) bool {
		a, b := res[i], res[j]
		if a.Day != b.Day {
			return a.Day < b.Day
		}
		if a.Users != b.Users {
			return a.Users > b.Users
		}
		return a.Region < b.Region
	})
	return res
}

func oracleChannels(evs []rawEvent, sc stats.Scope, f stats.Filter) stats.ChannelUsage {
	res := stats.ChannelUsage{}
	for _, ch := range stats.Channels {
		u := set{}
		var l int64
		for _, e := range evs {
			if e.day >= f.From && e.day <= f.To && e.channel == ch && visible(e, sc, f) {
				u[e.user] = true
				if e.name == stats.EventLaunch {
					l++
				}
			}
		}
		res = append(res, stats.ChannelUsers{Channel: ch, Users: u.n(), Launches: l})
	}
	return res
}

// daySets returns each day's users under the filter, every day (no range limit).
func daySets(evs []rawEvent, sc stats.Scope, f stats.Filter) map[stats.Day]set {
	out := map[stats.Day]set{}
	for _, e := range evs {
		if visible(e, sc, f) {
			if out[e.day] == nil {
				out[e.day] = set{}
			}
			out[e.day][e.user] = true
		}
	}
	return out
}

func firstSeen(days map[stats.Day]set) map[string]stats.Day {
	first := map[string]stats.Day{}
	for d, us := range days {
		for u := range us {
			if f, ok := first[u]; !ok || d < f {
				first[u] = d
			}
		}
	}
	return first
}

func oracleTrend(evs []rawEvent, sc stats.Scope, f stats.Filter) stats.Trend {
	days := daySets(evs, sc, f)
	first := firstSeen(days)
	res := stats.Trend{}
	for d := f.From; d <= f.To; d++ {
		p := stats.TrendPoint{Day: d, Active: days[d].n()}
		for _, fd := range first {
			if fd == d {
				p.New++
			}
			if fd <= d {
				p.Total++
			}
		}
		res = append(res, p)
	}
	return res
}

func oracleActive(evs []rawEvent, sc stats.Scope, f stats.Filter) stats.ActiveUsers {
	days := daySets(evs, sc, f)
	win := func(end stats.Day, n int) int64 {
		u := set{}
		for d := end - stats.Day(n) + 1; d <= end; d++ {
			for x := range days[d] {
				u[x] = true
			}
		}
		return u.n()
	}
	res := stats.ActiveUsers{}
	for d := f.From; d <= f.To; d++ {
		p := stats.ActivePoint{Day: d, DAU: days[d].n(), WAU: win(d, 7), MAU: win(d, 30)}
		if p.MAU > 0 {
			p.DAUperMAU = float64(p.DAU) / float64(p.MAU)
		}
		res = append(res, p)
	}
	return res
}

func oracleRetention(evs []rawEvent, sc stats.Scope, f stats.Filter) stats.Retention {
	days := daySets(evs, sc, f)
	first := firstSeen(days)
	res := stats.Retention{}
	for c := f.From; c <= f.To; c++ {
		co := stats.Cohort{Day: c}
		var cohort []string
		for u, fd := range first {
			if fd == c {
				cohort = append(cohort, u)
			}
		}
		co.Users = int64(len(cohort))
		for _, k := range []struct {
			n   stats.Day
			dst **int64
		}{{1, &co.D1}, {7, &co.D7}, {30, &co.D30}} {
			if c+k.n <= f.To {
				var v int64
				for _, u := range cohort {
					if days[c+k.n][u] {
						v++
					}
				}
				*k.dst = &v
			}
		}
		res = append(res, co)
	}
	return res
}

func oracleApp(evs []rawEvent, sc stats.Scope, f stats.Filter, app string) stats.AppReport {
	f.Apps = []string{app}
	rep := stats.AppReport{App: app, Releases: []stats.ReleaseUsage{}}
	users := set{}
	rel := map[string]*stats.ReleaseUsage{}
	relUsers := map[string]set{}
	for _, e := range evs {
		if e.day < f.From || e.day > f.To || !visible(e, sc, f) {
			continue
		}
		users[e.user] = true
		count := func(c *stats.Counters) {
			c.Events++
			switch e.name {
			case stats.EventLaunch:
				c.Launches++
			case stats.EventPageView:
				c.PageViews++
			case stats.EventJSAPICall:
				c.JSAPICalls++
			case stats.EventError:
				c.Errors++
			case stats.EventUpdate:
				c.Updates++
			case stats.EventNoticeOpen:
				c.Notices++
			}
		}
		count(&rep.Counters)
		r := rel[e.version]
		if r == nil {
			r = &stats.ReleaseUsage{Version: e.version, FirstDay: e.day, LastDay: e.day}
			rel[e.version], relUsers[e.version] = r, set{}
		}
		r.FirstDay, r.LastDay = min(r.FirstDay, e.day), max(r.LastDay, e.day)
		relUsers[e.version][e.user] = true
		var c stats.Counters
		count(&c)
		r.Launches += c.Launches
		r.Errors += c.Errors
		r.Updates += c.Updates
	}
	rep.Users = users.n()
	if rep.Launches > 0 {
		rep.ErrorRate = float64(rep.Errors) / float64(rep.Launches)
	}
	for v, r := range rel {
		r.Users = relUsers[v].n()
		r.Share = float64(r.Users) / float64(rep.Users)
		rep.Releases = append(rep.Releases, *r)
	}
	sort.Slice(rep.Releases, func(i, j int) bool {
		a, b := rep.Releases[i], rep.Releases[j]
		if a.FirstDay != b.FirstDay {
			return a.FirstDay < b.FirstDay
		}
		return a.Version < b.Version
	})
	return rep
}

// ---- the test data ----

var testEnd = stats.Day(20200) // 2025-04-22

func testConfig(n int) stats.GenConfig {
	return stats.GenConfig{
		Events: n, Days: 45, End: testEnd, Seed: 42, Mix: 0.15, DeviceShare: 0.3, Users: n / 20,
		Apps: []stats.Weighted{{Name: "app-a", Weight: 50}, {Name: "app-b", Weight: 25}, {Name: "app-c", Weight: 12}, {Name: "housing-fund", Weight: 8}, {Name: "traffic-fines", Weight: 5}},
		Regions: []stats.Weighted{
			{Name: "330102", Weight: 10}, {Name: "330106", Weight: 8}, {Name: "330100", Weight: 5}, {Name: "330300", Weight: 20}, {Name: "330700", Weight: 10}, {Name: "330000", Weight: 6}, {Name: "", Weight: 3},
		},
		Channels: []stats.Weighted{{Name: "wechat", Weight: 45}, {Name: "alipay", Weight: 30}, {Name: "govapp", Weight: 20}, {Name: "web", Weight: 5}},
	}
}

func generate(t *testing.T, cfg stats.GenConfig) []stats.GenBatch {
	t.Helper()
	var out []stats.GenBatch
	if err := stats.Generate(cfg, func(b stats.GenBatch) error { out = append(out, b); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func ingestAll(t *testing.T, s *stats.Store, bs []stats.GenBatch) (accepted, dups int) {
	t.Helper()
	ctx := context.Background()
	for _, b := range bs {
		res, err := s.Ingest(ctx, b.Batch, b.Origin)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range res.Items {
			if it.Status == stats.StatusRejected {
				t.Fatalf("generated event refused: %+v", it)
			}
		}
		accepted += res.Accepted
		dups += res.Duplicates
	}
	return accepted, dups
}

func TestReportsMatchRawEvents(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newStore(t, d, stats.Config{BufferEvents: 700})
		bs := generate(t, testConfig(8000))
		evs := rawEvents(bs)
		// Out of order (late batches), and a tenth of them sent twice: once before and once
		// after their first copy was written.
		shuffled := slices.Clone(bs)
		rng := rand.New(rand.NewPCG(1, 2))
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		acc, dups := ingestAll(t, s, shuffled)
		if acc != len(evs) || dups != 0 {
			t.Fatalf("accepted %d duplicates %d, want %d and 0", acc, dups, len(evs))
		}
		resent := shuffled[:len(shuffled)/10]
		acc, dups = ingestAll(t, s, resent)
		if acc != 0 || dups == 0 {
			t.Fatalf("resent batches: accepted %d duplicates %d, want 0 and all", acc, dups)
		}
		if err := s.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		var stored int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM stats_events`).Scan(&stored); err != nil || stored != len(evs) {
			t.Fatalf("stored %d events (%v), want %d", stored, err, len(evs))
		}

		from, to := testEnd-29, testEnd
		cases := []struct {
			name string
			sc   stats.Scope
			f    stats.Filter
		}{
			{"all", stats.Everything(), stats.Filter{From: from, To: to}},
			{"whole history", stats.Everything(), stats.Filter{From: testEnd - 44, To: to}},
			{"city", stats.Everything(), stats.Filter{From: from, To: to, Region: "330100"}},
			{"district", stats.Everything(), stats.Filter{From: from, To: to, Region: "330102"}},
			{"channel", stats.Everything(), stats.Filter{From: from, To: to, Channel: "alipay"}},
			{"apps", stats.Everything(), stats.Filter{From: from, To: to, Apps: []string{"app-b", "housing-fund"}}},
			{"short", stats.Everything(), stats.Filter{From: to - 6, To: to - 2, Channel: "wechat", Region: "330000"}},
			{"scoped", stats.Scope{Areas: []stats.Area{{Region: "330700"}, {Apps: []string{"housing-fund"}}}}, stats.Filter{From: from, To: to}},
			{"scoped and filtered", stats.Scope{Areas: []stats.Area{{Region: "330100"}, {Apps: []string{"app-c"}, Region: "330300"}}}, stats.Filter{From: from, To: to, Channel: "wechat"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				check := func(what string, got, want any, err error) {
					t.Helper()
					if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
					}
				}
				top, err := s.TopApps(ctx, c.sc, c.f, 0)
				check("top apps", top, oracleTop(evs, c.sc, c.f), err)
				for _, level := range []string{stats.LevelCity, stats.LevelDistrict} {
					reg, err := s.ActiveByRegion(ctx, c.sc, c.f, level)
					check("regions by "+level, reg, oracleRegions(evs, c.sc, c.f, level), err)
				}
				chs, err := s.Channels(ctx, c.sc, c.f)
				check("channels", chs, oracleChannels(evs, c.sc, c.f), err)
				tr, err := s.Trend(ctx, c.sc, c.f)
				check("trend", tr, oracleTrend(evs, c.sc, c.f), err)
				act, err := s.Active(ctx, c.sc, c.f)
				check("active", act, oracleActive(evs, c.sc, c.f), err)
				ret, err := s.Retention(ctx, c.sc, c.f)
				check("retention", ret, oracleRetention(evs, c.sc, c.f), err)
				for _, app := range []string{"app-a", "housing-fund"} {
					if c.f.Apps != nil && !slices.Contains(c.f.Apps, app) {
						continue
					}
					if c.name == "scoped and filtered" {
						continue // app-a is outside that scope: see TestReportScopeRefusals
					}
					rep, err := s.App(ctx, c.sc, c.f, app)
					check("app "+app, rep, oracleApp(evs, c.sc, c.f, app), err)
				}
			})
		}
		// The data set exercises what it should: users in several cells, several releases.
		top, _ := s.TopApps(ctx, stats.Everything(), stats.Filter{From: from, To: to}, 0)
		if len(top) != 5 || top[0].App != "app-a" {
			t.Errorf("top apps = %+v", top)
		}
		rep, _ := s.App(ctx, stats.Everything(), stats.Filter{From: from, To: to}, "app-a")
		if len(rep.Releases) != 2 || rep.Updates == 0 || rep.Errors == 0 {
			t.Errorf("app-a report = %+v", rep)
		}
	})
}

func TestReportsOnEmptyStore(t *testing.T) {
	s := newStore(t, dbtest.SQLite(t), stats.Config{})
	ctx := context.Background()
	f := stats.Filter{From: testEnd - 6, To: testEnd}
	top, err := s.TopApps(ctx, stats.Everything(), f, 10)
	if err != nil || len(top) != 0 {
		t.Fatalf("top = %v, %v", top, err)
	}
	tr, err := s.Trend(ctx, stats.Everything(), f)
	if err != nil || len(tr) != 7 || tr[6].Total != 0 {
		t.Fatalf("trend = %v, %v", tr, err)
	}
	ret, err := s.Retention(ctx, stats.Everything(), f)
	if err != nil || len(ret) != 7 || ret[0].D1 == nil || *ret[0].D1 != 0 || ret[0].D7 != nil {
		t.Fatalf("retention = %+v, %v", ret, err)
	}
}

func ExampleWriteCSV() {
	v := int64(3)
	_ = stats.WriteCSV(osStdout{}, stats.Retention{{Day: 20200, Users: 10, D1: &v}})
	// Output:
	// cohort,users,d1,d7,d30
	// 2025-04-22,10,3,,
}

type osStdout struct{}

func (osStdout) Write(p []byte) (int, error) { fmt.Print(string(p)); return len(p), nil }

// A store written before the per-day rows existed gets them from the per-app rows at
// start, and the reports they serve do not change.
func TestDayRollupsBackfilled(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		first := newStore(t, d, stats.Config{BufferEvents: 700})
		bs := generate(t, testConfig(3000))
		ingestAll(t, first, bs)
		if err := first.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		f := stats.Filter{From: testEnd - 40, To: testEnd}
		want, err := first.Trend(ctx, stats.Everything(), f)
		if err != nil || want[len(want)-1].Total == 0 {
			t.Fatalf("trend %v, %v", want, err)
		}
		wantCh, err := first.Channels(ctx, stats.Everything(), f)
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, `DELETE FROM stats_day_rollup`); err != nil {
			t.Fatal(err)
		}
		second := newStore(t, d, stats.Config{})
		if n := count(t, d, `SELECT count(*) FROM stats_day_rollup`); n == 0 {
			t.Fatal("no per-day rows after start")
		}
		got, err := second.Trend(ctx, stats.Everything(), f)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("trend after backfill:\n got %v %v\nwant %v", got, err, want)
		}
		gotCh, err := second.Channels(ctx, stats.Everything(), f)
		if err != nil || !reflect.DeepEqual(gotCh, wantCh) {
			t.Fatalf("channels after backfill:\n got %v %v\nwant %v", gotCh, err, wantCh)
		}
	})
}
