// Package wechat is the platform's client of the WeChat official-account
// API (公众号): the access_token and jsapi_ticket every other call needs,
// wx.config signatures for the JS-SDK, web OAuth for sign-in, and template
// and subscribe messages for push.
//
// It is built on github.com/silenceper/wechat/v2 — its officialaccount
// packages, never the root package, whose init switches the global logrus
// logger to debug — so the wire details (URLs, parameters, JSON shapes) are
// the ones a widely used SDK keeps current. What this package adds is what
// the platform needs around it:
//
//   - a BaseURL per client, so one process can talk to WeChat and to the
//     sandbox fake (sandbox/wechat) at the same time (see transport.go);
//   - central caching of access_token and jsapi_ticket through a TokenStore
//     shared by every platform instance, refreshed by one instance at a time
//     and before expiry, because WeChat invalidates the previous token each
//     time anyone fetches a new one;
//   - one refresh and one retry when WeChat says the token is invalid or
//     expired (40001/42001);
//   - typed errors (ErrNotSubscribed, ErrQuota, ... and *APIError) instead of
//     silenceper's formatted strings, with secrets and tokens scrubbed from
//     every message, since errors end up in logs.
package wechat

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	wxconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/oauth"
)

// Real hosts of the WeChat API; an empty BaseURL or OpenBaseURL means these.
const (
	DefaultBaseURL     = "https://api.weixin.qq.com"
	DefaultOpenBaseURL = "https://open.weixin.qq.com"
)

// Tuning of the token cache and of calls.
const (
	// RefreshBefore is how long before expiry a cached access_token or
	// jsapi_ticket is refreshed, so a call never carries a token that
	// expires in flight and a slow refresh still has a valid token to fall
	// back on.
	RefreshBefore = 5 * time.Minute
	// DefaultTimeout bounds one HTTP call when the caller's context has no
	// deadline, so a hung WeChat cannot hold a push worker forever.
	DefaultTimeout = 15 * time.Second
)

// Config says which official account a Client acts for and where WeChat is.
type Config struct {
	// AppID and Secret are the official account's credentials (开发者ID and
	// 开发者密码). Secret never appears in errors, String or logs.
	AppID  string
	Secret string
	// BaseURL replaces https://api.weixin.qq.com, e.g. the URL of a
	// sandbox/wechat server; empty means the real host.
	BaseURL string
	// OpenBaseURL replaces https://open.weixin.qq.com, where the OAuth
	// authorize page lives; empty means BaseURL when that is set (the fake
	// serves both), else the real host.
	OpenBaseURL string
	// Transport, when set, carries this client's requests instead of
	// http.DefaultTransport — for example one that hands requests straight
	// to an in-process fake.
	Transport http.RoundTripper
	// Now is the client's clock; nil means time.Now. Tests share one clock
	// with the fake to move both past an expiry.
	Now func() time.Time
}

// String shows the config without its secret, so a logged Config is safe.
func (c Config) String() string {
	return fmt.Sprintf("wechat.Config{AppID:%s Secret:%s BaseURL:%s OpenBaseURL:%s}",
		c.AppID, redactedMark(c.Secret), c.BaseURL, c.OpenBaseURL)
}

// LogValue keeps the secret out of structured logs too.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("app_id", c.AppID),
		slog.String("secret", redactedMark(c.Secret)),
		slog.String("base_url", c.BaseURL),
		slog.String("open_base_url", c.OpenBaseURL),
	)
}

// redactedMark says whether a secret is set without showing it.
func redactedMark(secret string) string {
	if secret == "" {
		return ""
	}
	return "REDACTED"
}

// Client talks to WeChat for one official account. It is safe for
// concurrent use; create one per account and keep it.
type Client struct {
	cfg      Config
	store    TokenStore
	route    *route
	openBase string
	oauth    *oauth.Oauth
}

// New returns a client for cfg that caches tokens in store (a
// MemoryTokenStore when nil, which is right only for a single instance).
func New(cfg Config, store TokenStore) *Client {
	installTransport()
	if store == nil {
		store = &MemoryTokenStore{}
	}
	c := &Client{cfg: cfg, store: store}
	c.route = newRoute(cfg)
	c.openBase = strings.TrimSuffix(firstNonEmpty(cfg.OpenBaseURL, cfg.BaseURL, DefaultOpenBaseURL), "/")

	// The officialaccount object is silenceper's client. Its own token
	// cache is replaced by ours (SetAccessTokenHandle), so the cache given
	// here is never used for tokens; it is required by the constructor.
	oa := officialaccount.NewOfficialAccount(&wxconfig.Config{
		AppID:     cfg.AppID,
		AppSecret: cfg.Secret,
		Cache:     cache.NewMemory(),
	})
	oa.SetAccessTokenHandle(tokenHandle{c})
	c.oauth = oa.GetOauth() // once here: GetOauth's lazy init is not goroutine safe
	return c
}

// AppID returns the official account's appid, which pages need in wx.config
// and OAuth links.
func (c *Client) AppID() string { return c.cfg.AppID }

// now reads the client's clock.
func (c *Client) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now()
}

// callCtx prepares the context of one HTTP call: it carries this client's
// route (which host to really talk to) and a deadline when the caller set
// none.
func (c *Client) callCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx = withRoute(ctx, c.route)
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, DefaultTimeout)
}

// tokenHandle lets silenceper's officialaccount draw access tokens from our
// central cache instead of its own per-process one.
type tokenHandle struct{ c *Client }

// GetAccessToken is silenceper's AccessTokenHandle.
func (h tokenHandle) GetAccessToken() (string, error) {
	return h.c.accessToken(context.Background(), "")
}

// GetAccessTokenContext is silenceper's AccessTokenContextHandle.
func (h tokenHandle) GetAccessTokenContext(ctx context.Context) (string, error) {
	return h.c.accessToken(ctx, "")
}

// firstNonEmpty returns the first of vs that is not empty.
func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// apiURL is the real-host URL of an API path with its query; the transport
// redirects it to BaseURL.
func apiURL(path string, q url.Values) string {
	return DefaultBaseURL + path + "?" + q.Encode()
}
