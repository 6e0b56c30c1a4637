package devcli

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/govapp/govapp/devcli/internal/sandboxmode"
	"github.com/govapp/govapp/platform"
)

// sandboxEnv is a platform in sandbox mode (fakes of WeChat, Alipay, the gov app and SMS on
// loopback), serving on a real port for the test's lifetime.
type sandboxEnv struct {
	t     *testing.T
	fakes *sandboxmode.Fakes
	cfg   platform.Config
	p     *platform.Platform
	base  string
	admin string
	ctx   context.Context
	// The demo app's OpenID client, registered on the first signIn.
	appCB *httptest.Server
	party rp.RelyingParty
}

func startSandbox(t *testing.T, dbURL string) *sandboxEnv {
	t.Helper()
	fakes, cfg, err := sandboxmode.Start(platform.DefaultConfig())
	must(t, err)
	t.Cleanup(fakes.Close)
	cfg.DataDir, cfg.DatabaseURL, cfg.Addr = t.TempDir(), dbURL, "127.0.0.1:0"
	p, err := platform.New(cfg, platform.WithLogger(slog.New(slog.DiscardHandler)), platform.WithSandboxPhone(fakes.Arrivals))
	must(t, err)
	ln, err := p.Listen()
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = p.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done; p.Close() })
	return &sandboxEnv{t: t, fakes: fakes, cfg: cfg, p: p, base: "http://" + ln.Addr().String(), admin: p.FirstStart().AdminToken, ctx: ctx}
}

// api sends a JSON request (bearer may be an API token or a citizen's access token).
func (s *sandboxEnv) api(method, path, body, bearer string) (int, map[string]any) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	must(s.t, err)
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// signIn signs a citizen in to the demo app housing-fund through the platform's OpenID
// provider from a browser with user agent ua (MicroMessenger: the sandbox WeChat; AlipayClient:
// the sandbox Alipay), and returns the app's tokens.
func (s *sandboxEnv) signIn(ua string, scopes ...string) *oidc.Tokens[*oidc.IDTokenClaims] {
	t := s.t
	t.Helper()
	if s.party == nil {
		s.appCB = httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		t.Cleanup(s.appCB.Close)
		st, reg := s.api("PUT", "/v1/apps/housing-fund/oidc-client", `{"redirect_uris":["`+s.appCB.URL+`/cb"],"scopes":["openid","profile","phone"],"confidential":true}`, s.admin)
		if st != 201 {
			t.Fatalf("register client: %d %v", st, reg)
		}
		party, err := rp.NewRelyingPartyOIDC(s.ctx, s.base+"/oidc", "housing-fund", reg["client_secret"].(string), s.appCB.URL+"/cb", []string{"openid", "profile", "phone"})
		must(t, err)
		s.party = party
	}
	appCB := s.appCB
	var v [32]byte
	_, _ = rand.Read(v[:])
	verifier := base64.RawURLEncoding.EncodeToString(v[:])
	sum := sha256.Sum256([]byte(verifier))
	scope := "openid profile phone"
	if len(scopes) > 0 {
		scope = strings.Join(scopes, " ")
	}
	q := url.Values{"client_id": {"housing-fund"}, "redirect_uri": {appCB.URL + "/cb"}, "response_type": {"code"}, "scope": {scope},
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
	req, _ := http.NewRequest("GET", s.base+"/oidc/authorize?"+q.Encode(), nil)
	req.Header.Set("User-Agent", ua)
	resp, err := c.Do(req)
	must(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if landed == nil {
		t.Fatalf("sign-in did not reach the app: %d %s\n%.300s", resp.StatusCode, resp.Request.URL, b)
	}
	tokens, err := rp.CodeExchange[*oidc.IDTokenClaims](s.ctx, landed.Query().Get("code"), s.party, rp.WithCodeVerifier(verifier))
	must(t, err)
	return tokens
}
