package alipay

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	fake "github.com/govapp/govapp/sandbox/alipay"
)

// signIn drives the web OAuth page like a browser that does not follow the redirect and
// returns the callback URL Alipay sent it to.
func signIn(t *testing.T, c *Client, scope, state string) *url.URL {
	t.Helper()
	page, err := c.AuthorizeURL("https://portal.example.gov.cn/auth/alipay/callback?from=portal", scope, state)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("OAuth page answered %d", resp.StatusCode)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// TestOAuthTokenAndUserInfoRoundTrip: Sign-in through Alipay end to end against the
// sandbox, with a nickname that breaks naive node extraction, and a reused code refused.
func TestOAuthTokenAndUserInfoRoundTrip(t *testing.T) {
	s := newSandbox(t)
	// A nickname that would break a naive scan for the end of the node.
	user := fake.User{UserID: "2088102150477652", NickName: `王"}{\小明`, Avatar: "https://tfs.alipayobjects.com/a.png?x=1&y=2",
		Province: "浙江省", City: "宁波市", Gender: "M", Mobile: "13900001111", Certified: true}
	s.gw.SetUser(user)
	c := s.client(t)

	back := signIn(t, c, ScopeAuthUser, "st-123")
	q := back.Query()
	if back.Host != "portal.example.gov.cn" || q.Get("from") != "portal" || q.Get("state") != "st-123" || q.Get("app_id") != testAppID {
		t.Fatalf("callback = %s", back)
	}
	code := q.Get("auth_code")
	tok, err := c.SystemOAuthToken(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	if tok.UserID != user.UserID || tok.OpenID == "" || tok.AccessToken == "" || tok.ExpiresIn <= 0 || tok.AuthStart.IsZero() {
		t.Fatalf("token = %+v", tok)
	}
	if s := tok.String(); strings.Contains(s, tok.AccessToken) || strings.Contains(s, tok.RefreshToken) {
		t.Fatalf("OAuthToken.String leaks the tokens: %s", s)
	}

	info, err := c.UserInfoShare(t.Context(), tok.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	want := UserInfo{UserID: user.UserID, OpenID: tok.OpenID, NickName: user.NickName, Avatar: user.Avatar, Province: user.Province,
		City: user.City, Gender: "M", Mobile: user.Mobile, IsCertified: "T"}
	if info != want || !info.Certified() {
		t.Fatalf("user info:\n got %+v\nwant %+v", info, want)
	}

	// The code is single-use.
	_, err = c.SystemOAuthToken(t.Context(), code)
	var apiErr *APIError
	if !errors.Is(err, ErrCodeInvalid) || !errors.As(err, &apiErr) || apiErr.Code != "40002" {
		t.Fatalf("reused code: %v, want 40002 isv.code-invalid", err)
	}
	// A code nobody issued.
	if _, err := c.SystemOAuthToken(t.Context(), "forged"); !errors.Is(err, ErrCodeInvalid) {
		t.Fatalf("forged code: %v", err)
	}
}

// TestAuthBaseTokenCannotReadUserInfo: The platform must learn from a typed error that it
// asked for too little scope or holds an expired token.
func TestAuthBaseTokenCannotReadUserInfo(t *testing.T) {
	s := newSandbox(t)
	c := s.client(t)
	code := signIn(t, c, ScopeAuthBase, "s").Query().Get("auth_code")
	tok, err := c.SystemOAuthToken(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	if tok.UserID != fake.DefaultUser().UserID {
		t.Fatalf("user = %q", tok.UserID)
	}
	_, err = c.UserInfoShare(t.Context(), tok.AccessToken)
	if !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("auth_base token: %v, want ErrTokenInvalid", err)
	}
	// Expired tokens are refused the same way, with their own sub code.
	code = signIn(t, c, ScopeAuthUser, "s").Query().Get("auth_code")
	tok, err = c.SystemOAuthToken(t.Context(), code)
	if err != nil {
		t.Fatal(err)
	}
	s.gw.ExpireTokens()
	_, err = c.UserInfoShare(t.Context(), tok.AccessToken)
	var apiErr *APIError
	if !errors.Is(err, ErrTokenInvalid) || !errors.As(err, &apiErr) || apiErr.SubCode != "aop.auth-token-time-out" {
		t.Fatalf("expired token: %v", err)
	}
}

// TestAuthorizeURL: The OAuth page URL carries what the callback check relies on, and bad
// inputs fail before a citizen sees them.
func TestAuthorizeURL(t *testing.T) {
	s := newSandbox(t)
	c := s.client(t)
	u, err := c.AuthorizeURL("https://a.example/cb?x=1", "auth_user", "abc")
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(u)
	q := parsed.Query()
	if parsed.Path != "/oauth2/publicAppAuthorize.htm" || q.Get("app_id") != testAppID || q.Get("scope") != "auth_user" || q.Get("redirect_uri") != "https://a.example/cb?x=1" || q.Get("state") != "abc" {
		t.Fatalf("AuthorizeURL = %s", u)
	}
	for _, bad := range [][3]string{
		{"https://a.example/cb", "snsapi_base", "s"},
		{"/cb", "auth_base", "s"},
		{"https://a.example/cb", "auth_base", ""},
	} {
		if _, err := c.AuthorizeURL(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("AuthorizeURL%q accepted", bad)
		}
	}
	def, err := New(Config{AppID: testAppID, PrivateKeyPEM: readTestdata(t, "app_private_key.pem"), AlipayPublicKeyPEM: readTestdata(t, "alipay_public_key.pem")})
	if err != nil {
		t.Fatal(err)
	}
	u, _ = def.AuthorizeURL("https://a.example/cb", "auth_base", "s")
	if !strings.HasPrefix(u, DefaultAuthorizeURL+"?") {
		t.Fatalf("default AuthorizeURL = %s", u)
	}
}

// tamperingProxy forwards to the sandbox and rewrites its answers with edit.
func tamperingProxy(t *testing.T, target string, edit func([]byte) []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		resp, err := http.Post(target+r.URL.Path, r.Header.Get("Content-Type"), bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, _ := io.ReadAll(resp.Body)
		_, _ = w.Write(edit(answer))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestTamperedResponsesAreRefused: No answer whose signed bytes were altered, stripped or
// duplicated may turn into an identity.
func TestTamperedResponsesAreRefused(t *testing.T) {
	s := newSandbox(t)
	cases := map[string]func([]byte) []byte{
		"user_id changed": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"user_id":"2088000000000001"`), []byte(`"user_id":"2088000000000002"`), 1)
		},
		"whitespace added inside the node": func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"user_id":`), []byte(`"user_id": `), 1)
		},
		"sign removed": func(b []byte) []byte {
			i := bytes.Index(b, []byte(`,"sign":`))
			return append(b[:i:i], '}')
		},
		"sign from another answer": func(b []byte) []byte {
			i := bytes.Index(b, []byte(`,"sign":"`))
			return append(b[:i:i], []byte(`,"sign":"TwDbXcgPRUrbaBAx1jdt4zOzJGbPWNWmpIXTA5flXWkhqmTn0eujtzkvloU9nDcAOM9tsGzjsWGRcgqw+aX48PxSv5gLCcSVDF70LEmLhrSBhov8wNlVhQDmmwDW3o/PblsuXCMQZ6CDyEfZ7IZO51MnPwV9v6aWxQ7F/R+GfrUKXgrD2V16hhP4wyd68cnc+4NGMY5w+xD/kIW0P0rYzSdW9pRmsfuEiagdyMF5djbPJReg247qz+s+ammKZ4y5+hz3htiWqj5/DGH0wlr1ZCsKV09Dk/BHAC8UUD3DivXOOBBN03HLslDzSXMUwM65MqziNsjiTh306lo9m/iPEA=="}`)...)
		},
		"second forged node after the signed one": func(b []byte) []byte {
			i := bytes.LastIndexByte(b, '}')
			return append(b[:i:i], []byte(`,"alipay_system_oauth_token_response":{"user_id":"2088999999999999","access_token":"x"}}`)...)
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			proxy := tamperingProxy(t, s.srv.URL, edit)
			cfg := s.config(t)
			cfg.GatewayURL = proxy.URL + "/gateway.do"
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			code, err := s.gw.IssueAuthCode(testAppID, ScopeAuthBase)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := c.SystemOAuthToken(t.Context(), code)
			if err == nil {
				t.Fatalf("a tampered answer was accepted: %+v", tok)
			}
			if name != "second forged node after the signed one" && !errors.Is(err, ErrBadSignature) {
				t.Fatalf("got %v, want ErrBadSignature", err)
			}
		})
	}

	// A gateway signing with a key other than the configured Alipay public key.
	cfg := s.config(t)
	cfg.AlipayPublicKeyPEM = readTestdata(t, "app_public_key.pem")
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := s.gw.IssueAuthCode(testAppID, ScopeAuthBase)
	if _, err := c.SystemOAuthToken(t.Context(), code); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("answer signed by another key: %v, want ErrBadSignature", err)
	}
}

// TestGatewayRefusesRequestSignedWithWrongKey: A key mismatch is reported as such, without
// echoing the signed string (auth codes) into logs.
func TestGatewayRefusesRequestSignedWithWrongKey(t *testing.T) {
	s := newSandbox(t)
	cfg := s.config(t)
	cfg.PrivateKeyPEM = readTestdata(t, "alipay_private_key.pem") // not the key registered for the app
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := s.gw.IssueAuthCode(testAppID, ScopeAuthBase)
	_, err = c.SystemOAuthToken(t.Context(), code)
	var apiErr *APIError
	if !errors.Is(err, ErrRequestSignature) || !errors.As(err, &apiErr) {
		t.Fatalf("got %v, want isv.invalid-signature", err)
	}
	if apiErr.Code != "40002" || apiErr.Msg != "Invalid Arguments" || !strings.HasPrefix(apiErr.SubMsg, "验签出错") {
		t.Fatalf("error = %+v", apiErr)
	}
	if strings.Contains(err.Error(), code) {
		t.Fatalf("the error message quotes the auth code: %v", err)
	}
	assertNoSecret(t, []error{err}, pemBody(cfg.PrivateKeyPEM))
	calls := s.gw.Calls()
	if last := calls[len(calls)-1]; last.SubCode != "isv.invalid-signature" {
		t.Fatalf("gateway recorded %+v", last)
	}
}

// TestUnknownAppGetsUnsignedError: Alipay cannot sign for an app it does not know; that
// unsigned answer is still reported as an error, never as data.
func TestUnknownAppGetsUnsignedError(t *testing.T) {
	s := newSandbox(t)
	cfg := s.config(t)
	cfg.AppID = "2021009999999999"
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UserInfoShare(t.Context(), "t")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.SubCode != "isv.invalid-app-id" {
		t.Fatalf("got %v, want isv.invalid-app-id", err)
	}
}

// TestFailNextAndTimeout: An unavailable or stalled gateway gives a retryable error
// quickly and does not burn the citizen's code.
func TestFailNextAndTimeout(t *testing.T) {
	s := newSandbox(t)
	c := s.client(t)
	s.gw.FailNext(MethodOAuthToken, fake.ErrUnavailable)
	code, _ := s.gw.IssueAuthCode(testAppID, ScopeAuthBase)
	if _, err := c.SystemOAuthToken(t.Context(), code); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v, want ErrUnavailable", err)
	}
	// The failure did not consume the code.
	if _, err := c.SystemOAuthToken(t.Context(), code); err != nil {
		t.Fatalf("after the failure: %v", err)
	}

	s.gw.SetDelay(2 * time.Second)
	cfg := s.config(t)
	cfg.HTTPClient = &http.Client{Timeout: 50 * time.Millisecond}
	slow, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := slow.UserInfoShare(t.Context(), "t"); err == nil {
		t.Fatal("a stalled gateway did not time out")
	}
}

// TestSendTemplateMessage: The push channel sends the documented biz_content, unescaped,
// and surfaces business refusals as *APIError.
func TestSendTemplateMessage(t *testing.T) {
	s := newSandbox(t)
	c := s.client(t)
	msg := TemplateMessage{
		ToUserID:   "2088000000000001",
		TemplateID: "TM0001",
		URL:        "https://portal.example.gov.cn/notice?id=1&lang=zh",
		ActionName: "查看详情",
		First:      &TemplateField{Value: "您的办件已受理"},
		Keywords:   []TemplateField{{Value: "居住证办理", Color: "#1677ff"}, {Value: "2024-05-01"}},
		Remark:     &TemplateField{Value: "感谢使用"},
	}
	res, err := c.SendTemplateMessage(t.Context(), msg)
	if err != nil {
		t.Fatal(err)
	}
	got := s.gw.Messages()
	if len(got) != 1 || got[0].MsgID != res.MsgID || got[0].ToUserID != msg.ToUserID || got[0].TemplateID != "TM0001" {
		t.Fatalf("messages = %+v, result %+v", got, res)
	}
	var ctx map[string]any
	if err := json.Unmarshal(got[0].Context, &ctx); err != nil {
		t.Fatal(err)
	}
	if ctx["url"] != msg.URL || ctx["action_name"] != "查看详情" || ctx["head_color"] != DefaultTemplateColor {
		t.Fatalf("context = %s", got[0].Context)
	}
	if k1, _ := ctx["keyword1"].(map[string]any); k1["value"] != "居住证办理" || k1["color"] != "#1677ff" {
		t.Fatalf("keyword1 = %v", ctx["keyword1"])
	}
	if k2, _ := ctx["keyword2"].(map[string]any); k2["color"] != DefaultTemplateColor {
		t.Fatalf("keyword2 = %v", ctx["keyword2"])
	}
	if bytes.Contains(got[0].Context, []byte(`\u0026`)) {
		t.Fatalf("biz_content was HTML-escaped: %s", got[0].Context)
	}

	// A business refusal comes back in the method's node, signed, as an *APIError.
	s.gw.FailNext(MethodPublicMessageSingleSend, fake.Error{Code: "40004", Msg: "Business Failed", SubCode: "USER_NOT_FOLLOW", SubMsg: "用户未关注生活号"})
	_, err = c.SendTemplateMessage(t.Context(), msg)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "40004" || apiErr.SubCode != "USER_NOT_FOLLOW" {
		t.Fatalf("got %v", err)
	}

	for name, bad := range map[string]TemplateMessage{
		"no recipient":   {TemplateID: "T", URL: "https://a", ActionName: "a"},
		"two recipients": {ToUserID: "1", ToOpenID: "2", TemplateID: "T", URL: "https://a", ActionName: "a"},
		"no template":    {ToUserID: "1", URL: "https://a", ActionName: "a"},
		"no url":         {ToUserID: "1", TemplateID: "T", ActionName: "a"},
		"no action":      {ToUserID: "1", TemplateID: "T", URL: "https://a"},
	} {
		if _, err := c.SendTemplateMessage(t.Context(), bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if n := len(s.gw.Messages()); n != 1 {
		t.Fatalf("messages after refusals: %d", n)
	}
}

// TestCallRefusesOverridingCommonParams: Method parameters must not replace what the
// signature binds a call to.
func TestCallRefusesOverridingCommonParams(t *testing.T) {
	s := newSandbox(t)
	c := s.client(t)
	for _, k := range []string{"app_id", "method", "sign", "timestamp", "biz_content"} {
		if err := c.Call(t.Context(), MethodUserInfoShare, nil, url.Values{k: {"x"}}, nil); err == nil {
			t.Errorf("extra %q accepted", k)
		}
	}
	if len(s.gw.Calls()) != 0 {
		t.Fatal("a refused call reached the gateway")
	}
}
