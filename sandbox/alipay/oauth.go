package alipay

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Scopes of the web OAuth page.
const (
	ScopeAuthBase = "auth_base"
	ScopeAuthUser = "auth_user"
)

// serveAuthorize is the web OAuth page. Alipay shows a consent page for auth_user and
// nothing for auth_base; the sandbox citizen always consents, so the page redirects at
// once to redirect_uri with app_id, source, scope, auth_code and state, as Alipay does.
func (g *Gateway) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	appID, scope, redirect, state := q.Get("app_id"), q.Get("scope"), q.Get("redirect_uri"), q.Get("state")
	var picked *User
	if g.UserFor != nil {
		if u, ok := g.UserFor(r); ok {
			picked = &u
		}
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	user := g.currentUser()
	if picked != nil {
		user = *picked
	}
	call := Call{Time: g.now(), Path: AuthorizePath, Method: "publicAppAuthorize", AppID: appID, Params: cloneValues(q)}
	fail := func(status int, sub, msg string) {
		call.Code, call.SubCode = fmt.Sprint(status), sub
		g.calls = append(g.calls, call)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>支付宝授权</title><p>授权失败：%s</p><p><code>%s</code></p>\n", html.EscapeString(msg), html.EscapeString(sub))
	}
	if g.apps[appID] == nil {
		fail(http.StatusBadRequest, "invalid-app-id", "应用不存在或 app_id 无效")
		return
	}
	scopes, ok := parseScopes(scope)
	if !ok {
		fail(http.StatusBadRequest, "invalid-scope", "scope 无效，应为 auth_base 或 auth_user")
		return
	}
	target, err := url.Parse(redirect)
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		fail(http.StatusBadRequest, "invalid-redirect-uri", "redirect_uri 须为完整的 http(s) 地址")
		return
	}
	code := g.issueCode(appID, user, scopes)
	tq := target.Query()
	tq.Set("app_id", appID)
	tq.Set("source", "alipay_wallet")
	tq.Set("scope", scope)
	tq.Set("auth_code", code)
	if state != "" {
		tq.Set("state", state)
	}
	target.RawQuery = tq.Encode()
	call.Code = fmt.Sprint(http.StatusFound)
	g.calls = append(g.calls, call)
	http.Redirect(w, r, target.String(), http.StatusFound)
}

// IssueAuthCode issues an auth code for the current user of appID, as the OAuth page
// would, for tests and the sandbox phone that do not drive a browser.
func (g *Gateway) IssueAuthCode(appID, scope string) (string, error) {
	scopes, ok := parseScopes(scope)
	if !ok {
		return "", fmt.Errorf("sandbox/alipay: scope %q is not auth_base or auth_user", scope)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.apps[appID] == nil {
		return "", fmt.Errorf("sandbox/alipay: app %q is not registered; call AddApp first", appID)
	}
	return g.issueCode(appID, g.currentUser(), scopes), nil
}

// issueCode stores a new single-use code for user. g.mu must be held.
func (g *Gateway) issueCode(appID string, user User, scopes []string) string {
	if g.codes == nil {
		g.codes = map[string]grant{}
	}
	code := randomID(16)
	g.codes[code] = grant{appID: appID, user: user, scopes: scopes, expires: g.now().Add(AuthCodeTTL)}
	return code
}

// parseScopes reads a comma-separated list of auth_base and auth_user.
func parseScopes(s string) ([]string, bool) {
	if s == "" {
		return nil, false
	}
	scopes := strings.Split(s, ",")
	for _, sc := range scopes {
		if sc != ScopeAuthBase && sc != ScopeAuthUser {
			return nil, false
		}
	}
	return scopes, true
}

// openID returns the user's open_id for appID: the configured one, or a stable value
// derived from the app and the user, since open_id is per app at Alipay.
func openID(appID string, u User) string {
	if u.OpenID != "" {
		return u.OpenID
	}
	sum := sha256.Sum256([]byte(appID + "/" + u.UserID))
	return "0" + base64.RawURLEncoding.EncodeToString(sum[:])[:42]
}

// oauthTokenNode is the alipay_system_oauth_token_response node.
type oauthTokenNode struct {
	UserID       string `json:"user_id"`
	OpenID       string `json:"open_id"`
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	ReExpiresIn  int64  `json:"re_expires_in"`
	AuthStart    string `json:"auth_start"`
}

// oauthToken serves alipay.system.oauth.token: a code is consumed by its first use,
// whether the exchange succeeds or not, and must belong to the calling app.
func (g *Gateway) oauthToken(appID string, params url.Values) (any, *Error) {
	if gt := params.Get("grant_type"); gt != "authorization_code" {
		return nil, invalidArg("isv.grant-type-invalid", "grant_type参数不正确")
	}
	code := params.Get("code")
	c, ok := g.codes[code]
	if !ok || c.appID != appID {
		return nil, invalidArg("isv.code-invalid", "授权码code无效")
	}
	delete(g.codes, code)
	now := g.now()
	if now.After(c.expires) {
		return nil, invalidArg("isv.code-invalid", "授权码code无效")
	}
	if g.tokens == nil {
		g.tokens = map[string]grant{}
	}
	token := randomID(20)
	g.tokens[token] = grant{appID: appID, user: c.user, scopes: c.scopes, expires: now.Add(AccessTokenTTL)}
	return oauthTokenNode{
		UserID:       c.user.UserID,
		OpenID:       openID(appID, c.user),
		AccessToken:  token,
		ExpiresIn:    int64(AccessTokenTTL / time.Second),
		RefreshToken: randomID(20),
		ReExpiresIn:  int64(RefreshTokenTTL / time.Second),
		AuthStart:    now.In(beijing).Format(timestampLayout),
	}, nil
}

// userInfoNode is the alipay_user_info_share_response node.
type userInfoNode struct {
	Code        string `json:"code"`
	Msg         string `json:"msg"`
	UserID      string `json:"user_id"`
	OpenID      string `json:"open_id"`
	Avatar      string `json:"avatar,omitempty"`
	NickName    string `json:"nick_name,omitempty"`
	Province    string `json:"province,omitempty"`
	City        string `json:"city,omitempty"`
	Gender      string `json:"gender,omitempty"`
	Mobile      string `json:"mobile,omitempty"`
	IsCertified string `json:"is_certified"`
}

// userInfoShare serves alipay.user.info.share: the token must be live, of this app and
// of auth_user scope; Alipay answers all refusals as 20001.
func (g *Gateway) userInfoShare(appID string, params url.Values) (any, *Error) {
	invalid := &Error{Code: "20001", Msg: "Insufficient Token Permissions", SubCode: "aop.invalid-auth-token", SubMsg: "无效的访问令牌"}
	t, ok := g.tokens[params.Get("auth_token")]
	if !ok || t.appID != appID {
		return nil, invalid
	}
	if g.now().After(t.expires) {
		return nil, &Error{Code: "20001", Msg: "Insufficient Token Permissions", SubCode: "aop.auth-token-time-out", SubMsg: "访问令牌已过期"}
	}
	if !contains(t.scopes, ScopeAuthUser) {
		return nil, invalid
	}
	u := t.user
	certified := "F"
	if u.Certified {
		certified = "T"
	}
	return userInfoNode{
		Code: "10000", Msg: "Success",
		UserID: u.UserID, OpenID: openID(appID, u),
		Avatar: u.Avatar, NickName: u.NickName, Province: u.Province, City: u.City,
		Gender: u.Gender, Mobile: u.Mobile, IsCertified: certified,
	}, nil
}

// ExpireTokens makes every issued code and access token expired, to test the platform's
// handling of aop.auth-token-time-out and late code exchanges.
func (g *Gateway) ExpireTokens() {
	g.mu.Lock()
	defer g.mu.Unlock()
	past := g.now().Add(-time.Second)
	for k, c := range g.codes {
		c.expires = past
		g.codes[k] = c
	}
	for k, t := range g.tokens {
		t.expires = past
		g.tokens[k] = t
	}
}
