package alipay

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// appID is the app the tests register.
const appID = "2021000000000001"

// keys generated once per test binary: the app's and the gateway's.
var (
	keysOnce          sync.Once
	appKey, gwKey     *rsa.PrivateKey
	otherKey          *rsa.PrivateKey
	errKeyGenerations error
)

// testKeys returns the app key, the gateway key and an unrelated key.
func testKeys(t *testing.T) (app, gw, other *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		for _, k := range []**rsa.PrivateKey{&appKey, &gwKey, &otherKey} {
			if *k, errKeyGenerations = rsa.GenerateKey(rand.Reader, 2048); errKeyGenerations != nil {
				return
			}
		}
	})
	if errKeyGenerations != nil {
		t.Fatal(errKeyGenerations)
	}
	return appKey, gwKey, otherKey
}

// pubPEM encodes a public key as PKIX PEM.
func pubPEM(k *rsa.PrivateKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// newTestGateway returns a gateway with the app registered, behind a server.
func newTestGateway(t *testing.T) (*Gateway, *httptest.Server) {
	t.Helper()
	app, gw, _ := testKeys(t)
	g := &Gateway{}
	g.SetPrivateKey(gw)
	if err := g.AddApp(appID, pubPEM(app)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return g, srv
}

// request builds the parameters of a call the way Alipay's SDKs do, then lets edit change
// them before signing with key.
func request(method string, extra url.Values, key *rsa.PrivateKey, edit func(url.Values)) url.Values {
	p := url.Values{
		"app_id":    {appID},
		"method":    {method},
		"format":    {"JSON"},
		"charset":   {"utf-8"},
		"sign_type": {"RSA2"},
		"timestamp": {time.Now().In(beijing).Format(timestampLayout)},
		"version":   {"1.0"},
	}
	for k, v := range extra {
		p[k] = v
	}
	if edit != nil {
		edit(p)
	}
	sig, err := rsa2Sign(key, []byte(signContent(p, "sign")))
	if err != nil {
		panic(err)
	}
	if p.Get("sign") == "" {
		p.Set("sign", sig)
	}
	if p.Get("sign") == "-" {
		p.Del("sign")
	}
	return p
}

// answer is a gateway response split into its node and sign, the node's bytes exact.
type answer struct {
	node string
	raw  []byte
	sign string
	all  map[string]json.RawMessage
}

// post sends params and splits the answer.
func post(t *testing.T, srv *httptest.Server, path string, params url.Values) answer {
	t.Helper()
	resp, err := http.PostForm(srv.URL+path, params)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d: %s", resp.StatusCode, body)
	}
	var a answer
	if err := json.Unmarshal(body, &a.all); err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	// The gateway writes {"<node>":<raw>[,"sign":"…"]}: cut the node out by position.
	colon := bytes.IndexByte(body, ':')
	a.node = string(body[2 : colon-1])
	end := bytes.LastIndex(body, []byte(`,"sign":"`))
	if end < 0 {
		end = len(body) - 1
	} else {
		_ = json.Unmarshal(a.all["sign"], &a.sign)
	}
	a.raw = body[colon+1 : end]
	return a
}

// verified reports whether the answer's sign verifies with the gateway key.
func (a answer) verified(gw *rsa.PrivateKey) bool {
	return a.sign != "" && rsa2Verify(&gw.PublicKey, a.raw, a.sign)
}

// errorOf decodes the answer's node as an error.
func (a answer) errorOf(t *testing.T) Error {
	t.Helper()
	var e Error
	if err := json.Unmarshal(a.raw, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestZeroValueGeneratesItsKey: The fakes are usable without setup, so the zero value must
// make its own key and keep it.
func TestZeroValueGeneratesItsKey(t *testing.T) {
	var g Gateway
	p1 := g.PublicKeyPEM()
	block, _ := pem.Decode(p1)
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("PublicKeyPEM = %s", p1)
	}
	if _, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p1, g.PublicKeyPEM()) {
		t.Fatal("the key changed between calls")
	}
	srv := httptest.NewServer(&g)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown path answered %d", resp.StatusCode)
	}
}

// TestWrongSignatureGetsAlipaysErrorShape: A client is tested on the exact bytes Alipay
// answers a bad request signature with, signed like every answer.
func TestWrongSignatureGetsAlipaysErrorShape(t *testing.T) {
	g, srv := newTestGateway(t)
	_, gw, other := testKeys(t)
	a := post(t, srv, "/gateway.do", request(MethodOAuthToken, url.Values{"grant_type": {"authorization_code"}, "code": {"c"}}, other, nil))
	if a.node != "error_response" || len(a.all) != 2 || a.sign == "" {
		t.Fatalf("answer = %s %v", a.node, a.all)
	}
	e := a.errorOf(t)
	if e.Code != "40002" || e.Msg != "Invalid Arguments" || e.SubCode != "isv.invalid-signature" || !strings.HasPrefix(e.SubMsg, "验签出错") ||
		!strings.Contains(e.SubMsg, "app_id="+appID+"&charset=utf-8&code=c&format=JSON&grant_type=authorization_code&method=alipay.system.oauth.token&sign_type=RSA2&timestamp=") {
		t.Fatalf("error = %+v", e)
	}
	if !bytes.HasPrefix(a.raw, []byte(`{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错`)) {
		t.Fatalf("node bytes = %s", a.raw)
	}
	if !a.verified(gw) {
		t.Fatal("the error answer is not signed by the gateway key")
	}
	if c := g.Calls(); len(c) != 1 || c[0].SubCode != "isv.invalid-signature" || c[0].Method != MethodOAuthToken {
		t.Fatalf("calls = %+v", c)
	}
}

// TestCommonParameterChecks: Each common parameter Alipay checks is checked here too, with
// its code, and only answers for a known app are signed.
func TestCommonParameterChecks(t *testing.T) {
	g, srv := newTestGateway(t)
	app, gw, _ := testKeys(t)
	if err := g.AddApp("2021000000000002", pubPEM(app)); err != nil {
		t.Fatal(err)
	}
	utc := time.Now().UTC().Format(timestampLayout)
	cases := []struct {
		name, code, sub string
		signed          bool
		edit            func(url.Values)
	}{
		{"missing app_id", "40001", "isv.missing-app-id", false, func(p url.Values) { p.Del("app_id") }},
		{"unknown app_id", "40002", "isv.invalid-app-id", false, func(p url.Values) { p.Set("app_id", "2021009999999999") }},
		{"missing method", "40001", "isv.missing-method", true, func(p url.Values) { p.Del("method") }},
		{"unknown method", "40002", "isv.invalid-method", true, func(p url.Values) { p.Set("method", "alipay.trade.pay") }},
		{"missing sign_type", "40001", "isv.missing-signature-type", true, func(p url.Values) { p.Del("sign_type") }},
		{"RSA sign_type", "40002", "isv.invalid-signature-type", true, func(p url.Values) { p.Set("sign_type", "RSA") }},
		{"missing sign", "40001", "isv.missing-signature", true, func(p url.Values) { p.Set("sign", "-") }},
		{"missing timestamp", "40001", "isv.missing-timestamp", true, func(p url.Values) { p.Del("timestamp") }},
		{"timestamp in UTC", "40002", "isv.invalid-timestamp", true, func(p url.Values) { p.Set("timestamp", utc) }},
		{"timestamp unreadable", "40002", "isv.invalid-timestamp", true, func(p url.Values) { p.Set("timestamp", "1714536000") }},
		{"missing version", "40001", "isv.missing-version", true, func(p url.Values) { p.Del("version") }},
		{"version 2.0", "40002", "isv.invalid-parameter", true, func(p url.Values) { p.Set("version", "2.0") }},
		{"GBK", "40002", "isv.invalid-charset", true, func(p url.Values) { p.Set("charset", "GBK") }},
		{"XML", "40002", "isv.invalid-format", true, func(p url.Values) { p.Set("format", "XML") }},
		{"signed for another app", "40002", "isv.invalid-signature", true, nil},
		{"repeated parameter", "40002", "isv.invalid-parameter", false, func(p url.Values) { p.Add("auth_token", "y") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			params := request(MethodUserInfoShare, url.Values{"auth_token": {"x"}}, app, c.edit)
			if c.edit == nil { // valid signature, then the app_id is swapped
				params.Set("app_id", "2021000000000002")
			}
			a := post(t, srv, "/gateway.do", params)
			e := a.errorOf(t)
			if a.node != "error_response" || e.Code != c.code || e.SubCode != c.sub {
				t.Fatalf("%s: %+v", a.node, e)
			}
			if c.signed != (a.sign != "") || (c.signed && !a.verified(gw)) {
				t.Fatalf("signed = %v, want %v", a.sign != "", c.signed)
			}
		})
	}
	// Parameters may come in the query string too, as Alipay's SDKs put them.
	params := request(MethodUserInfoShare, url.Values{"auth_token": {"x"}}, app, nil)
	query := url.Values{}
	for _, k := range []string{"app_id", "method", "sign", "sign_type", "timestamp", "version", "charset", "format"} {
		query[k] = params[k]
		params.Del(k)
	}
	resp, err := http.Post(srv.URL+"/gateway.do?"+query.Encode(), "application/x-www-form-urlencoded;charset=utf-8", strings.NewReader(params.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte(`"sub_code":"aop.invalid-auth-token"`)) {
		t.Fatalf("split request: %s", body)
	}
}

// TestOAuthPageCodeAndUserInfo: The whole web OAuth flow in Alipay's shapes: page
// redirect, single-use expiring code, token node without code, user info.
func TestOAuthPageCodeAndUserInfo(t *testing.T) {
	g, srv := newTestGateway(t)
	app, gw, _ := testKeys(t)
	now := time.Now()
	g.Now = func() time.Time { return now }
	u := User{UserID: "2088102150477652", OpenID: "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5", NickName: "小明", Mobile: "13900001111", Certified: true}
	g.SetUser(u)

	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := func(q url.Values) *http.Response {
		resp, err := browser.Get(srv.URL + "/sandbox/alipay/oauth2/publicAppAuthorize.htm?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	good := url.Values{"app_id": {appID}, "scope": {"auth_user"}, "redirect_uri": {"https://gov.example/cb?a=1"}, "state": {"xyz"}}
	for name, edit := range map[string]func(url.Values){
		"unknown app":       func(q url.Values) { q.Set("app_id", "nope") },
		"bad scope":         func(q url.Values) { q.Set("scope", "snsapi_userinfo") },
		"relative redirect": func(q url.Values) { q.Set("redirect_uri", "/cb") },
	} {
		q := url.Values{}
		for k, v := range good {
			q[k] = v
		}
		edit(q)
		if resp := page(q); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
	}
	resp := page(good)
	loc, _ := url.Parse(resp.Header.Get("Location"))
	lq := loc.Query()
	if resp.StatusCode != http.StatusFound || loc.Host != "gov.example" || lq.Get("a") != "1" || lq.Get("state") != "xyz" || lq.Get("app_id") != appID ||
		lq.Get("scope") != "auth_user" || lq.Get("source") != "alipay_wallet" || lq.Get("auth_code") == "" {
		t.Fatalf("redirect %d %s", resp.StatusCode, loc)
	}
	code := lq.Get("auth_code")
	exchange := func(code string) answer {
		return post(t, srv, "/gateway.do", request(MethodOAuthToken, url.Values{"grant_type": {"authorization_code"}, "code": {code}}, app, func(p url.Values) {
			p.Set("timestamp", now.In(beijing).Format(timestampLayout))
		}))
	}
	a := exchange(code)
	var tok map[string]any
	if err := json.Unmarshal(a.raw, &tok); err != nil {
		t.Fatal(err)
	}
	if a.node != "alipay_system_oauth_token_response" || !a.verified(gw) || tok["user_id"] != u.UserID || tok["open_id"] != u.OpenID ||
		tok["access_token"] == "" || tok["expires_in"] != float64(AccessTokenTTL/time.Second) {
		t.Fatalf("%s %s", a.node, a.raw)
	}
	if _, hasCode := tok["code"]; hasCode {
		t.Fatal("Alipay's oauth token success has no code field")
	}
	if e := exchange(code).errorOf(t); e.SubCode != "isv.code-invalid" || e.SubMsg != "授权码code无效" {
		t.Fatalf("reused code: %+v", e)
	}

	// Codes expire.
	late, _ := g.IssueAuthCode(appID, "auth_base")
	now = now.Add(AuthCodeTTL + time.Second)
	if e := exchange(late).errorOf(t); e.SubCode != "isv.code-invalid" {
		t.Fatalf("expired code: %+v", e)
	}
	// Other grant types are refused.
	a = post(t, srv, "/gateway.do", request(MethodOAuthToken, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"r"}}, app, func(p url.Values) {
		p.Set("timestamp", now.In(beijing).Format(timestampLayout))
	}))
	if e := a.errorOf(t); e.SubCode != "isv.grant-type-invalid" {
		t.Fatalf("refresh grant: %+v", e)
	}

	info := post(t, srv, "/gateway.do", request(MethodUserInfoShare, url.Values{"auth_token": {tok["access_token"].(string)}}, app, func(p url.Values) {
		p.Set("timestamp", now.In(beijing).Format(timestampLayout))
	}))
	var ui map[string]string
	if err := json.Unmarshal(info.raw, &ui); err != nil {
		t.Fatal(err)
	}
	if info.node != "alipay_user_info_share_response" || !info.verified(gw) || ui["code"] != "10000" || ui["msg"] != "Success" ||
		ui["nick_name"] != "小明" || ui["mobile"] != u.Mobile || ui["is_certified"] != "T" || ui["user_id"] != u.UserID {
		t.Fatalf("%s %s", info.node, info.raw)
	}
}

// TestUserInfoRefusals: An auth_base or unknown token must not read the profile, as at
// Alipay.
func TestUserInfoRefusals(t *testing.T) {
	g, srv := newTestGateway(t)
	app, _, _ := testKeys(t)
	base, _ := g.IssueAuthCode(appID, "auth_base")
	a := post(t, srv, "/gateway.do", request(MethodOAuthToken, url.Values{"grant_type": {"authorization_code"}, "code": {base}}, app, nil))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(a.raw, &tok)
	for name, token := range map[string]string{"auth_base token": tok.AccessToken, "unknown token": "nope"} {
		a := post(t, srv, "/gateway.do", request(MethodUserInfoShare, url.Values{"auth_token": {token}}, app, nil))
		if e := a.errorOf(t); a.node != "alipay_user_info_share_response" || e.Code != "20001" || e.SubCode != "aop.invalid-auth-token" {
			t.Errorf("%s: %s %+v", name, a.node, e)
		}
	}
}

// TestFailNextQueue: Failures are injected after the checks, in the node Alipay uses, and
// template messages are validated and recorded.
func TestFailNextQueue(t *testing.T) {
	g, srv := newTestGateway(t)
	app, gw, _ := testKeys(t)
	g.FailNext("", ErrUnavailable)
	g.FailNext(MethodPublicMessageSingleSend, Error{Code: "40004", Msg: "Business Failed", SubCode: "USER_NOT_FOLLOW", SubMsg: "用户未关注"})
	a := post(t, srv, "/gateway.do", request(MethodUserInfoShare, url.Values{"auth_token": {"x"}}, app, nil))
	if e := a.errorOf(t); a.node != "alipay_user_info_share_response" || e != ErrUnavailable || !a.verified(gw) {
		t.Fatalf("first: %s %+v", a.node, e)
	}
	a = post(t, srv, "/gateway.do", request(MethodUserInfoShare, url.Values{"auth_token": {"x"}}, app, nil))
	if e := a.errorOf(t); e.SubCode != "aop.invalid-auth-token" {
		t.Fatalf("second: %+v", e)
	}
	msg := `{"to_user_id":"2088000000000001","template":{"template_id":"T","context":{"head_color":"#000","url":"https://a/?x=1&y=2","action_name":"查看"}}}`
	a = post(t, srv, "/gateway.do", request(MethodPublicMessageSingleSend, url.Values{"biz_content": {msg}}, app, nil))
	if e := a.errorOf(t); e.SubCode != "USER_NOT_FOLLOW" || len(g.Messages()) != 0 {
		t.Fatalf("message failure: %+v", e)
	}
	a = post(t, srv, "/gateway.do", request(MethodPublicMessageSingleSend, url.Values{"biz_content": {msg}}, app, nil))
	if e := a.errorOf(t); e.Code != "10000" || len(g.Messages()) != 1 || !bytes.Contains(a.raw, []byte(`"msg_id":"`)) {
		t.Fatalf("message: %s", a.raw)
	}
	if m := g.Messages()[0]; string(m.Context) != `{"head_color":"#000","url":"https://a/?x=1&y=2","action_name":"查看"}` || m.TemplateID != "T" {
		t.Fatalf("recorded %+v", m)
	}
	for name, biz := range map[string]string{
		"no biz_content": "",
		"not JSON":       "{",
		"no recipient":   `{"template":{"template_id":"T","context":{"head_color":"#000","url":"u","action_name":"a"}}}`,
		"no template":    `{"to_user_id":"1"}`,
		"no url":         `{"to_user_id":"1","template":{"template_id":"T","context":{"head_color":"#000","action_name":"a"}}}`,
	} {
		a := post(t, srv, "/gateway.do", request(MethodPublicMessageSingleSend, url.Values{"biz_content": {biz}}, app, nil))
		if e := a.errorOf(t); e.Code == "10000" || !strings.HasPrefix(e.Code, "400") {
			t.Errorf("%s: %+v", name, e)
		}
	}
	if n := len(g.Messages()); n != 1 {
		t.Fatalf("messages: %d", n)
	}
}

// TestNotifyIsSigned: The notifications the platform verifies must be signed over
// everything but sign and sign_type.
func TestNotifyIsSigned(t *testing.T) {
	g, _ := newTestGateway(t)
	_, gw, _ := testKeys(t)
	var form url.Values
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		form = r.PostForm
		if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded; charset=utf-8" {
			http.Error(w, "content type", http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, "success\n")
	}))
	defer app.Close()
	ack, err := g.Notify(t.Context(), app.URL, url.Values{"app_id": {appID}, "notify_type": {"t"}, "subject": {"办件 & 缴费"}, "empty": {""}})
	if err != nil || ack != "success" {
		t.Fatalf("%q %v", ack, err)
	}
	for _, k := range []string{"notify_id", "notify_time", "charset", "version", "sign_type", "sign"} {
		if form.Get(k) == "" {
			t.Errorf("notification without %s", k)
		}
	}
	content := signContent(form, "sign", "sign_type")
	if strings.Contains(content, "sign_type") || !rsa2Verify(&gw.PublicKey, []byte(content), form.Get("sign")) {
		t.Fatalf("the notification does not verify over %q", content)
	}
	if _, err := g.Notify(t.Context(), app.URL, url.Values{}); err == nil {
		t.Fatal("a notification without app_id was sent")
	}
	if c := g.Calls(); len(c) != 1 || c[0].Method != "notify" {
		t.Fatalf("calls = %+v", c)
	}
}

// TestUserForPicksTheCitizen: The sandbox phone signs several simulated citizens in at
// once, so the OAuth page must take the user from the request when told to.
func TestUserForPicksTheCitizen(t *testing.T) {
	g, srv := newTestGateway(t)
	app, _, _ := testKeys(t)
	g.UserFor = func(r *http.Request) (User, bool) {
		c, err := r.Cookie("citizen")
		if err != nil {
			return User{}, false
		}
		return User{UserID: c.Value}, true
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for cookie, want := range map[string]string{"2088000000000042": "2088000000000042", "": DefaultUser().UserID} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+AuthorizePath+"?app_id="+appID+"&scope=auth_base&redirect_uri=https://gov.example/cb", nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "citizen", Value: cookie})
		}
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		a := post(t, srv, "/gateway.do", request(MethodOAuthToken, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("auth_code")}}, app, nil))
		var tok struct {
			UserID string `json:"user_id"`
		}
		_ = json.Unmarshal(a.raw, &tok)
		if tok.UserID != want {
			t.Errorf("cookie %q: user %q, want %q", cookie, tok.UserID, want)
		}
	}
}
