// Package client is the typed Go client of the govapp console API (docs/API.md).
//
// The CLI (devcli) and the end-to-end tests speak to the platform only through
// this package, so the HTTP contract is written down once, in Go, next to the
// prose contract. It uses nothing but the standard library.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout bounds one request when the caller does not bring its own
// http.Client, so a hung server cannot hang a CLI command forever.
const DefaultTimeout = 60 * time.Second

// maxResponseBytes caps how much of a reply is read, so a misconfigured URL
// that points at something huge cannot exhaust memory.
const maxResponseBytes = 64 << 20

// Client calls the console API of one platform with one API token. It is safe
// for concurrent use when its options are (the default ones are).
type Client struct {
	baseURL   string
	token     string
	http      *http.Client
	userAgent string
	hook      func(Response)
}

// Option configures a Client at construction, so New keeps a short signature
// while callers (CLI, tests) can swap transports or observe replies.
type Option func(*Client)

// WithHTTPClient makes the Client send requests through hc, so tests can use
// an httptest server's client and callers can set their own timeouts/proxies.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithUserAgent sets the User-Agent header, so server logs tell the CLI and
// its version apart from scripts and browsers.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// WithResponseHook calls f with every HTTP reply the Client receives (success
// or error), so a caller can keep the exact JSON the server sent — the CLI
// prints it for --json — or log request IDs, without a second request.
func WithResponseHook(f func(Response)) Option {
	return func(c *Client) { c.hook = f }
}

// Response is what WithResponseHook sees of one reply: enough to print the
// server's own JSON or to quote its request ID when reporting a problem.
type Response struct {
	Method    string // HTTP method of the request
	Path      string // path and query of the request, relative to the base URL
	Status    int    // HTTP status code of the reply
	RequestID string // X-Request-Id of the reply
	Body      []byte // the reply body, as sent
}

// New returns a Client for the platform at baseURL (for example
// "http://localhost:8080") that authenticates with the API token token
// ("gvt_…"). An empty token sends no Authorization header, which is enough
// for Health.
func New(baseURL, token string, opts ...Option) *Client {
	c := &Client{
		baseURL: strings.TrimRight(baseURL, "/"),
		token:   token,
		http:    &http.Client{Timeout: DefaultTimeout},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// BaseURL returns the platform URL the Client talks to, so callers can name
// it in messages.
func (c *Client) BaseURL() string { return c.baseURL }

// do sends one request and decodes a 2xx JSON reply into out (when out is not
// nil). Replies of 4xx/5xx become *APIError; transport failures are wrapped
// with a hint about the server.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("govapp client: encode %s %s body: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+target, body)
	if err != nil {
		return fmt.Errorf("govapp client: bad server URL %q: %w", c.baseURL, err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}

	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			// The caller gave up (Ctrl-C, deadline): no hint about the server.
			return err
		}
		return c.networkError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return c.networkError(fmt.Errorf("read reply to %s %s: %w", method, path, err))
	}
	if len(data) > maxResponseBytes {
		return fmt.Errorf("govapp client: reply to %s %s is larger than %d bytes", method, path, maxResponseBytes)
	}
	if c.hook != nil {
		c.hook(Response{
			Method:    method,
			Path:      target,
			Status:    resp.StatusCode,
			RequestID: resp.Header.Get("X-Request-Id"),
			Body:      data,
		})
	}
	if resp.StatusCode >= 400 {
		return decodeError(resp, data)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("govapp client: cannot decode reply to %s %s (HTTP %d): %w; is %s a govapp server?",
			method, path, resp.StatusCode, err, c.baseURL)
	}
	return nil
}

func (c *Client) networkError(err error) error {
	return fmt.Errorf("%w (is `govapp serve` running at %s?)", err, c.baseURL)
}

// escape makes an ID safe to put in a URL path segment.
func escape(id string) string { return url.PathEscape(id) }

// comment is the body of the app state transitions (submit, approve, reject,
// offline).
type comment struct {
	Comment string `json:"comment"`
}
