package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/auth"
	"github.com/govapp/govapp/platform/internal/blob"
	"github.com/govapp/govapp/platform/internal/bridge"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/demo"
	"github.com/govapp/govapp/platform/internal/devrelay"
	"github.com/govapp/govapp/platform/internal/ext/sms"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/push"
	"github.com/govapp/govapp/platform/internal/releases"
	"github.com/govapp/govapp/platform/internal/stats"
	smsfake "github.com/govapp/govapp/sandbox/sms"
)

// fixture is a platform with two departments in different cities and callers of every kind:
// A is the department under test, B is "another department".
type fixture struct {
	t       *testing.T
	db      *db.DB
	ids     *identity.Service
	apps    *apps.Service
	audit   *audit.Store
	rel     *releases.Service
	auth    *auth.Service
	ups     map[string]*fakeUpstream
	bridge  *bridge.Service
	dev     *devrelay.Service
	push    *push.Service
	stats   *stats.Store
	sms     *smsfake.Gateway
	key     hotupdate.PrivateKey
	blobDir string
	srv     *httptest.Server
	doc     *openapi3.T
	deptA   string
	deptB   string
	deptR   string
	tokens  map[string]string // caller name -> secret
	users   map[string]string // caller name -> user id
	seq     int
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	au, err := audit.NewStore(ctx, d)
	must(t, err)
	ids, err := identity.NewService(ctx, d, au)
	must(t, err)
	reg, err := apps.NewService(ctx, d, ids, au)
	must(t, err)
	tree, err := demo.Regions("")
	must(t, err)
	_, err = ids.LoadRegions(ctx, tree)
	must(t, err)
	f := &fixture{t: t, db: d, ids: ids, apps: reg, audit: au, tokens: map[string]string{}, users: map[string]string{}}
	sys := identity.SystemPrincipal()
	mk := func(parent, name string) string {
		n, err := ids.CreateNode(ctx, sys, identity.NodeCreate{ParentID: parent, Kind: identity.KindDepartment, Name: name})
		must(t, err)
		return n.ID
	}
	f.deptA = mk("330100", "杭州市数据资源局")
	f.deptB = mk("330300", "温州市数据资源局")
	f.deptR = mk("330000", "省大数据发展管理局")
	for _, c := range []struct{ name, home, role, on string }{
		{"adminA", f.deptA, "admin", f.deptA},
		{"devA", f.deptA, "developer", f.deptA},
		{"viewerA", f.deptA, "operator", f.deptA},
		{"nograntA", f.deptA, "", ""},
		{"adminB", f.deptB, "admin", f.deptB},
		{"adminCity", f.deptA, "admin", "330100"}, // administers 杭州's citizens
		{"reviewer", f.deptR, "reviewer", "330000"},
		{"auditor", f.deptR, "auditor", "330000"},
	} {
		u, tok, err := ids.Bootstrap(ctx, identity.UserCreate{Name: strings.ToLower(c.name), Kind: identity.UserStaff, NodeID: c.home}, orDefault(c.role, "operator"), orDefault(c.on, c.home), "test")
		must(t, err)
		if c.role == "" { // a staff user with no grant at all
			g, err := ids.GetUser(ctx, sys, u.ID)
			must(t, err)
			must(t, ids.DeleteGrant(ctx, sys, u.ID, g.Grants[0].ID))
		}
		f.tokens[c.name], f.users[c.name] = tok.Secret, u.ID
	}
	f.blobDir = t.TempDir()
	blobs, err := blob.NewLocal(f.blobDir)
	must(t, err)
	f.rel, err = releases.NewService(ctx, d, ids, reg, au, blobs)
	must(t, err)
	f.dev, err = devrelay.NewService(ctx, d, reg, blobs, au)
	must(t, err)
	f.key, err = hotupdate.GenerateKey(hotupdate.AlgEd25519, rand.Reader)
	must(t, err)
	devA, err := ids.PrincipalFor(ctx, f.users["devA"])
	must(t, err)
	_, err = f.rel.CreateKey(ctx, devA, f.deptA, releases.KeyCreate{Name: "ci", Alg: f.key.Alg, PublicKey: f.key.PublicKey})
	must(t, err)
	f.ups = map[string]*fakeUpstream{"wechat": {name: "wechat"}, "alipay": {name: "alipay"}}
	for _, u := range f.ups {
		u.start(t)
	}
	var secret [32]byte
	_, _ = rand.Read(secret[:])
	f.sms = &smsfake.Gateway{}
	smsSrv := httptest.NewServer(f.sms)
	t.Cleanup(smsSrv.Close)
	f.auth, err = auth.NewService(ctx, d, ids, reg, au, auth.Config{SecretKey: secret, Upstreams: map[string]auth.Upstream{"wechat": f.ups["wechat"], "alipay": f.ups["alipay"]},
		SMS: &sms.Client{BaseURL: smsSrv.URL}})
	must(t, err)
	f.bridge, err = bridge.NewService(ctx, d, reg, au, secret)
	must(t, err)
	f.push, err = push.NewService(ctx, d, ids, au, push.Config{})
	must(t, err)
	f.stats, err = stats.New(ctx, d, stats.Config{Secret: secret[:], Apps: func(ctx context.Context, id string) (bool, error) {
		_, err := reg.Lookup(ctx, id)
		if errors.Is(err, apps.ErrAppNotFound) {
			return false, nil
		}
		return err == nil, err
	}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	must(t, err)
	t.Cleanup(func() { _ = f.stats.Close(context.Background()) })
	h, err := New(Deps{Identity: ids, Apps: reg, Audit: au, Releases: f.rel, Auth: f.auth, Bridge: f.bridge, Dev: f.dev, Push: f.push, Stats: f.stats, DevClient: []byte("/* dev client */"), SDK: fstest.MapFS{"dist/govapp.js": {Data: []byte("/* sdk */")}}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(), BodyLimit: 1 << 20, Version: "test", Ping: d.PingContext})
	must(t, err)
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	f.doc, err = openAPIDocument()
	must(t, err)
	return f
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// do sends a request as caller ("" = no token) and returns status and decoded body.
func (f *fixture) do(caller, method, path, body string) (int, any, http.Header) {
	f.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, r)
	must(f.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if caller != "" {
		tok, ok := f.tokens[caller]
		if !ok {
			tok = caller // a raw token string
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	must(f.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	must(f.t, err)
	var v any
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &v); err != nil {
			f.t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return resp.StatusCode, v, resp.Header
}

// auditCount is the number of audit entries: a refused request must not change it.
func (f *fixture) auditCount() int {
	var n int
	must(f.t, f.db.QueryRowContext(context.Background(), `SELECT count(*) FROM audit_log`).Scan(&n))
	return n
}

func (f *fixture) uniq(prefix string) string {
	f.seq++
	return prefix + strings.Repeat("x", 0) + itoa(f.seq)
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

// createApp registers an app in department A as devA and moves it to status.
func (f *fixture) createApp(status string) string {
	f.t.Helper()
	ctx := context.Background()
	id := f.uniq("app-")
	dev, err := f.ids.PrincipalFor(ctx, f.users["devA"])
	must(f.t, err)
	_, err = f.apps.Create(ctx, dev, apps.Create{ID: id, Name: "测试应用", OwnerNode: f.deptA, Category: "测试", Regions: []string{"330100"}, Containers: []string{"web"}})
	must(f.t, err)
	rev, err := f.ids.PrincipalFor(ctx, f.users["reviewer"])
	must(f.t, err)
	steps := map[string][]apps.Action{
		apps.StatusDraft:    nil,
		apps.StatusInReview: {apps.ActionSubmit},
		apps.StatusOnline:   {apps.ActionSubmit, apps.ActionApprove},
		apps.StatusOffline:  {apps.ActionSubmit, apps.ActionApprove, apps.ActionOffline},
	}[status]
	for _, a := range steps {
		p := dev
		if a == apps.ActionApprove {
			p = rev
		}
		_, err := f.apps.Transition(ctx, p, id, a, "ok")
		must(f.t, err)
	}
	return id
}

// subDept creates an empty department under A.
func (f *fixture) subDept() string {
	f.t.Helper()
	n, err := f.ids.CreateNode(context.Background(), identity.SystemPrincipal(), identity.NodeCreate{ParentID: f.deptA, Kind: identity.KindDepartment, Name: f.uniq("科室")})
	must(f.t, err)
	return n.ID
}

// userInA creates a staff user in A with no grants.
func (f *fixture) userInA() string {
	f.t.Helper()
	u, err := f.ids.CreateUser(context.Background(), identity.SystemPrincipal(), identity.UserCreate{Name: f.uniq("user"), Kind: identity.UserStaff, NodeID: f.deptA})
	must(f.t, err)
	return u.ID
}

// validate checks a response body against the OpenAPI document.
func (f *fixture) validate(method, routePath string, status int, body any) {
	f.t.Helper()
	path := openAPIPath(routePath)
	item := f.doc.Paths.Value(path)
	if item == nil {
		f.t.Fatalf("openapi: no path %s", path)
	}
	op := item.GetOperation(method)
	if op == nil {
		f.t.Fatalf("openapi: no operation %s %s", method, path)
	}
	resp := op.Responses.Status(status)
	if resp == nil {
		resp = op.Responses.Default()
	}
	if resp == nil || resp.Value == nil {
		f.t.Fatalf("openapi: %s %s has no response %d", method, path, status)
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil {
		if body != nil {
			f.t.Fatalf("openapi: %s %s %d documents no JSON body but one was sent", method, path, status)
		}
		return
	}
	if err := mt.Schema.Value.VisitJSON(body); err != nil {
		f.t.Fatalf("openapi: %s %s %d body does not match the document: %v\nbody: %v", method, path, status, err, body)
	}
}

func (f *fixture) principal(name string) *identity.Principal {
	f.t.Helper()
	p, err := f.ids.PrincipalFor(context.Background(), f.users[name])
	must(f.t, err)
	return p
}

// envelope builds a signed bundle for app with one file, uploading the file; it returns the
// envelope JSON and the bundle id.
func (f *fixture) envelope(appID, content string) ([]byte, string) {
	f.t.Helper()
	files := map[string][]byte{"index.html": []byte(content)}
	m, err := hotupdate.NewManifest(appID, "1.0.0", "index.html", files, nil, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	must(f.t, err)
	_, _, err = f.rel.PutBlob(context.Background(), f.principal("devA"), appID, m.Files[0].SHA256, bytes.NewReader(files["index.html"]))
	must(f.t, err)
	env, err := hotupdate.Sign(m, f.key)
	must(f.t, err)
	raw, err := json.Marshal(env)
	must(f.t, err)
	return raw, m.BundleID
}

// bundle registers a bundle for app and returns its id.
func (f *fixture) bundle(appID string) string {
	f.t.Helper()
	raw, id := f.envelope(appID, "<html><head></head><body>"+f.uniq("v")+"</body></html>")
	_, _, err := f.rel.CreateBundle(context.Background(), f.principal("devA"), appID, raw)
	must(f.t, err)
	return id
}

// release publishes a fresh bundle of app on channel; review "never" unless pending is asked.
func (f *fixture) release(appID, channel string, pending bool) string {
	f.t.Helper()
	ctx := context.Background()
	if !pending {
		_, err := f.rel.SetPolicy(ctx, f.principal("reviewer"), appID, releases.Policy{Review: releases.ReviewNever})
		must(f.t, err)
	}
	r, err := f.rel.CreateRelease(ctx, f.principal("devA"), appID, releases.ReleaseCreate{BundleID: f.bundle(appID), Channel: channel, Percent: 10})
	must(f.t, err)
	return r.ID
}

// publishFiles registers a bundle made of files for app and releases it to 100 % of
// production (review policy "never"); it returns the release and the manifest.
func (f *fixture) publishFiles(appID, version string, files map[string]string) (string, hotupdate.Manifest) {
	f.t.Helper()
	ctx := context.Background()
	dev := f.principal("devA")
	raw := map[string][]byte{}
	for p, c := range files {
		raw[p] = []byte(c)
	}
	m, err := hotupdate.NewManifest(appID, version, "index.html", raw, nil, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	must(f.t, err)
	for _, file := range m.Files {
		_, _, err := f.rel.PutBlob(ctx, dev, appID, file.SHA256, bytes.NewReader(raw[file.Path]))
		must(f.t, err)
	}
	env, err := hotupdate.Sign(m, f.key)
	must(f.t, err)
	body, err := json.Marshal(env)
	must(f.t, err)
	_, _, err = f.rel.CreateBundle(ctx, dev, appID, body)
	must(f.t, err)
	_, err = f.rel.SetPolicy(ctx, f.principal("reviewer"), appID, releases.Policy{Review: releases.ReviewNever})
	must(f.t, err)
	r, err := f.rel.CreateRelease(ctx, dev, appID, releases.ReleaseCreate{BundleID: m.BundleID, Channel: "production", Percent: 100})
	must(f.t, err)
	return r.ID, m
}

// fakeUpstream stands in for WeChat/Alipay sign-in in HTTP-layer tests (the protocol-faithful
// fakes live in sandbox/ and are tested with the real clients there): its authorize URL
// points at its own tiny server, which "consents" at once and returns to the platform.
type fakeUpstream struct {
	name string
	srv  *httptest.Server
	// who is the person the next code stands for.
	who   auth.UpstreamIdentity
	codes map[string]auth.UpstreamIdentity
}

func (u *fakeUpstream) Name() string { return u.name }

func (u *fakeUpstream) AuthorizeURL(redirectURI, state string, _ bool) string {
	return u.srv.URL + "/authorize?redirect_uri=" + url.QueryEscape(redirectURI) + "&state=" + url.QueryEscape(state)
}

func (u *fakeUpstream) Exchange(_ context.Context, code string) (auth.UpstreamIdentity, error) {
	who, ok := u.codes[code]
	if !ok {
		return auth.UpstreamIdentity{}, fmt.Errorf("invalid code %q", code)
	}
	delete(u.codes, code) // single use, as upstreams do
	return who, nil
}

// code mints a code for the current person (what the container or the consent page gives).
func (u *fakeUpstream) code() string {
	if u.codes == nil {
		u.codes = map[string]auth.UpstreamIdentity{}
	}
	c := fmt.Sprintf("%s-code-%d", u.name, len(u.codes)+int(time.Now().UnixNano()%1000000))
	u.codes[c] = u.who
	return c
}

func (u *fakeUpstream) start(t *testing.T) {
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := r.URL.Query().Get("redirect_uri") + "?code=" + url.QueryEscape(u.code()) + "&state=" + url.QueryEscape(r.URL.Query().Get("state"))
		http.Redirect(w, r, to, http.StatusFound)
	}))
	t.Cleanup(u.srv.Close)
}

// citizenInA signs a citizen in through provider (their home region is A's city, 杭州) and
// returns the citizen's user id.
func (f *fixture) citizenInA(provider, subject string) string {
	f.t.Helper()
	app := f.createApp(apps.StatusOnline)
	_, err := f.auth.RegisterClient(context.Background(), f.principal("devA"), app, auth.ClientRegistration{RedirectURIs: []string{"https://app.example.gov.cn/cb"}})
	must(f.t, err)
	f.ups[provider].who = auth.UpstreamIdentity{Provider: provider, Subject: subject, Nickname: "市民", Region: "330100"}
	st, body, _ := f.do("", "POST", "/v1/auth/container-login", `{"app_id":"`+app+`","container":"`+provider+`","credential":"`+f.ups[provider].code()+`"}`)
	if st != 200 {
		f.t.Fatalf("container login: %d %v", st, body)
	}
	var user string
	must(f.t, f.db.QueryRowContext(context.Background(), `SELECT user_id FROM auth_identities WHERE provider = $1 AND subject = $2`, provider, subject).Scan(&user))
	return user
}

// devSession opens a dev session for a fresh online app as devA with one uploaded file and
// returns the session id and the sync body that points at that file.
func (f *fixture) devSession() (string, string) {
	f.t.Helper()
	ctx := context.Background()
	app := f.createApp(apps.StatusOnline)
	ses, err := f.dev.Create(ctx, f.principal("devA"), app)
	must(f.t, err)
	html := "<!doctype html><html><head></head><body>dev " + f.uniq("b") + "</body></html>"
	sum := sha256.Sum256([]byte(html))
	sha := hex.EncodeToString(sum[:])
	_, _, err = f.rel.PutBlob(ctx, f.principal("devA"), app, sha, strings.NewReader(html))
	must(f.t, err)
	return ses.ID, `{"entry":"index.html","files":{"index.html":"` + sha + `"}}`
}

// notice sends a notice for department A as viewerA (an operator) to A's staff.
func (f *fixture) notice() string {
	f.t.Helper()
	n, _, err := f.push.Create(context.Background(), f.principal("viewerA"), push.NoticeCreate{Scope: f.deptA, Title: "系统维护", Body: "今晚22点系统维护",
		Audience: push.Audience{Terms: []push.Term{{Nodes: []push.NodeRef{{ID: f.deptA, Subtree: true}}}}}})
	must(f.t, err)
	return n.ID
}
