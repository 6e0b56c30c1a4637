package wechat

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OAuth scopes of WeChat web authorization (网页授权).
const (
	// ScopeBase is silent: the user sees nothing and the app gets the openid
	// only (no unionid, no profile).
	ScopeBase = "snsapi_base"
	// ScopeUserInfo asks for consent and lets the app read the profile.
	ScopeUserInfo = "snsapi_userinfo"
)

// snsTokenBody is the answer of /sns/oauth2/access_token.
type snsTokenBody struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	OpenID       string `json:"openid"`
	Scope        string `json:"scope"`
	UnionID      string `json:"unionid,omitempty"`
}

// userInfoBody is the answer of /sns/userinfo.
type userInfoBody struct {
	OpenID     string   `json:"openid"`
	Nickname   string   `json:"nickname"`
	Sex        int      `json:"sex"`
	Province   string   `json:"province"`
	City       string   `json:"city"`
	Country    string   `json:"country"`
	HeadImgURL string   `json:"headimgurl"`
	Privilege  []string `json:"privilege"`
	UnionID    string   `json:"unionid,omitempty"`
}

// authorize is the page WeChat's in-app browser opens. The fake user
// consents at once: the browser is redirected to redirect_uri with a fresh
// single-use code and the state. Bad requests get WeChat's error page.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, q url.Values) {
	s.mu.Lock()
	a := s.app(q.Get("appid"))
	s.mu.Unlock()
	if a == nil {
		writePage(w, ErrCodeInvalidAppID, ErrMsg(ErrCodeInvalidAppID))
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" {
		writePage(w, ErrCodeRedirectMissing, ErrMsg(ErrCodeRedirectMissing))
		return
	}
	ru, err := url.Parse(redirect)
	if err != nil || !ru.IsAbs() || (ru.Scheme != "http" && ru.Scheme != "https") {
		writePage(w, ErrCodeRedirectDomain, ErrMsg(ErrCodeRedirectDomain))
		return
	}
	s.mu.Lock()
	domains := a.oauthDomains
	s.mu.Unlock()
	if len(domains) > 0 && !hostIn(ru.Host, domains) {
		writePage(w, ErrCodeRedirectDomain, ErrMsg(ErrCodeRedirectDomain))
		return
	}
	if q.Get("response_type") != "code" {
		writePage(w, ErrCodeInvalidArgs, "response_type must be code")
		return
	}
	scope := q.Get("scope")
	if scope != ScopeBase && scope != ScopeUserInfo {
		writePage(w, ErrCodeScope, ErrMsg(ErrCodeScope))
		return
	}

	var u User
	chosen := false
	if s.UserFor != nil {
		u, chosen = s.UserFor(r)
	}
	s.mu.Lock()
	if !chosen {
		u = DefaultUser()
		if s.user != nil {
			u = *s.user
		}
	}
	s.users[u.OpenID] = u
	s.pruneOAuth()
	code := randomHex(16)
	s.codes[code] = &grant{appID: a.id, openID: u.OpenID, scope: scope, expires: s.now().Add(CodeTTL)}
	s.mu.Unlock()

	rq := ru.Query()
	rq.Set("code", code)
	rq.Set("state", q.Get("state"))
	ru.RawQuery = rq.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

// pruneOAuth forgets codes and OAuth tokens expired for a day, so a
// long-running sandbox stays bounded; callers hold s.mu.
func (s *Server) pruneOAuth() {
	cutoff := s.now().Add(-24 * time.Hour)
	for _, m := range []map[string]*grant{s.codes, s.userTokens} {
		for k, g := range m {
			if g.expires.Before(cutoff) {
				delete(m, k)
			}
		}
	}
}

// hostIn says whether host (maybe with a port) is one of the domains.
func hostIn(host string, domains []string) bool {
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	for _, d := range domains {
		if strings.EqualFold(host, d) {
			return true
		}
	}
	return false
}

// snsToken exchanges an OAuth code. Codes are single use (40163 the second
// time) and live CodeTTL (40029 afterwards, or for another app's code).
// The unionid comes back only for snsapi_userinfo, as on WeChat.
func (s *Server) snsToken(q url.Values) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	appID, secret := q.Get("appid"), q.Get("secret")
	if appID == "" {
		return errBody(ErrCodeAppIDMissing, "")
	}
	a := s.app(appID)
	if a == nil {
		return errBody(ErrCodeInvalidAppID, "")
	}
	if secret == "" {
		return errBody(ErrCodeSecretMissing, "")
	}
	if secret != a.secret {
		return errBody(ErrCodeInvalidSecret, "")
	}
	if q.Get("grant_type") != "authorization_code" {
		return errBody(ErrCodeInvalidGrantType, "")
	}
	code := q.Get("code")
	if code == "" {
		return errBody(ErrCodeCodeMissing, "")
	}
	if s.overQuota(appID, "/sns/oauth2/access_token") {
		return errBody(ErrCodeQuota, "")
	}
	g := s.codes[code]
	now := s.now()
	switch {
	case g == nil || g.appID != appID:
		return errBody(ErrCodeInvalidCode, "")
	case g.used:
		return errBody(ErrCodeCodeUsed, "")
	case !now.Before(g.expires):
		return errBody(ErrCodeInvalidCode, "")
	}
	g.used = true
	tok := newCredential()
	s.userTokens[tok] = &grant{appID: appID, openID: g.openID, scope: g.scope, expires: now.Add(TokenTTL)}
	body := snsTokenBody{
		AccessToken:  tok,
		ExpiresIn:    int(TokenTTL.Seconds()),
		RefreshToken: newCredential(),
		OpenID:       g.openID,
		Scope:        g.scope,
	}
	if g.scope == ScopeUserInfo {
		body.UnionID = s.users[g.openID].UnionID
	}
	return body
}

// userInfo returns the profile behind an OAuth access_token; a token from
// snsapi_base gets 48001, as on WeChat.
func (s *Server) userInfo(q url.Values) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	tok := q.Get("access_token")
	if tok == "" {
		return errBody(ErrCodeTokenMissing, "")
	}
	g := s.userTokens[tok]
	if g == nil {
		return errBody(ErrCodeInvalidCredential, "")
	}
	if !s.now().Before(g.expires) {
		return errBody(ErrCodeTokenExpired, "")
	}
	openID := q.Get("openid")
	if openID == "" {
		return errBody(ErrCodeOpenIDMissing, "")
	}
	if openID != g.openID {
		return errBody(ErrCodeInvalidOpenID, "")
	}
	if g.scope != ScopeUserInfo {
		return errBody(ErrCodeAPIUnauthorized, "api unauthorized, scope is snsapi_base")
	}
	if s.overQuota(g.appID, "/sns/userinfo") {
		return errBody(ErrCodeQuota, "")
	}
	u := s.users[openID]
	return userInfoBody{
		OpenID:     u.OpenID,
		Nickname:   u.Nickname,
		Sex:        u.Sex,
		Province:   u.Province,
		City:       u.City,
		Country:    u.Country,
		HeadImgURL: u.HeadImgURL,
		Privilege:  []string{},
		UnionID:    u.UnionID,
	}
}
