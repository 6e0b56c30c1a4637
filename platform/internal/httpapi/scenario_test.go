package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/auth"
	"github.com/govapp/govapp/platform/internal/bridge"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/releases"
)

// f0key is in every key listing of department A (the fixture registers an ed25519 key).
const f0key = `"alg":"ed25519"`

// The four callers every console route is tried with. For routes that only list, a token of
// another department gets its own (empty of A) list rather than 403: the check then is that
// nothing of department A leaks.
const (
	callerNone   = "none"
	callerOther  = "other"
	callerNoPerm = "noperm"
	callerOK     = "ok"
)

type expect struct {
	as     string // fixture caller name
	status int
	// notContains, when set, must not appear in the body (department A's data).
	notContains string
	contains    string
}

// noAudit lists successful non-GETs that change no console state: file uploads (the bundle
// that uses them is audited) and lookups.
var noAudit = map[string]bool{"POST /v1/apps/:id/blobs/missing": true, "PUT /v1/apps/:id/blobs/:sha256": true,
	"POST /v1/push/preview":          true, // counts, changes nothing
	"PUT /v1/dev/sessions/:id/files": true} // every save of `govapp dev --cloud`; opening and ending sessions are audited

type scenario struct {
	method, route string
	// setup prepares a fresh target and returns the concrete path and body.
	setup func(f *fixture) (path, body string, leak string)
	cases func(f *fixture, leak string) map[string]expect
}

// std is the common case: both refusals are 403 with the Error shape (checked against the
// OpenAPI schema, which admits no other fields, so no data of A can ride along).
func std(ok expect, other, noperm string) func(*fixture, string) map[string]expect {
	return func(f *fixture, leak string) map[string]expect {
		return map[string]expect{
			callerNone:   {status: 401},
			callerOther:  {as: other, status: 403},
			callerNoPerm: {as: noperm, status: 403},
			callerOK:     ok,
		}
	}
}

// listing: another department gets 200 without A's data, a caller with no grant gets 403.
func listing(okAs, noperm string) func(*fixture, string) map[string]expect {
	return func(f *fixture, leak string) map[string]expect {
		return map[string]expect{
			callerNone:   {status: 401},
			callerOther:  {as: "adminB", status: 200, notContains: leak},
			callerNoPerm: {as: noperm, status: 403, notContains: leak},
			callerOK:     {as: okAs, status: 200, contains: leak},
		}
	}
}

// ownerOnly: a dev session belongs to the developer who opened it; to anyone else it does not
// exist (404), not even to administrators.
func ownerOnly(ok expect) func(*fixture, string) map[string]expect {
	return func(f *fixture, _ string) map[string]expect {
		return map[string]expect{
			callerNone:   {status: 401},
			callerOther:  {as: "adminB", status: 404},
			callerNoPerm: {as: "adminA", status: 404},
			callerOK:     ok,
		}
	}
}

// hidden: a notice of another department does not exist for the caller (404).
func hidden(ok expect) func(*fixture, string) map[string]expect {
	return func(f *fixture, _ string) map[string]expect {
		return map[string]expect{
			callerNone:   {status: 401},
			callerOther:  {as: "adminB", status: 404},
			callerNoPerm: {as: "devA", status: 404},
			callerOK:     ok,
		}
	}
}

func public(f *fixture, _ string) map[string]expect {
	return map[string]expect{
		callerNone: {status: 200}, callerOther: {as: "adminB", status: 200},
		callerNoPerm: {as: "nograntA", status: 200}, callerOK: {as: "adminA", status: 200},
	}
}

func anyToken(f *fixture, _ string) map[string]expect {
	return map[string]expect{
		callerNone: {status: 401}, callerOther: {as: "adminB", status: 200},
		callerNoPerm: {as: "nograntA", status: 200}, callerOK: {as: "adminA", status: 200},
	}
}

func fixed(path, body string) func(*fixture) (string, string, string) {
	return func(*fixture) (string, string, string) { return path, body, "" }
}

func scenarios() []scenario {
	appIn := func(status, suffix, body string) func(f *fixture) (string, string, string) {
		return func(f *fixture) (string, string, string) {
			id := f.createApp(status)
			return "/v1/apps/" + id + suffix, body, id
		}
	}
	return []scenario{
		{"GET", "/healthz", fixed("/healthz", ""), public},
		{"GET", "/metrics", fixed("/metrics", ""), public},
		{"GET", "/v1/openapi.json", fixed("/v1/openapi.json", ""), public},
		{"GET", "/v1/me", fixed("/v1/me", ""), anyToken},
		{"GET", "/v1/roles", fixed("/v1/roles", ""), anyToken},

		{"GET", "/v1/orgs", func(f *fixture) (string, string, string) { return "/v1/orgs", "", f.deptA }, listing("viewerA", "nograntA")},
		{"POST", "/v1/orgs", func(f *fixture) (string, string, string) {
			return "/v1/orgs", fmt.Sprintf(`{"parent_id":%q,"kind":"department","name":%q}`, f.deptA, f.uniq("新科室")), ""
		}, std(expect{as: "adminA", status: 201}, "adminB", "devA")},
		{"GET", "/v1/orgs/:id", func(f *fixture) (string, string, string) { return "/v1/orgs/" + f.deptA, "", f.deptA },
			std(expect{as: "viewerA", status: 200}, "adminB", "nograntA")},
		{"PATCH", "/v1/orgs/:id", func(f *fixture) (string, string, string) {
			id := f.subDept()
			return "/v1/orgs/" + id, `{"name":"改名后的科室"}`, id
		}, std(expect{as: "adminA", status: 200}, "adminB", "devA")},
		{"DELETE", "/v1/orgs/:id", func(f *fixture) (string, string, string) { id := f.subDept(); return "/v1/orgs/" + id, "", id },
			std(expect{as: "adminA", status: 204}, "adminB", "devA")},

		{"GET", "/v1/users", func(f *fixture) (string, string, string) { return "/v1/users", "", f.users["devA"] }, func(f *fixture, leak string) map[string]expect {
			return map[string]expect{
				callerNone:   {status: 401},
				callerOther:  {as: "adminB", status: 200, notContains: leak},
				callerNoPerm: {as: "devA", status: 403, notContains: "devA"},
				callerOK:     {as: "adminA", status: 200, contains: leak},
			}
		}},
		{"POST", "/v1/users", func(f *fixture) (string, string, string) {
			return "/v1/users", fmt.Sprintf(`{"name":%q,"kind":"staff","node_id":%q}`, f.uniq("newuser"), f.deptA), ""
		}, std(expect{as: "adminA", status: 201}, "adminB", "devA")},
		{"GET", "/v1/users/:id", func(f *fixture) (string, string, string) { return "/v1/users/" + f.users["devA"], "", f.users["devA"] },
			std(expect{as: "adminA", status: 200}, "adminB", "viewerA")},
		{"POST", "/v1/users/:id/grants", func(f *fixture) (string, string, string) {
			return "/v1/users/" + f.userInA() + "/grants", fmt.Sprintf(`{"role":"developer","node_id":%q}`, f.deptA), ""
		}, std(expect{as: "adminA", status: 201}, "adminB", "devA")},
		{"PUT", "/v1/users/:id/password", func(f *fixture) (string, string, string) {
			return "/v1/users/" + f.userInA() + "/password", `{"password":"Hangzhou2026x"}`, ""
		}, std(expect{as: "adminA", status: 204}, "adminB", "devA")},
		{"GET", "/v1/users/:id/identities", func(f *fixture) (string, string, string) {
			return "/v1/users/" + f.citizenInA("wechat", f.uniq("oid-")) + "/identities", "", ""
		}, std(expect{as: "adminCity", status: 200, contains: `"provider":"wechat"`}, "adminB", "adminA")},
		{"DELETE", "/v1/users/:id/identities/:provider", func(f *fixture) (string, string, string) {
			return "/v1/users/" + f.citizenInA("alipay", f.uniq("2088-")) + "/identities/alipay", "", ""
		}, std(expect{as: "adminCity", status: 204}, "adminB", "adminA")},
		{"DELETE", "/v1/users/:id/grants/:grant_id", func(f *fixture) (string, string, string) {
			uid := f.userInA()
			st, body, _ := f.do("adminA", "POST", "/v1/users/"+uid+"/grants", fmt.Sprintf(`{"role":"developer","node_id":%q}`, f.deptA))
			if st != 201 {
				f.t.Fatalf("setup grant: %d %v", st, body)
			}
			return "/v1/users/" + uid + "/grants/" + body.(map[string]any)["id"].(string), "", ""
		}, std(expect{as: "adminA", status: 204}, "adminB", "devA")},

		{"GET", "/v1/tokens", func(f *fixture) (string, string, string) { return "/v1/tokens?user_id=" + f.users["devA"], "", "" },
			std(expect{as: "adminA", status: 200, contains: `"user_id"`}, "adminB", "viewerA")},
		{"POST", "/v1/tokens", func(f *fixture) (string, string, string) {
			return "/v1/tokens", fmt.Sprintf(`{"name":"automation","user_id":%q}`, f.users["devA"]), ""
		}, std(expect{as: "adminA", status: 201, contains: "gvt_"}, "adminB", "viewerA")},
		{"DELETE", "/v1/tokens/:id", func(f *fixture) (string, string, string) {
			st, body, _ := f.do("adminA", "POST", "/v1/tokens", fmt.Sprintf(`{"name":"to-revoke","user_id":%q}`, f.users["devA"]))
			if st != 201 {
				f.t.Fatalf("setup token: %d %v", st, body)
			}
			return "/v1/tokens/" + body.(map[string]any)["id"].(string), "", ""
		}, std(expect{as: "adminA", status: 204}, "adminB", "viewerA")},

		{"GET", "/v1/apps", func(f *fixture) (string, string, string) { return "/v1/apps", "", f.createApp(apps.StatusDraft) }, listing("viewerA", "nograntA")},
		{"POST", "/v1/apps", func(f *fixture) (string, string, string) {
			return "/v1/apps", fmt.Sprintf(`{"id":%q,"name":"公积金提取","owner_node":%q,"category":"住房","regions":["330100"],"containers":["wechat","alipay"],"jsapi_permissions":["location"],"contacts":[{"name":"王五","phone":"0571-87654321"}]}`, f.uniq("gjj-"), f.deptA), ""
		}, std(expect{as: "devA", status: 201}, "adminB", "viewerA")},
		{"GET", "/v1/apps/:id", appIn(apps.StatusDraft, "", ""), std(expect{as: "viewerA", status: 200}, "adminB", "nograntA")},
		{"PATCH", "/v1/apps/:id", appIn(apps.StatusDraft, "", `{"description":"新的说明"}`), std(expect{as: "devA", status: 200}, "adminB", "viewerA")},
		{"POST", "/v1/apps/:id/submit", appIn(apps.StatusDraft, "/submit", `{"comment":"请审核"}`), std(expect{as: "devA", status: 200}, "adminB", "viewerA")},
		{"POST", "/v1/apps/:id/approve", appIn(apps.StatusInReview, "/approve", `{"comment":"同意"}`), std(expect{as: "reviewer", status: 200}, "adminB", "devA")},
		{"POST", "/v1/apps/:id/reject", appIn(apps.StatusInReview, "/reject", `{"comment":"请补充联系人"}`), std(expect{as: "reviewer", status: 200}, "adminB", "devA")},
		{"POST", "/v1/apps/:id/offline", appIn(apps.StatusOnline, "/offline", `{"comment":"服务迁移"}`), std(expect{as: "devA", status: 200}, "adminB", "viewerA")},
		{"GET", "/v1/apps/:id/history", appIn(apps.StatusOnline, "/history", ""), std(expect{as: "viewerA", status: 200}, "adminB", "nograntA")},

		{"GET", "/v1/audit", func(f *fixture) (string, string, string) {
			id := f.createApp(apps.StatusDraft)
			return "/v1/audit?limit=1000", "", id
		}, func(f *fixture, leak string) map[string]expect {
			return map[string]expect{
				callerNone:   {status: 401},
				callerOther:  {as: "adminB", status: 200, notContains: leak},
				callerNoPerm: {as: "devA", status: 403, notContains: leak},
				callerOK:     {as: "adminA", status: 200, contains: leak},
			}
		}},
		{"GET", "/v1/audit/verify", fixed("/v1/audit/verify", ""), std(expect{as: "auditor", status: 200, contains: `"ok":true`}, "adminB", "devA")},

		// Hot update.
		{"GET", "/v1/orgs/:id/keys", func(f *fixture) (string, string, string) { return "/v1/orgs/" + f.deptA + "/keys", "", "" },
			std(expect{as: "viewerA", status: 200, contains: f0key}, "adminB", "nograntA")},
		{"POST", "/v1/orgs/:id/keys", func(f *fixture) (string, string, string) {
			k, err := hotupdate.GenerateKey(hotupdate.AlgSM2, rand.Reader)
			must(f.t, err)
			return "/v1/orgs/" + f.deptA + "/keys", fmt.Sprintf(`{"name":"国密签名","alg":%q,"public_key":%q}`, k.Alg, k.PublicKey), ""
		}, std(expect{as: "devA", status: 201}, "adminB", "viewerA")},
		{"POST", "/v1/keys/:key_id/retire", func(f *fixture) (string, string, string) {
			k, err := hotupdate.GenerateKey(hotupdate.AlgEd25519, rand.Reader)
			must(f.t, err)
			_, err = f.rel.CreateKey(context.Background(), f.principal("devA"), f.deptA, releases.KeyCreate{Name: "old", Alg: k.Alg, PublicKey: k.PublicKey})
			must(f.t, err)
			return "/v1/keys/" + k.KeyID + "/retire", "", ""
		}, std(expect{as: "devA", status: 200, contains: "retired_at"}, "adminB", "viewerA")},
		{"POST", "/v1/apps/:id/blobs/missing", func(f *fixture) (string, string, string) {
			return "/v1/apps/" + f.createApp(apps.StatusOnline) + "/blobs/missing", `{"hashes":["` + strings.Repeat("ab", 32) + `"]}`, ""
		}, std(expect{as: "devA", status: 200, contains: strings.Repeat("ab", 32)}, "adminB", "viewerA")},
		{"PUT", "/v1/apps/:id/blobs/:sha256", func(f *fixture) (string, string, string) {
			body := f.uniq("file-content-")
			sum := sha256.Sum256([]byte(body))
			return "/v1/apps/" + f.createApp(apps.StatusOnline) + "/blobs/" + hex.EncodeToString(sum[:]), body, ""
		}, std(expect{as: "devA", status: 201}, "adminB", "viewerA")},
		{"POST", "/v1/apps/:id/bundles", func(f *fixture) (string, string, string) {
			app := f.createApp(apps.StatusOnline)
			raw, _ := f.envelope(app, "<p>"+f.uniq("b")+"</p>")
			return "/v1/apps/" + app + "/bundles", string(raw), ""
		}, std(expect{as: "devA", status: 201, contains: "bundle_id"}, "adminB", "viewerA")},
		{"GET", "/v1/apps/:id/bundles", func(f *fixture) (string, string, string) {
			app := f.createApp(apps.StatusOnline)
			return "/v1/apps/" + app + "/bundles", "", f.bundle(app)
		}, func(f *fixture, leak string) map[string]expect {
			return std(expect{as: "viewerA", status: 200, contains: leak}, "adminB", "nograntA")(f, leak)
		}},
		{"GET", "/v1/apps/:id/channels", func(f *fixture) (string, string, string) {
			return "/v1/apps/" + f.createApp(apps.StatusOnline) + "/channels", "", ""
		}, std(expect{as: "viewerA", status: 200, contains: "production"}, "adminB", "nograntA")},
		{"POST", "/v1/apps/:id/channels", func(f *fixture) (string, string, string) {
			return "/v1/apps/" + f.createApp(apps.StatusOnline) + "/channels", `{"name":"pilot-fuyang"}`, ""
		}, std(expect{as: "devA", status: 201}, "adminB", "viewerA")},
		{"POST", "/v1/apps/:id/releases", func(f *fixture) (string, string, string) {
			app := f.createApp(apps.StatusOnline)
			return "/v1/apps/" + app + "/releases", fmt.Sprintf(`{"bundle_id":%q,"channel":"staging","percent":12.5,"notes":"修复查询结果分页","target":{"regions":["330111"],"containers":{"govapp":">=3.2"}}}`, f.bundle(app)), ""
		}, std(expect{as: "devA", status: 201, contains: `"percent":12.5`}, "adminB", "viewerA")},
		{"GET", "/v1/apps/:id/releases", func(f *fixture) (string, string, string) {
			app := f.createApp(apps.StatusOnline)
			return "/v1/apps/" + app + "/releases?channel=production", "", f.release(app, "production", false)
		}, func(f *fixture, leak string) map[string]expect {
			return std(expect{as: "viewerA", status: 200, contains: leak}, "adminB", "nograntA")(f, leak)
		}},
		{"GET", "/v1/releases/:id", func(f *fixture) (string, string, string) {
			return "/v1/releases/" + f.release(f.createApp(apps.StatusOnline), "production", false), "", ""
		}, std(expect{as: "viewerA", status: 200, contains: "stats"}, "adminB", "nograntA")},
		{"POST", "/v1/releases/:id/rollout", func(f *fixture) (string, string, string) {
			return "/v1/releases/" + f.release(f.createApp(apps.StatusOnline), "production", false) + "/rollout", `{"percent":50}`, ""
		}, std(expect{as: "devA", status: 200, contains: `"percent":50`}, "adminB", "viewerA")},
		{"POST", "/v1/releases/:id/pause", func(f *fixture) (string, string, string) {
			return "/v1/releases/" + f.release(f.createApp(apps.StatusOnline), "production", false) + "/pause", "", ""
		}, std(expect{as: "devA", status: 200, contains: "paused"}, "adminB", "viewerA")},
		{"POST", "/v1/releases/:id/resume", func(f *fixture) (string, string, string) {
			id := f.release(f.createApp(apps.StatusOnline), "production", false)
			_, err := f.rel.Pause(context.Background(), f.principal("devA"), id)
			must(f.t, err)
			return "/v1/releases/" + id + "/resume", "", ""
		}, std(expect{as: "devA", status: 200, contains: "active"}, "adminB", "viewerA")},
		{"POST", "/v1/releases/:id/approve", func(f *fixture) (string, string, string) {
			return "/v1/releases/" + f.release(f.createApp(apps.StatusOnline), "production", true) + "/approve", "", ""
		}, std(expect{as: "reviewer", status: 200, contains: "active"}, "adminB", "devA")},
		{"POST", "/v1/apps/:id/channels/:channel/rollback", func(f *fixture) (string, string, string) {
			app := f.createApp(apps.StatusOnline)
			first := f.release(app, "production", false)
			f.release(app, "production", false)
			return "/v1/apps/" + app + "/channels/production/rollback", "{}", first
		}, func(f *fixture, leak string) map[string]expect {
			return std(expect{as: "devA", status: 200, contains: leak}, "adminB", "viewerA")(f, leak)
		}},
		{"POST", "/v1/apps/:id/promote", func(f *fixture) (string, string, string) {
			app := f.createApp(apps.StatusOnline)
			f.release(app, "staging", false)
			return "/v1/apps/" + app + "/promote", `{"from":"staging","to":"production"}`, ""
		}, std(expect{as: "devA", status: 201, contains: `"channel":"production"`}, "adminB", "viewerA")},
		{"GET", "/v1/apps/:id/release-policy", func(f *fixture) (string, string, string) {
			return "/v1/apps/" + f.createApp(apps.StatusOnline) + "/release-policy", "", ""
		}, std(expect{as: "viewerA", status: 200, contains: "first"}, "adminB", "nograntA")},
		{"GET", "/v1/apps/:id/oidc-client", func(f *fixture) (string, string, string) {
			app := f.createApp(apps.StatusOnline)
			_, err := f.auth.RegisterClient(context.Background(), f.principal("devA"), app, auth.ClientRegistration{RedirectURIs: []string{"https://gjj.example.gov.cn/cb"}})
			must(f.t, err)
			return "/v1/apps/" + app + "/oidc-client", "", ""
		}, std(expect{as: "viewerA", status: 200, contains: "gjj.example.gov.cn"}, "adminB", "nograntA")},
		{"PUT", "/v1/apps/:id/oidc-client", func(f *fixture) (string, string, string) {
			return "/v1/apps/" + f.createApp(apps.StatusOnline) + "/oidc-client", `{"redirect_uris":["https://gjj.example.gov.cn/cb"],"scopes":["openid","profile","phone"],"confidential":true}`, ""
		}, std(expect{as: "devA", status: 201, contains: "gvs_"}, "adminB", "viewerA")},
		{"GET", "/v1/orgs/:id/wechat-account", func(f *fixture) (string, string, string) {
			_, err := f.bridge.SetAccount(context.Background(), identity.SystemPrincipal(), mustNode(f, f.deptA), bridge.AccountSet{AppID: "wx0123456789abcdef", Secret: "0123456789abcdef0123456789abcdef"})
			must(f.t, err)
			return "/v1/orgs/" + f.deptA + "/wechat-account", "", ""
		}, std(expect{as: "viewerA", status: 200, contains: "wx0123456789abcdef"}, "adminB", "nograntA")},
		{"PUT", "/v1/orgs/:id/wechat-account", func(f *fixture) (string, string, string) {
			return "/v1/orgs/" + f.deptA + "/wechat-account", `{"app_id":"wxfedcba9876543210","secret":"fedcba9876543210fedcba9876543210"}`, ""
		}, std(expect{as: "adminA", status: 200, contains: "wxfedcba9876543210"}, "adminB", "devA")},
		{"POST", "/v1/dev/sessions", func(f *fixture) (string, string, string) {
			return "/v1/dev/sessions", `{"app_id":"` + f.createApp(apps.StatusOnline) + `"}`, ""
		}, std(expect{as: "devA", status: 201, contains: "/d/"}, "adminB", "viewerA")},
		{"PUT", "/v1/dev/sessions/:id/files", func(f *fixture) (string, string, string) {
			id, body := f.devSession()
			return "/v1/dev/sessions/" + id + "/files", body, ""
		}, ownerOnly(expect{as: "devA", status: 200, contains: "expires_at"})},
		{"DELETE", "/v1/dev/sessions/:id", func(f *fixture) (string, string, string) {
			id, _ := f.devSession()
			return "/v1/dev/sessions/" + id, "", ""
		}, ownerOnly(expect{as: "devA", status: 204})},
		{"GET", "/v1/dev/sessions/:id/logs", func(f *fixture) (string, string, string) {
			id, _ := f.devSession()
			return "/v1/dev/sessions/" + id + "/logs", "", ""
		}, ownerOnly(expect{as: "devA", status: 426})}, // a plain GET: the owner is asked to upgrade to WebSocket
		{"GET", "/v1/apps/:id/bridge", func(f *fixture) (string, string, string) {
			return "/v1/apps/" + f.createApp(apps.StatusOnline) + "/bridge", "", ""
		}, std(expect{as: "viewerA", status: 200, contains: "domains"}, "adminB", "nograntA")},
		{"PUT", "/v1/apps/:id/bridge", func(f *fixture) (string, string, string) {
			return "/v1/apps/" + f.createApp(apps.StatusOnline) + "/bridge", `{"domains":["gjj.hangzhou.gov.cn"]}`, ""
		}, std(expect{as: "devA", status: 200, contains: "gjj.hangzhou.gov.cn"}, "adminB", "viewerA")},
		{"PUT", "/v1/apps/:id/release-policy", func(f *fixture) (string, string, string) {
			return "/v1/apps/" + f.createApp(apps.StatusOnline) + "/release-policy", `{"review":"always"}`, ""
		}, std(expect{as: "reviewer", status: 200, contains: "always"}, "adminB", "devA")},

		{"POST", "/v1/push/preview", func(f *fixture) (string, string, string) {
			return "/v1/push/preview", `{"scope":"` + f.deptA + `","audience":{"terms":[{"nodes":[{"id":"` + f.deptA + `","subtree":true}]}]}}`, ""
		}, std(expect{as: "viewerA", status: 200, contains: `"count"`}, "adminB", "devA")},
		{"POST", "/v1/push/notices", func(f *fixture) (string, string, string) {
			return "/v1/push/notices", `{"scope":"` + f.deptA + `","title":"系统维护","body":"今晚22点系统维护","audience":{"terms":[{"roles":["developer"]}]}}`, ""
		}, std(expect{as: "viewerA", status: 201, contains: `"scheduled"`}, "adminB", "devA")},
		{"GET", "/v1/push/notices", func(f *fixture) (string, string, string) { return "/v1/push/notices", "", f.notice() }, listing("viewerA", "devA")},
		{"GET", "/v1/push/notices/:id", func(f *fixture) (string, string, string) {
			return "/v1/push/notices/" + f.notice(), "", ""
		}, hidden(expect{as: "viewerA", status: 200, contains: "系统维护"})},
		{"GET", "/v1/push/notices/:id/stats", func(f *fixture) (string, string, string) {
			return "/v1/push/notices/" + f.notice() + "/stats", "", ""
		}, hidden(expect{as: "viewerA", status: 200, contains: `"resolved"`})},
		{"POST", "/v1/push/notices/:id/cancel", func(f *fixture) (string, string, string) {
			return "/v1/push/notices/" + f.notice() + "/cancel", "", ""
		}, hidden(expect{as: "viewerA", status: 200, contains: `"cancelled"`})},
		{"POST", "/v1/push/tags", func(f *fixture) (string, string, string) {
			return "/v1/push/tags", `{"node":"` + f.deptA + `","tag":"窗口人员","users":["` + f.userInA() + `"]}`, ""
		}, std(expect{as: "viewerA", status: 200, contains: `"tagged":1`}, "adminB", "devA")},

		// Usage statistics: viewerA (operator) holds stats.read on A; adminB's department owns
		// no app of A, so asking for A's app is refused; nograntA holds nothing. (devA, a
		// developer, holds stats.read too.)
		{"GET", "/v1/stats/top", statsOfAppInA("/v1/stats/top"), std(expect{as: "viewerA", status: 200, contains: `"apps"`}, "adminB", "nograntA")},
		{"GET", "/v1/stats/regions", statsOfAppInA("/v1/stats/regions"), std(expect{as: "viewerA", status: 200, contains: `"level":"city"`}, "adminB", "nograntA")},
		{"GET", "/v1/stats/channels", statsOfAppInA("/v1/stats/channels"), std(expect{as: "viewerA", status: 200, contains: `"channel":"wechat"`}, "adminB", "nograntA")},
		{"GET", "/v1/stats/trend", statsOfAppInA("/v1/stats/trend"), std(expect{as: "viewerA", status: 200, contains: `"total":0`}, "adminB", "nograntA")},
		{"GET", "/v1/stats/active", statsOfAppInA("/v1/stats/active"), std(expect{as: "viewerA", status: 200, contains: `"mau":0`}, "adminB", "nograntA")},
		{"GET", "/v1/stats/retention", statsOfAppInA("/v1/stats/retention"), std(expect{as: "viewerA", status: 200, contains: `"cohorts"`}, "adminB", "nograntA")},
		{"GET", "/v1/stats/apps/:id", func(f *fixture) (string, string, string) {
			return "/v1/stats/apps/" + f.createApp(apps.StatusOnline), "", ""
		}, std(expect{as: "viewerA", status: 200, contains: `"releases"`}, "adminB", "nograntA")},
		// The export holds every app's events: a grant on the province only (the auditor's);
		// a department's stats.read is not enough.
		{"GET", "/v1/stats/export", fixed("/v1/stats/export?from=2025-04-01&to=2025-04-02", ""), std(expect{as: "auditor", status: 200}, "adminB", "viewerA")},
	}
}

// statsOfAppInA is the path of a report filtered to a fresh app of department A.
func statsOfAppInA(route string) func(f *fixture) (string, string, string) {
	return func(f *fixture) (string, string, string) {
		return route + "?app=" + f.createApp(apps.StatusOnline) + "&from=2025-04-01&to=2025-04-30", "", ""
	}
}

// TestRouteAuthorisation tries every route of the table with no token, a token of another
// department, a token without the permission and a token with it.
func TestRouteAuthorisation(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		table := map[string]bool{}
		external := map[string]bool{}
		for _, r := range (&server{}).routes() {
			if r.external {
				external[r.method+" "+r.path] = true
			}
			if !r.public {
				table[r.method+" "+r.path] = true
			}
		}
		covered := map[string]bool{}
		for _, sc := range scenarios() {
			key := sc.method + " " + sc.route
			if !table[key] {
				t.Errorf("scenario %s is not in the route table", key)
				continue
			}
			covered[key] = true
			t.Run(strings.ReplaceAll(key, "/", "_"), func(t *testing.T) {
				f.t = t
				path, body, leak := sc.setup(f)
				cases := sc.cases(f, leak)
				for _, who := range []string{callerNone, callerOther, callerNoPerm, callerOK} {
					exp := cases[who]
					before := f.auditCount()
					st, got, hdr := f.do(exp.as, sc.method, path, body)
					raw, _ := json.Marshal(got)
					if st != exp.status {
						t.Fatalf("%s as %s (%s): status %d, want %d; body %s", key, who, exp.as, st, exp.status, raw)
					}
					if hdr.Get("X-Request-Id") == "" {
						t.Errorf("%s as %s: no X-Request-Id", key, who)
					}
					if exp.notContains != "" && strings.Contains(string(raw), exp.notContains) {
						t.Errorf("%s as %s: body leaks %q: %s", key, who, exp.notContains, raw)
					}
					if exp.contains != "" && !strings.Contains(string(raw), exp.contains) {
						t.Errorf("%s as %s: body lacks %q: %s", key, who, exp.contains, raw)
					}
					if st >= 400 {
						if after := f.auditCount(); after != before {
							t.Errorf("%s as %s: refused request wrote %d audit entries", key, who, after-before)
						}
						if !external[key] {
							f.validate(sc.method, sc.route, st, got)
						}
					} else if sc.route != "/metrics" && sc.route != "/v1/openapi.json" && st != http.StatusNoContent && !external[key] {
						f.validate(sc.method, sc.route, st, got)
					}
					if st < 300 && sc.method != "GET" && !noAudit[key] && f.auditCount() != before+1 {
						t.Errorf("%s as %s: a change must write exactly one audit entry, wrote %d", key, who, f.auditCount()-before)
					}
				}
			})
		}
		for key := range table {
			if !covered[key] {
				t.Errorf("route %s has no authorisation scenario; add one to scenarios()", key)
			}
		}
	})
}

func mustNode(f *fixture, id string) identity.Node {
	n, err := f.ids.Node(context.Background(), id)
	must(f.t, err)
	return n
}
