package statsbench

import (
	"context"
	"database/sql"

	"github.com/govapp/govapp/platform/internal/stats"
)

// The baseline: each report as plain SQL over the raw events table, on SQLite, the way a
// store without rollups would answer it.

func baseTop(ctx context.Context, e *env) (any, error) {
	return topQuery(ctx, e, `SELECT app, COUNT(DISTINCT uid), SUM(CASE WHEN name = 'app_launch' THEN 1 ELSE 0 END), COUNT(*)
		FROM stats_events WHERE day BETWEEN $1 AND $2 GROUP BY app`, int64(e.from), int64(e.to))
}

func baseTopCity(ctx context.Context, e *env) (any, error) {
	return topQuery(ctx, e, `SELECT app, COUNT(DISTINCT uid), SUM(CASE WHEN name = 'app_launch' THEN 1 ELSE 0 END), COUNT(*)
		FROM stats_events WHERE day BETWEEN $1 AND $2 AND substr(region, 1, 4) = '3301' GROUP BY app`, int64(e.from), int64(e.to))
}

func topQuery(ctx context.Context, e *env, q string, args ...any) (stats.TopApps, error) {
	rows, err := e.d.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := stats.TopApps{}
	for rows.Next() {
		var a stats.AppUsage
		if err := rows.Scan(&a.App, &a.Users, &a.Launches, &a.Events); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func baseRegions(ctx context.Context, e *env) (any, error) {
	rows, err := e.d.QueryContext(ctx, `SELECT day, CASE WHEN region = '' OR substr(region, 3) = '0000' THEN region ELSE substr(region, 1, 4) || '00' END AS city,
		COUNT(DISTINCT uid), SUM(CASE WHEN name = 'app_launch' THEN 1 ELSE 0 END)
		FROM stats_events WHERE day BETWEEN $1 AND $2 GROUP BY day, city`, int64(e.from), int64(e.to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := stats.RegionActivity{}
	for rows.Next() {
		var r stats.RegionDay
		var day int64
		if err := rows.Scan(&day, &r.Region, &r.Users, &r.Launches); err != nil {
			return nil, err
		}
		r.Day = stats.Day(day)
		out = append(out, r)
	}
	return out, rows.Err()
}

func baseChannels(ctx context.Context, e *env) (any, error) {
	out := stats.ChannelUsage{}
	for _, ch := range stats.Channels {
		c := stats.ChannelUsers{Channel: ch}
		err := e.d.QueryRowContext(ctx, `SELECT COUNT(DISTINCT uid), COALESCE(SUM(CASE WHEN name = 'app_launch' THEN 1 ELSE 0 END), 0)
			FROM stats_events WHERE day BETWEEN $1 AND $2 AND channel = $3`, int64(e.from), int64(e.to), ch).Scan(&c.Users, &c.Launches)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// countsByDay runs a query of (day, count) rows into a map.
func countsByDay(ctx context.Context, d *sql.DB, q string, args ...any) (map[stats.Day]int64, error) {
	rows, err := d.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[stats.Day]int64{}
	for rows.Next() {
		var day, n int64
		if err := rows.Scan(&day, &n); err != nil {
			return nil, err
		}
		out[stats.Day(day)] = n
	}
	return out, rows.Err()
}

func baseTrend(ctx context.Context, e *env) (any, error) {
	from := e.to - stats.Day(e.cfg.Days) + 1
	active, err := countsByDay(ctx, e.d.DB, `SELECT day, COUNT(DISTINCT uid) FROM stats_events WHERE day BETWEEN $1 AND $2 GROUP BY day`, int64(from), int64(e.to))
	if err != nil {
		return nil, err
	}
	fresh, err := countsByDay(ctx, e.d.DB, `SELECT first, COUNT(*) FROM (SELECT uid, MIN(day) AS first FROM stats_events WHERE day <= $1 GROUP BY uid) GROUP BY first`, int64(e.to))
	if err != nil {
		return nil, err
	}
	var total int64
	for d, n := range fresh {
		if d < from {
			total += n
		}
	}
	out := stats.Trend{}
	for d := from; d <= e.to; d++ {
		total += fresh[d]
		out = append(out, stats.TrendPoint{Day: d, Active: active[d], New: fresh[d], Total: total})
	}
	return out, nil
}

func baseActive(ctx context.Context, e *env) (any, error) {
	out := stats.ActiveUsers{}
	for d := e.from; d <= e.to; d++ {
		p := stats.ActivePoint{Day: d}
		for _, w := range []struct {
			n   stats.Day
			dst *int64
		}{{1, &p.DAU}, {7, &p.WAU}, {30, &p.MAU}} {
			if err := e.d.QueryRowContext(ctx, `SELECT COUNT(DISTINCT uid) FROM stats_events WHERE day BETWEEN $1 AND $2`, int64(d-w.n+1), int64(d)).Scan(w.dst); err != nil {
				return nil, err
			}
		}
		if p.MAU > 0 {
			p.DAUperMAU = float64(p.DAU) / float64(p.MAU)
		}
		out = append(out, p)
	}
	return out, nil
}

func baseRetention(ctx context.Context, e *env) (any, error) {
	rows, err := e.d.QueryContext(ctx, `WITH f AS (SELECT uid, MIN(day) AS first FROM stats_events WHERE day <= $2 GROUP BY uid),
		a AS (SELECT DISTINCT uid, day FROM stats_events WHERE day BETWEEN $1 AND $2)
		SELECT f.first, COUNT(DISTINCT f.uid),
			COUNT(DISTINCT CASE WHEN a.day = f.first + 1 THEN a.uid END),
			COUNT(DISTINCT CASE WHEN a.day = f.first + 7 THEN a.uid END),
			COUNT(DISTINCT CASE WHEN a.day = f.first + 30 THEN a.uid END)
		FROM f JOIN a ON a.uid = f.uid WHERE f.first BETWEEN $1 AND $2 GROUP BY f.first`, int64(e.from), int64(e.to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	got := map[stats.Day][4]int64{}
	for rows.Next() {
		var day int64
		var v [4]int64
		if err := rows.Scan(&day, &v[0], &v[1], &v[2], &v[3]); err != nil {
			return nil, err
		}
		got[stats.Day(day)] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := stats.Retention{}
	for c := e.from; c <= e.to; c++ {
		v := got[c]
		co := stats.Cohort{Day: c, Users: v[0]}
		for i, k := range []struct {
			n   stats.Day
			dst **int64
		}{{1, &co.D1}, {7, &co.D7}, {30, &co.D30}} {
			if c+k.n <= e.to {
				x := v[i+1]
				*k.dst = &x
			}
		}
		out = append(out, co)
	}
	return out, nil
}

func baseApp(ctx context.Context, e *env) (any, error) {
	rep := stats.AppReport{App: e.topApp, Releases: []stats.ReleaseUsage{}}
	err := e.d.QueryRowContext(ctx, `SELECT COUNT(DISTINCT uid), COUNT(*),
		SUM(CASE WHEN name = 'app_launch' THEN 1 ELSE 0 END), SUM(CASE WHEN name = 'page_view' THEN 1 ELSE 0 END),
		SUM(CASE WHEN name = 'jsapi_call' THEN 1 ELSE 0 END), SUM(CASE WHEN name = 'error' THEN 1 ELSE 0 END),
		SUM(CASE WHEN name = 'update_installed' THEN 1 ELSE 0 END), SUM(CASE WHEN name = 'notice_opened' THEN 1 ELSE 0 END)
		FROM stats_events WHERE app = $1 AND day BETWEEN $2 AND $3`, e.topApp, int64(e.from), int64(e.to)).Scan(
		&rep.Users, &rep.Events, &rep.Launches, &rep.PageViews, &rep.JSAPICalls, &rep.Errors, &rep.Updates, &rep.Notices)
	if err != nil {
		return nil, err
	}
	if rep.Launches > 0 {
		rep.ErrorRate = float64(rep.Errors) / float64(rep.Launches)
	}
	rows, err := e.d.QueryContext(ctx, `SELECT version, COUNT(DISTINCT uid), SUM(CASE WHEN name = 'app_launch' THEN 1 ELSE 0 END),
		SUM(CASE WHEN name = 'error' THEN 1 ELSE 0 END), SUM(CASE WHEN name = 'update_installed' THEN 1 ELSE 0 END), MIN(day), MAX(day)
		FROM stats_events WHERE app = $1 AND day BETWEEN $2 AND $3 GROUP BY version ORDER BY MIN(day), version`, e.topApp, int64(e.from), int64(e.to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r stats.ReleaseUsage
		var first, last int64
		if err := rows.Scan(&r.Version, &r.Users, &r.Launches, &r.Errors, &r.Updates, &first, &last); err != nil {
			return nil, err
		}
		r.FirstDay, r.LastDay = stats.Day(first), stats.Day(last)
		if rep.Users > 0 {
			r.Share = float64(r.Users) / float64(rep.Users)
		}
		rep.Releases = append(rep.Releases, r)
	}
	return rep, rows.Err()
}
