package wechat_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govapp/govapp/sandbox/wechat"
)

const (
	appID  = "wxfake0000000001"
	secret = "fake-secret-1"
)

// clock is a settable time for the fake.
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

// fixture is a fake with one app on a real HTTP server.
type fixture struct {
	t     *testing.T
	clock *clock
	fake  *wechat.Server
	srv   *httptest.Server
}

// newFixture starts the fake.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	clk := &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	fake := &wechat.Server{Now: clk.Now}
	fake.AddApp(appID, secret)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &fixture{t: t, clock: clk, fake: fake, srv: srv}
}

// get calls path with query q and decodes the JSON answer, checking that
// errors come with HTTP 200 as on WeChat.
func (f *fixture) get(path string, q url.Values) map[string]any {
	f.t.Helper()
	resp, err := http.Get(f.srv.URL + path + "?" + q.Encode())
	if err != nil {
		f.t.Fatal(err)
	}
	return decode(f.t, resp)
}

// post sends body to path with query q.
func (f *fixture) post(path string, q url.Values, body string) map[string]any {
	f.t.Helper()
	resp, err := http.Post(f.srv.URL+path+"?"+q.Encode(), "application/json", strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	return decode(f.t, resp)
}

// decode reads a WeChat JSON answer.
func decode(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, WeChat answers 200 even for errors", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q", ct)
	}
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// errcode returns the answer's errcode (0 when absent, as on success).
func errcode(m map[string]any) int {
	n, _ := m["errcode"].(float64)
	return int(n)
}

// wantCode fails unless m carries errcode code.
func wantCode(t *testing.T, what string, m map[string]any, code int) {
	t.Helper()
	if got := errcode(m); got != code {
		t.Fatalf("%s: errcode %d (%v), want %d", what, got, m["errmsg"], code)
	}
	if code != 0 && !strings.HasPrefix(m["errmsg"].(string), wechat.ErrMsg(code)) {
		t.Fatalf("%s: errmsg %q, want WeChat's %q", what, m["errmsg"], wechat.ErrMsg(code))
	}
}

// token fetches an access_token for the fixture's app.
func (f *fixture) token() string {
	f.t.Helper()
	m := f.get("/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {appID}, "secret": {secret}})
	wantCode(f.t, "token", m, 0)
	return m["access_token"].(string)
}

func TestZeroValueIsReadyAndKnowsNoApps(t *testing.T) {
	srv := httptest.NewServer(&wechat.Server{})
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/cgi-bin/token?grant_type=client_credential&appid=wxnobody&secret=x")
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, "unknown app", decode(t, resp), 40013)
}

func TestTokenChecksCredentials(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name string
		q    url.Values
		code int
	}{
		{"bad grant_type", url.Values{"grant_type": {"password"}, "appid": {appID}, "secret": {secret}}, 40002},
		{"no appid", url.Values{"grant_type": {"client_credential"}, "secret": {secret}}, 41002},
		{"unknown appid", url.Values{"grant_type": {"client_credential"}, "appid": {"wxother"}, "secret": {secret}}, 40013},
		{"no secret", url.Values{"grant_type": {"client_credential"}, "appid": {appID}}, 41004},
		{"wrong secret", url.Values{"grant_type": {"client_credential"}, "appid": {appID}, "secret": {"nope"}}, 40125},
	}
	for _, c := range cases {
		wantCode(t, c.name, f.get("/cgi-bin/token", c.q), c.code)
	}
	m := f.get("/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {appID}, "secret": {secret}})
	if m["access_token"] == "" || m["expires_in"] != float64(7200) || m["errcode"] != nil {
		t.Fatalf("token answer %v", m)
	}
	// POST is not how WeChat serves this endpoint.
	resp, err := http.Post(f.srv.URL+"/cgi-bin/token", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, "POST token", decode(t, resp), 43001)
}

func TestTokenExpiresAndIsSuperseded(t *testing.T) {
	f := newFixture(t)
	ticket := func(tok string) map[string]any {
		return f.get("/cgi-bin/ticket/getticket", url.Values{"access_token": {tok}, "type": {"jsapi"}})
	}
	wantCode(t, "missing token", f.get("/cgi-bin/ticket/getticket", url.Values{"type": {"jsapi"}}), 41001)
	wantCode(t, "unknown token", ticket("forged"), 40001)

	old := f.token()
	wantCode(t, "fresh token", ticket(old), 0)
	f.clock.Advance(wechat.TokenTTL)
	wantCode(t, "expired token", ticket(old), 42001)

	// A new token leaves the previous one valid for five minutes only,
	// then it is "not latest": 40001.
	prev := f.token()
	cur := f.token()
	wantCode(t, "superseded token within the overlap", ticket(prev), 0)
	f.clock.Advance(wechat.TokenOverlap)
	wantCode(t, "superseded token after the overlap", ticket(prev), 40001)
	wantCode(t, "current token", ticket(cur), 0)

	f.fake.ExpireTokens(appID)
	wantCode(t, "token after ExpireTokens", ticket(cur), 42001)
}

func TestTicketAndJSSignature(t *testing.T) {
	f := newFixture(t)
	tok := f.token()
	wantCode(t, "wrong type", f.get("/cgi-bin/ticket/getticket", url.Values{"access_token": {tok}, "type": {"card"}}), 40097)
	m := f.get("/cgi-bin/ticket/getticket", url.Values{"access_token": {tok}, "type": {"jsapi"}})
	if errcode(m) != 0 || m["errmsg"] != "ok" || m["ticket"] == "" || m["expires_in"] != float64(7200) {
		t.Fatalf("ticket answer %v", m)
	}
	again := f.get("/cgi-bin/ticket/getticket", url.Values{"access_token": {tok}, "type": {"jsapi"}})
	if again["ticket"] != m["ticket"] {
		t.Fatalf("ticket changed before expiry")
	}

	// VerifyJSSignature recomputes what the page's JS-SDK checks; the
	// signature is made here by hand, per WeChat's algorithm.
	ticket := m["ticket"].(string)
	page := "https://apps.example.gov.cn/a?b=c"
	sig := sha1Hex("jsapi_ticket=" + ticket + "&noncestr=abc&timestamp=1700000000&url=" + page)
	if !f.fake.VerifyJSSignature(appID, 1700000000, "abc", page+"#/x", sig) {
		t.Fatal("valid signature rejected")
	}
	if f.fake.VerifyJSSignature(appID, 1700000000, "abd", page, sig) {
		t.Fatal("signature with another nonce accepted")
	}
	f.clock.Advance(wechat.TokenTTL)
	if f.fake.VerifyJSSignature(appID, 1700000000, "abc", page, sig) {
		t.Fatal("signature with an expired ticket accepted")
	}
}

// authorize runs the OAuth page and returns the redirect's query, or the
// error page's body when there is no redirect.
func (f *fixture) authorize(q url.Values) (url.Values, string) {
	f.t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(f.srv.URL + "/connect/oauth2/authorize?" + q.Encode())
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		b, _ := io.ReadAll(resp.Body)
		return nil, string(b)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		f.t.Fatal(err)
	}
	return loc.Query(), ""
}

// authQuery is a valid authorize request.
func authQuery(scope string) url.Values {
	return url.Values{"appid": {appID}, "redirect_uri": {"https://gov.example.cn/cb?x=1"},
		"response_type": {"code"}, "scope": {scope}, "state": {"s1"}}
}

// exchange swaps a code for an OAuth token.
func (f *fixture) exchange(code string) map[string]any {
	return f.get("/sns/oauth2/access_token", url.Values{"appid": {appID}, "secret": {secret}, "code": {code}, "grant_type": {"authorization_code"}})
}

func TestOAuthFlow(t *testing.T) {
	f := newFixture(t)
	u := wechat.User{OpenID: "oAlice", UnionID: "uAlice", Nickname: "Alice", City: "宁波"}
	f.fake.SetUser(u)

	q, page := f.authorize(authQuery(wechat.ScopeUserInfo))
	if q == nil {
		t.Fatalf("no redirect: %s", page)
	}
	if q.Get("state") != "s1" || q.Get("x") != "1" || q.Get("code") == "" {
		t.Fatalf("redirect query %v", q)
	}
	tok := f.exchange(q.Get("code"))
	if errcode(tok) != 0 || tok["openid"] != "oAlice" || tok["unionid"] != "uAlice" || tok["scope"] != wechat.ScopeUserInfo || tok["expires_in"] != float64(7200) || tok["refresh_token"] == "" {
		t.Fatalf("token %v", tok)
	}
	wantCode(t, "reused code", f.exchange(q.Get("code")), 40163)

	info := f.get("/sns/userinfo", url.Values{"access_token": {tok["access_token"].(string)}, "openid": {"oAlice"}, "lang": {"zh_CN"}})
	if errcode(info) != 0 || info["nickname"] != "Alice" || info["city"] != "宁波" || info["unionid"] != "uAlice" {
		t.Fatalf("userinfo %v", info)
	}
	wantCode(t, "userinfo of another openid", f.get("/sns/userinfo", url.Values{"access_token": {tok["access_token"].(string)}, "openid": {"oBob"}}), 40003)
	wantCode(t, "userinfo with a forged token", f.get("/sns/userinfo", url.Values{"access_token": {"forged"}, "openid": {"oAlice"}}), 40001)
	f.clock.Advance(wechat.TokenTTL)
	wantCode(t, "userinfo with an expired token", f.get("/sns/userinfo", url.Values{"access_token": {tok["access_token"].(string)}, "openid": {"oAlice"}}), 42001)
}

func TestOAuthBaseScopeAndCodeRules(t *testing.T) {
	f := newFixture(t)
	q, _ := f.authorize(authQuery(wechat.ScopeBase))
	tok := f.exchange(q.Get("code"))
	if errcode(tok) != 0 || tok["openid"] != wechat.DefaultUser().OpenID || tok["unionid"] != nil {
		t.Fatalf("snsapi_base token %v (no unionid expected)", tok)
	}
	info := f.get("/sns/userinfo", url.Values{"access_token": {tok["access_token"].(string)}, "openid": {tok["openid"].(string)}})
	if errcode(info) != 48001 {
		t.Fatalf("userinfo with snsapi_base: %v, want 48001", info)
	}

	q, _ = f.authorize(authQuery(wechat.ScopeBase))
	f.clock.Advance(wechat.CodeTTL)
	wantCode(t, "expired code", f.exchange(q.Get("code")), 40029)
	wantCode(t, "unknown code", f.exchange("nope"), 40029)

	// A code of one app does not work for another.
	f.fake.AddApp("wxother", "other-secret")
	q, _ = f.authorize(authQuery(wechat.ScopeBase))
	m := f.get("/sns/oauth2/access_token", url.Values{"appid": {"wxother"}, "secret": {"other-secret"}, "code": {q.Get("code")}, "grant_type": {"authorization_code"}})
	wantCode(t, "code of another app", m, 40029)
	wantCode(t, "wrong secret", f.get("/sns/oauth2/access_token", url.Values{"appid": {appID}, "secret": {"x"}, "code": {"c"}, "grant_type": {"authorization_code"}}), 40125)
	wantCode(t, "wrong grant", f.get("/sns/oauth2/access_token", url.Values{"appid": {appID}, "secret": {secret}, "code": {"c"}, "grant_type": {"client_credential"}}), 40002)
}

func TestAuthorizeRejectsWhatWeChatRejects(t *testing.T) {
	f := newFixture(t)
	f.fake.SetOAuthDomains(appID, "gov.example.cn")
	cases := []struct {
		name string
		edit func(url.Values)
		code string
	}{
		{"unknown appid", func(q url.Values) { q.Set("appid", "wxnobody") }, "errcode=40013"},
		{"no redirect_uri", func(q url.Values) { q.Del("redirect_uri") }, "errcode=10011"},
		{"foreign domain", func(q url.Values) { q.Set("redirect_uri", "https://evil.example.com/cb") }, "errcode=10003"},
		{"bad scope", func(q url.Values) { q.Set("scope", "snsapi_login") }, "errcode=10005"},
		{"bad response_type", func(q url.Values) { q.Set("response_type", "token") }, "errcode=40097"},
	}
	for _, c := range cases {
		q := authQuery(wechat.ScopeBase)
		c.edit(q)
		if redirect, page := f.authorize(q); redirect != nil || !strings.Contains(page, c.code) {
			t.Errorf("%s: redirect %v, page %q; want an error page with %s", c.name, redirect, page, c.code)
		}
	}
	if q, page := f.authorize(authQuery(wechat.ScopeBase)); q == nil {
		t.Fatalf("registered domain refused: %s", page)
	}
}

func TestUserForPicksTheUser(t *testing.T) {
	f := newFixture(t)
	f.fake.UserFor = func(r *http.Request) (wechat.User, bool) {
		if c, err := r.Cookie("sandbox_user"); err == nil {
			return wechat.User{OpenID: c.Value, Nickname: c.Value}, true
		}
		return wechat.User{}, false
	}
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/connect/oauth2/authorize?"+authQuery(wechat.ScopeUserInfo).Encode(), nil)
	req.AddCookie(&http.Cookie{Name: "sandbox_user", Value: "oCarol"})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if tok := f.exchange(loc.Query().Get("code")); tok["openid"] != "oCarol" {
		t.Fatalf("token %v, want openid oCarol", tok)
	}
}

func TestTemplateSend(t *testing.T) {
	f := newFixture(t)
	tok := f.token()
	q := url.Values{"access_token": {tok}}
	body := `{"touser":"oAlice","template_id":"T1","url":"https://x.cn","data":{"first":{"value":"你好","color":"#000"}},"miniprogram":{"appid":"","pagepath":""}}`
	m := f.post("/cgi-bin/message/template/send", q, body)
	if errcode(m) != 0 || m["errmsg"] != "ok" || m["msgid"] == nil {
		t.Fatalf("send answer %v", m)
	}
	got := f.fake.TemplateMessages()
	if len(got) != 1 || got[0].ToUser != "oAlice" || got[0].Data["first"].Value != "你好" || got[0].AppID != appID || float64(got[0].MsgID) != m["msgid"] {
		t.Fatalf("recorded %+v", got)
	}

	wantCode(t, "GET send", f.get("/cgi-bin/message/template/send", q), 43002)
	wantCode(t, "bad JSON", f.post("/cgi-bin/message/template/send", q, `{"touser":"oAlice","data":{"first":"not an object"}}`), 47001)
	wantCode(t, "no touser", f.post("/cgi-bin/message/template/send", q, `{"template_id":"T1","data":{}}`), 40003)
	wantCode(t, "no template", f.post("/cgi-bin/message/template/send", q, `{"touser":"oAlice","data":{}}`), 40037)
	wantCode(t, "no token", f.post("/cgi-bin/message/template/send", nil, body), 41001)

	f.fake.AddTemplate(appID, "T2")
	wantCode(t, "template not added", f.post("/cgi-bin/message/template/send", q, body), 40037)
	f.fake.AddTemplate(appID, "T1")
	wantCode(t, "template added", f.post("/cgi-bin/message/template/send", q, body), 0)

	f.fake.SetFollowing("oAlice", false)
	wantCode(t, "unfollowed", f.post("/cgi-bin/message/template/send", q, body), 43004)
	f.fake.SetFollowing("oAlice", true)
	wantCode(t, "followed again", f.post("/cgi-bin/message/template/send", q, body), 0)
	if n := len(f.fake.TemplateMessages()); n != 3 {
		t.Fatalf("%d messages recorded, want 3 (failed sends are not)", n)
	}
}

func TestSubscribeSend(t *testing.T) {
	f := newFixture(t)
	q := url.Values{"access_token": {f.token()}}
	body := `{"touser":"oAlice","template_id":"S1","page":"https://x.cn/p","data":{"thing1":{"value":"预约成功"}}}`
	m := f.post("/cgi-bin/message/subscribe/bizsend", q, body)
	if errcode(m) != 0 || m["errmsg"] != "ok" {
		t.Fatalf("bizsend answer %v", m)
	}
	got := f.fake.SubscribeMessages()
	if len(got) != 1 || got[0].Page != "https://x.cn/p" || got[0].Data["thing1"].Value != "预约成功" {
		t.Fatalf("recorded %+v", got)
	}
	f.fake.SetFollowing("oAlice", false)
	wantCode(t, "unfollowed", f.post("/cgi-bin/message/subscribe/bizsend", q, body), 43004)
}

func TestDailyQuota(t *testing.T) {
	f := newFixture(t)
	f.fake.DailyQuota = 2
	q := url.Values{"access_token": {f.token()}}
	body := `{"touser":"oAlice","template_id":"T1","data":{}}`
	for i := 0; i < 2; i++ {
		wantCode(t, "within quota", f.post("/cgi-bin/message/template/send", q, body), 0)
	}
	wantCode(t, "over quota", f.post("/cgi-bin/message/template/send", q, body), 45009)
	// Quotas are per API: subscribe messages still go.
	wantCode(t, "other API", f.post("/cgi-bin/message/subscribe/bizsend", q, body), 0)
	// They reset at midnight Beijing time: 2025-03-01 09:00 UTC is 17:00 in
	// Beijing, so 7 hours later is the next day there.
	f.clock.Advance(7 * time.Hour)
	q.Set("access_token", f.token()) // the old one expired meanwhile
	wantCode(t, "next day", f.post("/cgi-bin/message/template/send", q, body), 0)
}

func TestFailNextAndCalls(t *testing.T) {
	f := newFixture(t)
	f.fake.FailNext(-1, "")
	m := f.get("/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {appID}, "secret": {secret}})
	wantCode(t, "FailNext", m, -1)
	if !strings.Contains(m["errmsg"].(string), " rid: ") {
		t.Fatalf("errmsg %q lacks WeChat's request id", m["errmsg"])
	}
	tok := f.token() // the failure was used up

	f.fake.FailNextOn("/cgi-bin/message/template/send", 45009, "custom text")
	wantCode(t, "other path unaffected", f.get("/cgi-bin/ticket/getticket", url.Values{"access_token": {tok}, "type": {"jsapi"}}), 0)
	m = f.post("/cgi-bin/message/template/send", url.Values{"access_token": {tok}}, `{}`)
	if errcode(m) != 45009 || !strings.HasPrefix(m["errmsg"].(string), "custom text") {
		t.Fatalf("FailNextOn answer %v", m)
	}

	calls := f.fake.Calls()
	if len(calls) != 4 {
		t.Fatalf("%d calls recorded, want 4", len(calls))
	}
	last := calls[3]
	if last.Method != http.MethodPost || last.Path != "/cgi-bin/message/template/send" || last.Query.Get("access_token") != tok || string(last.Body) != "{}" {
		t.Fatalf("last call %+v", last)
	}
	if calls[0].Query.Get("appid") != appID || !calls[0].At.Equal(f.clock.Now()) {
		t.Fatalf("first call %+v", calls[0])
	}
}

func TestLatencyEndsWithTheRequest(t *testing.T) {
	f := newFixture(t)
	f.fake.Latency = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.srv.URL+"/cgi-bin/token", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("slow reply arrived before the deadline")
	}
	// Close waits for the handler; with a minute of latency the test would
	// hang here if the handler ignored the departed client.
	f.srv.Close()
}

func TestUnknownPathIs404(t *testing.T) {
	f := newFixture(t)
	resp, err := http.Get(f.srv.URL + "/cgi-bin/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// sha1Hex is the hex sha1 of s.
func sha1Hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
