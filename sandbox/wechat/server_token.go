package wechat

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// tokenBody is the answer of /cgi-bin/token.
type tokenBody struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// ticketBody is the answer of /cgi-bin/ticket/getticket; unlike most
// endpoints WeChat sends errcode 0 and errmsg "ok" on success here.
type ticketBody struct {
	ErrCode   int    `json:"errcode"`
	ErrMsg    string `json:"errmsg"`
	Ticket    string `json:"ticket"`
	ExpiresIn int    `json:"expires_in"`
}

// token issues an access_token for appid/secret. As on WeChat a new token
// supersedes the app's previous ones, which stay valid for TokenOverlap
// more; that is what punishes instances that refresh without coordinating.
func (s *Server) token(q url.Values) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.Get("grant_type") != "client_credential" {
		return errBody(ErrCodeInvalidGrantType, "")
	}
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
	if s.overQuota(appID, "/cgi-bin/token") {
		return errBody(ErrCodeQuota, "")
	}
	now := s.now()
	for tok, g := range s.tokens {
		if now.Sub(g.expires) > 24*time.Hour {
			delete(s.tokens, tok) // keep a long-running sandbox bounded
			continue
		}
		if g.appID == appID && !g.superseded {
			g.superseded = true // "not latest" once the overlap ends
			if limit := now.Add(TokenOverlap); g.expires.After(limit) {
				g.expires = limit
			}
		}
	}
	tok := newCredential()
	s.tokens[tok] = &grant{appID: appID, expires: now.Add(TokenTTL)}
	return tokenBody{AccessToken: tok, ExpiresIn: int(TokenTTL / time.Second)}
}

// checkToken validates the access_token parameter and returns its grant, or
// the error WeChat gives: 41001 missing, 40001 unknown or superseded, 42001
// expired. Callers hold s.mu.
func (s *Server) checkToken(q url.Values) (*grant, *errorBody) {
	tok := q.Get("access_token")
	if tok == "" {
		e := errBody(ErrCodeTokenMissing, "")
		return nil, &e
	}
	g := s.tokens[tok]
	if g == nil {
		e := errBody(ErrCodeInvalidCredential, "")
		return nil, &e
	}
	if !s.now().Before(g.expires) {
		code := ErrCodeTokenExpired
		if g.superseded {
			code = ErrCodeInvalidCredential
		}
		e := errBody(code, "")
		return nil, &e
	}
	return g, nil
}

// ticket returns the app's jsapi_ticket, issuing a new one when the last
// has expired. Only type=jsapi is served (card tickets are not faked).
func (s *Server) ticket(path string, q url.Values) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	g, e := s.checkToken(q)
	if e != nil {
		return *e
	}
	if q.Get("type") != "jsapi" {
		return errBody(ErrCodeInvalidArgs, "invalid args, type must be jsapi")
	}
	if s.overQuota(g.appID, path) {
		return errBody(ErrCodeQuota, "")
	}
	a := s.apps[g.appID]
	now := s.now()
	if a.ticket == "" || !now.Before(a.ticketExp) {
		a.ticket = newCredential()
		a.ticketExp = now.Add(TokenTTL)
	}
	return ticketBody{ErrMsg: "ok", Ticket: a.ticket, ExpiresIn: int(a.ticketExp.Sub(now) / time.Second)}
}

// VerifyJSSignature checks a wx.config signature the way the WeChat
// JS-SDK does in the page: sha1 over jsapi_ticket, noncestr, timestamp and
// the page URL without its #fragment, with the app's current ticket. The
// simulated WeChat container calls it so a wrong signature fails there
// with "invalid signature", as on a phone.
func (s *Server) VerifyJSSignature(appID string, timestamp int64, nonceStr, pageURL, signature string) bool {
	s.mu.Lock()
	a := s.app(appID)
	var ticket string
	if a != nil && s.now().Before(a.ticketExp) {
		ticket = a.ticket
	}
	s.mu.Unlock()
	if ticket == "" {
		return false
	}
	if i := strings.IndexByte(pageURL, '#'); i >= 0 {
		pageURL = pageURL[:i]
	}
	sum := sha1.Sum([]byte(fmt.Sprintf("jsapi_ticket=%s&noncestr=%s&timestamp=%d&url=%s", ticket, nonceStr, timestamp, pageURL)))
	return hex.EncodeToString(sum[:]) == strings.ToLower(signature)
}

// newCredential returns an opaque token shaped like WeChat's (long, URL
// safe), different on every call.
func newCredential() string {
	return randomHex(48)
}
