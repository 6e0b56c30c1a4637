package stats

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/govapp/govapp/platform/internal/errs"
)

// AppUsage is one line of the most-used-apps report.
type AppUsage struct {
	App      string `json:"app"`
	Users    int64  `json:"users"`
	Launches int64  `json:"launches"`
	Events   int64  `json:"events"`
}

// TopApps is the most-used-apps report.
type TopApps []AppUsage

// RegionDay is the active users of one region on one day.
type RegionDay struct {
	Day      Day    `json:"day"`
	Region   string `json:"region"` // GB/T 2260 code; "" for users of unknown region
	Users    int64  `json:"users"`
	Launches int64  `json:"launches"`
}

// RegionActivity is the active-users-per-region report.
type RegionActivity []RegionDay

// ChannelUsers is the users who came through one channel in the range.
type ChannelUsers struct {
	Channel  string `json:"channel"`
	Users    int64  `json:"users"`
	Launches int64  `json:"launches"`
}

// ChannelUsage is the users-by-channel report, in the order of Channels.
type ChannelUsage []ChannelUsers

// TrendPoint is one day of the user trend: active users, users never seen before (under the
// same filter, since the first stored day) and the cumulative total.
type TrendPoint struct {
	Day    Day   `json:"day"`
	Active int64 `json:"active"`
	New    int64 `json:"new"`
	Total  int64 `json:"total"`
}

// Trend is the new-and-total-users report.
type Trend []TrendPoint

// ActivePoint is DAU, WAU (7 days ending that day), MAU (30 days) and DAU/MAU.
type ActivePoint struct {
	Day       Day     `json:"day"`
	DAU       int64   `json:"dau"`
	WAU       int64   `json:"wau"`
	MAU       int64   `json:"mau"`
	DAUperMAU float64 `json:"dau_per_mau"`
}

// ActiveUsers is the DAU/WAU/MAU report.
type ActiveUsers []ActivePoint

// Cohort is the users first seen on Day and how many of them were active again on day 1,
// 7 and 30 after; nil when that day lies after the report's To.
type Cohort struct {
	Day   Day    `json:"day"`
	Users int64  `json:"users"`
	D1    *int64 `json:"d1"`
	D7    *int64 `json:"d7"`
	D30   *int64 `json:"d30"`
}

// Retention is the cohort retention report.
type Retention []Cohort

// ReleaseUsage is one release (version) of an app in the range: its users, their share of
// the app's users, and update_installed events reporting it (adoption).
type ReleaseUsage struct {
	Version  string  `json:"version"`
	Users    int64   `json:"users"`
	Share    float64 `json:"share"`
	Launches int64   `json:"launches"`
	Errors   int64   `json:"errors"`
	Updates  int64   `json:"updates"`
	FirstDay Day     `json:"first_day"`
	LastDay  Day     `json:"last_day"`
}

// AppReport is one app's counters in the range; ErrorRate is errors per launch.
type AppReport struct {
	App string `json:"app"`
	Counters
	Users     int64          `json:"users"`
	ErrorRate float64        `json:"error_rate"`
	Releases  []ReleaseUsage `json:"releases"`
}

// scan feeds the rollup rows of [from, to] (limited to apps unless nil) to fn, oldest first.
func (s *Store) scan(ctx context.Context, table string, from, to Day, apps []string, fn func(day Day, app, version string, r *rollup) error) error {
	ver := `''`
	if table == "stats_release_rollup" {
		ver = `version`
	}
	q := `SELECT day, app, ` + ver + `, data FROM ` + table + ` WHERE day >= ` + s.marks(1, 1) + ` AND day <= ` + s.marks(2, 1)
	args := []any{int64(from), int64(to)}
	if apps != nil {
		if len(apps) == 0 {
			return nil
		}
		q += ` AND app IN (` + s.marks(3, len(apps)) + `)`
		for _, a := range apps {
			args = append(args, a)
		}
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY day`, args...)
	if err != nil {
		return fmt.Errorf("stats: read %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var day int64
		var app, version string
		var data []byte
		if err := rows.Scan(&day, &app, &version, &data); err != nil {
			return err
		}
		r, err := decodeRollup(data)
		if err != nil {
			return fmt.Errorf("%w: %s day %s app %s", err, table, Day(day), app)
		}
		if err := fn(Day(day), app, version, r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanUsers feeds fn the rows a report over [from, to] under m needs, oldest first: the
// per-day rows over all apps (app "") when m picks no apps — then every app has the same
// cell predicate — else the per-app rows of the apps m may see.
func (s *Store) scanUsers(ctx context.Context, m *matcher, from, to Day, fn func(day Day, app, version string, r *rollup) error) error {
	if m.sameForEveryApp() {
		return s.scan(ctx, "stats_day_rollup", from, to, nil, fn)
	}
	return s.scan(ctx, "stats_rollup", from, to, m.appSQL(), fn)
}

// TopApps lists apps by distinct users in the range (then launches), at most limit (0: all).
func (s *Store) TopApps(ctx context.Context, sc Scope, f Filter, limit int) (TopApps, error) {
	if err := f.Validate(sc); err != nil {
		return nil, err
	}
	m := newMatcher(sc, f)
	users := map[string][]*roaring.Bitmap{}
	sums := map[string]*Counters{}
	err := s.scan(ctx, "stats_rollup", f.From, f.To, m.appSQL(), func(_ Day, app, _ string, r *rollup) error {
		pass := m.forApp(app)
		if pass == nil {
			return nil
		}
		u, c := r.filter(pass)
		if u.IsEmpty() && c.Events == 0 {
			return nil
		}
		users[app] = append(users[app], u)
		if sums[app] == nil {
			sums[app] = &Counters{}
		}
		sums[app].add(c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := TopApps{}
	for app, bs := range users {
		n := int64(roaring.FastOr(bs...).GetCardinality())
		if n == 0 {
			continue
		}
		out = append(out, AppUsage{App: app, Users: n, Launches: sums[app].Launches, Events: sums[app].Events})
	}
	slices.SortFunc(out, func(a, b AppUsage) int {
		switch {
		case a.Users != b.Users:
			return cmpDesc(a.Users, b.Users)
		case a.Launches != b.Launches:
			return cmpDesc(a.Launches, b.Launches)
		}
		return strings.Compare(a.App, b.App)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func cmpDesc(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// Region levels of ActiveByRegion.
const (
	LevelCity     = "city"
	LevelDistrict = "district"
)

// ActiveByRegion counts each day's distinct users per city (level "city": districts fold
// into their city, the province's own code stays itself) or per region code as stored
// (level "district").
func (s *Store) ActiveByRegion(ctx context.Context, sc Scope, f Filter, level string) (RegionActivity, error) {
	if level != LevelCity && level != LevelDistrict {
		return nil, errs.Invalid("level", "%q is not a level; use city or district", level)
	}
	if err := f.Validate(sc); err != nil {
		return nil, err
	}
	m := newMatcher(sc, f)
	type key struct {
		day    Day
		region string
	}
	users := map[key]*roaring.Bitmap{}
	launches := map[key]int64{}
	err := s.scanUsers(ctx, m, f.From, f.To, func(day Day, app, _ string, r *rollup) error {
		pass := m.forApp(app)
		if pass == nil {
			return nil
		}
		us, cs := r.group(func(c uint32) string {
			if !pass(c) {
				return ""
			}
			reg := cellRegion(c)
			if level == LevelCity {
				reg = CityOf(reg)
			}
			return "r" + reg // never "" so unknown regions keep a group
		})
		for g, list := range us {
			k := key{day, g[1:]}
			if users[k] == nil {
				users[k] = roaring.New()
			}
			users[k].AddMany(list)
		}
		for g, c := range cs {
			launches[key{day, g[1:]}] += c.Launches
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := RegionActivity{}
	for k, b := range users {
		out = append(out, RegionDay{Day: k.day, Region: k.region, Users: int64(b.GetCardinality()), Launches: launches[k]})
	}
	slices.SortFunc(out, func(a, b RegionDay) int {
		switch {
		case a.Day != b.Day:
			return int(a.Day - b.Day)
		case a.Users != b.Users:
			return cmpDesc(a.Users, b.Users)
		}
		return strings.Compare(a.Region, b.Region)
	})
	return out, nil
}

// Channels counts the range's distinct users per channel. A user who came through two
// channels counts in both, so the lines may sum to more than the users.
func (s *Store) Channels(ctx context.Context, sc Scope, f Filter) (ChannelUsage, error) {
	if err := f.Validate(sc); err != nil {
		return nil, err
	}
	m := newMatcher(sc, f)
	users := make([]*roaring.Bitmap, len(Channels))
	for i := range users {
		users[i] = roaring.New()
	}
	launches := make([]int64, len(Channels))
	err := s.scanUsers(ctx, m, f.From, f.To, func(_ Day, app, _ string, r *rollup) error {
		pass := m.forApp(app)
		if pass == nil {
			return nil
		}
		us, cs := r.group(func(c uint32) string {
			if !pass(c) {
				return ""
			}
			return cellChannel(c)
		})
		for ch, list := range us {
			users[channelIndex(ch)].AddMany(list)
		}
		for ch, c := range cs {
			launches[channelIndex(ch)] += c.Launches
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(ChannelUsage, len(Channels))
	for i, ch := range Channels {
		out[i] = ChannelUsers{Channel: ch, Users: int64(users[i].GetCardinality()), Launches: launches[i]}
	}
	return out, nil
}

// daily returns each day's distinct users under the filter, for days [from, to].
func (s *Store) daily(ctx context.Context, sc Scope, f Filter, from, to Day) (map[Day]*roaring.Bitmap, error) {
	m := newMatcher(sc, f)
	parts := map[Day][]*roaring.Bitmap{}
	err := s.scanUsers(ctx, m, from, to, func(day Day, app, _ string, r *rollup) error {
		if pass := m.forApp(app); pass != nil {
			if u, _ := r.filter(pass); !u.IsEmpty() {
				parts[day] = append(parts[day], u)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make(map[Day]*roaring.Bitmap, len(parts))
	for d, bs := range parts {
		out[d] = roaring.FastOr(bs...)
	}
	return out, nil
}

func dayUsers(m map[Day]*roaring.Bitmap, d Day) *roaring.Bitmap {
	if b := m[d]; b != nil {
		return b
	}
	return roaring.New()
}

// beginning is before any stored day; trend and retention read history from it.
const beginning = Day(-1 << 30)

// history returns each day's users up to f.To and the users seen before f.From.
func (s *Store) history(ctx context.Context, sc Scope, f Filter) (map[Day]*roaring.Bitmap, *roaring.Bitmap, error) {
	days, err := s.daily(ctx, sc, f, beginning, f.To)
	if err != nil {
		return nil, nil, err
	}
	var before []*roaring.Bitmap
	for d, b := range days {
		if d < f.From {
			before = append(before, b)
		}
	}
	return days, roaring.FastOr(before...), nil
}

// Trend returns, per day, the active users, the new ones (never seen before under the same
// filter) and the cumulative total of users seen since the first stored day.
func (s *Store) Trend(ctx context.Context, sc Scope, f Filter) (Trend, error) {
	if err := f.Validate(sc); err != nil {
		return nil, err
	}
	days, seen, err := s.history(ctx, sc, f)
	if err != nil {
		return nil, err
	}
	out := make(Trend, 0, f.To-f.From+1)
	for d := f.From; d <= f.To; d++ {
		u := dayUsers(days, d)
		n := u.GetCardinality()
		fresh := n - u.AndCardinality(seen)
		seen.Or(u)
		out = append(out, TrendPoint{Day: d, Active: int64(n), New: int64(fresh), Total: int64(seen.GetCardinality())})
	}
	return out, nil
}

// Active returns DAU, WAU and MAU for each day of the range; WAU and MAU look back 7 and
// 30 days, also before From.
func (s *Store) Active(ctx context.Context, sc Scope, f Filter) (ActiveUsers, error) {
	if err := f.Validate(sc); err != nil {
		return nil, err
	}
	days, err := s.daily(ctx, sc, f, f.From-29, f.To)
	if err != nil {
		return nil, err
	}
	window := func(end Day, n int) int64 {
		bs := make([]*roaring.Bitmap, 0, n)
		for d := end - Day(n) + 1; d <= end; d++ {
			if b := days[d]; b != nil {
				bs = append(bs, b)
			}
		}
		return int64(roaring.FastOr(bs...).GetCardinality())
	}
	out := make(ActiveUsers, 0, f.To-f.From+1)
	for d := f.From; d <= f.To; d++ {
		p := ActivePoint{Day: d, DAU: int64(dayUsers(days, d).GetCardinality()), WAU: window(d, 7), MAU: window(d, 30)}
		if p.MAU > 0 {
			p.DAUperMAU = float64(p.DAU) / float64(p.MAU)
		}
		out = append(out, p)
	}
	return out, nil
}

// Retention follows each day's new users (first seen that day under the filter) and counts
// how many were active again exactly 1, 7 and 30 days later, within the range.
func (s *Store) Retention(ctx context.Context, sc Scope, f Filter) (Retention, error) {
	if err := f.Validate(sc); err != nil {
		return nil, err
	}
	days, seen, err := s.history(ctx, sc, f)
	if err != nil {
		return nil, err
	}
	out := make(Retention, 0, f.To-f.From+1)
	for c := f.From; c <= f.To; c++ {
		u := dayUsers(days, c)
		cohort := roaring.AndNot(u, seen)
		seen.Or(u)
		co := Cohort{Day: c, Users: int64(cohort.GetCardinality())}
		for _, k := range []struct {
			n   Day
			dst **int64
		}{{1, &co.D1}, {7, &co.D7}, {30, &co.D30}} {
			if c+k.n <= f.To {
				v := int64(cohort.AndCardinality(dayUsers(days, c+k.n)))
				*k.dst = &v
			}
		}
		out = append(out, co)
	}
	return out, nil
}

// App returns one app's counters, users, error rate and its releases in the range.
func (s *Store) App(ctx context.Context, sc Scope, f Filter, app string) (AppReport, error) {
	f.Apps = []string{app}
	if err := f.Validate(sc); err != nil {
		return AppReport{}, err
	}
	m := newMatcher(sc, f)
	rep := AppReport{App: app, Releases: []ReleaseUsage{}}
	var all []*roaring.Bitmap
	err := s.scan(ctx, "stats_rollup", f.From, f.To, f.Apps, func(_ Day, app, _ string, r *rollup) error {
		if pass := m.forApp(app); pass != nil {
			u, c := r.filter(pass)
			all = append(all, u)
			rep.Counters.add(c)
		}
		return nil
	})
	if err != nil {
		return AppReport{}, err
	}
	rep.Users = int64(roaring.FastOr(all...).GetCardinality())
	if rep.Launches > 0 {
		rep.ErrorRate = float64(rep.Errors) / float64(rep.Launches)
	}
	rels := map[string]*ReleaseUsage{}
	relUsers := map[string][]*roaring.Bitmap{}
	err = s.scan(ctx, "stats_release_rollup", f.From, f.To, f.Apps, func(day Day, app, version string, r *rollup) error {
		pass := m.forApp(app)
		if pass == nil {
			return nil
		}
		u, c := r.filter(pass)
		if c.Events == 0 {
			return nil
		}
		ru := rels[version]
		if ru == nil {
			ru = &ReleaseUsage{Version: version, FirstDay: day}
			rels[version] = ru
		}
		ru.LastDay = day
		ru.Launches += c.Launches
		ru.Errors += c.Errors
		ru.Updates += c.Updates
		relUsers[version] = append(relUsers[version], u)
		return nil
	})
	if err != nil {
		return AppReport{}, err
	}
	for v, ru := range rels {
		ru.Users = int64(roaring.FastOr(relUsers[v]...).GetCardinality())
		if rep.Users > 0 {
			ru.Share = float64(ru.Users) / float64(rep.Users)
		}
		rep.Releases = append(rep.Releases, *ru)
	}
	slices.SortFunc(rep.Releases, func(a, b ReleaseUsage) int {
		if a.FirstDay != b.FirstDay {
			return int(a.FirstDay - b.FirstDay)
		}
		return strings.Compare(a.Version, b.Version)
	})
	return rep, nil
}
