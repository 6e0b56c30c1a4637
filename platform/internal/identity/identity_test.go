package identity_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/demo"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// idEnv is identity on one engine with the Zhejiang region tree loaded.
type idEnv struct {
	ctx context.Context
	d   *db.DB
	au  *audit.Store
	ids *identity.Service
	sys *identity.Principal
}

func newIDEnv(t *testing.T, d *db.DB, loadRegions bool) *idEnv {
	t.Helper()
	ctx := context.Background()
	au, err := audit.NewStore(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := identity.NewService(ctx, d, au)
	if err != nil {
		t.Fatal(err)
	}
	e := &idEnv{ctx: ctx, d: d, au: au, ids: ids, sys: identity.SystemPrincipal()}
	if loadRegions {
		tree, err := demo.Regions("")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ids.LoadRegions(ctx, tree); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *idEnv) auditCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.d.QueryRowContext(e.ctx, `SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantAudit checks that exactly delta entries were written since before, and that the chain holds.
func (e *idEnv) wantAudit(t *testing.T, before, delta int, what string) {
	t.Helper()
	if got := e.auditCount(t) - before; got != delta {
		t.Errorf("%s wrote %d audit entries, want %d", what, got, delta)
	}
	res, err := e.au.Verify(e.ctx)
	if err != nil || !res.OK {
		t.Errorf("audit chain after %s: %+v %v", what, res, err)
	}
}

func (e *idEnv) dept(t *testing.T, parent, name string) identity.Node {
	t.Helper()
	n, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: parent, Kind: identity.KindDepartment, Name: name})
	if err != nil {
		t.Fatalf("create department %s under %s: %v", name, parent, err)
	}
	return n
}

func (e *idEnv) node(t *testing.T, id string) identity.Node {
	t.Helper()
	n, err := e.ids.Node(e.ctx, id)
	if err != nil {
		t.Fatalf("node %s: %v", id, err)
	}
	return n
}

// staff creates a staff user living at home with role on node (through Bootstrap) and returns it as a principal.
func (e *idEnv) staff(t *testing.T, name, home, role, on string) *identity.Principal {
	t.Helper()
	u, _, err := e.ids.Bootstrap(e.ctx, identity.UserCreate{Name: name, Kind: identity.UserStaff, NodeID: home}, role, on, "")
	if err != nil {
		t.Fatalf("bootstrap %s: %v", name, err)
	}
	p, err := e.ids.PrincipalFor(e.ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func countRegions(t identity.RegionTree) int {
	n := 1
	for _, c := range t.Children {
		n += countRegions(c)
	}
	return n
}

func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want an error on field %q", what, field)
		return
	}
	if !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("%s: error %v is not errs.ErrInvalid", what, err)
	}
	if got := errs.Field(err); got != field {
		t.Errorf("%s: error names field %q, want %q (%v)", what, got, field, err)
	}
}

func TestLoadRegionsIdempotent(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, false)
		tree, err := demo.Regions("")
		if err != nil {
			t.Fatal(err)
		}
		added, err := e.ids.LoadRegions(e.ctx, tree)
		if err != nil {
			t.Fatal(err)
		}
		if want := countRegions(tree); added != want || added < 20 {
			t.Fatalf("first load added %d, want %d", added, want)
		}
		if n := e.auditCount(t); n != added {
			t.Errorf("first load wrote %d audit entries, want one per region (%d)", n, added)
		}
		// An operator's rename survives a restart.
		if _, err := e.ids.UpdateNode(e.ctx, e.sys, "330106", identity.NodeUpdate{Name: ptr("西湖区（改）")}); err != nil {
			t.Fatal(err)
		}
		before := e.auditCount(t)
		again, err := e.ids.LoadRegions(e.ctx, tree)
		if err != nil {
			t.Fatal(err)
		}
		if again != 0 {
			t.Errorf("second load added %d, want 0", again)
		}
		e.wantAudit(t, before, 0, "second LoadRegions")
		if n := e.node(t, "330106"); n.Name != "西湖区（改）" {
			t.Errorf("reload undid the rename: %q", n.Name)
		}

		root, err := e.ids.RootNode(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if root.ID != "330000" || root.Kind != identity.KindProvince || root.Path != "/330000/" || root.ParentID != "" {
			t.Errorf("root = %+v", root)
		}
		for _, c := range []struct{ id, kind, path, parent string }{
			{"330100", identity.KindCity, "/330000/330100/", "330000"},
			{"330106", identity.KindDistrict, "/330000/330100/330106/", "330100"},
			{"330122", identity.KindCounty, "/330000/330100/330122/", "330100"},
			{"330300", identity.KindCity, "/330000/330300/", "330000"},
		} {
			n := e.node(t, c.id)
			if n.Kind != c.kind || n.Path != c.path || n.ParentID != c.parent || n.Code != c.id {
				t.Errorf("node %s = %+v, want kind %s path %s parent %s", c.id, n, c.kind, c.path, c.parent)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestCreateNodeValidation(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		long := strings.Repeat("局", identity.MaxNameLen+1)
		for _, c := range []struct {
			name  string
			in    identity.NodeCreate
			field string
		}{
			{"unknown kind", identity.NodeCreate{ParentID: "330100", Kind: "village", Name: "某村"}, "kind"},
			{"empty kind", identity.NodeCreate{ParentID: "330100", Name: "某处"}, "kind"},
			{"empty name", identity.NodeCreate{ParentID: "330100", Kind: identity.KindDepartment, Name: "  "}, "name"},
			{"name too long", identity.NodeCreate{ParentID: "330100", Kind: identity.KindDepartment, Name: long}, "name"},
			{"control characters", identity.NodeCreate{ParentID: "330100", Kind: identity.KindDepartment, Name: "a\x07b"}, "name"},
			{"district code with five digits", identity.NodeCreate{ParentID: "330100", Kind: identity.KindDistrict, Name: "新区", Code: "33019"}, "code"},
			{"district code with letters", identity.NodeCreate{ParentID: "330100", Kind: identity.KindDistrict, Name: "新区", Code: "3301ab"}, "code"},
			{"code starting with 0", identity.NodeCreate{ParentID: "330100", Kind: identity.KindDistrict, Name: "新区", Code: "030199"}, "code"},
			{"region without code", identity.NodeCreate{ParentID: "330100", Kind: identity.KindDistrict, Name: "新区"}, "code"},
			{"district of another city", identity.NodeCreate{ParentID: "330100", Kind: identity.KindDistrict, Name: "新区", Code: "330206"}, "code"},
			{"district ending in 00", identity.NodeCreate{ParentID: "330100", Kind: identity.KindDistrict, Name: "新区", Code: "330100"}, "code"},
			{"city code not ending in 00", identity.NodeCreate{ParentID: "330000", Kind: identity.KindCity, Name: "新市", Code: "331206"}, "code"},
			{"city of another province", identity.NodeCreate{ParentID: "330000", Kind: identity.KindCity, Name: "新市", Code: "341200"}, "code"},
			{"department with a code", identity.NodeCreate{ParentID: "330100", Kind: identity.KindDepartment, Name: "新局", Code: "330100"}, "code"},
			{"city under district", identity.NodeCreate{ParentID: "330106", Kind: identity.KindCity, Name: "新市", Code: "331200"}, "kind"},
			{"district under province", identity.NodeCreate{ParentID: "330000", Kind: identity.KindDistrict, Name: "新区", Code: "330099"}, "kind"},
			{"province under province", identity.NodeCreate{ParentID: "330000", Kind: identity.KindProvince, Name: "新省", Code: "340000"}, "kind"},
			{"department without parent", identity.NodeCreate{Kind: identity.KindDepartment, Name: "孤局"}, "parent_id"},
			{"malformed parent", identity.NodeCreate{ParentID: "hangzhou", Kind: identity.KindDepartment, Name: "新局"}, "parent_id"},
		} {
			before := e.auditCount(t)
			_, err := e.ids.CreateNode(e.ctx, e.sys, c.in)
			wantField(t, c.name, err, c.field)
			e.wantAudit(t, before, 0, c.name)
		}

		before := e.auditCount(t)
		if _, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: "330199", Kind: identity.KindDepartment, Name: "新局"}); !errors.Is(err, identity.ErrNodeNotFound) {
			t.Errorf("unknown parent: %v, want ErrNodeNotFound", err)
		}
		e.wantAudit(t, before, 0, "unknown parent")

		// Allowed shapes, one audit entry each.
		before = e.auditCount(t)
		district, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: "330100", Kind: identity.KindDistrict, Name: "新区", Code: "330199"})
		if err != nil {
			t.Fatalf("district 330199 under 330100: %v", err)
		}
		if district.ID != "330199" || district.Code != "330199" || district.Path != "/330000/330100/330199/" || district.ParentID != "330100" {
			t.Errorf("district = %+v", district)
		}
		county, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: "330100", Kind: identity.KindCounty, Name: "新县", Code: "330198"})
		if err != nil {
			t.Fatalf("county 330198 under 330100: %v", err)
		}
		dep, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: "330106", Kind: identity.KindDepartment, Name: "西湖区数据局"})
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^d-[0-9a-f]{8}$`).MatchString(dep.ID) || dep.Code != "330106" || dep.Path != "/330000/330100/330106/"+dep.ID+"/" {
			t.Errorf("department = %+v", dep)
		}
		sub, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: dep.ID, Kind: identity.KindDepartment, Name: "办公室"})
		if err != nil {
			t.Fatalf("department under department: %v", err)
		}
		if sub.Code != "330106" || sub.Path != dep.Path+sub.ID+"/" || sub.ParentID != dep.ID {
			t.Errorf("sub-department = %+v", sub)
		}
		e.wantAudit(t, before, 4, "four creations")
		_ = county

		got, err := e.au.List(e.ctx, []string{sub.Path}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Action != "org.create" || got[0].TargetID != sub.ID || got[0].ActorID != "system" {
			t.Errorf("audit of the sub-department: %+v", got)
		}

		// Duplicate sibling names are refused; the same name under another parent is fine.
		before = e.auditCount(t)
		if _, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: dep.ID, Kind: identity.KindDepartment, Name: "办公室"}); !errors.Is(err, identity.ErrNodeExists) {
			t.Errorf("duplicate sibling department: %v, want ErrNodeExists", err)
		}
		if _, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: "330100", Kind: identity.KindDistrict, Name: "另一个区", Code: "330106"}); !errors.Is(err, identity.ErrNodeExists) {
			t.Errorf("duplicate region code: %v, want ErrNodeExists", err)
		}
		if _, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: "330100", Kind: identity.KindDistrict, Name: "西湖区", Code: "330197"}); !errors.Is(err, identity.ErrNodeExists) {
			t.Errorf("duplicate region name: %v, want ErrNodeExists", err)
		}
		e.wantAudit(t, before, 0, "duplicates")
		if _, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: "330106", Kind: identity.KindDepartment, Name: "办公室"}); err != nil {
			t.Errorf("same name under another parent: %v", err)
		}
	})
}

// The code rules on a tree built by hand: 330106 continues 330100, 330206 does not.
func TestCreateNodeRegionCodes(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, false)
		mk := func(parent, kind, name, code string) error {
			_, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: parent, Kind: kind, Name: name, Code: code})
			return err
		}
		if err := mk("", identity.KindCity, "杭州市", "330100"); err == nil || errs.Field(err) != "parent_id" {
			t.Errorf("city without parent: %v", err)
		}
		if err := mk("", identity.KindProvince, "浙江省", "330000"); err != nil {
			t.Fatal(err)
		}
		if err := mk("330000", identity.KindCity, "杭州市", "330100"); err != nil {
			t.Fatal(err)
		}
		if err := mk("330100", identity.KindDistrict, "西湖区", "330106"); err != nil {
			t.Errorf("330106 under 330100: %v", err)
		}
		before := e.auditCount(t)
		wantField(t, "330206 under 330100", mk("330100", identity.KindDistrict, "海曙区", "330206"), "code")
		wantField(t, "county 330206 under 330100", mk("330100", identity.KindCounty, "海曙区", "330206"), "code")
		e.wantAudit(t, before, 0, "refused codes")
		if _, err := e.ids.Node(e.ctx, "330206"); !errors.Is(err, identity.ErrNodeNotFound) {
			t.Errorf("refused node exists: %v", err)
		}
	})
}

func TestCreateNodeNeedsOrgAdmin(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		dept := e.dept(t, "330100", "杭州市数据资源局")
		admin := e.staff(t, "hzadmin", dept.ID, "admin", "330100")
		dev := e.staff(t, "hzdev", dept.ID, "developer", "330100")
		before := e.auditCount(t)
		for _, c := range []struct {
			name string
			p    *identity.Principal
			in   identity.NodeCreate
		}{
			{"developer under own city", dev, identity.NodeCreate{ParentID: "330100", Kind: identity.KindDepartment, Name: "新局"}},
			{"admin under a sibling city", admin, identity.NodeCreate{ParentID: "330200", Kind: identity.KindDepartment, Name: "新局"}},
			{"admin under the province", admin, identity.NodeCreate{ParentID: "330000", Kind: identity.KindDepartment, Name: "新局"}},
			{"admin creating a province", admin, identity.NodeCreate{Kind: identity.KindProvince, Name: "新省", Code: "340000"}},
		} {
			if _, err := e.ids.CreateNode(e.ctx, c.p, c.in); !errors.Is(err, errs.ErrForbidden) {
				t.Errorf("%s: %v, want forbidden", c.name, err)
			}
		}
		e.wantAudit(t, before, 0, "forbidden creations")
		n, err := e.ids.CreateNode(e.ctx, admin, identity.NodeCreate{ParentID: "330106", Kind: identity.KindDepartment, Name: "西湖区数据局"})
		if err != nil {
			t.Fatalf("admin of the city under one of its districts: %v", err)
		}
		e.wantAudit(t, before, 1, "allowed creation")
		got, err := e.au.List(e.ctx, []string{"/"}, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		last := got[len(got)-1]
		if last.TargetID != n.ID || last.ActorID != admin.User.ID || last.ActorName != "hzadmin" {
			t.Errorf("last audit entry %+v does not record the admin creating %s", last, n.ID)
		}
	})
}

func TestUpdateNodeRename(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		a := e.dept(t, "330100", "甲局")
		e.dept(t, "330100", "乙局")
		before := e.auditCount(t)
		got, err := e.ids.UpdateNode(e.ctx, e.sys, a.ID, identity.NodeUpdate{Name: ptr("  丙局 ")})
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "丙局" || e.node(t, a.ID).Name != "丙局" {
			t.Errorf("rename: returned %q, stored %q", got.Name, e.node(t, a.ID).Name)
		}
		e.wantAudit(t, before, 1, "rename")
		before = e.auditCount(t)
		if _, err := e.ids.UpdateNode(e.ctx, e.sys, a.ID, identity.NodeUpdate{Name: ptr("乙局")}); !errors.Is(err, identity.ErrNodeExists) {
			t.Errorf("rename onto a sibling's name: %v, want ErrNodeExists", err)
		}
		_, err = e.ids.UpdateNode(e.ctx, e.sys, a.ID, identity.NodeUpdate{Name: ptr("")})
		wantField(t, "empty name", err, "name")
		if _, err := e.ids.UpdateNode(e.ctx, e.sys, "d-00000000", identity.NodeUpdate{Name: ptr("x")}); !errors.Is(err, identity.ErrNodeNotFound) {
			t.Errorf("unknown node: %v", err)
		}
		e.wantAudit(t, before, 0, "refused renames")
		if n := e.node(t, a.ID); n.Name != "丙局" {
			t.Errorf("refused rename changed the name to %q", n.Name)
		}
	})
}

func TestUpdateNodeMoveRewritesSubtree(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		top := e.dept(t, "330106", "西湖区卫健局")
		mid := e.dept(t, top.ID, "疾控中心")
		leaf := e.dept(t, mid.ID, "免疫规划科")
		other := e.dept(t, top.ID, "办公室")
		bystander := e.dept(t, "330106", "西湖区教育局")

		before := e.auditCount(t)
		moved, err := e.ids.UpdateNode(e.ctx, e.sys, top.ID, identity.NodeUpdate{ParentID: ptr("330300")})
		if err != nil {
			t.Fatalf("move: %v", err)
		}
		e.wantAudit(t, before, 1, "move")
		wantTop := "/330000/330300/" + top.ID + "/"
		if moved.Path != wantTop || moved.ParentID != "330300" || moved.Code != "330300" {
			t.Errorf("moved node = %+v", moved)
		}
		for _, c := range []struct {
			n      identity.Node
			path   string
			parent string
		}{
			{top, wantTop, "330300"},
			{mid, wantTop + mid.ID + "/", top.ID},
			{leaf, wantTop + mid.ID + "/" + leaf.ID + "/", mid.ID},
			{other, wantTop + other.ID + "/", top.ID},
		} {
			got := e.node(t, c.n.ID)
			if got.Path != c.path || got.ParentID != c.parent || got.Code != "330300" {
				t.Errorf("%s after move: path %s parent %s code %s, want %s %s 330300", c.n.Name, got.Path, got.ParentID, got.Code, c.path, c.parent)
			}
		}
		if got := e.node(t, bystander.ID); got.Path != bystander.Path || got.Code != "330106" {
			t.Errorf("a node outside the subtree changed: %+v", got)
		}
		// Nothing is left under the old path.
		nodes, err := e.ids.ListNodes(e.ctx, e.sys)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes {
			if strings.HasPrefix(n.Path, top.Path) {
				t.Errorf("%s still under the old path: %s", n.Name, n.Path)
			}
		}
		// The audit entry records before and after.
		got, err := e.au.List(e.ctx, []string{wantTop}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Action != "org.update" || !strings.Contains(string(got[0].Before), top.Path) || !strings.Contains(string(got[0].After), wantTop) {
			t.Errorf("move audit entries under the new path: %+v", got)
		}

		// Move a sub-department to another department: only its own subtree follows.
		if _, err := e.ids.UpdateNode(e.ctx, e.sys, mid.ID, identity.NodeUpdate{ParentID: ptr(bystander.ID)}); err != nil {
			t.Fatal(err)
		}
		if got := e.node(t, leaf.ID); got.Path != bystander.Path+mid.ID+"/"+leaf.ID+"/" || got.Code != "330106" {
			t.Errorf("leaf after second move: %+v", got)
		}
		if got := e.node(t, other.ID); got.Path != wantTop+other.ID+"/" {
			t.Errorf("sibling moved along: %+v", got)
		}
	})
}

func TestUpdateNodeMoveRefusals(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		top := e.dept(t, "330100", "杭州市卫健委")
		mid := e.dept(t, top.ID, "疾控中心")
		leaf := e.dept(t, mid.ID, "免疫规划科")
		staffed := e.dept(t, "330100", "杭州市教育局")
		staffedSub := e.dept(t, staffed.ID, "办公室")
		e.staff(t, "teacher", staffedSub.ID, "developer", staffedSub.ID)
		hzAdmin := e.staff(t, "hzadmin", staffedSub.ID, "admin", "330100")

		before := e.auditCount(t)
		move := func(p *identity.Principal, id, parent string) error {
			_, err := e.ids.UpdateNode(e.ctx, p, id, identity.NodeUpdate{ParentID: ptr(parent)})
			return err
		}
		wantField(t, "under itself", move(e.sys, top.ID, top.ID), "parent_id")
		wantField(t, "under its child", move(e.sys, top.ID, mid.ID), "parent_id")
		wantField(t, "under its grandchild", move(e.sys, top.ID, leaf.ID), "parent_id")
		wantField(t, "city under a district", move(e.sys, "330200", "330106"), "parent_id")
		wantField(t, "district under another city", move(e.sys, "330106", "330200"), "parent_id")
		wantField(t, "the root", move(e.sys, "330000", "330100"), "parent_id")
		wantField(t, "malformed parent", move(e.sys, top.ID, "nowhere"), "parent_id")
		if err := move(e.sys, top.ID, "d-00000000"); !errors.Is(err, identity.ErrNodeNotFound) {
			t.Errorf("unknown parent: %v", err)
		}
		if err := move(e.sys, staffed.ID, "330300"); !errors.Is(err, identity.ErrNodeInUse) {
			t.Errorf("department whose subtree has users: %v, want ErrNodeInUse", err)
		}
		if err := move(e.sys, staffedSub.ID, top.ID); !errors.Is(err, identity.ErrNodeInUse) {
			t.Errorf("department with users: %v, want ErrNodeInUse", err)
		}
		if err := move(hzAdmin, top.ID, "330300"); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("move to a city the caller does not administer: %v, want forbidden", err)
		}
		e.wantAudit(t, before, 0, "refused moves")
		for _, n := range []identity.Node{top, mid, leaf, staffed, staffedSub} {
			if got := e.node(t, n.ID); got.Path != n.Path || got.ParentID != n.ParentID {
				t.Errorf("refused move changed %s: %+v", n.Name, got)
			}
		}
		// Within the administered city the same admin may move it.
		if err := move(hzAdmin, top.ID, "330106"); err != nil {
			t.Errorf("move inside the administered city: %v", err)
		}
		e.wantAudit(t, before, 1, "allowed move")
	})
}

// Moving a department next to a sibling of the same name must be refused as a name clash
// (ErrNodeExists, 409) like CreateNode and renames are, not surface as a raw database error.
func TestUpdateNodeMoveNameClash(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		e.dept(t, "330300", "卫健委")
		hz := e.dept(t, "330100", "卫健委")
		before := e.auditCount(t)
		_, err := e.ids.UpdateNode(e.ctx, e.sys, hz.ID, identity.NodeUpdate{ParentID: ptr("330300")})
		if !errors.Is(err, identity.ErrNodeExists) {
			t.Errorf("move next to a same-named sibling: %v, want ErrNodeExists", err)
		}
		e.wantAudit(t, before, 0, "refused move")
		if got := e.node(t, hz.ID); got.Path != hz.Path {
			t.Errorf("refused move changed the path to %s", got.Path)
		}
	})
}

func TestDeleteNode(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		parent := e.dept(t, "330100", "杭州市卫健委")
		child := e.dept(t, parent.ID, "疾控中心")
		staffed := e.dept(t, "330100", "杭州市教育局")
		e.staff(t, "teacher", staffed.ID, "developer", staffed.ID)
		granted := e.dept(t, "330100", "杭州市体育局")
		outsider := e.staff(t, "coach", child.ID, "developer", granted.ID)
		empty := e.dept(t, "330106", "西湖区临时办")

		before := e.auditCount(t)
		for _, c := range []struct{ name, id string }{
			{"with children", parent.ID},
			{"a region with children", "330100"},
			{"with users", staffed.ID},
			{"with grants", granted.ID},
			{"with a user living there", child.ID},
		} {
			if err := e.ids.DeleteNode(e.ctx, e.sys, c.id); !errors.Is(err, identity.ErrNodeInUse) {
				t.Errorf("delete %s: %v, want ErrNodeInUse", c.name, err)
			}
		}
		wantField(t, "delete the root", e.ids.DeleteNode(e.ctx, e.sys, "330000"), "id")
		if err := e.ids.DeleteNode(e.ctx, e.sys, "d-00000000"); !errors.Is(err, identity.ErrNodeNotFound) {
			t.Errorf("delete unknown: %v", err)
		}
		if err := e.ids.DeleteNode(e.ctx, outsider, empty.ID); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("delete by a developer: %v, want forbidden", err)
		}
		e.wantAudit(t, before, 0, "refused deletions")
		for _, n := range []identity.Node{parent, child, staffed, granted, empty} {
			e.node(t, n.ID)
		}

		if err := e.ids.DeleteNode(e.ctx, e.sys, empty.ID); err != nil {
			t.Fatalf("delete an empty leaf: %v", err)
		}
		e.wantAudit(t, before, 1, "deletion")
		if _, err := e.ids.Node(e.ctx, empty.ID); !errors.Is(err, identity.ErrNodeNotFound) {
			t.Errorf("deleted node still there: %v", err)
		}
		got, err := e.au.List(e.ctx, []string{empty.Path}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[1].Action != "org.delete" || string(got[1].After) != "null" || !strings.Contains(string(got[1].Before), empty.ID) {
			t.Errorf("audit of the deletion: %+v", got)
		}
		// Once the grant is revoked the node can go.
		g, err := e.ids.GetUser(e.ctx, e.sys, outsider.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.ids.DeleteGrant(e.ctx, e.sys, outsider.User.ID, g.Grants[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := e.ids.DeleteNode(e.ctx, e.sys, granted.ID); err != nil {
			t.Errorf("delete after revoking its grant: %v", err)
		}
	})
}

func TestPrincipalCoverage(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		hzDept := e.dept(t, "330100", "杭州市数据资源局")
		xhDept := e.dept(t, "330106", "西湖区数据局")
		xhSub := e.dept(t, xhDept.ID, "办公室")
		nbDept := e.dept(t, "330200", "宁波市数据局")
		p := e.staff(t, "hzdev", hzDept.ID, "developer", "330100")
		if p.HomePath != hzDept.Path {
			t.Errorf("HomePath = %s, want %s", p.HomePath, hzDept.Path)
		}
		path := func(id string) string { return e.node(t, id).Path }
		for _, c := range []struct {
			perm, node string
			want       bool
		}{
			{identity.PermAppCreate, "330100", true},
			{identity.PermAppCreate, "330106", true},
			{identity.PermAppCreate, "330122", true},
			{identity.PermAppCreate, hzDept.ID, true},
			{identity.PermAppCreate, xhDept.ID, true},
			{identity.PermAppCreate, xhSub.ID, true},
			{identity.PermAppPublish, xhSub.ID, true},
			{identity.PermStatsRead, "330106", true},
			{identity.PermAppReview, "330100", false},
			{identity.PermOrgAdmin, hzDept.ID, false},
			{identity.PermAppCreate, "330000", false},
			{identity.PermAppCreate, "330200", false},
			{identity.PermAppCreate, nbDept.ID, false},
			{identity.PermAppCreate, "330300", false},
		} {
			if got := p.Can(c.perm, path(c.node)); got != c.want {
				t.Errorf("Can(%s, %s) = %v, want %v", c.perm, c.node, got, c.want)
			}
		}
		for _, c := range []struct {
			node string
			want bool
		}{{"330100", true}, {xhSub.ID, true}, {"330000", false}, {"330200", false}, {nbDept.ID, false}} {
			if got := p.CanAny(path(c.node)); got != c.want {
				t.Errorf("CanAny(%s) = %v, want %v", c.node, got, c.want)
			}
		}
		if got := p.Subtrees(""); fmt.Sprint(got) != fmt.Sprint([]string{"/330000/330100/"}) {
			t.Errorf("Subtrees(\"\") = %v", got)
		}
		if got := p.Subtrees(identity.PermAppReview); len(got) != 0 {
			t.Errorf("Subtrees(app.review) = %v, want none", got)
		}

		// A reviewer grant inside the city adds nothing to the any-grant subtrees but is the
		// only app.review subtree; a grant on a sibling city adds a separate subtree.
		if _, err := e.ids.CreateGrant(e.ctx, e.sys, p.User.ID, identity.GrantCreate{Role: "reviewer", NodeID: "330106"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.ids.CreateGrant(e.ctx, e.sys, p.User.ID, identity.GrantCreate{Role: "operator", NodeID: "330200"}); err != nil {
			t.Fatal(err)
		}
		p, err := e.ids.PrincipalFor(e.ctx, p.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		sorted := func(s []string) string { s = append([]string(nil), s...); sort.Strings(s); return fmt.Sprint(s) }
		if got := sorted(p.Subtrees("")); got != "[/330000/330100/ /330000/330200/]" {
			t.Errorf("Subtrees(\"\") = %s", got)
		}
		if got := sorted(p.Subtrees(identity.PermAppReview)); got != "[/330000/330100/330106/]" {
			t.Errorf("Subtrees(app.review) = %s", got)
		}
		if got := sorted(p.Subtrees(identity.PermStatsRead)); got != "[/330000/330100/ /330000/330200/]" {
			t.Errorf("Subtrees(stats.read) = %s", got)
		}
		if !p.Can(identity.PermAppReview, path(xhSub.ID)) || p.Can(identity.PermAppReview, path(hzDept.ID)) {
			t.Error("app.review must cover 330106's subtree and nothing else in the city")
		}
		if !p.Can(identity.PermPushSend, path(nbDept.ID)) || p.Can(identity.PermAppCreate, path(nbDept.ID)) {
			t.Error("the operator grant on 330200 covers push.send only")
		}
		// The system principal covers everything.
		if !e.sys.Can(identity.PermOrgAdmin, path(nbDept.ID)) || fmt.Sprint(e.sys.Subtrees("")) != "[/]" {
			t.Error("system principal does not cover the tree")
		}
	})
}

func TestCreateGrantRefusesEscalation(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		// A role with org.admin alone: it may manage the tree but hand out nothing it lacks.
		if _, err := d.ExecContext(e.ctx, `INSERT INTO roles (name, title, permissions) VALUES ('orgadmin', '组织管理员', 'org.admin')`); err != nil {
			t.Fatal(err)
		}
		dept := e.dept(t, "330100", "杭州市数据资源局")
		boss := e.staff(t, "boss", dept.ID, "orgadmin", "330100")
		worker, err := e.ids.CreateUser(e.ctx, boss, identity.UserCreate{Name: "worker", NodeID: dept.ID})
		if err != nil {
			t.Fatalf("org admin creating a user: %v", err)
		}
		before := e.auditCount(t)
		for _, role := range []string{"developer", "reviewer", "admin", "auditor"} {
			_, err := e.ids.CreateGrant(e.ctx, boss, worker.ID, identity.GrantCreate{Role: role, NodeID: dept.ID})
			if !errors.Is(err, errs.ErrForbidden) {
				t.Errorf("org admin granting %s: %v, want forbidden", role, err)
			}
		}
		e.wantAudit(t, before, 0, "refused grants")
		if g, err := e.ids.GetUser(e.ctx, e.sys, worker.ID); err != nil || len(g.Grants) != 0 {
			t.Errorf("worker holds %v (%v), want no grants", g.Grants, err)
		}
		// The orgadmin role itself is within the granter's permissions.
		if _, err := e.ids.CreateGrant(e.ctx, boss, worker.ID, identity.GrantCreate{Role: "orgadmin", NodeID: dept.ID}); err != nil {
			t.Errorf("granting a role the granter fully holds: %v", err)
		}
		e.wantAudit(t, before, 1, "allowed grant")

		// A full admin of a district may hand out developer there, not in the city above it.
		xhAdmin := e.staff(t, "xhadmin", dept.ID, "admin", "330106")
		before = e.auditCount(t)
		if _, err := e.ids.CreateGrant(e.ctx, xhAdmin, worker.ID, identity.GrantCreate{Role: "developer", NodeID: "330100"}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("district admin granting on the city: %v, want forbidden", err)
		}
		e.wantAudit(t, before, 0, "grant above own subtree")
		g, err := e.ids.CreateGrant(e.ctx, xhAdmin, worker.ID, identity.GrantCreate{Role: "developer", NodeID: "330106"})
		if err != nil {
			t.Fatalf("district admin granting in the district: %v", err)
		}
		if g.Role != "developer" || g.NodeID != "330106" || g.UserID != worker.ID || !strings.HasPrefix(g.ID, "g-") {
			t.Errorf("grant = %+v", g)
		}
		e.wantAudit(t, before, 1, "district grant")
		wp, err := e.ids.PrincipalFor(e.ctx, worker.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !wp.Can(identity.PermAppCreate, "/330000/330100/330106/") || wp.Can(identity.PermAppCreate, dept.Path) {
			t.Error("worker's developer grant does not cover exactly 330106")
		}
	})
}

func TestCreateGrantValidation(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		dept := e.dept(t, "330100", "杭州市数据资源局")
		staff := e.staff(t, "staffer", dept.ID, "developer", dept.ID)
		citizen, err := e.ids.CreateUser(e.ctx, e.sys, identity.UserCreate{Name: "citizen1", Kind: identity.UserCitizen, NodeID: "330106"})
		if err != nil {
			t.Fatal(err)
		}
		before := e.auditCount(t)
		grant := func(user, role, node string) error {
			_, err := e.ids.CreateGrant(e.ctx, e.sys, user, identity.GrantCreate{Role: role, NodeID: node})
			return err
		}
		wantField(t, "empty role", grant(staff.User.ID, "", dept.ID), "role")
		wantField(t, "citizen", grant(citizen.ID, "developer", "330106"), "role")
		wantField(t, "malformed node", grant(staff.User.ID, "developer", "somewhere"), "node_id")
		if err := grant(staff.User.ID, "superuser", dept.ID); !errors.Is(err, identity.ErrRoleNotFound) {
			t.Errorf("unknown role: %v", err)
		}
		if err := grant("u-00000000", "developer", dept.ID); !errors.Is(err, identity.ErrUserNotFound) {
			t.Errorf("unknown user: %v", err)
		}
		if err := grant(staff.User.ID, "developer", "d-00000000"); !errors.Is(err, identity.ErrNodeNotFound) {
			t.Errorf("unknown node: %v", err)
		}
		if err := grant(staff.User.ID, "developer", dept.ID); !errors.Is(err, identity.ErrGrantExists) {
			t.Errorf("duplicate grant: %v, want ErrGrantExists", err)
		}
		e.wantAudit(t, before, 0, "refused grants")
	})
}

func TestCreateUser(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		dept := e.dept(t, "330106", "西湖区数据局")
		before := e.auditCount(t)
		u, err := e.ids.CreateUser(e.ctx, e.sys, identity.UserCreate{Name: "li.si", DisplayName: "李四", NodeID: dept.ID})
		if err != nil {
			t.Fatal(err)
		}
		if u.Kind != identity.UserStaff || u.Region != "330106" || u.NodeID != dept.ID || !strings.HasPrefix(u.ID, "u-") {
			t.Errorf("user = %+v", u)
		}
		e.wantAudit(t, before, 1, "create user")
		before = e.auditCount(t)
		create := func(in identity.UserCreate) error { _, err := e.ids.CreateUser(e.ctx, e.sys, in); return err }
		wantField(t, "uppercase login", create(identity.UserCreate{Name: "LiSi", NodeID: dept.ID}), "name")
		wantField(t, "one-letter login", create(identity.UserCreate{Name: "l", NodeID: dept.ID}), "name")
		wantField(t, "unknown kind", create(identity.UserCreate{Name: "wangwu", Kind: "robot", NodeID: dept.ID}), "kind")
		wantField(t, "verified level", create(identity.UserCreate{Name: "wangwu", NodeID: dept.ID, VerifiedLevel: 4}), "verified_level")
		wantField(t, "region shape", create(identity.UserCreate{Name: "wangwu", NodeID: dept.ID, Region: "3301"}), "region")
		wantField(t, "node shape", create(identity.UserCreate{Name: "wangwu", NodeID: "xihu"}), "node_id")
		if err := create(identity.UserCreate{Name: "li.si", NodeID: "330100"}); !errors.Is(err, identity.ErrUserExists) {
			t.Errorf("duplicate login: %v, want ErrUserExists", err)
		}
		e.wantAudit(t, before, 0, "refused users")
	})
}

var reTokenSecret = regexp.MustCompile(`^gvt_[A-Za-z0-9_-]{43}$`)

func TestTokensStoreOnlyTheHash(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		dept := e.dept(t, "330100", "杭州市数据资源局")
		p := e.staff(t, "hzdev", dept.ID, "developer", dept.ID)

		before := e.auditCount(t)
		tok, err := e.ids.CreateToken(e.ctx, p, identity.TokenCreate{Name: "laptop"})
		if err != nil {
			t.Fatal(err)
		}
		e.wantAudit(t, before, 1, "create token")
		if !reTokenSecret.MatchString(tok.Secret) || !identity.WellFormedToken(tok.Secret) {
			t.Fatalf("secret %q does not look like gvt_ + 43 base64url characters", tok.Secret)
		}
		if raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok.Secret, "gvt_")); err != nil || len(raw) != 32 {
			t.Errorf("secret does not carry 32 random bytes: %d %v", len(raw), err)
		}
		if tok.Prefix != tok.Secret[:10] || tok.UserID != p.User.ID || tok.Name != "laptop" || tok.ExpiresAt != nil || !strings.HasPrefix(tok.ID, "t-") {
			t.Errorf("token record = %+v", tok.Token)
		}
		other, err := e.ids.CreateToken(e.ctx, p, identity.TokenCreate{Name: "ci"})
		if err != nil {
			t.Fatal(err)
		}
		if other.Secret == tok.Secret {
			t.Fatal("two tokens share a secret")
		}

		sum := sha256.Sum256([]byte(tok.Secret))
		wantHash := hex.EncodeToString(sum[:])
		if identity.HashToken(tok.Secret) != wantHash {
			t.Errorf("HashToken is not the hex SHA-256 of the secret")
		}
		var stored string
		if err := d.QueryRowContext(e.ctx, `SELECT hash FROM tokens WHERE id = $1`, tok.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != wantHash {
			t.Errorf("stored hash %s, want sha256 %s", stored, wantHash)
		}
		// The secret (or its random part) appears in no column of the tokens table, nor in the audit log.
		for _, table := range []string{"tokens", "audit_log"} {
			for _, row := range dumpTable(t, d, table) {
				for col, v := range row {
					if strings.Contains(v, tok.Secret[4:]) || strings.Contains(v, other.Secret[4:]) {
						t.Errorf("%s.%s holds a token secret: %q", table, col, v)
					}
				}
			}
		}

		// Authenticate resolves the principal, and records use.
		got, err := e.ids.Authenticate(e.ctx, tok.Secret, "198.51.100.7", "req-1")
		if err != nil {
			t.Fatalf("authenticate: %v", err)
		}
		if got.User.ID != p.User.ID || got.TokenID != tok.ID || got.IP != "198.51.100.7" || got.RequestID != "req-1" || got.HomePath != dept.Path {
			t.Errorf("principal = %+v", got)
		}
		if !got.Can(identity.PermAppCreate, dept.Path) || got.Can(identity.PermOrgAdmin, dept.Path) {
			t.Error("authenticated principal carries the wrong grants")
		}
		list, err := e.ids.ListTokens(e.ctx, p, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("ListTokens = %d tokens", len(list))
		}
		for _, l := range list {
			if l.ID == tok.ID && l.LastUsedAt == nil {
				t.Error("last_used_at not recorded")
			}
		}

		// Someone without org.admin over the owner cannot revoke it.
		outsider := e.staff(t, "nbdev", "330200", "developer", "330200")
		before = e.auditCount(t)
		if err := e.ids.RevokeToken(e.ctx, outsider, tok.ID); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("revoke by an outsider: %v, want forbidden", err)
		}
		if err := e.ids.RevokeToken(e.ctx, p, "t-00000000"); !errors.Is(err, identity.ErrTokenNotFound) {
			t.Errorf("revoke unknown: %v", err)
		}
		e.wantAudit(t, before, 0, "refused revocations")

		if err := e.ids.RevokeToken(e.ctx, p, tok.ID); err != nil {
			t.Fatal(err)
		}
		e.wantAudit(t, before, 1, "revoke")
		if _, err := e.ids.Authenticate(e.ctx, tok.Secret, "", ""); !errors.Is(err, identity.ErrTokenInvalid) {
			t.Errorf("revoked token: %v, want ErrTokenInvalid", err)
		}
		if _, err := e.ids.Authenticate(e.ctx, other.Secret, "", ""); err != nil {
			t.Errorf("the other token stopped working: %v", err)
		}
		// Revoking twice is a no-op with no second entry.
		if err := e.ids.RevokeToken(e.ctx, p, tok.ID); err != nil {
			t.Errorf("second revoke: %v", err)
		}
		e.wantAudit(t, before, 1, "second revoke")
	})
}

// dumpTable returns every row of table as column -> text.
func dumpTable(t *testing.T, d *db.DB, table string) []map[string]string {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := map[string]string{}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				row[c] = string(b)
			} else {
				row[c] = fmt.Sprint(vals[i])
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("table %s is empty", table)
	}
	return out
}

func TestTokenExpiry(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		dept := e.dept(t, "330100", "杭州市数据资源局")
		p := e.staff(t, "hzdev", dept.ID, "developer", dept.ID)
		insert := func(id string, expires time.Time) string {
			t.Helper()
			var raw [32]byte
			if _, err := rand.Read(raw[:]); err != nil {
				t.Fatal(err)
			}
			secret := identity.TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
			now := db.Now()
			if _, err := d.ExecContext(e.ctx, `INSERT INTO tokens (id, user_id, name, prefix, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				id, p.User.ID, id, secret[:10], identity.HashToken(secret), now.Add(-48*time.Hour), expires); err != nil {
				t.Fatal(err)
			}
			return secret
		}
		expired := insert("t-0000dead", db.Now().Add(-time.Hour))
		valid := insert("t-0000beef", db.Now().Add(time.Hour))
		if _, err := e.ids.Authenticate(e.ctx, valid, "", ""); err != nil {
			t.Fatalf("token expiring in an hour: %v", err)
		}
		_, err := e.ids.Authenticate(e.ctx, expired, "", "")
		if !errors.Is(err, identity.ErrTokenInvalid) {
			t.Fatalf("expired token: %v, want ErrTokenInvalid", err)
		}
		if !strings.Contains(err.Error(), "expired") {
			t.Errorf("error does not say the token expired: %v", err)
		}

		// expires_in_days sets the expiry; out-of-range values are refused.
		tok, err := e.ids.CreateToken(e.ctx, p, identity.TokenCreate{Name: "week", ExpiresInDays: 7})
		if err != nil {
			t.Fatal(err)
		}
		if tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(tok.CreatedAt.AddDate(0, 0, 7)) {
			t.Errorf("ExpiresAt = %v, want created + 7 days (%v)", tok.ExpiresAt, tok.CreatedAt)
		}
		if _, err := e.ids.Authenticate(e.ctx, tok.Secret, "", ""); err != nil {
			t.Errorf("week token: %v", err)
		}
		before := e.auditCount(t)
		for _, days := range []int{-1, identity.MaxTokenDays + 1} {
			_, err := e.ids.CreateToken(e.ctx, p, identity.TokenCreate{Name: "bad", ExpiresInDays: days})
			wantField(t, fmt.Sprintf("expires_in_days=%d", days), err, "expires_in_days")
		}
		_, err = e.ids.CreateToken(e.ctx, p, identity.TokenCreate{Name: " "})
		wantField(t, "empty token name", err, "name")
		e.wantAudit(t, before, 0, "refused tokens")
	})
}

func TestAuthenticateMalformed(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		dept := e.dept(t, "330100", "杭州市数据资源局")
		p := e.staff(t, "hzdev", dept.ID, "developer", dept.ID)
		tok, err := e.ids.CreateToken(e.ctx, p, identity.TokenCreate{Name: "laptop"})
		if err != nil {
			t.Fatal(err)
		}
		body := tok.Secret[4:]
		for _, s := range []string{
			"",
			"gvt_",
			"gvt_short",
			"Bearer " + tok.Secret,
			tok.Secret + "A",
			tok.Secret[:len(tok.Secret)-1],
			"gvx_" + body,
			"GVT_" + body,
			"gvt_" + body[:42] + "!",
			"gvt_" + body[:42] + "=",
			"gvt_" + body[:42] + "+",
			" " + tok.Secret[:len(tok.Secret)-1],
			"gvt_" + strings.Repeat("A", 43), // well-formed but unknown
		} {
			if identity.WellFormedToken(s) && s != "gvt_"+strings.Repeat("A", 43) {
				t.Errorf("WellFormedToken(%q) = true", s)
			}
			if _, err := e.ids.Authenticate(e.ctx, s, "", ""); !errors.Is(err, identity.ErrTokenInvalid) {
				t.Errorf("Authenticate(%q) = %v, want ErrTokenInvalid", s, err)
			}
		}
		if _, err := e.ids.Authenticate(e.ctx, tok.Secret, "", ""); err != nil {
			t.Errorf("the real token: %v", err)
		}
	})
}

func TestCreateTokenForAnotherUser(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		dept := e.dept(t, "330100", "杭州市数据资源局")
		admin := e.staff(t, "hzadmin", dept.ID, "admin", "330100")
		bot := e.staff(t, "ci-bot", dept.ID, "developer", dept.ID)
		nbAdmin := e.staff(t, "nbadmin", "330200", "admin", "330200")
		before := e.auditCount(t)
		if _, err := e.ids.CreateToken(e.ctx, nbAdmin, identity.TokenCreate{Name: "steal", UserID: bot.User.ID}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("admin of another city minting a token: %v, want forbidden", err)
		}
		if _, err := e.ids.CreateToken(e.ctx, bot, identity.TokenCreate{Name: "up", UserID: admin.User.ID}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("developer minting the admin's token: %v, want forbidden", err)
		}
		e.wantAudit(t, before, 0, "refused tokens")
		tok, err := e.ids.CreateToken(e.ctx, admin, identity.TokenCreate{Name: "ci", UserID: bot.User.ID})
		if err != nil {
			t.Fatal(err)
		}
		e.wantAudit(t, before, 1, "token for a managed user")
		got, err := e.ids.Authenticate(e.ctx, tok.Secret, "", "")
		if err != nil || got.User.ID != bot.User.ID {
			t.Fatalf("token authenticates as %+v, %v; want the bot", got, err)
		}
		if err := e.ids.RevokeToken(e.ctx, admin, tok.ID); err != nil {
			t.Errorf("admin revoking a managed user's token: %v", err)
		}
	})
}

func TestDeleteGrant(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		dept := e.dept(t, "330100", "杭州市数据资源局")
		admin := e.staff(t, "hzadmin", dept.ID, "admin", "330100")
		dev := e.staff(t, "hzdev", dept.ID, "developer", dept.ID)
		other := e.staff(t, "nbdev", "330200", "developer", "330200")
		u, err := e.ids.GetUser(e.ctx, admin, dev.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Grants) != 1 || u.Grants[0].Role != "developer" {
			t.Fatalf("grants = %+v", u.Grants)
		}
		gid := u.Grants[0].ID
		before := e.auditCount(t)
		if err := e.ids.DeleteGrant(e.ctx, dev, dev.User.ID, gid); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("developer revoking own grant: %v, want forbidden", err)
		}
		if err := e.ids.DeleteGrant(e.ctx, admin, other.User.ID, gid); !errors.Is(err, identity.ErrGrantNotFound) {
			t.Errorf("grant id of another user: %v, want ErrGrantNotFound", err)
		}
		if err := e.ids.DeleteGrant(e.ctx, admin, dev.User.ID, "g-00000000"); !errors.Is(err, identity.ErrGrantNotFound) {
			t.Errorf("unknown grant: %v, want ErrGrantNotFound", err)
		}
		e.wantAudit(t, before, 0, "refused revocations")
		if err := e.ids.DeleteGrant(e.ctx, admin, dev.User.ID, gid); err != nil {
			t.Fatal(err)
		}
		e.wantAudit(t, before, 1, "revocation")
		p, err := e.ids.PrincipalFor(e.ctx, dev.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Grants) != 0 || p.CanAny(dept.Path) {
			t.Errorf("revoked grant still effective: %+v", p.Grants)
		}
	})
}

func TestNodeVisibility(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newIDEnv(t, d, true)
		xh := e.dept(t, "330106", "西湖区数据局")
		nb := e.dept(t, "330200", "宁波市数据局")
		p := e.staff(t, "xhdev", xh.ID, "developer", "330106")
		nodes, err := e.ids.ListNodes(e.ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, n := range nodes {
			ids = append(ids, n.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint([]string{"330106", xh.ID}) {
			t.Errorf("ListNodes = %v, want 330106 and its department", ids)
		}
		if _, err := e.ids.GetNode(e.ctx, p, xh.ID); err != nil {
			t.Errorf("GetNode inside the subtree: %v", err)
		}
		for _, id := range []string{"330100", "330000", nb.ID} {
			if _, err := e.ids.GetNode(e.ctx, p, id); !errors.Is(err, errs.ErrForbidden) {
				t.Errorf("GetNode(%s) outside the subtree: %v, want forbidden", id, err)
			}
		}
		none := &identity.Principal{}
		if nodes, err := e.ids.ListNodes(e.ctx, none); err != nil || len(nodes) != 0 {
			t.Errorf("a principal without grants lists %d nodes (%v)", len(nodes), err)
		}
	})
}
