package push_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/push"
)

var tree = identity.RegionTree{Code: "330000", Name: "浙江省", Level: identity.KindProvince, Children: []identity.RegionTree{
	{Code: "330100", Name: "杭州市", Level: identity.KindCity, Children: []identity.RegionTree{
		{Code: "330111", Name: "富阳区", Level: identity.KindDistrict},
		{Code: "330106", Name: "西湖区", Level: identity.KindDistrict},
	}},
}}

// newIdentity is the identity service on d with the test's region tree loaded.
func newIdentity(t *testing.T, ctx context.Context, d *db.DB) *identity.Service {
	t.Helper()
	au, err := audit.NewStore(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := identity.NewService(ctx, d, au)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ids.LoadRegions(ctx, tree); err != nil {
		t.Fatal(err)
	}
	return ids
}

// sender makes a staff user at node with role granted there.
func sender(t *testing.T, ctx context.Context, ids *identity.Service, name, node, role string) *identity.Principal {
	t.Helper()
	sys := identity.SystemPrincipal()
	u, err := ids.CreateUser(ctx, sys, identity.UserCreate{Name: name, Kind: identity.UserStaff, NodeID: node})
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		if _, err := ids.CreateGrant(ctx, sys, u.ID, identity.GrantCreate{Role: role, NodeID: node}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := ids.PrincipalFor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The permission matrix of the issue: a district sender reaches its own district only, a
// province sender any, a sender without push.send nobody; and the error names the term.
func TestScopeMatrix(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ids := newIdentity(t, ctx, d)
		fuyang := sender(t, ctx, ids, "fuyang-op", "330111", "operator")
		province := sender(t, ctx, ids, "province-op", "330000", "operator")
		auditor := sender(t, ctx, ids, "fuyang-auditor", "330111", "auditor")
		citizen, err := ids.CreateUser(ctx, identity.SystemPrincipal(), identity.UserCreate{Name: "xihu-citizen", Kind: identity.UserCitizen, NodeID: "330106", Region: "330106"})
		if err != nil {
			t.Fatal(err)
		}

		spec := func(s string) push.Audience {
			a, err := push.ParseAudience([]byte(s))
			if err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			return a
		}
		own := spec(`{"terms":[{"regions":["330111"]}]}`)
		neighbour := spec(`{"terms":[{"regions":["330111"]},{"regions":["330106"],"roles":["operator"]}]}`)
		whole := spec(`{"terms":[{"regions":["330000"]}]}`)
		byRole := spec(`{"terms":[{"roles":["operator"]}],"exclude":[{"nodes":[{"id":"330111","subtree":true}]}]}`)
		aUser := spec(`{"terms":[{"users":["` + citizen.ID + `"]}]}`)

		for _, c := range []struct {
			name   string
			p      *identity.Principal
			scope  string
			a      push.Audience
			forbid string // "" = allowed; else a text the error must contain
		}{
			{"district → own district", fuyang, "330111", own, ""},
			{"district → neighbour district", fuyang, "330111", neighbour, "terms[1].regions: 西湖区 (330106) lies outside 富阳区"},
			{"district → province", fuyang, "330111", whole, "terms[0].regions: 浙江省 (330000) lies outside 富阳区"},
			{"district claims the province as scope", fuyang, "330000", own, "you need push.send on 浙江省"},
			{"district → a citizen of another district", fuyang, "330111", aUser, "of 西湖区 lies outside 富阳区"},
			{"province → neighbour", province, "330000", neighbour, ""},
			{"province → province", province, "330000", whole, ""},
			{"province → role across the province", province, "330000", byRole, ""},
			{"province → a citizen anywhere", province, "330000", aUser, ""},
			{"no push.send", auditor, "330111", own, "you need push.send"},
		} {
			err := push.CheckScope(ctx, ids, c.p, c.scope, c.a)
			switch {
			case c.forbid == "" && err != nil:
				t.Errorf("%s: %v, want allowed", c.name, err)
			case c.forbid != "" && (!errors.Is(err, errs.ErrForbidden) || !strings.Contains(err.Error(), c.forbid)):
				t.Errorf("%s: %v, want 403 naming %q", c.name, err, c.forbid)
			}
		}

		// Bad input is 400, not 403, and says what to fix.
		for spec, want := range map[string]string{
			`{"terms":[{"regions":["339999"]}]}`:    "not a region code of this platform",
			`{"terms":[{"roles":["king"]}]}`:        "is not a role; the roles are",
			`{"terms":[{"nodes":[{"id":"nope"}]}]}`: "does not exist",
		} {
			err := push.CheckScope(ctx, ids, province, "330000", mustParse(t, spec))
			if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want invalid with %q", spec, err, want)
			}
		}
		if err := push.CheckScope(ctx, ids, province, "999999", own); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("unknown scope: %v", err)
		}
	})
}

func mustParse(t *testing.T, s string) push.Audience {
	t.Helper()
	a, err := push.ParseAudience([]byte(s))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return a
}

func TestParseAudienceRejects(t *testing.T) {
	for spec, want := range map[string]string{
		`{"terms":[]}`:                               "is empty",
		`{"terms":[{}]}`:                             "has no criterion",
		`{"terms":[{"region":["330111"]}]}`:          "unknown field",
		`{"terms":[{"regions":["33011"]}]}`:          "GB/T 2260",
		`{"terms":[{"tags":["a b"]}]}`:               "is not a tag",
		`not json`:                                   "is not an audience spec",
		`{"terms":[{"users":["x"]}],"exclude":[{}]}`: "exclude[0]",
	} {
		_, err := push.ParseAudience([]byte(spec))
		if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want invalid with %q", spec, err, want)
		}
	}
}

// Resolution in SQL: the union of terms minus exclusions, always inside the scope, on both
// engines.
func TestResolve(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ids := newIdentity(t, ctx, d)
		name := map[string]string{} // user id → name
		for _, p := range []*identity.Principal{
			sender(t, ctx, ids, "fuyang-op", "330111", "operator"),
			sender(t, ctx, ids, "province-op", "330000", "operator"),
			sender(t, ctx, ids, "fuyang-auditor", "330111", "auditor"),
		} {
			name[p.User.ID] = p.User.Name
		}
		for _, c := range []struct{ n, region string }{{"c-fuyang", "330111"}, {"c-xihu", "330106"}} {
			u, err := ids.CreateUser(ctx, identity.SystemPrincipal(), identity.UserCreate{Name: c.n, Kind: identity.UserCitizen, NodeID: "330000", Region: c.region})
			if err != nil {
				t.Fatal(err)
			}
			name[u.ID] = c.n
		}
		idOf := func(n string) string {
			for id, x := range name {
				if x == n {
					return id
				}
			}
			return ""
		}
		for _, c := range []struct {
			scope, spec string
			want        string // names, sorted, comma-joined
		}{
			{"330111", `{"terms":[{"regions":["330111"]}]}`, "c-fuyang,fuyang-auditor,fuyang-op"},
			{"330111", `{"terms":[{"roles":["operator"]}]}`, "fuyang-op"},
			{"330000", `{"terms":[{"roles":["operator"]}]}`, "fuyang-op,province-op"},
			{"330000", `{"terms":[{"permissions":["audit.read"]}]}`, "fuyang-auditor"},
			{"330000", `{"terms":[{"regions":["330000"]}],"exclude":[{"nodes":[{"id":"330111","subtree":true}]}]}`, "c-xihu,province-op"},
			{"330000", `{"terms":[{"nodes":[{"id":"330000"}]}]}`, "province-op"},
			{"330000", `{"terms":[{"regions":["330100"],"roles":["operator"]},{"users":["` + idOf("c-xihu") + `"]}]}`, "c-xihu,fuyang-op"},
			// Resolution bounds by the scope even when asked beyond it.
			{"330111", `{"terms":[{"users":["` + idOf("c-xihu") + `"]}]}`, ""},
		} {
			got, err := push.Resolve(ctx, d, ids, c.scope, mustParse(t, c.spec))
			if err != nil {
				t.Errorf("%s in %s: %v", c.spec, c.scope, err)
				continue
			}
			var names []string
			for _, id := range got {
				names = append(names, name[id])
			}
			slices.Sort(names)
			if s := strings.Join(names, ","); s != c.want {
				t.Errorf("%s in %s: %s, want %s", c.spec, c.scope, s, c.want)
			}
		}
		// Preview: the scope check first, then the count and a sample; nobody is an error.
		op, err := ids.PrincipalFor(ctx, idOf("province-op"))
		if err != nil {
			t.Fatal(err)
		}
		pv, err := push.PreviewAudience(ctx, d, ids, op, "330000", mustParse(t, `{"terms":[{"regions":["330000"]}]}`))
		if err != nil || pv.Count != 5 || len(pv.Sample) != 5 {
			t.Errorf("preview: %+v, %v; want all 5 users", pv, err)
		}
		if _, err := push.PreviewAudience(ctx, d, ids, op, "330000", mustParse(t, `{"terms":[{"permissions":["push.send"],"regions":["330106"]}]}`)); !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), "reaches nobody") {
			t.Errorf("empty audience: %v, want reaches nobody", err)
		}
		fy, _ := ids.PrincipalFor(ctx, idOf("fuyang-op"))
		if _, err := push.PreviewAudience(ctx, d, ids, fy, "330111", mustParse(t, `{"terms":[{"regions":["330000"]}]}`)); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("preview beyond scope: %v, want 403", err)
		}
		// Apps (subscribers) and tags (a department's, inside the scope only).
		au, err := audit.NewStore(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		svc, err := push.NewService(ctx, d, ids, au, push.Config{})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Subscribe(ctx, idOf("c-xihu"), "social-security"); err != nil {
			t.Fatal(err)
		}
		if err := svc.TagUsers(ctx, fy, "330111", "elderly", []string{idOf("c-fuyang")}); err != nil {
			t.Fatal(err)
		}
		if err := svc.TagUsers(ctx, fy, "330111", "elderly", []string{idOf("c-xihu")}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("tagging a user outside the subtree: %v, want 403", err)
		}
		for _, c := range []struct{ scope, spec, want string }{
			{"330000", `{"terms":[{"apps":["social-security"]}]}`, "c-xihu"},
			{"330111", `{"terms":[{"apps":["social-security"]}]}`, ""},
			{"330000", `{"terms":[{"tags":["elderly"]}]}`, "c-fuyang"},
			{"330106", `{"terms":[{"tags":["elderly"]}]}`, ""},
		} {
			got, err := push.Resolve(ctx, d, ids, c.scope, mustParse(t, c.spec))
			var names []string
			for _, id := range got {
				names = append(names, name[id])
			}
			if s := strings.Join(names, ","); err != nil || s != c.want {
				t.Errorf("%s in %s: %s, %v; want %s", c.spec, c.scope, s, err, c.want)
			}
		}
	})
}
