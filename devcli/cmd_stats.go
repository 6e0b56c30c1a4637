package devcli

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/govapp/govapp/platform"
	"github.com/govapp/govapp/platform/client"
)

// statsCommands is the table of `govapp stats …`.
func statsCommands() []command {
	return []command{
		{"top", "most-used apps by distinct users (and launches)", runStatsTop},
		{"regions", "active users per city or district, per day", runStatsRegions},
		{"channels", "users by channel: wechat, alipay, govapp, web", runStatsChannels},
		{"trend", "active, new and total users per day", runStatsTrend},
		{"active", "DAU, WAU, MAU and DAU/MAU per day", runStatsActive},
		{"retention", "day-1/7/30 retention of each day's new users", runStatsRetention},
		{"app", "one app: launches, pages, JSAPI calls, error rate, releases", runStatsApp},
		{"demo", "fill the server's store with realistic demo events (operators, on the server)", runStatsDemo},
	}
}

func runStats(ctx context.Context, e *Env, args []string) int {
	return runGroup(ctx, e, "stats",
		"Usage statistics (应用统计分析) of the apps you hold stats.read for: a department sees its own apps,\n"+
			"a region's grant its citizens' use of every app. Distinct users are exact. Every report takes\n"+
			"--app, --region, --channel, --from and --to (default: the 30 days ending today) and prints a\n"+
			"table, --format csv or --format json.", statsCommands(), args)
}

// statsFlags are the filter and output flags every report shares.
type statsFlags struct {
	apps                      listFlag
	region, channel, from, to *string
	format                    *string
	fs                        *flagSet
	extra                     url.Values // report parameters besides the filter (limit, level)
}

func addStatsFlags(f *flagSet) *statsFlags {
	s := &statsFlags{fs: f, extra: url.Values{}}
	f.Var(&s.apps, "app", "only these app `IDS` (comma-separated or repeated)")
	s.region = f.String("region", "", "only users of this region `CODE` (GB/T 2260) and its subtree, e.g. 330100")
	s.channel = f.String("channel", "", "only this `CHANNEL`: wechat, alipay, govapp or web")
	s.from = f.String("from", "", "first `DAY` (YYYY-MM-DD; default 29 days before --to)")
	s.to = f.String("to", "", "last `DAY` (YYYY-MM-DD; default today)")
	s.format = f.String("format", "table", "output `FORMAT`: table, csv or json (the API's reply)")
	return s
}

func (s *statsFlags) filter() client.StatsFilter {
	return client.StatsFilter{Apps: s.apps, Region: *s.region, Channel: *s.channel, From: *s.from, To: *s.to}
}

// parse checks the flags; it returns the api, or an exit code to return.
func (s *statsFlags) parse(e *Env, args []string, names ...string) ([]string, *api, int) {
	pos, err := s.fs.parse(args, names...)
	if err != nil {
		return nil, nil, e.fail(err)
	}
	switch *s.format {
	case "table", "csv", "json":
	default:
		return nil, nil, e.fail(usageErrorf(s.fs.cmd, "%s: --format %q: use table, csv or json", s.fs.cmd, *s.format))
	}
	a, err := e.api()
	if err != nil {
		return nil, nil, e.fail(err)
	}
	return pos, a, -1
}

// output prints the report: CSV straight from the server, the server's JSON, or the table
// that table() fills in.
func (s *statsFlags) output(ctx context.Context, e *Env, a *api, report string, get func() error, table func(t *table)) int {
	if *s.format == "csv" {
		raw, err := a.StatsCSV(ctx, report, s.filter(), s.extra)
		if err != nil {
			return e.fail(err)
		}
		_, err = e.Stdout.Write(raw)
		return e.done(err)
	}
	if err := get(); err != nil {
		return e.fail(err)
	}
	if *s.format == "json" {
		return e.done(e.printJSON(a.last))
	}
	t := newTable(e.Stdout)
	table(t)
	t.flush()
	return ExitOK
}

func statsCmd(e *Env, name, synopsis, about string) (*flagSet, *statsFlags) {
	f := e.flags("stats "+name, synopsis+"[--app IDS] [--region CODE] [--channel CH] [--from DAY] [--to DAY] [--format table|csv|json]", about)
	return f, addStatsFlags(f)
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func pct(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }

func runStatsTop(ctx context.Context, e *Env, args []string) int {
	f, s := statsCmd(e, "top", "[--limit N] ", "Most-used apps in the range by distinct users (then launches), with each app's share of the listed users.")
	limit := f.Int("limit", 0, "at most `N` apps (0: all)")
	_, a, code := s.parse(e, args)
	if code >= 0 {
		return code
	}
	if *limit > 0 {
		s.extra.Set("limit", strconv.Itoa(*limit))
	}
	var r *client.StatsTop
	return s.output(ctx, e, a, client.ReportTop, func() (err error) { r, err = a.StatsTop(ctx, s.filter(), *limit); return err }, func(t *table) {
		var sum int64
		for _, u := range r.Apps {
			sum += u.Users
		}
		t.row("#", "APP", "USERS", "SHARE", "LAUNCHES", "EVENTS")
		for i, u := range r.Apps {
			share := "-"
			if sum > 0 {
				share = pct(float64(u.Users) / float64(sum))
			}
			t.row(strconv.Itoa(i+1), u.App, i64(u.Users), share, i64(u.Launches), i64(u.Events))
		}
	})
}

func runStatsRegions(ctx context.Context, e *Env, args []string) int {
	f, s := statsCmd(e, "regions", "[--level city|district] ", "Distinct active users per region and day: per city (districts fold into their city), or per district with --level district.")
	level := f.String("level", "city", "`LEVEL`: city or district")
	_, a, code := s.parse(e, args)
	if code >= 0 {
		return code
	}
	s.extra.Set("level", *level)
	var r *client.StatsRegions
	return s.output(ctx, e, a, client.ReportRegions, func() (err error) { r, err = a.StatsRegions(ctx, s.filter(), *level); return err }, func(t *table) {
		t.row("DAY", "REGION", "USERS", "LAUNCHES")
		for _, d := range r.Regions {
			region := d.Region
			if region == "" {
				region = "unknown"
			}
			t.row(d.Day, region, i64(d.Users), i64(d.Launches))
		}
	})
}

func runStatsChannels(ctx context.Context, e *Env, args []string) int {
	_, s := statsCmd(e, "channels", "", "Distinct users and launches per channel. A user who came through two channels counts in both.")
	_, a, code := s.parse(e, args)
	if code >= 0 {
		return code
	}
	var r *client.StatsChannels
	return s.output(ctx, e, a, client.ReportChannels, func() (err error) { r, err = a.StatsChannels(ctx, s.filter()); return err }, func(t *table) {
		t.row("CHANNEL", "USERS", "LAUNCHES")
		for _, c := range r.Channels {
			t.row(c.Channel, i64(c.Users), i64(c.Launches))
		}
	})
}

func runStatsTrend(ctx context.Context, e *Env, args []string) int {
	_, s := statsCmd(e, "trend", "", "Per day: active users, new users (never seen before under the same filter) and the cumulative total.")
	_, a, code := s.parse(e, args)
	if code >= 0 {
		return code
	}
	var r *client.StatsTrend
	return s.output(ctx, e, a, client.ReportTrend, func() (err error) { r, err = a.StatsTrend(ctx, s.filter()); return err }, func(t *table) {
		t.row("DAY", "ACTIVE", "NEW", "TOTAL")
		for _, p := range r.Days {
			t.row(p.Day, i64(p.Active), i64(p.New), i64(p.Total))
		}
	})
}

func runStatsActive(ctx context.Context, e *Env, args []string) int {
	_, s := statsCmd(e, "active", "", "Per day: DAU, WAU (7 days ending that day), MAU (30 days) and DAU/MAU.")
	_, a, code := s.parse(e, args)
	if code >= 0 {
		return code
	}
	var r *client.StatsActive
	return s.output(ctx, e, a, client.ReportActive, func() (err error) { r, err = a.StatsActive(ctx, s.filter()); return err }, func(t *table) {
		t.row("DAY", "DAU", "WAU", "MAU", "DAU/MAU")
		for _, p := range r.Days {
			t.row(p.Day, i64(p.DAU), i64(p.WAU), i64(p.MAU), pct(p.DAUperMAU))
		}
	})
}

func runStatsRetention(ctx context.Context, e *Env, args []string) int {
	_, s := statsCmd(e, "retention", "", "Each day's new users and how many were active again 1, 7 and 30 days later (- when that day lies past --to).")
	_, a, code := s.parse(e, args)
	if code >= 0 {
		return code
	}
	var r *client.StatsRetention
	return s.output(ctx, e, a, client.ReportRetention, func() (err error) { r, err = a.StatsRetention(ctx, s.filter()); return err }, func(t *table) {
		t.row("COHORT", "USERS", "DAY 1", "DAY 7", "DAY 30")
		ret := func(users int64, n *int64) string {
			if n == nil {
				return "-"
			}
			if users == 0 {
				return "0"
			}
			return fmt.Sprintf("%d (%s)", *n, pct(float64(*n)/float64(users)))
		}
		for _, c := range r.Cohorts {
			t.row(c.Day, i64(c.Users), ret(c.Users, c.D1), ret(c.Users, c.D7), ret(c.Users, c.D30))
		}
	})
}

func runStatsApp(ctx context.Context, e *Env, args []string) int {
	f := e.flags("stats app", "ID [--region CODE] [--channel CH] [--from DAY] [--to DAY] [--format table|csv|json]",
		"One app's launches, page views, JSAPI calls, errors per launch, and per release: users, share of the app's users, update_installed reports.")
	s := addStatsFlags(f)
	pos, a, code := s.parse(e, args, "ID")
	if code >= 0 {
		return code
	}
	if len(s.apps) > 0 {
		return e.fail(usageErrorf(f.cmd, "%s: the app is the ID argument; leave out --app", f.cmd))
	}
	var r *client.StatsApp
	return s.output(ctx, e, a, "apps/"+url.PathEscape(pos[0]), func() (err error) { r, err = a.StatsApp(ctx, pos[0], s.filter()); return err }, func(t *table) {
		t.row("APP", r.App)
		t.row("RANGE", r.From+" .. "+r.To)
		t.row("USERS", i64(r.Users))
		t.row("LAUNCHES", i64(r.Launches))
		t.row("PAGE VIEWS", i64(r.PageViews))
		t.row("JSAPI CALLS", i64(r.JSAPICalls))
		t.row("ERRORS", fmt.Sprintf("%d (%s of launches)", r.Errors, pct(r.ErrorRate)))
		t.flush()
		if len(r.Releases) == 0 {
			return
		}
		fmt.Fprintln(e.Stdout)
		t.row("VERSION", "USERS", "SHARE", "LAUNCHES", "ERRORS", "UPDATES", "FIRST DAY", "LAST DAY")
		for _, v := range r.Releases {
			t.row(orDash(v.Version), i64(v.Users), pct(v.Share), i64(v.Launches), i64(v.Errors), i64(v.Updates), v.FirstDay, v.LastDay)
		}
	})
}

func runStatsDemo(ctx context.Context, e *Env, args []string) int {
	f := e.flags("stats demo", "--events N [--seed S] [--data DIR | --database-url URL] [--config FILE]",
		"Fill the platform's store with about N realistic usage events over the last 30 days, through the same checks as\n"+
			"the SDK's batches, so the reports come out in the proportions of the portal deck (apps by users, active users\n"+
			"by city; channels 45/30/20/5). Like 'govapp audit verify' it works on the store directly: run it on the server,\n"+
			"with the same --data/--database-url as serve. It needs the demo apps of a first start without --no-demo.\n"+
			"Running it again with the same --seed adds nothing (the events keep their ids); another seed adds more.")
	cf := addConfigFlags(f)
	events := f.Int("events", 0, "about `N` events (e.g. 20000)")
	seed := f.Uint64("seed", 1, "random `SEED`: the same seed makes the same events")
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	if *events < 1 {
		return e.fail(usageErrorf(f.cmd, "%s: say how many events with --events N", f.cmd))
	}
	cfg, err := cf.load(e)
	if err != nil {
		fmt.Fprintln(e.Stderr, err)
		return ExitUsage
	}
	n, err := platform.StatsDemo(ctx, cfg, *events, *seed)
	if err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.Stdout, "Added %d demo usage events over the last 30 days. Then: govapp stats top\n", n)
	return ExitOK
}
