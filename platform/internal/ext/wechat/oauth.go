package wechat

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// OAuth scopes of WeChat web authorization (网页授权).
const (
	// ScopeBase signs the user in silently: openid only, no unionid, no
	// profile.
	ScopeBase = "snsapi_base"
	// ScopeUserInfo asks the user to consent and allows UserInfo; the
	// unionid comes with it.
	ScopeUserInfo = "snsapi_userinfo"
)

// OAuthToken is the answer to an exchanged OAuth code. AccessToken and
// RefreshToken are credentials of the user: String and LogValue hide them.
type OAuthToken struct {
	AccessToken    string
	RefreshToken   string
	ExpiresIn      int64 // seconds
	OpenID         string
	UnionID        string // only with snsapi_userinfo and an open-platform-bound account
	Scope          string
	IsSnapshotUser bool // a "snapshot page" virtual user, not a real person
}

// String shows the token without its credentials.
func (t OAuthToken) String() string {
	return fmt.Sprintf("wechat.OAuthToken{OpenID:%s UnionID:%s Scope:%s ExpiresIn:%d}", t.OpenID, t.UnionID, t.Scope, t.ExpiresIn)
}

// LogValue keeps the credentials out of structured logs.
func (t OAuthToken) LogValue() slog.Value {
	return slog.GroupValue(slog.String("openid", t.OpenID), slog.String("unionid", t.UnionID), slog.String("scope", t.Scope))
}

// User is a WeChat user's profile as /sns/userinfo gives it. The nickname
// is whatever the user typed: never link accounts by it.
type User struct {
	OpenID     string
	UnionID    string
	Nickname   string
	Sex        int // 0 unknown, 1 male, 2 female (WeChat now always sends 0)
	Province   string
	City       string
	Country    string
	HeadImgURL string
	Privilege  []string
}

// AuthorizeURL is where to send the user's browser to sign in with WeChat
// (in the WeChat in-app browser). WeChat redirects back to redirectURI with
// code and state; state should be unguessable and checked on return, it is
// the caller's CSRF defence.
func (c *Client) AuthorizeURL(redirectURI, scope, state string) string {
	// silenceper escapes redirectURI but pastes scope and state in raw.
	u, _ := c.oauth.GetRedirectURL(redirectURI, url.QueryEscape(scope), url.QueryEscape(state))
	return c.openBase + strings.TrimPrefix(u, DefaultOpenBaseURL)
}

// ExchangeCode trades the code WeChat put on the redirect for the user's
// OAuth token. A code works once and for five minutes: a reused or expired
// one gives ErrInvalidCode.
func (c *Client) ExchangeCode(ctx context.Context, code string) (OAuthToken, error) {
	const op = "exchange OAuth code"
	cctx, cancel := c.callCtx(ctx)
	defer cancel()
	res, err := c.oauth.GetUserAccessTokenContext(cctx, url.QueryEscape(code))
	if res.ErrCode != 0 {
		return OAuthToken{}, c.apiErr(op, res.ErrCode, res.ErrMsg)
	}
	if err != nil {
		return OAuthToken{}, c.callErr(op, err)
	}
	return OAuthToken{
		AccessToken:    res.AccessToken,
		RefreshToken:   res.RefreshToken,
		ExpiresIn:      res.ExpiresIn,
		OpenID:         res.OpenID,
		UnionID:        res.UnionID,
		Scope:          res.Scope,
		IsSnapshotUser: res.IsSnapShotUser == 1,
	}, nil
}

// UserInfo reads the profile of the user behind an OAuth token. It needs a
// token from ScopeUserInfo; a ScopeBase token gives ErrScope.
func (c *Client) UserInfo(ctx context.Context, accessToken, openID string) (User, error) {
	const op = "get user info"
	cctx, cancel := c.callCtx(ctx)
	defer cancel()
	res, err := c.oauth.GetUserInfoContext(cctx, url.QueryEscape(accessToken), url.QueryEscape(openID), "zh_CN")
	if res.ErrCode != 0 {
		return User{}, c.apiErr(op, res.ErrCode, res.ErrMsg)
	}
	if err != nil {
		return User{}, c.callErr(op, err)
	}
	return User{
		OpenID:     res.OpenID,
		UnionID:    res.Unionid,
		Nickname:   res.Nickname,
		Sex:        int(res.Sex),
		Province:   res.Province,
		City:       res.City,
		Country:    res.Country,
		HeadImgURL: res.HeadImgURL,
		Privilege:  res.Privilege,
	}, nil
}
