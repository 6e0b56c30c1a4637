package wechat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/ext/wechat"
	fakewx "github.com/govapp/govapp/sandbox/wechat"
)

// The account every test uses; the secret is distinctive so a leak into an
// error message is easy to spot.
const (
	appID  = "wx1234567890abcdef"
	secret = "s3cr3t-0f-the-official-account"
	openID = "oTestUser000000000000000001"
)

// clock is a settable time shared by the fake and the client, so tests move
// both past an expiry without sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now reads the clock.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a fake WeChat on a real HTTP server and a client pointed at it.
type env struct {
	clock  *clock
	fake   *fakewx.Server
	srv    *httptest.Server
	store  *wechat.MemoryTokenStore
	client *wechat.Client
}

// newEnv starts a fake with the test account and a client for it.
func newEnv(t *testing.T) *env {
	t.Helper()
	clk := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	fake := &fakewx.Server{Now: clk.Now}
	fake.AddApp(appID, secret)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	e := &env{clock: clk, fake: fake, srv: srv, store: &wechat.MemoryTokenStore{}}
	e.client = e.newClient(secret)
	return e
}

// newClient returns another client of the same account and store, as a
// second platform instance would have.
func (e *env) newClient(sec string) *wechat.Client {
	return wechat.New(wechat.Config{AppID: appID, Secret: sec, BaseURL: e.srv.URL, Now: e.clock.Now}, e.store)
}

// count returns how many requests the fake received on path.
func (e *env) count(path string) int {
	n := 0
	for _, c := range e.fake.Calls() {
		if c.Path == path {
			n++
		}
	}
	return n
}

const (
	tokenPath     = "/cgi-bin/token"
	ticketPath    = "/cgi-bin/ticket/getticket"
	templatePath  = "/cgi-bin/message/template/send"
	subscribePath = "/cgi-bin/message/subscribe/bizsend"
)

// notice is a typical template message.
func notice() wechat.TemplateMessage {
	return wechat.TemplateMessage{
		ToUser:     openID,
		TemplateID: "TPL-notice",
		URL:        "https://apps.example.gov.cn/notice/1",
		Data: map[string]wechat.TemplateValue{
			"first":    {Value: "您的办件有新进展"},
			"keyword1": {Value: "居住证办理", Color: "#173177"},
		},
	}
}

func TestJSSDKSignatureMatchesWeChatPublishedExample(t *testing.T) {
	// From WeChat's JS-SDK documentation, 附录1 签名算法.
	got := wechat.JSSDKSignature(
		"sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
		"Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value")
	if want := "0f9de62fce790f9a083d5c99e95740ceb90c27ed"; got != want {
		t.Fatalf("signature = %s, want %s", got, want)
	}
	// The #fragment is not part of what WeChat signs.
	withFragment := wechat.JSSDKSignature(
		"sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
		"Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value#/route?x=1")
	if withFragment != got {
		t.Fatalf("signature with #fragment = %s, want %s", withFragment, got)
	}
}

func TestTokenTicketAndTemplateMessageThroughSilenceper(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	page := "https://apps.example.gov.cn/h5/index.html?from=portal#/home"
	cfg, err := e.client.SignatureFor(ctx, page)
	if err != nil {
		t.Fatalf("SignatureFor: %v", err)
	}
	if cfg.AppID != appID || cfg.Timestamp != e.clock.Now().Unix() || len(cfg.NonceStr) != 16 {
		t.Fatalf("wx.config = %+v", cfg)
	}
	if !e.fake.VerifyJSSignature(appID, cfg.Timestamp, cfg.NonceStr, page, cfg.Signature) {
		t.Fatalf("the fake's JS-SDK rejects signature %+v for %s", cfg, page)
	}

	msgID, err := e.client.SendTemplate(ctx, notice())
	if err != nil {
		t.Fatalf("SendTemplate: %v", err)
	}
	got := e.fake.TemplateMessages()
	if len(got) != 1 {
		t.Fatalf("fake recorded %d template messages, want 1", len(got))
	}
	m := got[0]
	if m.MsgID != msgID || m.AppID != appID || m.ToUser != openID || m.TemplateID != "TPL-notice" ||
		m.URL != "https://apps.example.gov.cn/notice/1" || m.Data["keyword1"].Value != "居住证办理" ||
		m.Data["keyword1"].Color != "#173177" {
		t.Fatalf("recorded %+v (msgid %d)", m, msgID)
	}

	// Both the ticket and the message used the one cached token.
	if n := e.count(tokenPath); n != 1 {
		t.Fatalf("token fetched %d times, want 1", n)
	}
	if _, err := e.client.SignatureFor(ctx, page); err != nil {
		t.Fatal(err)
	}
	if n := e.count(ticketPath); n != 1 {
		t.Fatalf("ticket fetched %d times, want 1 (cached)", n)
	}
	// The secret went only to the token endpoint.
	for _, c := range e.fake.Calls() {
		if c.Path != tokenPath && (strings.Contains(c.Query.Encode(), secret) || bytes.Contains(c.Body, []byte(secret))) {
			t.Fatalf("secret sent to %s", c.Path)
		}
	}
}

func TestSubscribeMessageIsRecorded(t *testing.T) {
	e := newEnv(t)
	err := e.client.SendSubscribe(context.Background(), wechat.SubscribeMessage{
		ToUser: openID, TemplateID: "SUB-1", Page: "https://apps.example.gov.cn/p",
		Data: map[string]string{"thing1": "预约成功"},
	})
	if err != nil {
		t.Fatalf("SendSubscribe: %v", err)
	}
	got := e.fake.SubscribeMessages()
	if len(got) != 1 || got[0].ToUser != openID || got[0].TemplateID != "SUB-1" || got[0].Data["thing1"].Value != "预约成功" {
		t.Fatalf("recorded %+v", got)
	}
}

func TestInstancesShareOneToken(t *testing.T) {
	e := newEnv(t)
	other := e.newClient(secret) // a second platform instance on the same store
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 10; i++ {
		for _, c := range []*wechat.Client{e.client, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.SignatureFor(ctx, "https://apps.example.gov.cn/")
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count(tokenPath); n != 1 {
		t.Fatalf("token fetched %d times by 20 concurrent callers, want 1", n)
	}
	if n := e.count(ticketPath); n != 1 {
		t.Fatalf("ticket fetched %d times by 20 concurrent callers, want 1", n)
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.client.SendTemplate(ctx, notice()); err != nil {
		t.Fatal(err)
	}
	// Just inside the refresh window: the client refreshes before WeChat
	// would reject the token, so no send fails and none is retried.
	e.clock.Advance(fakewx.TokenTTL - wechat.RefreshBefore + time.Second)
	if _, err := e.client.SendTemplate(ctx, notice()); err != nil {
		t.Fatal(err)
	}
	if n := e.count(tokenPath); n != 2 {
		t.Fatalf("token fetched %d times, want 2", n)
	}
	if n := e.count(templatePath); n != 2 {
		t.Fatalf("%d sends, want 2 (no retry)", n)
	}
}

func TestFailedEarlyRefreshFallsBackToValidToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.client.SendTemplate(ctx, notice()); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(fakewx.TokenTTL - 2*time.Minute) // in the window, not expired
	e.fake.FailNextOn(tokenPath, -1, "")
	if _, err := e.client.SendTemplate(ctx, notice()); err != nil {
		t.Fatalf("send with a failed early refresh: %v", err)
	}
}

func TestExpiredTokenIsRefreshedAndRetried(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.client.SendTemplate(ctx, notice()); err != nil {
		t.Fatal(err)
	}
	e.fake.ExpireTokens(appID) // WeChat says 42001 while the cache still trusts the token
	if _, err := e.client.SendTemplate(ctx, notice()); err != nil {
		t.Fatalf("send after expiry: %v", err)
	}
	if n := e.count(tokenPath); n != 2 {
		t.Fatalf("token fetched %d times, want 2", n)
	}
	if n := e.count(templatePath); n != 3 {
		t.Fatalf("%d sends, want 3 (one rejected, one retried)", n)
	}
	if n := len(e.fake.TemplateMessages()); n != 2 {
		t.Fatalf("%d messages delivered, want 2", n)
	}
}

func TestInvalidCredentialOnceRefreshesAndRetries(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.client.AccessToken(ctx); err != nil {
		t.Fatal(err)
	}
	e.fake.FailNextOn(templatePath, 40001, "")
	if _, err := e.client.SendTemplate(ctx, notice()); err != nil {
		t.Fatalf("send after one 40001: %v", err)
	}
	if n := e.count(tokenPath); n != 2 {
		t.Fatalf("token fetched %d times, want 2", n)
	}
	if n := len(e.fake.TemplateMessages()); n != 1 {
		t.Fatalf("%d messages delivered, want 1", n)
	}

	// The ticket is refreshed the same way.
	e.fake.FailNextOn(ticketPath, 42001, "")
	if _, err := e.client.SignatureFor(ctx, "https://apps.example.gov.cn/"); err != nil {
		t.Fatalf("SignatureFor after one 42001: %v", err)
	}
}

func TestInvalidCredentialTwiceIsRetriedOnlyOnce(t *testing.T) {
	e := newEnv(t)
	e.fake.FailNextOn(templatePath, 40001, "")
	e.fake.FailNextOn(templatePath, 40001, "")
	_, err := e.client.SendTemplate(context.Background(), notice())
	if !errors.Is(err, wechat.ErrInvalidCredential) {
		t.Fatalf("err = %v, want ErrInvalidCredential", err)
	}
	if n := e.count(templatePath); n != 2 {
		t.Fatalf("%d sends, want 2", n)
	}
}

func TestQuotaIsErrQuota(t *testing.T) {
	e := newEnv(t)
	e.fake.DailyQuota = 1
	ctx := context.Background()
	if _, err := e.client.SendTemplate(ctx, notice()); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.SendTemplate(ctx, notice())
	if !errors.Is(err, wechat.ErrQuota) {
		t.Fatalf("err = %v, want ErrQuota", err)
	}
	var apiErr *wechat.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 45009 {
		t.Fatalf("err = %#v, want *APIError with code 45009", err)
	}
	if errors.Is(err, wechat.ErrNotSubscribed) || errors.Is(err, wechat.ErrInvalidCredential) {
		t.Fatalf("45009 matches another kind: %v", err)
	}
	// The quota resets the next day (Beijing time).
	e.clock.Advance(24 * time.Hour)
	if _, err := e.client.SendTemplate(ctx, notice()); err != nil {
		t.Fatalf("send the next day: %v", err)
	}
}

func TestNotFollowingIsErrNotSubscribed(t *testing.T) {
	e := newEnv(t)
	e.fake.SetFollowing(openID, false)
	ctx := context.Background()
	if _, err := e.client.SendTemplate(ctx, notice()); !errors.Is(err, wechat.ErrNotSubscribed) {
		t.Fatalf("template: err = %v, want ErrNotSubscribed", err)
	}
	err := e.client.SendSubscribe(ctx, wechat.SubscribeMessage{ToUser: openID, TemplateID: "SUB-1", Data: map[string]string{"thing1": "x"}})
	if !errors.Is(err, wechat.ErrNotSubscribed) {
		t.Fatalf("subscribe: err = %v, want ErrNotSubscribed", err)
	}
	var apiErr *wechat.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 43004 {
		t.Fatalf("err = %#v, want code 43004", err)
	}
}

func TestOtherErrcodesAreAPIErrors(t *testing.T) {
	e := newEnv(t)
	e.fake.AddTemplate(appID, "TPL-notice")
	msg := notice()
	msg.TemplateID = "TPL-unknown"
	_, err := e.client.SendTemplate(context.Background(), msg)
	var apiErr *wechat.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 40037 {
		t.Fatalf("err = %v, want *APIError 40037", err)
	}
	for _, kind := range []error{wechat.ErrQuota, wechat.ErrNotSubscribed, wechat.ErrInvalidCredential, wechat.ErrInvalidCode, wechat.ErrScope} {
		if errors.Is(err, kind) {
			t.Fatalf("40037 matches %v", kind)
		}
	}
}

// authorize follows the client's AuthorizeURL like a browser and returns
// the code and state WeChat put on the redirect.
func authorize(t *testing.T, e *env, scope, state string) (code, gotState string) {
	t.Helper()
	u := e.client.AuthorizeURL("https://gov.example.cn/login/wechat/callback?next=%2Fapps", scope, state)
	if !strings.HasPrefix(u, e.srv.URL+"/connect/oauth2/authorize?") || !strings.HasSuffix(u, "#wechat_redirect") {
		t.Fatalf("AuthorizeURL = %s", u)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize status %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Host != "gov.example.cn" || loc.Path != "/login/wechat/callback" || loc.Query().Get("next") != "/apps" {
		t.Fatalf("redirected to %s", loc)
	}
	return loc.Query().Get("code"), loc.Query().Get("state")
}

func TestOAuthUserInfoAndSingleUseCode(t *testing.T) {
	e := newEnv(t)
	e.fake.SetUser(fakewx.User{OpenID: openID, UnionID: "uUnion1", Nickname: "张三", Province: "浙江", City: "杭州", Country: "中国"})
	ctx := context.Background()

	code, state := authorize(t, e, wechat.ScopeUserInfo, "st&ate/1")
	if state != "st&ate/1" {
		t.Fatalf("state = %q, want it back unchanged", state)
	}
	tok, err := e.client.ExchangeCode(ctx, code)
	if err != nil {
		t.Fatalf("ExchangeCode: %v", err)
	}
	if tok.OpenID != openID || tok.UnionID != "uUnion1" || tok.Scope != wechat.ScopeUserInfo || tok.ExpiresIn != 7200 || tok.AccessToken == "" {
		t.Fatalf("token = %+v", tok)
	}
	if s := fmt.Sprintf("%v %+v %s", tok, tok, tok); strings.Contains(s, tok.AccessToken) || strings.Contains(s, tok.RefreshToken) {
		t.Fatalf("formatted OAuthToken shows a credential: %s", s)
	}
	u, err := e.client.UserInfo(ctx, tok.AccessToken, tok.OpenID)
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if u.OpenID != openID || u.UnionID != "uUnion1" || u.Nickname != "张三" || u.City != "杭州" {
		t.Fatalf("user = %+v", u)
	}

	_, err = e.client.ExchangeCode(ctx, code)
	if !errors.Is(err, wechat.ErrInvalidCode) {
		t.Fatalf("second exchange: err = %v, want ErrInvalidCode", err)
	}
	var apiErr *wechat.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 40163 {
		t.Fatalf("second exchange: %v, want errcode 40163", err)
	}
}

func TestOAuthCodeExpires(t *testing.T) {
	e := newEnv(t)
	code, _ := authorize(t, e, wechat.ScopeBase, "s")
	e.clock.Advance(fakewx.CodeTTL + time.Second)
	_, err := e.client.ExchangeCode(context.Background(), code)
	var apiErr *wechat.APIError
	if !errors.Is(err, wechat.ErrInvalidCode) || !errors.As(err, &apiErr) || apiErr.Code != 40029 {
		t.Fatalf("expired code: err = %v, want 40029", err)
	}
}

func TestOAuthBaseScopeCannotReadUserInfo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code, _ := authorize(t, e, wechat.ScopeBase, "s")
	tok, err := e.client.ExchangeCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if tok.OpenID != fakewx.DefaultUser().OpenID || tok.UnionID != "" || tok.Scope != wechat.ScopeBase {
		t.Fatalf("silent sign-in token = %+v (snsapi_base carries no unionid)", tok)
	}
	_, err = e.client.UserInfo(ctx, tok.AccessToken, tok.OpenID)
	if !errors.Is(err, wechat.ErrScope) {
		t.Fatalf("err = %v, want ErrScope", err)
	}
}

func TestAuthorizeURLDefaultsToWeChat(t *testing.T) {
	c := wechat.New(wechat.Config{AppID: appID, Secret: secret}, nil)
	got := c.AuthorizeURL("https://gov.example.cn/cb", wechat.ScopeBase, "xyz")
	want := "https://open.weixin.qq.com/connect/oauth2/authorize?appid=" + appID +
		"&redirect_uri=https%3A%2F%2Fgov.example.cn%2Fcb&response_type=code&scope=snsapi_base&state=xyz#wechat_redirect"
	if got != want {
		t.Fatalf("AuthorizeURL =\n %s\nwant\n %s", got, want)
	}
}

func TestSignatureForRejectsNonPageURLs(t *testing.T) {
	e := newEnv(t)
	for _, u := range []string{"", "/relative", "javascript:alert(1)", "ftp://x/y", "https://"} {
		if _, err := e.client.SignatureFor(context.Background(), u); !errors.Is(err, wechat.ErrPageURL) {
			t.Errorf("SignatureFor(%q) err = %v, want ErrPageURL", u, err)
		}
	}
}

func TestEachClientReachesItsOwnBaseURL(t *testing.T) {
	a, b := newEnv(t), newEnv(t)
	var wg sync.WaitGroup
	for _, e := range []*env{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				if _, err := e.client.SendTemplate(context.Background(), notice()); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if na, nb := len(a.fake.TemplateMessages()), len(b.fake.TemplateMessages()); na != 5 || nb != 5 {
		t.Fatalf("fakes got %d and %d messages, want 5 each", na, nb)
	}
}

func TestTransportOverride(t *testing.T) {
	// An in-process fake without a listener: the sandbox mode of
	// `govapp serve` can hand requests straight to the handler.
	fake := &fakewx.Server{}
	fake.AddApp(appID, secret)
	c := wechat.New(wechat.Config{AppID: appID, Secret: secret, BaseURL: "http://wechat.sandbox", Transport: handlerTransport{fake}}, nil)
	if _, err := c.SendTemplate(context.Background(), notice()); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.TemplateMessages()); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

// handlerTransport serves requests with an http.Handler in-process.
type handlerTransport struct{ h http.Handler }

// RoundTrip implements http.RoundTripper.
func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, r)
	return w.Result(), nil
}

func TestContextDeadlineEndsSlowCalls(t *testing.T) {
	e := newEnv(t)
	e.fake.Latency = 5 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := e.client.SendTemplate(ctx, notice())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("error shows the secret: %v", err)
	}
}

func TestSecretNeverInErrors(t *testing.T) {
	ctx := context.Background()
	check := func(what string, err error, secrets ...string) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		for _, s := range secrets {
			if strings.Contains(err.Error(), s) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), s) {
				t.Fatalf("%s: error shows a credential: %v", what, err)
			}
		}
	}

	// Wrong secret: WeChat's own error.
	e := newEnv(t)
	const wrong = "wrong-secret-9f8e7d6c5b4a"
	bad := e.newClient(wrong)
	_, err := bad.SendTemplate(ctx, notice())
	var apiErr *wechat.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 40125 {
		t.Fatalf("wrong secret: err = %v, want 40125", err)
	}
	check("wrong secret", err, wrong)
	_, err = bad.ExchangeCode(ctx, "whatever")
	check("exchange with wrong secret", err, wrong)

	// HTTP 500: silenceper's error quotes the request URL, secret included.
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer broken.Close()
	c := wechat.New(wechat.Config{AppID: appID, Secret: secret, BaseURL: broken.URL}, nil)
	_, err = c.SendTemplate(ctx, notice())
	check("HTTP 500 on token", err, secret)
	_, err = c.ExchangeCode(ctx, "code-abc")
	check("HTTP 500 on code exchange", err, secret, "code-abc")
	_, err = c.UserInfo(ctx, "user-token-xyz", openID)
	check("HTTP 500 on userinfo", err, "user-token-xyz")

	// Connection refused: *url.Error quotes the URL too.
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	c = wechat.New(wechat.Config{AppID: appID, Secret: secret, BaseURL: closed.URL}, nil)
	_, err = c.SendTemplate(ctx, notice())
	check("connection refused", err, secret)

	// A send that fails in transport must not show the access_token.
	e2 := newEnv(t)
	tok, err := e2.client.AccessToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == templatePath {
			http.Error(w, "bad gateway", http.StatusBadGateway)
			return
		}
		e2.fake.ServeHTTP(w, r)
	}))
	defer flaky.Close()
	c = wechat.New(wechat.Config{AppID: appID, Secret: secret, BaseURL: flaky.URL, Now: e2.clock.Now}, e2.store)
	_, err = c.SendTemplate(ctx, notice())
	check("HTTP 502 on send", err, tok, secret)

	// Configs and logs.
	cfg := wechat.Config{AppID: appID, Secret: secret}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("wechat", "cfg", cfg)
	if s := fmt.Sprintf("%v %+v %s", cfg, cfg, cfg) + buf.String(); strings.Contains(s, secret) {
		t.Fatalf("Config shows its secret: %s", s)
	}
}

func TestMemoryTokenStoreLockHonoursContext(t *testing.T) {
	var s wechat.MemoryTokenStore
	held := make(chan struct{})
	release := make(chan struct{})
	go func() {
		_ = s.Lock(context.Background(), "k", func() error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := s.Lock(ctx, "k", func() error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while held: err = %v, want DeadlineExceeded", err)
	}
	if err := s.Lock(ctx, "other", func() error { return nil }); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock of another key: %v", err)
	}
	close(release)
	want := errors.New("from fn")
	if err := s.Lock(context.Background(), "k", func() error { return want }); err != want {
		t.Fatalf("Lock returned %v, want fn's error", err)
	}
}
