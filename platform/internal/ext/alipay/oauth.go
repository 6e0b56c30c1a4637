package alipay

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Methods and scopes of Alipay's web OAuth.
const (
	// MethodOAuthToken exchanges an auth_code for an access token and the user's ID.
	MethodOAuthToken = "alipay.system.oauth.token"
	// MethodUserInfoShare returns the profile the citizen agreed to share (auth_user).
	MethodUserInfoShare = "alipay.user.info.share"
	// ScopeAuthBase is the silent scope: it yields the user ID only, without a consent
	// page.
	ScopeAuthBase = "auth_base"
	// ScopeAuthUser asks the citizen's consent and allows alipay.user.info.share.
	ScopeAuthUser = "auth_user"
)

// AuthorizeURL returns the web OAuth page (publicAppAuthorize.htm) for the citizen to
// open inside Alipay; Alipay sends the browser back to redirectURI with auth_code and
// state. state must be the unguessable, single-use value the platform checks on return:
// it is what stops a forged or replayed callback, and Alipay only echoes it.
func (c *Client) AuthorizeURL(redirectURI, scope, state string) (string, error) {
	for _, s := range strings.Split(scope, ",") {
		if s != ScopeAuthBase && s != ScopeAuthUser {
			return "", fmt.Errorf("alipay: scope %q is not supported; use %q or %q", scope, ScopeAuthBase, ScopeAuthUser)
		}
	}
	if err := checkAbsoluteURL(redirectURI); err != nil {
		return "", fmt.Errorf("alipay: redirect URI %q: %w", redirectURI, err)
	}
	if state == "" {
		return "", errors.New("alipay: the OAuth state is empty; pass the single-use value the callback will check")
	}
	u, err := url.Parse(c.authorizeURL)
	if err != nil {
		return "", fmt.Errorf("alipay: AuthorizeURL: %w", err)
	}
	q := u.Query()
	q.Set("app_id", c.appID)
	q.Set("scope", scope)
	q.Set("redirect_uri", redirectURI)
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// OAuthToken is the result of an auth_code exchange. UserID (2088…) is Alipay's global
// user ID; OpenID is the per-app ID that Alipay gives apps created in open_id mode. One
// of them is set. The tokens are credentials: String redacts them.
type OAuthToken struct {
	UserID       string
	OpenID       string
	AccessToken  string
	ExpiresIn    time.Duration
	RefreshToken string
	ReExpiresIn  time.Duration
	// AuthStart is when the authorisation began, as Alipay reports it (Beijing time);
	// zero when absent.
	AuthStart time.Time
}

// String prints the token without its secrets, so that a logged value leaks nothing.
func (t OAuthToken) String() string {
	return fmt.Sprintf("alipay.OAuthToken{UserID:%q OpenID:%q AccessToken:<redacted> ExpiresIn:%s RefreshToken:<redacted> ReExpiresIn:%s}",
		t.UserID, t.OpenID, t.ExpiresIn, t.ReExpiresIn)
}

// GoString is String, so that %#v redacts the tokens too.
func (t OAuthToken) GoString() string { return t.String() }

// seconds reads a duration in seconds that Alipay sends as a number or as a string,
// depending on the API generation.
type seconds int64

// UnmarshalJSON accepts 3600 and "3600".
func (s *seconds) UnmarshalJSON(b []byte) error {
	str := strings.Trim(string(b), `"`)
	if str == "" || str == "null" {
		*s = 0
		return nil
	}
	n, err := strconv.ParseInt(str, 10, 64)
	if err != nil {
		return fmt.Errorf("alipay: %s is not a number of seconds", b)
	}
	*s = seconds(n)
	return nil
}

// oauthTokenResponse is the alipay_system_oauth_token_response node.
type oauthTokenResponse struct {
	UserID       string  `json:"user_id"`
	OpenID       string  `json:"open_id"`
	AccessToken  string  `json:"access_token"`
	ExpiresIn    seconds `json:"expires_in"`
	RefreshToken string  `json:"refresh_token"`
	ReExpiresIn  seconds `json:"re_expires_in"`
	AuthStart    string  `json:"auth_start"`
}

// SystemOAuthToken exchanges the auth_code that the OAuth page returned for an access
// token and the user's ID (alipay.system.oauth.token, grant_type=authorization_code).
// A code is single-use and short-lived: a reused, expired or foreign code is an
// *APIError matching ErrCodeInvalid.
func (c *Client) SystemOAuthToken(ctx context.Context, code string) (OAuthToken, error) {
	if code == "" {
		return OAuthToken{}, errors.New("alipay: the auth_code is empty; it comes back on the redirect URI of the OAuth page")
	}
	extra := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
	var r oauthTokenResponse
	if err := c.Call(ctx, MethodOAuthToken, nil, extra, &r); err != nil {
		return OAuthToken{}, err
	}
	if r.AccessToken == "" || (r.UserID == "" && r.OpenID == "") {
		return OAuthToken{}, errors.New("alipay: alipay.system.oauth.token: the response has no access_token or no user_id/open_id")
	}
	t := OAuthToken{
		UserID:       r.UserID,
		OpenID:       r.OpenID,
		AccessToken:  r.AccessToken,
		ExpiresIn:    time.Duration(r.ExpiresIn) * time.Second,
		RefreshToken: r.RefreshToken,
		ReExpiresIn:  time.Duration(r.ReExpiresIn) * time.Second,
	}
	if r.AuthStart != "" {
		if at, err := ParseTimestamp(r.AuthStart); err == nil {
			t.AuthStart = at
		}
	}
	return t, nil
}

// UserInfo is the profile alipay.user.info.share returns for an auth_user token. Which
// fields are filled depends on what the app was granted: Mobile needs the separately
// approved 获取会员手机号 capability and is empty otherwise. Mobile is the verified
// attribute that may link this citizen to the same person arriving through another
// channel; the nickname never is.
type UserInfo struct {
	UserID   string `json:"user_id"`
	OpenID   string `json:"open_id"`
	NickName string `json:"nick_name"`
	Avatar   string `json:"avatar"`
	Province string `json:"province"`
	City     string `json:"city"`
	// Gender is "M", "F" or empty, as Alipay sends it.
	Gender string `json:"gender"`
	Mobile string `json:"mobile"`
	// IsCertified is "T" when the citizen passed Alipay's real-name verification (实名认证).
	IsCertified string `json:"is_certified"`
}

// Certified reports whether Alipay says the citizen is real-name verified.
func (u UserInfo) Certified() bool { return u.IsCertified == "T" }

// UserInfoShare returns the profile the citizen consented to share
// (alipay.user.info.share, auth_token as a top-level parameter, no biz_content). A token
// that is unknown, expired or only auth_base is an *APIError matching ErrTokenInvalid.
func (c *Client) UserInfoShare(ctx context.Context, authToken string) (UserInfo, error) {
	if authToken == "" {
		return UserInfo{}, errors.New("alipay: the auth token is empty; get one with SystemOAuthToken")
	}
	var u UserInfo
	if err := c.Call(ctx, MethodUserInfoShare, nil, url.Values{"auth_token": {authToken}}, &u); err != nil {
		return UserInfo{}, err
	}
	if u.UserID == "" && u.OpenID == "" {
		return UserInfo{}, errors.New("alipay: alipay.user.info.share: the response has no user_id or open_id")
	}
	return u, nil
}
