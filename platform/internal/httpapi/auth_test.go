package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/auth"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
)

// signIn runs the browser side of an authorization-code + PKCE sign-in through upstream,
// as a citizen inside that container would, and returns the code the light app receives.
func signIn(t *testing.T, f *fixture, appCB *httptest.Server, issuer, clientID, ua string, scopes []string) (code, verifier string) {
	t.Helper()
	var v [32]byte
	_, _ = rand.Read(v[:])
	verifier = base64.RawURLEncoding.EncodeToString(v[:])
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {clientID}, "redirect_uri": {appCB.URL + "/cb"}, "response_type": {"code"}, "scope": {strings.Join(scopes, " ")},
		"state": {"app-state-1"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	jar, _ := cookiejar.New(nil)
	var landed *url.URL
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		req.Header.Set("User-Agent", ua)
		if strings.HasPrefix(req.URL.String(), appCB.URL) {
			landed = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	req, _ := http.NewRequest("GET", issuer+"/authorize?"+q.Encode(), nil)
	req.Header.Set("User-Agent", ua)
	resp, err := c.Do(req)
	must(t, err)
	resp.Body.Close()
	if landed == nil {
		t.Fatalf("sign-in did not return to the app (last status %d at %s)", resp.StatusCode, resp.Request.URL)
	}
	if landed.Query().Get("state") != "app-state-1" || landed.Query().Get("code") == "" {
		t.Fatalf("app callback %s", landed)
	}
	return landed.Query().Get("code"), verifier
}

// TestUnifiedSignIn: a light app signs citizens in through the platform's OpenID provider;
// WeChat and Alipay sign-ins of the same person, linked by a verified phone, give one `sub`;
// forged and replayed states and reused codes are refused; govapp.login()'s container code
// works at the same token endpoint.
func TestUnifiedSignIn(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		app := f.createApp(apps.StatusOnline)
		appCB := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer appCB.Close()
		// The client registration must name the app's callback; the issuer is this host's.
		_, err := f.auth.RegisterClient(ctx, f.principal("devA"), app, auth.ClientRegistration{RedirectURIs: []string{appCB.URL + "/cb"},
			Scopes: []string{"openid", "profile", "phone", "region"}, Confidential: true})
		must(t, err)
		reg, err := f.auth.RegisterClient(ctx, f.principal("devA"), app, auth.ClientRegistration{RedirectURIs: []string{appCB.URL + "/cb"},
			Scopes: []string{"openid", "profile", "phone", "region"}, Confidential: true})
		must(t, err)
		issuer := f.srv.URL + "/oidc"
		party, err := rp.NewRelyingPartyOIDC(ctx, issuer, app, reg.Secret, appCB.URL+"/cb", []string{"openid", "profile", "phone", "region"})
		must(t, err)

		// 1. Inside WeChat: straight to WeChat sign-in, new citizen.
		f.ups["wechat"].who = auth.UpstreamIdentity{Provider: "wechat", Subject: "oWx-openid-1", Nickname: "张三"}
		code, verifier := signIn(t, f, appCB, issuer, app, "Mozilla/5.0 MicroMessenger/8.0.47", []string{"openid", "profile", "phone", "region"})
		tokens, err := rp.CodeExchange[*oidc.IDTokenClaims](ctx, code, party, rp.WithCodeVerifier(verifier))
		must(t, err)
		claims := tokens.IDTokenClaims
		sub := claims.Subject
		if sub == "" || claims.Name != "张三" || claims.Audience[0] != app {
			t.Fatalf("ID token claims %+v", claims)
		}
		if region, _ := claims.Claims["region"].(string); region != "330000" {
			t.Fatalf("region claim %v", claims.Claims["region"])
		}
		// The code works once.
		if _, err := rp.CodeExchange[*oidc.IDTokenClaims](ctx, code, party, rp.WithCodeVerifier(verifier)); err == nil {
			t.Fatal("a used code was exchanged again")
		}
		ui, err := rp.Userinfo[*oidc.UserInfo](ctx, tokens.AccessToken, tokens.TokenType, sub, party)
		must(t, err)
		if ui.Subject != sub || ui.Name != "张三" {
			t.Fatalf("userinfo %+v", ui)
		}

		// 2. The citizen verifies a phone on the platform; signing in through Alipay with the same
		// verified mobile links to the same citizen. A nickname alone never links.
		bearer := "Bearer " + tokens.AccessToken
		if st, b := postAs(t, f, bearer, "/v1/auth/phone/code", `{"phone":"13800000001"}`); st != 202 {
			t.Fatalf("phone code: %d %v", st, b)
		}
		msg, ok := f.sms.Last("13800000001")
		if !ok {
			t.Fatal("no SMS sent")
		}
		smsCode := regexp.MustCompile(`[0-9]{6}`).FindString(msg.Text)
		if st, _ := postAs(t, f, bearer, "/v1/auth/phone/verify", `{"phone":"13800000001","code":"000000x"}`); st != 400 {
			t.Fatalf("wrong code accepted: %d", st)
		}
		if st, _ := postAs(t, f, "Bearer forged", "/v1/auth/phone/verify", `{"phone":"13800000001","code":"`+smsCode+`"}`); st != 401 {
			t.Fatalf("forged access token: %d", st)
		}
		if st, b := postAs(t, f, bearer, "/v1/auth/phone/verify", `{"phone":"13800000001","code":"`+smsCode+`"}`); st != 200 {
			t.Fatalf("phone verify: %d %v", st, b)
		}
		f.ups["alipay"].who = auth.UpstreamIdentity{Provider: "alipay", Subject: "2088-user-1", Nickname: "张三", Phone: "13800000001", PhoneVerified: true}
		code, verifier = signIn(t, f, appCB, issuer, app, "Mozilla/5.0 AlipayClient/10.5.0", []string{"openid", "profile", "phone"})
		tokens, err = rp.CodeExchange[*oidc.IDTokenClaims](ctx, code, party, rp.WithCodeVerifier(verifier))
		must(t, err)
		if tokens.IDTokenClaims.Subject != sub || tokens.IDTokenClaims.PhoneNumber != "13800000001" {
			t.Fatalf("Alipay sign-in of the same person: sub %s phone %s, want %s", tokens.IDTokenClaims.Subject, tokens.IDTokenClaims.PhoneNumber, sub)
		}
		f.ups["alipay"].who = auth.UpstreamIdentity{Provider: "alipay", Subject: "2088-user-2", Nickname: "张三"}
		code, verifier = signIn(t, f, appCB, issuer, app, "Mozilla/5.0 AlipayClient/10.5.0", []string{"openid"})
		tokens, err = rp.CodeExchange[*oidc.IDTokenClaims](ctx, code, party, rp.WithCodeVerifier(verifier))
		must(t, err)
		if tokens.IDTokenClaims.Subject == sub {
			t.Fatal("a same-nickname stranger was linked to the citizen")
		}
		var links int
		must(t, d.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'identity.link'`).Scan(&links))
		if links != 3 {
			t.Fatalf("%d identity.link audit entries, want 3", links)
		}

		// 3. A forged or replayed state is refused with a page saying to start again.
		for _, st := range []string{"st-forged", ""} {
			resp, err := http.Get(f.srv.URL + "/auth/callback/wechat?code=x&state=" + st)
			must(t, err)
			resp.Body.Close()
			if resp.StatusCode != 400 {
				t.Fatalf("state %q: %d, want 400", st, resp.StatusCode)
			}
		}

		// 4. govapp.login() in WeChat: the container's code becomes a code for the app.
		f.ups["wechat"].who = auth.UpstreamIdentity{Provider: "wechat", Subject: "oWx-openid-1"}
		st, body, _ := f.do("", "POST", "/v1/auth/container-login", `{"app_id":"`+app+`","container":"wechat","credential":"`+f.ups["wechat"].code()+`"}`)
		if st != 200 {
			t.Fatalf("container login: %d %v", st, body)
		}
		tokens, err = rp.CodeExchange[*oidc.IDTokenClaims](ctx, body.(map[string]any)["code"].(string), party)
		must(t, err)
		if tokens.IDTokenClaims.Subject != sub {
			t.Fatalf("container login sub %s, want %s", tokens.IDTokenClaims.Subject, sub)
		}
		if st, body, _ := f.do("", "POST", "/v1/auth/container-login", `{"app_id":"`+app+`","container":"douyin","credential":"x"}`); st != 400 {
			t.Fatalf("unknown container: %d %v", st, body)
		}
		if st, body, _ := f.do("", "POST", "/v1/auth/container-login", `{"app_id":"`+app+`","container":"wechat","credential":"reused-or-bad"}`); st != 502 {
			t.Fatalf("bad container credential: %d %v", st, body)
		}
	})
}

func postAs(t *testing.T, f *fixture, authz, path, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", authz)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestPasswordSignIn: staff sign in with an argon2id password; five wrong tries lock the
// account for a while, and the answer never tells whether a user name exists.
func TestPasswordSignIn(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	ctx := context.Background()
	app := f.createApp(apps.StatusOnline)
	appCB := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer appCB.Close()
	_, err := f.auth.RegisterClient(ctx, f.principal("devA"), app, auth.ClientRegistration{RedirectURIs: []string{appCB.URL + "/cb"}})
	must(t, err)
	if st, b, _ := f.do("adminA", "PUT", "/v1/users/"+f.users["viewerA"]+"/password", `{"password":"short"}`); st != 400 {
		t.Fatalf("weak password: %d %v", st, b)
	}
	if st, b, _ := f.do("adminA", "PUT", "/v1/users/"+f.users["viewerA"]+"/password", `{"password":"Hangzhou2026x"}`); st != 204 {
		t.Fatalf("set password: %d %v", st, b)
	}
	start := func() string {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		q := url.Values{"client_id": {app}, "redirect_uri": {appCB.URL + "/cb"}, "response_type": {"code"}, "scope": {"openid"}, "state": {"s"},
			"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
		resp, err := c.Get(f.srv.URL + "/oidc/authorize?" + q.Encode())
		must(t, err)
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return loc.Query().Get("id")
	}
	login := func(id, user, pw string) (int, string) {
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.PostForm(f.srv.URL+"/auth/login/password", url.Values{"id": {id}, "username": {user}, "password": {pw}})
		must(t, err)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	id := start()
	if st, _ := login(id, "nobody", "Whatever2026x"); st != 401 {
		t.Fatalf("unknown user: %d", st)
	}
	if st, loc := login(id, "viewera", "Hangzhou2026x"); st != 302 || !strings.Contains(loc, "/oidc/authorize/callback?id="+id) {
		t.Fatalf("right password: %d %s", st, loc)
	}
	id = start()
	for i := 0; i < MaxFailuresForTest; i++ {
		if st, _ := login(id, "viewera", "wrong-password-1A"); st != 401 {
			t.Fatalf("wrong password %d: %d", i, st)
		}
	}
	if st, _ := login(id, "viewera", "Hangzhou2026x"); st != 429 {
		t.Fatalf("locked account with the right password: %d, want 429", st)
	}
}

// MaxFailuresForTest mirrors auth.MaxPasswordFailures.
const MaxFailuresForTest = auth.MaxPasswordFailures
