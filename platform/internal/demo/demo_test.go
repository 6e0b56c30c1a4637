package demo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/demo"
	"github.com/govapp/govapp/platform/internal/identity"
)

type demoEnv struct {
	ctx  context.Context
	d    *db.DB
	au   *audit.Store
	ids  *identity.Service
	reg  *apps.Service
	tree identity.RegionTree
}

func newDemoEnv(t *testing.T, d *db.DB) *demoEnv {
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
	reg, err := apps.NewService(ctx, d, ids, au)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := demo.Regions("")
	if err != nil {
		t.Fatal(err)
	}
	return &demoEnv{ctx: ctx, d: d, au: au, ids: ids, reg: reg, tree: tree}
}

func (e *demoEnv) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := e.d.QueryRowContext(e.ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *demoEnv) apps(t *testing.T) []apps.App {
	t.Helper()
	list, err := e.reg.List(e.ctx, identity.SystemPrincipal(), apps.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestSeedDemo(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newDemoEnv(t, d)
		res, err := demo.Seed(e.ctx, e.ids, e.reg, e.tree, false)
		if err != nil {
			t.Fatalf("seed: %v", err)
		}
		if !res.FirstStart || res.RegionsAdded == 0 || res.Apps != 7 {
			t.Errorf("result = %+v, want a first start with regions and 7 apps", res)
		}
		if res.AdminToken == "" || res.ReviewerToken == "" || res.AdminToken == res.ReviewerToken {
			t.Fatalf("tokens: admin %q reviewer %q", res.AdminToken, res.ReviewerToken)
		}

		admin, err := e.ids.Authenticate(e.ctx, res.AdminToken, "", "")
		if err != nil {
			t.Fatalf("admin token: %v", err)
		}
		if admin.User.Name != demo.AdminName || !admin.Can(identity.PermOrgAdmin, "/"+e.tree.Code+"/") || !admin.Can(identity.PermAuditRead, "/"+e.tree.Code+"/") {
			t.Errorf("admin principal = %+v", admin)
		}
		reviewer, err := e.ids.Authenticate(e.ctx, res.ReviewerToken, "", "")
		if err != nil {
			t.Fatalf("reviewer token: %v", err)
		}
		if reviewer.User.Name != demo.ReviewerName || !reviewer.Can(identity.PermAppReview, "/"+e.tree.Code+"/") || reviewer.Can(identity.PermOrgAdmin, "/"+e.tree.Code+"/") {
			t.Errorf("reviewer principal = %+v", reviewer)
		}
		opDept, err := e.ids.FindNodeByName(e.ctx, e.tree.Code, demo.OperatorDept)
		if err != nil {
			t.Fatal(err)
		}
		if admin.User.NodeID != opDept.ID || reviewer.User.NodeID != opDept.ID {
			t.Errorf("admin and reviewer live at %s and %s, want the operator department %s", admin.User.NodeID, reviewer.User.NodeID, opDept.ID)
		}
		if n := e.count(t, "users"); n != 2 {
			t.Errorf("users = %d, want admin and reviewer", n)
		}

		list := e.apps(t)
		if len(list) != 7 {
			t.Fatalf("apps = %d, want 7", len(list))
		}
		status := map[string]int{}
		for _, a := range list {
			status[a.Status]++
			owner, err := e.ids.Node(e.ctx, a.OwnerNode)
			if err != nil || owner.Kind != identity.KindDepartment {
				t.Errorf("app %s owner %s: %+v %v", a.ID, a.OwnerNode, owner, err)
			}
			if a.Status == apps.StatusOnline && (a.LastReview == nil || a.LastReview.ReviewerID != reviewer.User.ID || a.LastReview.Decision != "approved") {
				t.Errorf("online app %s was not approved by the reviewer: %+v", a.ID, a.LastReview)
			}
		}
		if status[apps.StatusOnline] != 6 || status[apps.StatusDraft] != 1 || len(status) != 2 {
			t.Errorf("statuses = %v, want 6 online and 1 draft", status)
		}
		if a, err := e.reg.Get(e.ctx, admin, "housing-fund"); err != nil || a.Name != "公积金查询" {
			t.Errorf("housing-fund: %+v %v", a, err)
		}
		if a, err := e.reg.Get(e.ctx, admin, "penalty-lookup"); err != nil || a.Status != apps.StatusDraft {
			t.Errorf("the last demo app should stay a draft: %+v %v", a, err)
		}
		if v, err := e.au.Verify(e.ctx); err != nil || !v.OK || v.Entries == 0 {
			t.Errorf("audit after seed: %+v %v", v, err)
		}

		// A restart seeds nothing more.
		users, appsN, audits, nodes := e.count(t, "users"), e.count(t, "apps"), e.count(t, "audit_log"), e.count(t, "org_nodes")
		again, err := demo.Seed(e.ctx, e.ids, e.reg, e.tree, false)
		if err != nil {
			t.Fatalf("second seed: %v", err)
		}
		if again.FirstStart || again.RegionsAdded != 0 || again.Apps != 0 || again.AdminToken != "" || again.ReviewerToken != "" {
			t.Errorf("second seed result = %+v, want nothing", again)
		}
		if e.count(t, "users") != users || e.count(t, "apps") != appsN || e.count(t, "audit_log") != audits || e.count(t, "org_nodes") != nodes {
			t.Error("second seed changed the store")
		}
		// The first tokens still work after the restart.
		if _, err := e.ids.Authenticate(e.ctx, res.AdminToken, "", ""); err != nil {
			t.Errorf("admin token after restart: %v", err)
		}
	})
}

func TestSeedNoDemo(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newDemoEnv(t, d)
		res, err := demo.Seed(e.ctx, e.ids, e.reg, e.tree, true)
		if err != nil {
			t.Fatal(err)
		}
		if !res.FirstStart || res.AdminToken == "" || res.ReviewerToken != "" || res.Apps != 0 {
			t.Errorf("result = %+v, want only the admin", res)
		}
		if _, err := e.ids.Authenticate(e.ctx, res.AdminToken, "", ""); err != nil {
			t.Errorf("admin token: %v", err)
		}
		if _, err := e.ids.UserByName(e.ctx, demo.ReviewerName); !errors.Is(err, identity.ErrUserNotFound) {
			t.Errorf("reviewer: %v, want ErrUserNotFound", err)
		}
		if n := e.count(t, "users"); n != 1 {
			t.Errorf("users = %d, want 1", n)
		}
		if list := e.apps(t); len(list) != 0 {
			t.Errorf("apps = %d, want none", len(list))
		}
		// Only the operator department is created besides the regions.
		var depts int
		if err := d.QueryRowContext(e.ctx, `SELECT count(*) FROM org_nodes WHERE kind = 'department'`).Scan(&depts); err != nil {
			t.Fatal(err)
		}
		if depts != 1 {
			t.Errorf("departments = %d, want only %s", depts, demo.OperatorDept)
		}
		// A later start with demo content switched on adds nothing: the admin already exists.
		again, err := demo.Seed(e.ctx, e.ids, e.reg, e.tree, false)
		if err != nil {
			t.Fatal(err)
		}
		if again.FirstStart || again.Apps != 0 || len(e.apps(t)) != 0 {
			t.Errorf("second seed = %+v", again)
		}
	})
}

// Several platform instances may start at once on one PostgreSQL database (Migrate already
// serialises them): seeding must not make all but one of them fail to start, and the first
// start must happen exactly once.
func TestSeedConcurrentFirstStart(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		const instances = 3
		envs := make([]*demoEnv, instances)
		for i := range envs {
			envs[i] = newDemoEnv(t, d) // each instance wires its own services on the shared store
		}
		results := make([]demo.Result, instances)
		errs := make([]error, instances)
		var wg sync.WaitGroup
		for i, e := range envs {
			wg.Add(1)
			go func(i int, e *demoEnv) {
				defer wg.Done()
				results[i], errs[i] = demo.Seed(e.ctx, e.ids, e.reg, e.tree, false)
			}(i, e)
		}
		wg.Wait()
		first := 0
		for i := range envs {
			if errs[i] != nil {
				t.Errorf("instance %d failed to seed: %v", i, errs[i])
			}
			if results[i].FirstStart {
				first++
			}
		}
		if first != 1 {
			t.Errorf("%d instances ran the first start, want exactly 1", first)
		}
		e := envs[0]
		if n := e.count(t, "users"); n != 2 {
			t.Errorf("users = %d, want admin and reviewer once", n)
		}
		if n := e.count(t, "apps"); n != 7 {
			t.Errorf("apps = %d, want 7", n)
		}
		if n, want := e.count(t, "org_nodes"), countNodes(e.tree); n < want {
			t.Errorf("org_nodes = %d, want at least the %d regions", n, want)
		}
	})
}

func countNodes(t identity.RegionTree) int {
	n := 1
	for _, c := range t.Children {
		n += countNodes(c)
	}
	return n
}

func TestRegions(t *testing.T) {
	tree, err := demo.Regions("")
	if err != nil {
		t.Fatal(err)
	}
	if tree.Code != "330000" || tree.Level != identity.KindProvince || len(tree.Children) == 0 {
		t.Fatalf("embedded tree root = %s %s with %d children", tree.Code, tree.Level, len(tree.Children))
	}
	var walk func(identity.RegionTree, string)
	walk = func(n identity.RegionTree, parent string) {
		if err := identity.ValidRegionCode("code", n.Code); err != nil {
			t.Errorf("%s: %v", n.Name, err)
		}
		if parent != "" && !strings.HasPrefix(n.Code, parent[:2]) {
			t.Errorf("%s (%s) does not sit in province %s", n.Name, n.Code, parent)
		}
		for _, c := range n.Children {
			walk(c, n.Code)
		}
	}
	walk(tree, "")

	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	own, err := demo.Regions(write("own.json", `{"code": "340000", "name": "某省", "level": "province", "children": [{"code": "340100", "name": "某市", "level": "city"}]}`))
	if err != nil || own.Code != "340000" || len(own.Children) != 1 {
		t.Errorf("own file: %+v %v", own, err)
	}
	for name, body := range map[string]string{
		"city-root.json":  `{"code": "330100", "name": "杭州市", "level": "city"}`,
		"no-code.json":    `{"name": "某省", "level": "province"}`,
		"not-json.json":   `<regions/>`,
		"empty-file.json": ``,
	} {
		if _, err := demo.Regions(write(name, body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := demo.Regions(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "regions_file") {
		t.Errorf("missing file: %v, want an error naming regions_file", err)
	}
}
