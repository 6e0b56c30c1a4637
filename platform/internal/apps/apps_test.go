package apps_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/demo"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// appEnv is the registry on one engine with a small organisation:
//
//	330000 浙江省
//	├── deptR  省大数据局            (home of the platform reviewers)
//	├── 330100 杭州市
//	│   └── deptA 杭州市数据资源局    (owns the apps under test; devA lives and works here)
//	│       └── deptA2 办公室         (home of insider, a reviewer inside the owning department)
//	└── 330200 宁波市
//	    └── deptB 宁波市数据局        (devB)
type appEnv struct {
	ctx                      context.Context
	d                        *db.DB
	au                       *audit.Store
	ids                      *identity.Service
	reg                      *apps.Service
	sys                      *identity.Principal
	deptA, deptA2, deptB     identity.Node
	deptR                    identity.Node
	devA, devB               *identity.Principal
	reviewer, insider, admin *identity.Principal
	cityReviewer, nbReviewer *identity.Principal
}

func newAppEnv(t *testing.T, d *db.DB) *appEnv {
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
	if _, err := ids.LoadRegions(ctx, tree); err != nil {
		t.Fatal(err)
	}
	e := &appEnv{ctx: ctx, d: d, au: au, ids: ids, reg: reg, sys: identity.SystemPrincipal()}
	e.deptA = e.dept(t, "330100", "杭州市数据资源局")
	e.deptA2 = e.dept(t, e.deptA.ID, "办公室")
	e.deptB = e.dept(t, "330200", "宁波市数据局")
	e.deptR = e.dept(t, "330000", "省大数据局")
	e.devA = e.staff(t, "deva", e.deptA.ID, "developer", e.deptA.ID)
	e.devB = e.staff(t, "devb", e.deptB.ID, "developer", e.deptB.ID)
	e.reviewer = e.staff(t, "reviewer", e.deptR.ID, "reviewer", "330000")
	e.insider = e.staff(t, "insider", e.deptA2.ID, "reviewer", "330000")
	e.admin = e.staff(t, "rootadmin", e.deptR.ID, "admin", "330000")
	e.cityReviewer = e.staff(t, "hzreviewer", "330100", "reviewer", "330100")
	e.nbReviewer = e.staff(t, "nbreviewer", e.deptB.ID, "reviewer", "330200")
	return e
}

func (e *appEnv) dept(t *testing.T, parent, name string) identity.Node {
	t.Helper()
	n, err := e.ids.CreateNode(e.ctx, e.sys, identity.NodeCreate{ParentID: parent, Kind: identity.KindDepartment, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *appEnv) staff(t *testing.T, name, home, role, on string) *identity.Principal {
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

func (e *appEnv) auditCount(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.d.QueryRowContext(e.ctx, `SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *appEnv) wantAudit(t *testing.T, before, delta int, what string) {
	t.Helper()
	if got := e.auditCount(t) - before; got != delta {
		t.Errorf("%s wrote %d audit entries, want %d", what, got, delta)
	}
	if res, err := e.au.Verify(e.ctx); err != nil || !res.OK {
		t.Errorf("audit chain after %s: %+v %v", what, res, err)
	}
}

func (e *appEnv) validCreate(id, owner string) apps.Create {
	return apps.Create{
		ID: id, Name: "公交查询", Description: "实时公交", Icon: "https://example.org/bus.png", OwnerNode: owner, Category: "交通出行",
		Regions: []string{"330100"}, Containers: []string{"wechat", "web"}, JSAPIPermissions: []string{"location"},
		Contacts: []apps.Contact{{Name: "张三", Phone: "0571-12345678"}},
	}
}

func (e *appEnv) create(t *testing.T, p *identity.Principal, id string) apps.App {
	t.Helper()
	a, err := e.reg.Create(e.ctx, p, e.validCreate(id, e.deptA.ID))
	if err != nil {
		t.Fatalf("create %s: %v", id, err)
	}
	return a
}

func (e *appEnv) step(t *testing.T, p *identity.Principal, id string, act apps.Action, comment string) apps.App {
	t.Helper()
	a, err := e.reg.Transition(e.ctx, p, id, act, comment)
	if err != nil {
		t.Fatalf("%s %s by %s: %v", act, id, p.User.Name, err)
	}
	return a
}

func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: succeeded, want an error on field %q", what, field)
		return
	}
	var fe *errs.FieldError
	if !errors.As(err, &fe) || !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("%s: %v is not an errs.FieldError", what, err)
		return
	}
	if fe.Field != field {
		t.Errorf("%s: error names field %q, want %q (%v)", what, fe.Field, field, err)
	}
}

func TestCreate(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newAppEnv(t, d)
		before := e.auditCount(t)
		in := e.validCreate("hz-bus", e.deptA.ID)
		in.Regions = []string{"330106", "330100", "330106"}
		in.Containers = []string{"web", "wechat", "web"}
		in.JSAPIPermissions = nil
		in.Contacts = nil
		a, err := e.reg.Create(e.ctx, e.devA, in)
		if err != nil {
			t.Fatal(err)
		}
		e.wantAudit(t, before, 1, "create")
		if a.Status != apps.StatusDraft || a.OwnerNode != e.deptA.ID || a.SubmittedBy != "" || a.LastReview != nil {
			t.Errorf("created app = %+v", a)
		}
		if fmt.Sprint(a.Regions) != "[330100 330106]" || fmt.Sprint(a.Containers) != "[web wechat]" {
			t.Errorf("regions %v containers %v: want deduplicated", a.Regions, a.Containers)
		}
		if a.JSAPIPermissions == nil || a.Contacts == nil {
			t.Errorf("absent lists must be empty, not nil: %+v", a)
		}
		got, err := e.reg.Get(e.ctx, e.devA, "hz-bus")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != a.Name || got.Description != a.Description || got.Icon != a.Icon || got.Category != a.Category ||
			fmt.Sprint(got.Regions) != fmt.Sprint(a.Regions) || fmt.Sprint(got.Containers) != fmt.Sprint(a.Containers) ||
			len(got.JSAPIPermissions) != 0 || len(got.Contacts) != 0 || !got.CreatedAt.Equal(a.CreatedAt) || got.Status != apps.StatusDraft {
			t.Errorf("read back %+v\nwrote %+v", got, a)
		}
		entries, err := e.au.List(e.ctx, []string{e.deptA.Path}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		last := entries[len(entries)-1]
		if last.Action != "app.create" || last.TargetID != "hz-bus" || last.ActorID != e.devA.User.ID || last.NodeID != e.deptA.ID {
			t.Errorf("audit entry = %+v", last)
		}

		before = e.auditCount(t)
		if _, err := e.reg.Create(e.ctx, e.devA, e.validCreate("hz-bus", e.deptA.ID)); !errors.Is(err, apps.ErrAppExists) {
			t.Errorf("duplicate id: %v, want ErrAppExists", err)
		}
		if _, err := e.reg.Create(e.ctx, e.devB, e.validCreate("hz-bus", e.deptB.ID)); !errors.Is(err, apps.ErrAppExists) {
			t.Errorf("duplicate id in another department: %v, want ErrAppExists", err)
		}
		if _, err := e.reg.Create(e.ctx, e.devB, e.validCreate("nb-bus", e.deptA.ID)); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("developer of another department: %v, want forbidden", err)
		}
		if _, err := e.reg.Create(e.ctx, e.reviewer, e.validCreate("rv-bus", e.deptA.ID)); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("reviewer creating: %v, want forbidden", err)
		}
		if _, err := e.reg.Create(e.ctx, e.sys, e.validCreate("no-owner", "d-00000000")); !errors.Is(err, identity.ErrNodeNotFound) {
			t.Errorf("unknown owner: %v, want ErrNodeNotFound", err)
		}
		e.wantAudit(t, before, 0, "refused creations")
		if got, err := e.reg.Get(e.ctx, e.sys, "hz-bus"); err != nil || got.Name != "公交查询" || got.OwnerNode != e.deptA.ID {
			t.Errorf("duplicate create changed the app: %+v %v", got, err)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newAppEnv(t, d)
		for _, c := range []struct {
			name   string
			change func(*apps.Create)
			field  string
		}{
			{"uppercase id", func(c *apps.Create) { c.ID = "HZ-bus" }, "id"},
			{"short id", func(c *apps.Create) { c.ID = "ab" }, "id"},
			{"id with underscore", func(c *apps.Create) { c.ID = "hz_bus" }, "id"},
			{"id starting with a digit", func(c *apps.Create) { c.ID = "1bus" }, "id"},
			{"id too long", func(c *apps.Create) { c.ID = "a" + strings.Repeat("b", 40) }, "id"},
			{"empty name", func(c *apps.Create) { c.Name = "" }, "name"},
			{"name too long", func(c *apps.Create) { c.Name = strings.Repeat("查", apps.MaxNameLen+1) }, "name"},
			{"description too long", func(c *apps.Create) { c.Description = strings.Repeat("x", apps.MaxDescriptionLen+1) }, "description"},
			{"icon scheme", func(c *apps.Create) { c.Icon = "javascript:alert(1)" }, "icon"},
			{"protocol-relative icon", func(c *apps.Create) { c.Icon = "//evil.example/x.png" }, "icon"},
			{"empty category", func(c *apps.Create) { c.Category = " " }, "category"},
			{"no containers", func(c *apps.Create) { c.Containers = nil }, "containers"},
			{"unknown container", func(c *apps.Create) { c.Containers = []string{"wechat", "kindle"} }, "containers[1]"},
			{"unknown jsapi permission", func(c *apps.Create) { c.JSAPIPermissions = []string{"teleport"} }, "jsapi_permissions[0]"},
			{"no regions", func(c *apps.Create) { c.Regions = nil }, "regions"},
			{"region not in the tree", func(c *apps.Create) { c.Regions = []string{"330100", "339999"} }, "regions[1]"},
			{"region of another province", func(c *apps.Create) { c.Regions = []string{"110000"} }, "regions[0]"},
			{"region code shape", func(c *apps.Create) { c.Regions = []string{"3301"} }, "regions[0]"},
			{"department as region", func(c *apps.Create) { c.Regions = []string{e.deptA.ID} }, "regions[0]"},
			{"owner is a city", func(c *apps.Create) { c.OwnerNode = "330100" }, "owner_node"},
			{"owner is the province", func(c *apps.Create) { c.OwnerNode = "330000" }, "owner_node"},
			{"owner id shape", func(c *apps.Create) { c.OwnerNode = "hangzhou" }, "owner_node"},
			{"contact without phone or email", func(c *apps.Create) { c.Contacts = []apps.Contact{{Name: "张三"}} }, "contacts[0]"},
			{"second contact without phone or email", func(c *apps.Create) {
				c.Contacts = []apps.Contact{{Name: "张三", Email: "zs@example.org"}, {Name: "李四"}}
			}, "contacts[1]"},
			{"contact without name", func(c *apps.Create) { c.Contacts = []apps.Contact{{Phone: "0571-1234567"}} }, "contacts[0].name"},
			{"bad phone", func(c *apps.Create) { c.Contacts = []apps.Contact{{Name: "张三", Phone: "call me"}} }, "contacts[0].phone"},
			{"bad email", func(c *apps.Create) { c.Contacts = []apps.Contact{{Name: "张三", Email: "zhangsan"}} }, "contacts[0].email"},
			{"too many contacts", func(c *apps.Create) {
				c.Contacts = nil
				for i := 0; i <= apps.MaxContacts; i++ {
					c.Contacts = append(c.Contacts, apps.Contact{Name: "x", Phone: "12345"})
				}
			}, "contacts"},
		} {
			in := e.validCreate("hz-bus", e.deptA.ID)
			c.change(&in)
			before := e.auditCount(t)
			_, err := e.reg.Create(e.ctx, e.sys, in)
			wantField(t, c.name, err, c.field)
			e.wantAudit(t, before, 0, c.name)
			if _, err := e.reg.Get(e.ctx, e.sys, in.ID); !errors.Is(err, apps.ErrAppNotFound) {
				t.Errorf("%s: a refused app was stored (%v)", c.name, err)
			}
		}
		// The valid input itself is accepted, so each case above failed for its own reason.
		if _, err := e.reg.Create(e.ctx, e.sys, e.validCreate("hz-bus", e.deptA.ID)); err != nil {
			t.Errorf("valid input: %v", err)
		}
	})
}

func TestLifecycle(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newAppEnv(t, d)
		before := e.auditCount(t)
		e.create(t, e.devA, "hz-bus")
		a := e.step(t, e.devA, "hz-bus", apps.ActionSubmit, "请审核")
		if a.Status != apps.StatusInReview || a.SubmittedBy != e.devA.User.ID {
			t.Errorf("after submit: %+v", a)
		}
		a = e.step(t, e.reviewer, "hz-bus", apps.ActionApprove, "同意上线")
		if a.Status != apps.StatusOnline || a.LastReview == nil || a.LastReview.Decision != "approved" || a.LastReview.ReviewerID != e.reviewer.User.ID || a.LastReview.Comment != "同意上线" {
			t.Errorf("after approve: %+v %+v", a, a.LastReview)
		}
		got, err := e.reg.Get(e.ctx, e.devA, "hz-bus")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != apps.StatusOnline || got.LastReview == nil || got.LastReview.Decision != "approved" || !got.LastReview.At.Equal(a.LastReview.At) {
			t.Errorf("stored after approve: %+v %+v", got, got.LastReview)
		}
		a = e.step(t, e.devA, "hz-bus", apps.ActionOffline, "暂停服务")
		if a.Status != apps.StatusOffline {
			t.Errorf("after offline: %s", a.Status)
		}
		e.step(t, e.devA, "hz-bus", apps.ActionSubmit, "恢复服务")
		a = e.step(t, e.reviewer, "hz-bus", apps.ActionApprove, "")
		if a.Status != apps.StatusOnline {
			t.Errorf("after second approve: %s", a.Status)
		}
		e.wantAudit(t, before, 6, "six lifecycle steps")

		hist, err := e.reg.History(e.ctx, e.devA, "hz-bus")
		if err != nil {
			t.Fatal(err)
		}
		want := []struct{ from, to, actor, comment string }{
			{"", apps.StatusDraft, e.devA.User.ID, "created"},
			{apps.StatusDraft, apps.StatusInReview, e.devA.User.ID, "请审核"},
			{apps.StatusInReview, apps.StatusOnline, e.reviewer.User.ID, "同意上线"},
			{apps.StatusOnline, apps.StatusOffline, e.devA.User.ID, "暂停服务"},
			{apps.StatusOffline, apps.StatusInReview, e.devA.User.ID, "恢复服务"},
			{apps.StatusInReview, apps.StatusOnline, e.reviewer.User.ID, ""},
		}
		if len(hist) != len(want) {
			t.Fatalf("history has %d steps, want %d: %+v", len(hist), len(want), hist)
		}
		for i, w := range want {
			h := hist[i]
			if h.AppID != "hz-bus" || h.From != w.from || h.To != w.to || h.ActorID != w.actor || h.Comment != w.comment || h.At.IsZero() {
				t.Errorf("step %d = %+v, want %+v", i, h, w)
			}
			if i > 0 && (h.Seq <= hist[i-1].Seq || h.At.Before(hist[i-1].At)) {
				t.Errorf("step %d is out of order", i)
			}
		}
		entries, err := e.au.List(e.ctx, []string{e.deptA.Path}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, en := range entries {
			if en.TargetType == "app" {
				actions = append(actions, en.Action)
			}
		}
		if got := strings.Join(actions, " "); got != "app.create app.submit app.approve app.offline app.submit app.approve" {
			t.Errorf("audit actions: %s", got)
		}

		// A reviewer may also take an app offline; a developer elsewhere may not.
		if _, err := e.reg.Transition(e.ctx, e.devB, "hz-bus", apps.ActionOffline, ""); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("offline by another department's developer: %v", err)
		}
		if a := e.step(t, e.reviewer, "hz-bus", apps.ActionOffline, "违规"); a.Status != apps.StatusOffline {
			t.Errorf("reviewer offline: %s", a.Status)
		}
		if _, err := e.reg.History(e.ctx, e.devB, "hz-bus"); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("history for an outsider: %v, want forbidden", err)
		}
	})
}

func TestWrongTransitions(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newAppEnv(t, d)
		e.create(t, e.devA, "hz-draft")
		e.create(t, e.devA, "hz-review")
		e.step(t, e.devA, "hz-review", apps.ActionSubmit, "")
		e.create(t, e.devA, "hz-online")
		e.step(t, e.devA, "hz-online", apps.ActionSubmit, "")
		e.step(t, e.reviewer, "hz-online", apps.ActionApprove, "")
		e.create(t, e.devA, "hz-offline")
		e.step(t, e.devA, "hz-offline", apps.ActionSubmit, "")
		e.step(t, e.reviewer, "hz-offline", apps.ActionApprove, "")
		e.step(t, e.devA, "hz-offline", apps.ActionOffline, "")

		before := e.auditCount(t)
		for _, c := range []struct {
			id  string
			p   *identity.Principal
			act apps.Action
		}{
			{"hz-draft", e.reviewer, apps.ActionApprove},
			{"hz-draft", e.reviewer, apps.ActionReject},
			{"hz-draft", e.devA, apps.ActionOffline},
			{"hz-review", e.devA, apps.ActionSubmit},
			{"hz-review", e.devA, apps.ActionOffline},
			{"hz-online", e.devA, apps.ActionSubmit},
			{"hz-online", e.reviewer, apps.ActionApprove},
			{"hz-online", e.reviewer, apps.ActionReject},
			{"hz-offline", e.reviewer, apps.ActionApprove},
			{"hz-offline", e.reviewer, apps.ActionReject},
			{"hz-offline", e.devA, apps.ActionOffline},
		} {
			if _, err := e.reg.Transition(e.ctx, c.p, c.id, c.act, "理由"); !errors.Is(err, apps.ErrBadTransition) {
				t.Errorf("%s on %s: %v, want ErrBadTransition", c.act, c.id, err)
			}
		}
		_, err := e.reg.Transition(e.ctx, e.devA, "hz-draft", apps.Action("publish"), "")
		wantField(t, "unknown action", err, "action")
		_, err = e.reg.Transition(e.ctx, e.devA, "hz-draft", apps.ActionSubmit, strings.Repeat("长", apps.MaxCommentLen+1))
		wantField(t, "comment too long", err, "comment")
		if _, err := e.reg.Transition(e.ctx, e.devA, "no-such-app", apps.ActionSubmit, ""); !errors.Is(err, apps.ErrAppNotFound) {
			t.Errorf("unknown app: %v", err)
		}
		// Permissions: a reviewer cannot submit, a developer cannot approve.
		if _, err := e.reg.Transition(e.ctx, e.reviewer, "hz-draft", apps.ActionSubmit, ""); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("reviewer submitting: %v, want forbidden", err)
		}
		if _, err := e.reg.Transition(e.ctx, e.devA, "hz-review", apps.ActionApprove, ""); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("developer approving: %v, want forbidden", err)
		}
		if _, err := e.reg.Transition(e.ctx, e.nbReviewer, "hz-review", apps.ActionApprove, ""); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("reviewer of another city approving: %v, want forbidden", err)
		}
		e.wantAudit(t, before, 0, "refused transitions")
		for id, want := range map[string]string{"hz-draft": apps.StatusDraft, "hz-review": apps.StatusInReview, "hz-online": apps.StatusOnline, "hz-offline": apps.StatusOffline} {
			a, err := e.reg.Get(e.ctx, e.sys, id)
			if err != nil || a.Status != want {
				t.Errorf("%s is %s (%v) after refused steps, want %s", id, a.Status, err, want)
			}
			hist, err := e.reg.History(e.ctx, e.sys, id)
			if err != nil {
				t.Fatal(err)
			}
			if hist[len(hist)-1].To != want {
				t.Errorf("%s history ends in %s", id, hist[len(hist)-1].To)
			}
		}
	})
}

func TestReject(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newAppEnv(t, d)
		e.create(t, e.devA, "hz-bus")
		e.step(t, e.devA, "hz-bus", apps.ActionSubmit, "")
		before := e.auditCount(t)
		for _, comment := range []string{"", "   \n"} {
			_, err := e.reg.Transition(e.ctx, e.reviewer, "hz-bus", apps.ActionReject, comment)
			wantField(t, fmt.Sprintf("reject with comment %q", comment), err, "comment")
		}
		e.wantAudit(t, before, 0, "reject without comment")
		a := e.step(t, e.reviewer, "hz-bus", apps.ActionReject, "  缺少隐私政策  ")
		if a.Status != apps.StatusDraft || a.LastReview == nil || a.LastReview.Decision != "rejected" || a.LastReview.Comment != "缺少隐私政策" {
			t.Errorf("after reject: %+v %+v", a, a.LastReview)
		}
		e.wantAudit(t, before, 1, "reject")
		got, err := e.reg.Get(e.ctx, e.devA, "hz-bus")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != apps.StatusDraft || got.LastReview == nil || got.LastReview.Comment != "缺少隐私政策" {
			t.Errorf("stored after reject: %+v", got)
		}
		hist, err := e.reg.History(e.ctx, e.devA, "hz-bus")
		if err != nil {
			t.Fatal(err)
		}
		last := hist[len(hist)-1]
		if last.From != apps.StatusInReview || last.To != apps.StatusDraft || last.Comment != "缺少隐私政策" || last.ActorID != e.reviewer.User.ID {
			t.Errorf("last step = %+v", last)
		}
		// A rejected draft can be edited and submitted again.
		if _, err := e.reg.Update(e.ctx, e.devA, "hz-bus", apps.Update{Description: ptr("加上了隐私政策")}); err != nil {
			t.Errorf("edit after reject: %v", err)
		}
		e.step(t, e.devA, "hz-bus", apps.ActionSubmit, "")
	})
}

func ptr[T any](v T) *T { return &v }

func TestSelfReview(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newAppEnv(t, d)

		// The submitter may not decide, even with app.review everywhere.
		e.create(t, e.admin, "own-app")
		e.step(t, e.admin, "own-app", apps.ActionSubmit, "")
		before := e.auditCount(t)
		for _, act := range []apps.Action{apps.ActionApprove, apps.ActionReject} {
			if _, err := e.reg.Transition(e.ctx, e.admin, "own-app", act, "自己审"); !errors.Is(err, apps.ErrSelfReview) {
				t.Errorf("submitter %s: %v, want ErrSelfReview", act, err)
			}
		}
		e.wantAudit(t, before, 0, "submitter self-review")
		e.step(t, e.reviewer, "own-app", apps.ActionApprove, "")

		// Nor may a reviewer whose home lies inside the owning department.
		e.create(t, e.devA, "hz-bus")
		e.step(t, e.devA, "hz-bus", apps.ActionSubmit, "")
		before = e.auditCount(t)
		for _, act := range []apps.Action{apps.ActionApprove, apps.ActionReject} {
			if _, err := e.reg.Transition(e.ctx, e.insider, "hz-bus", act, "内部审"); !errors.Is(err, apps.ErrSelfReview) {
				t.Errorf("insider %s: %v, want ErrSelfReview", act, err)
			}
		}
		e.wantAudit(t, before, 0, "insider review")
		if a, _ := e.reg.Get(e.ctx, e.sys, "hz-bus"); a.Status != apps.StatusInReview || a.LastReview != nil {
			t.Errorf("refused review changed the app: %+v", a)
		}

		// A reviewer living in the city above the department is outside it.
		a, err := e.reg.Transition(e.ctx, e.cityReviewer, "hz-bus", apps.ActionApprove, "")
		if err != nil {
			t.Fatalf("reviewer from outside the department: %v", err)
		}
		if a.Status != apps.StatusOnline || a.LastReview.ReviewerID != e.cityReviewer.User.ID {
			t.Errorf("after outside approval: %+v", a)
		}
		e.wantAudit(t, before, 1, "outside approval")
	})
}

func TestUpdate(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newAppEnv(t, d)
		created := e.create(t, e.devA, "hz-bus")
		before := e.auditCount(t)
		regions := []string{"330106", "330108"}
		a, err := e.reg.Update(e.ctx, e.devA, "hz-bus", apps.Update{Name: ptr("公交到站"), Regions: &regions, JSAPIPermissions: &[]string{"scan", "location"}})
		if err != nil {
			t.Fatal(err)
		}
		e.wantAudit(t, before, 1, "update")
		got, err := e.reg.Get(e.ctx, e.devA, "hz-bus")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "公交到站" || fmt.Sprint(got.Regions) != "[330106 330108]" || fmt.Sprint(got.JSAPIPermissions) != "[scan location]" ||
			got.Description != created.Description || fmt.Sprint(got.Containers) != fmt.Sprint(created.Containers) || got.Status != apps.StatusDraft {
			t.Errorf("after update: %+v", got)
		}
		if !a.UpdatedAt.After(created.UpdatedAt) && !a.UpdatedAt.Equal(created.UpdatedAt) {
			t.Errorf("updated_at went backwards")
		}
		entries, err := e.au.List(e.ctx, []string{e.deptA.Path}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		last := entries[len(entries)-1]
		if last.Action != "app.update" || !strings.Contains(string(last.Before), "公交查询") || !strings.Contains(string(last.After), "公交到站") {
			t.Errorf("update audit entry: %+v", last)
		}

		before = e.auditCount(t)
		_, err = e.reg.Update(e.ctx, e.devA, "hz-bus", apps.Update{Containers: &[]string{"fax"}})
		wantField(t, "unknown container", err, "containers[0]")
		_, err = e.reg.Update(e.ctx, e.devA, "hz-bus", apps.Update{Regions: &[]string{}})
		wantField(t, "empty regions", err, "regions")
		if _, err := e.reg.Update(e.ctx, e.devB, "hz-bus", apps.Update{Name: ptr("抢")}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("update by another department: %v, want forbidden", err)
		}
		if _, err := e.reg.Update(e.ctx, e.devA, "nope-app", apps.Update{Name: ptr("x")}); !errors.Is(err, apps.ErrAppNotFound) {
			t.Errorf("update unknown: %v", err)
		}
		e.step(t, e.devA, "hz-bus", apps.ActionSubmit, "")
		before = e.auditCount(t)
		if _, err := e.reg.Update(e.ctx, e.devA, "hz-bus", apps.Update{Name: ptr("审核中改名")}); !errors.Is(err, apps.ErrBadTransition) {
			t.Errorf("update in review: %v, want ErrBadTransition", err)
		}
		e.wantAudit(t, before, 0, "refused updates")
		if got, _ := e.reg.Get(e.ctx, e.sys, "hz-bus"); got.Name != "公交到站" || fmt.Sprint(got.Regions) != "[330106 330108]" {
			t.Errorf("refused update changed the app: %+v", got)
		}
	})
}

func TestListScopesAndFilters(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newAppEnv(t, d)
		e.create(t, e.devA, "hz-bus")
		e.create(t, e.devA, "hz-metro")
		e.step(t, e.devA, "hz-metro", apps.ActionSubmit, "")
		if _, err := e.reg.Create(e.ctx, e.devB, e.validCreate("nb-bus", e.deptB.ID)); err != nil {
			t.Fatal(err)
		}
		ids := func(p *identity.Principal, f apps.ListFilter) string {
			t.Helper()
			list, err := e.reg.List(e.ctx, p, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, a := range list {
				out = append(out, a.ID)
				if len(a.Regions) == 0 {
					t.Errorf("listed app %s has no regions", a.ID)
				}
			}
			return strings.Join(out, ",")
		}
		for _, c := range []struct {
			name string
			p    *identity.Principal
			f    apps.ListFilter
			want string
		}{
			{"devA", e.devA, apps.ListFilter{}, "hz-bus,hz-metro"},
			{"devB", e.devB, apps.ListFilter{}, "nb-bus"},
			{"province reviewer", e.reviewer, apps.ListFilter{}, "hz-bus,hz-metro,nb-bus"},
			{"in review", e.reviewer, apps.ListFilter{Status: apps.StatusInReview}, "hz-metro"},
			{"by owner", e.reviewer, apps.ListFilter{Owner: e.deptB.ID}, "nb-bus"},
			{"city reviewer", e.cityReviewer, apps.ListFilter{}, "hz-bus,hz-metro"},
		} {
			if got := ids(c.p, c.f); got != c.want {
				t.Errorf("%s: %s, want %s", c.name, got, c.want)
			}
		}
		_, err := e.reg.List(e.ctx, e.reviewer, apps.ListFilter{Status: "live"})
		wantField(t, "bad status", err, "status")
		if _, err := e.reg.Get(e.ctx, e.devB, "hz-bus"); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("get from another department: %v, want forbidden", err)
		}
	})
}

// apps registers an owner guard with identity: an organisation that owns apps can be neither
// deleted nor moved.
func TestOwnerGuard(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newAppEnv(t, d)
		owner := e.dept(t, "330106", "西湖区文旅局")
		parent := e.dept(t, "330106", "西湖区卫健局")
		child := e.dept(t, parent.ID, "疾控中心")
		spare := e.dept(t, "330106", "西湖区临时办")
		for _, c := range []struct{ id, owner string }{{"xh-tour", owner.ID}, {"xh-cdc", child.ID}} {
			if _, err := e.reg.Create(e.ctx, e.sys, e.validCreate(c.id, c.owner)); err != nil {
				t.Fatal(err)
			}
		}
		before := e.auditCount(t)
		if err := e.ids.DeleteNode(e.ctx, e.sys, owner.ID); !errors.Is(err, identity.ErrNodeInUse) {
			t.Errorf("delete a department owning an app: %v, want ErrNodeInUse", err)
		} else if !strings.Contains(err.Error(), "light app") {
			t.Errorf("error does not say apps are in the way: %v", err)
		}
		if err := e.ids.DeleteNode(e.ctx, e.sys, child.ID); !errors.Is(err, identity.ErrNodeInUse) {
			t.Errorf("delete a sub-department owning an app: %v, want ErrNodeInUse", err)
		}
		for _, c := range []struct{ name, id, to string }{
			{"owner", owner.ID, "330100"},
			{"owner under another department", owner.ID, spare.ID},
			{"parent of the owner", parent.ID, "330300"},
			{"the owner itself deeper", child.ID, spare.ID},
		} {
			if _, err := e.ids.UpdateNode(e.ctx, e.sys, c.id, identity.NodeUpdate{ParentID: ptr(c.to)}); !errors.Is(err, identity.ErrNodeInUse) {
				t.Errorf("move %s: %v, want ErrNodeInUse", c.name, err)
			}
		}
		e.wantAudit(t, before, 0, "refused deletes and moves")
		if n, err := e.ids.Node(e.ctx, child.ID); err != nil || n.Path != child.Path {
			t.Errorf("owning node changed: %+v %v", n, err)
		}
		// Renaming is fine, and so are nodes that own nothing.
		if _, err := e.ids.UpdateNode(e.ctx, e.sys, owner.ID, identity.NodeUpdate{Name: ptr("西湖区文化广电旅游局")}); err != nil {
			t.Errorf("rename an owning department: %v", err)
		}
		if _, err := e.ids.UpdateNode(e.ctx, e.sys, spare.ID, identity.NodeUpdate{ParentID: ptr("330100")}); err != nil {
			t.Errorf("move an empty department: %v", err)
		}
		if err := e.ids.DeleteNode(e.ctx, e.sys, spare.ID); err != nil {
			t.Errorf("delete an empty department: %v", err)
		}
		e.wantAudit(t, before, 3, "rename, move and delete")
		// The apps kept their owner path, so owners still see them.
		for _, id := range []string{"xh-tour", "xh-cdc"} {
			a, err := e.reg.Get(e.ctx, e.sys, id)
			if err != nil {
				t.Fatal(err)
			}
			n, err := e.ids.Node(e.ctx, a.OwnerNode)
			if err != nil {
				t.Fatal(err)
			}
			list, err := e.reg.List(e.ctx, &identity.Principal{Grants: []identity.PrincipalGrant{{NodePath: n.Path, Permissions: []string{identity.PermStatsRead}}}}, apps.ListFilter{})
			if err != nil || len(list) != 1 || list[0].ID != id {
				t.Errorf("owner of %s lists %+v (%v)", id, list, err)
			}
		}
	})
}

// TestRegionGuard: a region that apps serve cannot be deleted, or they would point at nothing.
func TestRegionGuard(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := newAppEnv(t, d)
		owner := e.dept(t, "330100", "杭州市文旅局")
		in := e.validCreate("hz-tour", owner.ID)
		in.Regions = []string{"330182"}
		if _, err := e.reg.Create(e.ctx, e.sys, in); err != nil {
			t.Fatal(err)
		}
		if err := e.ids.DeleteNode(e.ctx, e.sys, "330182"); !errors.Is(err, identity.ErrNodeInUse) || !strings.Contains(err.Error(), "serve") {
			t.Fatalf("delete a region an app serves: %v, want ErrNodeInUse naming the apps that serve it", err)
		}
		if err := e.ids.DeleteNode(e.ctx, e.sys, "330127"); err != nil {
			t.Fatalf("delete a region nobody serves: %v", err)
		}
	})
}
