package releases_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/blob"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/releases"
)

type env struct {
	ctx      context.Context
	d        *db.DB
	ids      *identity.Service
	reg      *apps.Service
	au       *audit.Store
	rel      *releases.Service
	dept     identity.Node
	other    identity.Node
	dev      *identity.Principal
	devB     *identity.Principal
	reviewer *identity.Principal
	key      hotupdate.PrivateKey
	appID    string
}

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{ctx: ctx, d: d}
	var err error
	e.au, err = audit.NewStore(ctx, d)
	must(t, err)
	e.ids, err = identity.NewService(ctx, d, e.au)
	must(t, err)
	e.reg, err = apps.NewService(ctx, d, e.ids, e.au)
	must(t, err)
	blobs, err := blob.NewLocal(t.TempDir())
	must(t, err)
	e.rel, err = releases.NewService(ctx, d, e.ids, e.reg, e.au, blobs)
	must(t, err)
	tree := identity.RegionTree{Code: "330000", Name: "浙江省", Level: "province", Children: []identity.RegionTree{
		{Code: "330100", Name: "杭州市", Level: "city", Children: []identity.RegionTree{
			{Code: "330102", Name: "上城区", Level: "district"}, {Code: "330106", Name: "西湖区", Level: "district"}, {Code: "330111", Name: "富阳区", Level: "district"}}},
		{Code: "330300", Name: "温州市", Level: "city"}}}
	_, err = e.ids.LoadRegions(ctx, tree)
	must(t, err)
	sys := identity.SystemPrincipal()
	e.dept, err = e.ids.CreateNode(ctx, sys, identity.NodeCreate{ParentID: "330100", Kind: identity.KindDepartment, Name: "杭州市公积金中心"})
	must(t, err)
	e.other, err = e.ids.CreateNode(ctx, sys, identity.NodeCreate{ParentID: "330300", Kind: identity.KindDepartment, Name: "温州市公积金中心"})
	must(t, err)
	rdept, err := e.ids.CreateNode(ctx, sys, identity.NodeCreate{ParentID: "330000", Kind: identity.KindDepartment, Name: "省大数据局"})
	must(t, err)
	mk := func(name, home, role, on string) *identity.Principal {
		u, _, err := e.ids.Bootstrap(ctx, identity.UserCreate{Name: name, Kind: identity.UserStaff, NodeID: home}, role, on, "")
		must(t, err)
		p, err := e.ids.PrincipalFor(ctx, u.ID)
		must(t, err)
		return p
	}
	e.dev = mk("dev", e.dept.ID, "developer", e.dept.ID)
	e.devB = mk("devb", e.other.ID, "developer", e.other.ID)
	e.reviewer = mk("rev", rdept.ID, "reviewer", "330000")
	e.appID = "gjj-query"
	_, err = e.reg.Create(ctx, e.dev, apps.Create{ID: e.appID, Name: "公积金查询", OwnerNode: e.dept.ID, Category: "住房", Regions: []string{"330100"}, Containers: []string{"wechat", "govapp", "web"}})
	must(t, err)
	_, err = e.reg.Transition(ctx, e.dev, e.appID, apps.ActionSubmit, "")
	must(t, err)
	_, err = e.reg.Transition(ctx, e.reviewer, e.appID, apps.ActionApprove, "ok")
	must(t, err)
	e.key, err = hotupdate.GenerateKey(hotupdate.AlgEd25519, rand.Reader)
	must(t, err)
	_, err = e.rel.CreateKey(ctx, e.dev, e.dept.ID, releases.KeyCreate{Name: "ci", Alg: e.key.Alg, PublicKey: e.key.PublicKey})
	must(t, err)
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// publish builds a bundle from files, uploads what is missing and registers it; it returns
// the bundle id and how many files had to be uploaded.
func (e *env) publish(t *testing.T, version string, files map[string]string) (string, int) {
	t.Helper()
	raw := map[string][]byte{}
	for p, c := range files {
		raw[p] = []byte(c)
	}
	m, err := hotupdate.NewManifest(e.appID, version, "index.html", raw, nil, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	must(t, err)
	env, err := hotupdate.Sign(m, e.key)
	must(t, err)
	var hashes []string
	byHash := map[string][]byte{}
	for _, f := range m.Files {
		hashes = append(hashes, f.SHA256)
		byHash[f.SHA256] = raw[f.Path]
	}
	missing, err := e.rel.MissingBlobs(e.ctx, e.dev, e.appID, hashes)
	must(t, err)
	for _, h := range missing {
		_, _, err := e.rel.PutBlob(e.ctx, e.dev, e.appID, h, bytes.NewReader(byHash[h]))
		must(t, err)
	}
	body, err := json.Marshal(env)
	must(t, err)
	b, _, err := e.rel.CreateBundle(e.ctx, e.dev, e.appID, body)
	must(t, err)
	return b.BundleID, len(missing)
}

type answer struct {
	status   string // "none", "update", "rollback"
	bundle   string
	embedded bool
}

func (e *env) check(t *testing.T, device, current string, extra ...func(*releases.CheckRequest)) answer {
	t.Helper()
	req := releases.CheckRequest{AppID: e.appID, Channel: "production", Bundle: current, Container: "govapp", ContainerVersion: "3.2.1", Device: device, Region: "330106"}
	for _, f := range extra {
		f(&req)
	}
	res, err := e.rel.Check(e.ctx, req)
	must(t, err)
	if res.NoUpdate {
		return answer{status: "none"}
	}
	var body releases.CheckResponse
	must(t, json.Unmarshal(res.Body, &body))
	a := answer{status: "update", bundle: body.BundleID}
	if body.Rollback {
		a.status = "rollback"
		a.embedded = body.ReleaseID == ""
	}
	if !a.embedded {
		// What a device would do: verify the manifest with the keys the answer carries.
		if _, err := hotupdate.VerifyBundle(body.Manifest, body.Keys, hotupdate.DefaultLimits(), nil); err != nil {
			t.Fatalf("served manifest does not verify: %v", err)
		}
	}
	return a
}

func devices(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("device-%05d", i)
	}
	return out
}

// TestRolloutLifecycle walks publish → 10 % → 100 % → one-file update → rollback → halt.
func TestRolloutLifecycle(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		files := map[string]string{"index.html": "<html><head></head><body>v1</body></html>", "app.js": "console.log(1)", "logo.svg": "<svg/>"}
		b1, uploaded := e.publish(t, "1.0.0", files)
		if uploaded != 3 {
			t.Fatalf("first publish uploaded %d files, want 3", uploaded)
		}
		r1, err := e.rel.CreateRelease(e.ctx, e.dev, e.appID, releases.ReleaseCreate{BundleID: b1, Channel: "production", Percent: 10})
		must(t, err)
		if r1.Status != releases.StatusPendingReview {
			t.Fatalf("first production release: status %s, want pending_review (default policy)", r1.Status)
		}
		devs := devices(2000)
		if got := e.check(t, devs[0], ""); got.status != "none" {
			t.Fatalf("a release waiting for review was served: %+v", got)
		}
		if _, err := e.rel.Approve(e.ctx, e.dev, r1.ID); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("the author approved their own release: %v", err)
		}
		_, err = e.rel.Approve(e.ctx, e.reviewer, r1.ID)
		must(t, err)

		in10 := map[string]bool{}
		for _, dv := range devs {
			switch got := e.check(t, dv, ""); got.status {
			case "update":
				if got.bundle != b1 {
					t.Fatalf("device got bundle %s, want %s", got.bundle, b1)
				}
				in10[dv] = true
			case "none":
			default:
				t.Fatalf("unexpected %+v", got)
			}
		}
		if n := len(in10); n < 140 || n > 260 {
			t.Fatalf("10%% rollout reached %d of 2000 devices", n)
		}
		_, err = e.rel.SetRollout(e.ctx, e.dev, r1.ID, 50)
		must(t, err)
		in50 := 0
		for _, dv := range devs {
			got := e.check(t, dv, "")
			if in10[dv] && got.status != "update" {
				t.Fatalf("raising the share removed device %s", dv)
			}
			if got.status == "update" {
				in50++
			}
		}
		if in50 < 850 || in50 > 1150 {
			t.Fatalf("50%% rollout reached %d of 2000", in50)
		}
		_, err = e.rel.SetRollout(e.ctx, e.dev, r1.ID, 100)
		must(t, err)
		for _, dv := range devs[:100] {
			if got := e.check(t, dv, ""); got.status != "update" {
				t.Fatalf("100%%: device %s got %+v", dv, got)
			}
			if got := e.check(t, dv, b1); got.status != "none" {
				t.Fatalf("up-to-date device %s got %+v", dv, got)
			}
		}

		// A one-file change uploads one file; later releases need no review by default.
		files["app.js"] = "console.log(2)"
		b2, uploaded := e.publish(t, "1.0.1", files)
		if uploaded != 1 {
			t.Fatalf("publish after a one-file change uploaded %d files, want 1", uploaded)
		}
		r2, err := e.rel.CreateRelease(e.ctx, e.dev, e.appID, releases.ReleaseCreate{BundleID: b2, Channel: "production", Percent: 100, Mandatory: true})
		must(t, err)
		if r2.Status != releases.StatusActive || r2.Replaces != r1.ID {
			t.Fatalf("second release: %+v", r2)
		}
		if got := e.check(t, devs[1], b1); got.status != "update" || got.bundle != b2 {
			t.Fatalf("device on v1 got %+v, want v2", got)
		}

		// Rollback: everyone on v2 is told to go back to v1; v1 devices stay.
		back, err := e.rel.Rollback(e.ctx, e.dev, e.appID, "production", "")
		must(t, err)
		if back.ID != r1.ID {
			t.Fatalf("rollback serves %s, want %s", back.ID, r1.ID)
		}
		for _, dv := range devs[:50] {
			if got := e.check(t, dv, b2); got.status != "rollback" || got.bundle != b1 {
				t.Fatalf("device on rolled-back v2 got %+v, want rollback to v1", got)
			}
			if got := e.check(t, dv, b1); got.status != "none" {
				t.Fatalf("device on v1 got %+v after rollback", got)
			}
		}
		// Rolling back the last release sends devices to their embedded bundle.
		if last, err := e.rel.Rollback(e.ctx, e.dev, e.appID, "production", ""); err != nil || last.ID != "" || !strings.Contains(last.StatusReason, "embedded") {
			t.Fatalf("rollback of the last release: %+v %v", last, err)
		}
		if got := e.check(t, devs[0], b1); got.status != "rollback" || !got.embedded {
			t.Fatalf("device on v1 after the last rollback got %+v, want back to embedded", got)
		}
	})
}

// TestAutomaticHalt: a release that fails clearly more often than the one it replaced stops.
func TestAutomaticHalt(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		_, err := e.rel.SetPolicy(e.ctx, e.reviewer, e.appID, releases.Policy{Review: releases.ReviewNever})
		must(t, err)
		b1, _ := e.publish(t, "1.0.0", map[string]string{"index.html": "<p>1</p>"})
		r1, err := e.rel.CreateRelease(e.ctx, e.dev, e.appID, releases.ReleaseCreate{BundleID: b1, Channel: "production", Percent: 100})
		must(t, err)
		devs := devices(200)
		report := func(r releases.Release, dv, ev string) {
			must(t, e.rel.Report(e.ctx, releases.ReportIn{AppID: e.appID, ReleaseID: r.ID, BundleID: r.BundleID, Device: dv, Event: ev, Reason: "x"}))
		}
		for i, dv := range devs[:100] {
			ev := "ready"
			if i < 2 {
				ev = "failed"
			}
			report(r1, dv, ev)
		}
		b2, _ := e.publish(t, "2.0.0", map[string]string{"index.html": "<p>2</p>"})
		r2, err := e.rel.CreateRelease(e.ctx, e.dev, e.appID, releases.ReleaseCreate{BundleID: b2, Channel: "production", Percent: 100})
		must(t, err)
		before := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'release.halt'`)
		for i, dv := range devs[100:160] {
			ev := "ready"
			if i%4 == 0 { // 25 % failures against 2 %
				ev = "failed"
			}
			report(r2, dv, ev)
			report(r2, dv, ev) // repeated reports count once
		}
		got, err := e.rel.GetRelease(e.ctx, e.dev, r2.ID)
		must(t, err)
		if got.Status != releases.StatusHalted || !strings.Contains(got.StatusReason, "halted automatically") {
			t.Fatalf("release with 25%% failures: %s (%s), want halted", got.Status, got.StatusReason)
		}
		if got.Stats.Failed != 15 || got.Stats.Ready != 45 {
			t.Fatalf("stats %+v, want 15 failed 45 ready", got.Stats)
		}
		if after := count(t, d, `SELECT count(*) FROM audit_log WHERE action = 'release.halt' AND actor_id = 'system'`); after != before+1 {
			t.Fatalf("halt not in the audit log as system")
		}
		if a := e.check(t, devs[150], b2); a.status != "rollback" || a.bundle != b1 {
			t.Fatalf("device on the halted release got %+v, want back to v1", a)
		}
		if a := e.check(t, devs[10], b1); a.status != "none" {
			t.Fatalf("device on v1 got %+v while v2 is halted", a)
		}
	})
}

func count(t *testing.T, d *db.DB, q string) int {
	var n int
	must(t, d.QueryRowContext(context.Background(), q).Scan(&n))
	return n
}

// TestTargeting limits a release to 富阳区 on the gov app ≥ 3.2.
func TestTargeting(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		_, err := e.rel.SetPolicy(e.ctx, e.reviewer, e.appID, releases.Policy{Review: releases.ReviewNever})
		must(t, err)
		b, _ := e.publish(t, "1.0.0", map[string]string{"index.html": "<p>fy</p>"})
		_, err = e.rel.CreateRelease(e.ctx, e.dev, e.appID, releases.ReleaseCreate{BundleID: b, Channel: "production", Percent: 100,
			Target: &releases.Target{Regions: []string{"330111"}, Containers: map[string]string{"govapp": ">=3.2"}}})
		must(t, err)
		cases := []struct {
			name string
			f    func(*releases.CheckRequest)
			want string
		}{
			{"富阳区, gov app 3.2.1", func(r *releases.CheckRequest) { r.Region = "330111" }, "update"},
			{"西湖区", func(r *releases.CheckRequest) { r.Region = "330106" }, "none"},
			{"no region", func(r *releases.CheckRequest) { r.Region = "" }, "none"},
			{"gov app 3.1", func(r *releases.CheckRequest) { r.Region, r.ContainerVersion = "330111", "3.1.9" }, "none"},
			{"WeChat", func(r *releases.CheckRequest) {
				r.Region, r.Container, r.ContainerVersion = "330111", "wechat", "8.0.47"
			}, "none"},
		}
		for _, c := range cases {
			if got := e.check(t, "device-00001", "", c.f); got.status != c.want {
				t.Errorf("%s: %+v, want %s", c.name, got, c.want)
			}
		}
	})
}

// TestHostileInput: every refusal names the reason and leaves nothing behind.
func TestHostileInput(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		content := []byte("hello")
		m, err := hotupdate.NewManifest(e.appID, "1.0.0", "index.html", map[string][]byte{"index.html": content}, nil, time.Now())
		must(t, err)
		sha := m.Files[0].SHA256
		if _, _, err := e.rel.PutBlob(e.ctx, e.dev, e.appID, sha, strings.NewReader("hellO")); !errors.Is(err, releases.ErrBundleInvalid) {
			t.Errorf("a body that does not match its hash: %v", err)
		}
		if _, _, err := e.rel.PutBlob(e.ctx, e.devB, e.appID, sha, bytes.NewReader(content)); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("upload to another department's app: %v", err)
		}
		env, err := hotupdate.Sign(m, e.key)
		must(t, err)
		raw, _ := json.Marshal(env)
		if _, _, err := e.rel.CreateBundle(e.ctx, e.dev, e.appID, raw); !errors.Is(err, releases.ErrBlobsMissing) {
			t.Errorf("bundle before its files: %v", err)
		}
		_, _, err = e.rel.PutBlob(e.ctx, e.dev, e.appID, sha, bytes.NewReader(content))
		must(t, err)
		// Signed by another department's key: refused as unknown_key.
		keyB, err := hotupdate.GenerateKey(hotupdate.AlgSM2, rand.Reader)
		must(t, err)
		_, err = e.rel.CreateKey(e.ctx, e.devB, e.other.ID, releases.KeyCreate{Name: "b", Alg: keyB.Alg, PublicKey: keyB.PublicKey})
		must(t, err)
		envB, err := hotupdate.Sign(m, keyB)
		must(t, err)
		rawB, _ := json.Marshal(envB)
		if _, _, err := e.rel.CreateBundle(e.ctx, e.dev, e.appID, rawB); !errors.Is(err, releases.ErrBundleInvalid) || !strings.Contains(err.Error(), "unknown_key") {
			t.Errorf("bundle signed by another department: %v", err)
		}
		// A manifest edited after signing.
		tampered := bytes.Replace(raw, []byte(`"1.0.0"`), []byte(`"1.0.9"`), 1)
		if _, _, err := e.rel.CreateBundle(e.ctx, e.dev, e.appID, tampered); !errors.Is(err, releases.ErrBundleInvalid) || !strings.Contains(err.Error(), "bad_signature") {
			t.Errorf("tampered manifest: %v", err)
		}
		if n := count(t, d, `SELECT count(*) FROM bundles`); n != 0 {
			t.Errorf("%d bundles left behind by refused requests", n)
		}
		// Releases for an app the caller does not own.
		b, _, err := e.rel.CreateBundle(e.ctx, e.dev, e.appID, raw)
		must(t, err)
		if _, err := e.rel.CreateRelease(e.ctx, e.devB, e.appID, releases.ReleaseCreate{BundleID: b.BundleID, Channel: "production", Percent: 100}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("release by another department: %v", err)
		}
		if _, err := e.rel.CreateRelease(e.ctx, e.dev, e.appID, releases.ReleaseCreate{BundleID: b.BundleID, Channel: "production", Percent: 0.001}); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("0.001%% rollout: %v", err)
		}
		if _, err := e.rel.Check(e.ctx, releases.CheckRequest{AppID: e.appID, Device: "x"}); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("update check with a bad device id: %v", err)
		}
	})
}

// TestInstancesShareInvalidation: two platform instances on one PostgreSQL database; a release
// made through one reaches devices asking the other, whose answer was cached before.
func TestInstancesShareInvalidation(t *testing.T) {
	url := dbtest.PostgresURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d1, err := db.Open(ctx, url, "")
	must(t, err)
	defer d1.Close()
	e := setup(t, d1)
	d2, err := db.Open(ctx, url, "")
	must(t, err)
	defer d2.Close()
	au2, err := audit.NewStore(ctx, d2)
	must(t, err)
	ids2, err := identity.NewService(ctx, d2, au2)
	must(t, err)
	reg2, err := apps.NewService(ctx, d2, ids2, au2)
	must(t, err)
	blobs2, err := blob.NewLocal(t.TempDir())
	must(t, err)
	rel2, err := releases.NewService(ctx, d2, ids2, reg2, au2, blobs2)
	must(t, err)
	listening := make(chan error, 1)
	go func() { listening <- rel2.Listen(ctx) }()
	req := releases.CheckRequest{AppID: e.appID, Device: "device-00042", Container: "web"}
	// Instance 2 caches "nothing released" until it hears otherwise.
	for i := 0; ; i++ {
		res, err := rel2.Check(ctx, req)
		must(t, err)
		if !res.NoUpdate {
			t.Fatalf("instance 2 sees a release before any exists")
		}
		// Give LISTEN time to be in place before the change (it connects asynchronously).
		if i == 20 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, err = e.rel.SetPolicy(ctx, e.reviewer, e.appID, releases.Policy{Review: releases.ReviewNever})
	must(t, err)
	b, _ := e.publish(t, "1.0.0", map[string]string{"index.html": "<p>1</p>"})
	r, err := e.rel.CreateRelease(ctx, e.dev, e.appID, releases.ReleaseCreate{BundleID: b, Channel: "production", Percent: 100})
	must(t, err)
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := rel2.Check(ctx, req)
		must(t, err)
		if res.ReleaseID == r.ID {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("instance 2 never heard of the release made on instance 1")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-listening; err != nil {
		t.Fatalf("Listen: %v", err)
	}
}
