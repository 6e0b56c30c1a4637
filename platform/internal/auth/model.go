// Package auth is the platform's unified sign-in (统一认证): an OpenID Connect provider for
// light apps (authorization code + PKCE, discovery, JWKS, userinfo, RS256 ID tokens) built on
// github.com/zitadel/oidc/v3, with upstream sign-in by container — WeChat web OAuth, Alipay
// OAuth, a gov-app SSO ticket — behind it. A citizen signs in once; every light app gets the
// same identity (`sub`), and never sees WeChat or Alipay credentials.
package auth

import (
	"context"
	"errors"
	"time"
)

// Client is a light app registered as an OIDC client.
type Client struct {
	ClientID     string    `json:"client_id"`
	AppID        string    `json:"app_id"`
	RedirectURIs []string  `json:"redirect_uris"`
	Scopes       []string  `json:"scopes"`
	Confidential bool      `json:"confidential"`
	CreatedAt    time.Time `json:"created_at"`
}

// ClientRegistration is the console input to register an app as a client.
type ClientRegistration struct {
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes,omitempty"`
	// Confidential clients (an app backend) authenticate with a secret; public ones (a pure
	// H5 app) use PKCE only.
	Confidential bool `json:"confidential"`
}

// ClientCreated carries the client secret once.
type ClientCreated struct {
	Client
	Secret string `json:"client_secret,omitempty"`
}

// Scopes a citizen can consent to share.
const (
	ScopeOpenID   = "openid"
	ScopeProfile  = "profile"
	ScopePhone    = "phone"
	ScopeRegion   = "region"
	ScopeVerified = "verified_level"
)

// AllScopes lists every scope a client may ask for.
var AllScopes = []string{ScopeOpenID, ScopeProfile, ScopePhone, ScopeRegion, ScopeVerified}

// UpstreamIdentity is who an upstream sign-in (WeChat, Alipay, gov-app ticket) says the
// person is. Phone counts for linking only when PhoneVerified: never link on a nickname.
type UpstreamIdentity struct {
	Provider      string
	Subject       string // openid / user_id / gov-app user id
	UnionID       string
	Nickname      string
	Phone         string
	PhoneVerified bool
	Region        string
	VerifiedLevel int
}

// Upstream is one sign-in method behind the provider, chosen by container.
type Upstream interface {
	// Name is the provider key ("wechat", "alipay", "govapp").
	Name() string
	// AuthorizeURL is where the browser goes to sign in upstream; the upstream comes back to
	// redirectURI with a code (or ticket) and state. profile is false when the app asked for
	// no profile claims, so an upstream that can (WeChat snsapi_base) signs in silently.
	AuthorizeURL(redirectURI, state string, profile bool) string
	// Exchange turns the code/ticket into the person's upstream identity.
	Exchange(ctx context.Context, code string) (UpstreamIdentity, error)
}

// Identity links an upstream account to a citizen.
type Identity struct {
	Provider  string    `json:"provider"`
	Subject   string    `json:"subject"`
	UserID    string    `json:"user_id"`
	LinkedBy  string    `json:"linked_by"` // "created" or "verified_phone"
	CreatedAt time.Time `json:"created_at"`
}

// Domain errors.
var (
	ErrClientNotFound   = errors.New("oidc client not found")
	ErrAuthRequest      = errors.New("sign-in request not valid")
	ErrBadState         = errors.New("sign-in state not valid")
	ErrUnknownUpstream  = errors.New("sign-in method not available")
	ErrUpstream         = errors.New("upstream sign-in failed")
	ErrLoginCodeInvalid = errors.New("login code not valid")
)
