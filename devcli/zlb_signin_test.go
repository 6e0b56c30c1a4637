package devcli

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/govapp/govapp/sandbox/zlb"
)

// TestZLBSignIn: the gov app's SSO ticket (浙里办 style) signs a citizen in, through the login
// page and through govapp.login()'s container login; a ticket works once.
func TestZLBSignIn(t *testing.T) {
	env := startSandbox(t, "")
	fakes, cfg, base, admin, ctx, api := env.fakes, env.cfg, env.base, env.admin, env.ctx, env.api
	appCB := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer appCB.Close()
	st, reg := api("PUT", "/v1/apps/housing-fund/oidc-client", `{"redirect_uris":["`+appCB.URL+`/cb"],"scopes":["openid","profile","phone","region","verified_level"],"confidential":true}`, admin)
	if st != 201 {
		t.Fatalf("register client: %d %v", st, reg)
	}
	scopes := []string{"openid", "profile", "phone", "region", "verified_level"}
	party, err := rp.NewRelyingPartyOIDC(ctx, base+"/oidc", "housing-fund", reg["client_secret"].(string), appCB.URL+"/cb", scopes)
	must(t, err)
	signIn := func(ua string) *oidc.Tokens[*oidc.IDTokenClaims] {
		t.Helper()
		var v [32]byte
		_, _ = rand.Read(v[:])
		verifier := base64.RawURLEncoding.EncodeToString(v[:])
		sum := sha256.Sum256([]byte(verifier))
		q := url.Values{"client_id": {"housing-fund"}, "redirect_uri": {appCB.URL + "/cb"}, "response_type": {"code"}, "scope": {strings.Join(scopes, " ")},
			"state": {"s1"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
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
		req, _ := http.NewRequest("GET", base+"/oidc/authorize?"+q.Encode(), nil)
		req.Header.Set("User-Agent", ua)
		resp, err := c.Do(req)
		must(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if landed == nil {
			t.Fatalf("sign-in did not reach the app: %d %s\n%.300s", resp.StatusCode, resp.Request.URL, b)
		}
		tokens, err := rp.CodeExchange[*oidc.IDTokenClaims](ctx, landed.Query().Get("code"), party, rp.WithCodeVerifier(verifier))
		must(t, err)
		return tokens
	}
	ali := signIn("Mozilla/5.0 (Android) AlipayClient/10.5.36")
	gov := signIn("Mozilla/5.0 (iPhone) GovApp/2.1.0")
	t.Logf("alipay sub %s, govapp sub %s claims %+v", ali.IDTokenClaims.Subject, gov.IDTokenClaims.Subject, gov.IDTokenClaims)
	if gov.IDTokenClaims.Subject != ali.IDTokenClaims.Subject {
		t.Errorf("not linked by verified phone")
	}
	calls := fakes.ZLB.Calls()
	if len(calls) != 3 {
		t.Fatalf("zlb calls %+v", calls)
	}
	// Container login with a ticket the gov app handed over.
	u := zlb.DefaultUser()
	u.UserID, u.Phone, u.RealNameLevel = "zlb-other", "13911112222", 1
	ticket := fakes.ZLB.IssueTicket(u)
	st, out := api("POST", "/v1/auth/container-login", `{"app_id":"housing-fund","container":"govapp","credential":"`+ticket+`"}`, "")
	if st != 200 || out["code"] == nil {
		t.Fatalf("container login: %d %v", st, out)
	}
	st, out = api("POST", "/v1/auth/container-login", `{"app_id":"housing-fund","container":"govapp","credential":"`+ticket+`"}`, "")
	t.Logf("reused ticket: %d %v", st, out)
	if st == 200 || strings.Contains(out["error"].(string), cfg.ZLBSecretKey) {
		t.Fatalf("reused ticket accepted or secret leaked: %d %v", st, out)
	}
}
