package wechat

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/silenceper/wechat/v2/util"
)

// How requests reach BaseURL.
//
// silenceper/wechat v2.1.10 hard-codes its hosts in unexported constants
// ("https://api.weixin.qq.com/sns/oauth2/access_token?..."), and sends
// every request through one process-wide *http.Client, util.DefaultHTTPClient
// (its only other hook, util.SetURIModifier, is process-wide too). A
// process-wide rewrite would tie every client to one BaseURL, which breaks
// parallel tests with one fake each and a platform that serves a sandbox
// account next to a real one.
//
// So the redirect is per call instead: New installs, once, an http.Client
// whose transport looks in the request's context for the calling client's
// route and rewrites api.weixin.qq.com and open.weixin.qq.com to that
// client's BaseURL and OpenBaseURL. Every call of this package goes through
// silenceper's context-taking functions (util.HTTPGetContext,
// util.PostJSONContext, credential.GetTokenFromServerContext, ...), which
// pass the context down to the request. A request without a route — only
// possible from code that calls silenceper directly without a context —
// goes to the host in its URL, unchanged.

// apiHost and openHost are the hosts silenceper's URLs name.
const (
	apiHost  = "api.weixin.qq.com"
	openHost = "open.weixin.qq.com"
)

// route is where one client's requests really go.
type route struct {
	api, open *url.URL          // nil: the real host
	transport http.RoundTripper // nil: http.DefaultTransport
}

// newRoute parses the client's base URLs; a URL that does not parse as
// absolute is treated as empty (the real host), which fails safe: a
// sandbox credential is rejected by the real WeChat.
func newRoute(cfg Config) *route {
	r := &route{transport: cfg.Transport}
	r.api = parseBase(cfg.BaseURL)
	r.open = parseBase(firstNonEmpty(cfg.OpenBaseURL, cfg.BaseURL))
	return r
}

// parseBase returns the base URL to rewrite to, or nil for "leave alone".
func parseBase(s string) *url.URL {
	if s == "" {
		return nil
	}
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil
	}
	return u
}

// routeKey is the context key of a *route.
type routeKey struct{}

// withRoute puts r in ctx for the transport to find.
func withRoute(ctx context.Context, r *route) context.Context {
	return context.WithValue(ctx, routeKey{}, r)
}

// installOnce guards the one write to silenceper's global client.
var installOnce sync.Once

// installTransport points silenceper's global HTTP client at the routing
// transport. It assigns a new client rather than changing the old one,
// because util.DefaultHTTPClient starts out as http.DefaultClient, which the
// rest of the process shares.
func installTransport() {
	installOnce.Do(func() {
		util.DefaultHTTPClient = &http.Client{Transport: routingTransport{}}
	})
}

// routingTransport rewrites WeChat hosts to the calling client's base URLs.
type routingTransport struct{}

// RoundTrip implements http.RoundTripper.
func (routingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r, _ := req.Context().Value(routeKey{}).(*route)
	if r == nil {
		return http.DefaultTransport.RoundTrip(req)
	}
	rt := r.transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	var base *url.URL
	switch strings.ToLower(req.URL.Hostname()) {
	case apiHost:
		base = r.api
	case openHost:
		base = r.open
	}
	if base == nil {
		return rt.RoundTrip(req)
	}
	out := req.Clone(req.Context()) // a RoundTripper must not modify its request
	out.URL.Scheme = base.Scheme
	out.URL.Host = base.Host
	out.URL.Path = base.Path + req.URL.Path
	out.URL.RawPath = ""
	out.Host = ""
	return rt.RoundTrip(out)
}
