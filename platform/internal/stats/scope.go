package stats

import (
	"slices"
	"strconv"
	"strings"

	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// Area is one part of what a caller may read: the events of Apps (nil: every app) whose
// user is in the Region subtree ("": every region, unknown included).
type Area struct {
	Apps   []string `json:"apps,omitempty"`
	Region string   `json:"region,omitempty"`
}

// Scope is the union of areas a caller may read; the zero Scope reads nothing.
type Scope struct {
	Areas []Area `json:"areas"`
}

// Everything is the scope of a grant on the root of the tree.
func Everything() Scope { return Scope{Areas: []Area{{}}} }

// ScopeFor computes the scope of p's stats.read grants. A grant on the root reads
// everything; on a region, every app's events of that region's users, plus the apps owned
// inside it wherever their users are; on a department, the apps owned inside it.
// appsUnder lists the apps owned by nodes under an org path (apps' owner_path).
func ScopeFor(p *identity.Principal, appsUnder func(path string) ([]string, error)) (Scope, error) {
	var sc Scope
	for _, path := range p.Subtrees(identity.PermStatsRead) {
		segs := strings.Split(strings.Trim(path, "/"), "/")
		if len(segs) <= 1 {
			return Everything(), nil
		}
		if last := segs[len(segs)-1]; reRegion.MatchString(last) {
			sc.Areas = append(sc.Areas, Area{Region: last})
		}
		owned, err := appsUnder(path)
		if err != nil {
			return Scope{}, err
		}
		if len(owned) > 0 {
			sc.Areas = append(sc.Areas, Area{Apps: owned})
		}
	}
	if len(sc.Areas) == 0 {
		return Scope{}, &identity.ForbiddenError{Perm: identity.PermStatsRead, What: "any organisation"}
	}
	return sc, nil
}

// inRegion reports whether code lies in the subtree of root (GB/T 2260: a province
// shares the first two digits, a city the first four).
func inRegion(code, root string) bool {
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

// CityOf is the city of a region code; the province's own code stays itself (省本级).
func CityOf(code string) string {
	if code == "" || strings.HasSuffix(code, "0000") {
		return code
	}
	return code[:4] + "00"
}

// Filter narrows a report. From and To are inclusive days.
type Filter struct {
	From, To Day
	// Apps limits to these apps (nil: all the scope allows).
	Apps []string
	// Region limits to users of this GB/T 2260 subtree.
	Region string
	// Channel is wechat, alipay, govapp or web.
	Channel string
}

// Validate checks the filter against the limits and the caller's scope. A region or app
// the scope cannot see at all is forbidden, not silently empty.
func (f Filter) Validate(sc Scope) error {
	if f.To < f.From {
		return errs.Invalid("to", "%s is before from %s", f.To, f.From)
	}
	if n := int(f.To-f.From) + 1; n > MaxRangeDays {
		return errs.Invalid("to", "the range spans %d days; a report covers at most %d: narrow from/to", n, MaxRangeDays)
	}
	if f.Channel != "" && channelIndex(f.Channel) < 0 {
		return errs.Invalid("channel", "%q is not a channel; use wechat, alipay, govapp or web", f.Channel)
	}
	if f.Region != "" && !reRegion.MatchString(f.Region) {
		return errs.Invalid("region", "%q is not a GB/T 2260 code (six digits, e.g. 330100)", f.Region)
	}
	for _, a := range f.Apps {
		if !reAppID.MatchString(a) {
			return errs.Invalid("app", "%q is not an app id", a)
		}
		if !slices.ContainsFunc(sc.Areas, func(ar Area) bool { return ar.Apps == nil || slices.Contains(ar.Apps, a) }) {
			return &identity.ForbiddenError{Perm: identity.PermStatsRead, What: "app " + a}
		}
	}
	if f.Region != "" && !slices.ContainsFunc(sc.Areas, func(ar Area) bool {
		return inRegion(f.Region, ar.Region) || inRegion(ar.Region, f.Region)
	}) {
		return &identity.ForbiddenError{Perm: identity.PermStatsRead, What: "region " + f.Region}
	}
	if len(sc.Areas) == 0 {
		return &identity.ForbiddenError{Perm: identity.PermStatsRead, What: "any organisation"}
	}
	return nil
}

// matcher decides, per app, which cells a report counts.
type matcher struct {
	f     Filter
	sc    Scope
	ch    int
	cache map[string]func(uint32) bool
}

func newMatcher(sc Scope, f Filter) *matcher {
	return &matcher{f: f, sc: sc, ch: channelIndex(f.Channel), cache: map[string]func(uint32) bool{}}
}

// appSQL returns the app list a query may be limited to (nil: any app).
func (m *matcher) appSQL() []string {
	if m.f.Apps != nil {
		return m.f.Apps
	}
	var out []string
	for _, a := range m.sc.Areas {
		if a.Apps == nil {
			return nil
		}
		out = append(out, a.Apps...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sameForEveryApp reports whether every app has the same cell predicate: no apps picked,
// and no area of the scope limited to apps. Then the per-day rows over all apps answer.
func (m *matcher) sameForEveryApp() bool {
	if m.f.Apps != nil || len(m.sc.Areas) == 0 {
		return false
	}
	for _, a := range m.sc.Areas {
		if a.Apps != nil {
			return false
		}
	}
	return true
}

// forApp returns the cell predicate of app, or nil when nothing of app is visible.
func (m *matcher) forApp(app string) func(uint32) bool {
	if p, ok := m.cache[app]; ok {
		return p
	}
	var p func(uint32) bool
	if m.f.Apps == nil || slices.Contains(m.f.Apps, app) {
		var regions []int
		all := false
		for _, a := range m.sc.Areas {
			if a.Apps == nil || slices.Contains(a.Apps, app) {
				if a.Region == "" {
					all = true
				}
				regions = append(regions, regionNumber(a.Region))
			}
		}
		if all || len(regions) > 0 {
			region, ch := regionNumber(m.f.Region), m.ch
			p = func(c uint32) bool {
				if ch >= 0 && int(c%4) != ch {
					return false
				}
				code := int(c / 4)
				if !inRegionCode(code, region) {
					return false
				}
				if all {
					return true
				}
				for _, r := range regions {
					if inRegionCode(code, r) {
						return true
					}
				}
				return false
			}
		}
	}
	m.cache[app] = p
	return p
}

// inRegionCode is inRegion on numbers (0: unknown region, or for root: everywhere).
func inRegionCode(code, root int) bool {
	switch {
	case root == 0:
		return true
	case code == 0:
		return false
	case root%10000 == 0:
		return code/10000 == root/10000
	case root%100 == 0:
		return code/100 == root/100
	}
	return code == root
}

func regionNumber(code string) int {
	n, _ := strconv.Atoi(code)
	return n
}
