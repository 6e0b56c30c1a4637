// Package zlb is the platform's client of a 浙里办-style gov-app single
// sign-on (统一单点登录): the gov app opens a light app with a one-time ticket
// (or the SSO login page sends the browser back with one), and the platform
// exchanges it server to server — ticket → token → citizen.
//
// It is our own small client because no SDK exists outside Java and PHP
// samples, and the protocol is two JSON calls behind one HMAC scheme:
//
//   - Every API request carries X-BG-HMAC-ACCESS-KEY, X-BG-HMAC-ALGORITHM
//     (hmac-sha256), X-BG-DATE-TIME (RFC 1123 GMT, within 5 minutes of the
//     gateway's clock) and X-BG-HMAC-SIGNATURE = base64(HMAC-SHA256(secretKey,
//     SigningString)), where the signing string is
//     METHOD\nPATH\nCANONICAL_QUERY\nACCESS_KEY\nDATE_TIME\n.
//   - POST {BaseURL}/ticket/validate {"ticket"} answers {"token","expires_in"};
//     POST {BaseURL}/user/info {"token"} answers the citizen, ID number masked.
//     Both inside {"success","errorCode","errorMsg","data"}; a gateway refusal
//     is HTTP 401 {"message"}.
//
// The ticket and token travel in the JSON body, never in the URL, so that
// net/http's errors (which quote the URL) cannot carry them; and every error
// message is scrubbed of the secretKey, the ticket and the token.
package zlb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults of Config.
const (
	// DefaultTimeout bounds one call when Config.HTTPClient is nil, so a
	// stalled gateway cannot hold a citizen's sign-in open forever.
	DefaultTimeout = 10 * time.Second
	// LoginPath is the SSO login page under BaseURL when Config.LoginURL is
	// empty (the sandbox serves it there).
	LoginPath = "/sso/login"
	// maxResponseBytes bounds what is read from the gateway; real answers are
	// well under a kilobyte.
	maxResponseBytes = 1 << 20
)

// Config is what a Client needs. It holds the secretKey, so it redacts itself
// when printed (String, GoString).
type Config struct {
	// BaseURL is where the SSO API is, including any gateway prefix (for
	// example https://gateway.example.gov.cn/restapi/prod/IC3300…); the
	// endpoints are appended to it and the signature covers the full path.
	// There is no default: the real address is issued per app.
	BaseURL string
	// AccessKey and SecretKey are the app's gateway credentials (AK/SK).
	AccessKey string
	SecretKey string
	// LoginURL is the SSO login page browsers are sent to; BaseURL +
	// LoginPath when empty. In production it is usually another host than
	// the API gateway.
	LoginURL string
	// HTTPClient makes the calls; a client with DefaultTimeout when nil.
	HTTPClient *http.Client
	// Now is the clock of X-BG-DATE-TIME; time.Now when nil.
	Now func() time.Time
}

// String prints the configuration without the secretKey, so a configuration
// dumped into a log or an error never carries it.
func (c Config) String() string {
	sk := "<none>"
	if c.SecretKey != "" {
		sk = "<redacted>"
	}
	return fmt.Sprintf("zlb.Config{BaseURL:%q AccessKey:%q SecretKey:%s LoginURL:%q}",
		showURL(c.BaseURL, c.SecretKey), c.AccessKey, sk, showURL(c.LoginURL, c.SecretKey))
}

// GoString is String, so %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Client calls the SSO service for one app. It is safe for concurrent use and
// keeps no state: tokens are used once, right after the ticket is validated.
type Client struct {
	cfg      Config
	base     *url.URL
	loginURL *url.URL
	hc       *http.Client
	now      func() time.Time
}

// String keeps the secretKey out of a printed *Client too (fmt would
// otherwise print its unexported fields).
func (c *Client) String() string { return "zlb.Client{" + c.cfg.String() + "}" }

// GoString is String.
func (c *Client) GoString() string { return c.String() }

// User is a citizen as the gov app knows them.
type User struct {
	UserID   string
	UserName string
	// IDType is the document type ("1": resident identity card).
	IDType string
	// IDNo is masked by the service (e.g. 330***********1234); the platform
	// never receives the full number.
	IDNo  string
	Phone string
	// RealNameLevel is 1 registered, 2 real-name verified (实名), 3
	// real-person verified (实人); 0 when the service did not say.
	RealNameLevel int
	// Region is a GB/T 2260 area code.
	Region string
}

// New checks cfg, so a wrong URL or missing key fails at start-up with an
// error that says what to fix, rather than at a citizen's first sign-in.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.AccessKey) == "" {
		return nil, errors.New("zlb: AccessKey is empty; set the app's gateway accessKey (zlb_access_key)")
	}
	if cfg.SecretKey == "" {
		return nil, errors.New("zlb: SecretKey is empty; set the app's gateway secretKey (zlb_secret_key)")
	}
	base, err := absoluteURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("zlb: BaseURL %q: %w", showURL(cfg.BaseURL, cfg.SecretKey), err)
	}
	if base.RawQuery != "" {
		return nil, fmt.Errorf("zlb: BaseURL %q: must not have a query", showURL(cfg.BaseURL, cfg.SecretKey))
	}
	login := base.JoinPath(LoginPath)
	if cfg.LoginURL != "" {
		if login, err = absoluteURL(cfg.LoginURL); err != nil {
			return nil, fmt.Errorf("zlb: LoginURL %q: %w", showURL(cfg.LoginURL, cfg.SecretKey), err)
		}
	}
	c := &Client{cfg: cfg, base: base, loginURL: login, hc: cfg.HTTPClient, now: cfg.Now}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: DefaultTimeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// showURL is a configured URL as an error may quote it: without a password
// in its user info, and without the secretKey wherever someone pasted it.
func showURL(raw, secret string) string {
	if u, err := url.Parse(raw); err == nil {
		raw = u.Redacted()
	}
	if secret != "" {
		raw = strings.ReplaceAll(raw, secret, "REDACTED")
	}
	return raw
}

// absoluteURL accepts http(s) URLs with a host, without user info (which
// would be a second place for a secret) and without a fragment.
func absoluteURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case err != nil:
		return nil, errors.New("not a URL")
	case (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return nil, errors.New("want an absolute http(s) URL")
	case u.User != nil:
		return nil, errors.New("must not carry user info")
	case u.Fragment != "":
		return nil, errors.New("must not have a #fragment")
	}
	return u, nil
}

// LoginURL is where a browser outside the gov app goes to sign in; the SSO
// service sends it back to redirectURI with ticket and state in the query.
func (c *Client) LoginURL(redirectURI, state string) string {
	u := *c.loginURL
	q := u.Query()
	q.Set("redirect_uri", redirectURI)
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String()
}

// ValidateTicket exchanges a one-time ticket for a token. A ticket that is
// unknown, expired, reused or another app's is ErrTicketInvalid.
func (c *Client) ValidateTicket(ctx context.Context, ticket string) (string, error) {
	const op = "validate ticket"
	if ticket == "" {
		return "", &APIError{Op: op, Code: CodeTicketInvalid, Msg: "empty ticket"}
	}
	var out struct {
		Token     string `json:"token"`
		ExpiresIn int    `json:"expires_in"`
	}
	if err := c.call(ctx, op, "/ticket/validate", map[string]string{"ticket": ticket}, ticket, &out); err != nil {
		return "", err
	}
	if out.Token == "" {
		return "", &callError{op: op, msg: "answer has no token"}
	}
	return out.Token, nil
}

// UserInfo returns the citizen behind a token. An answer without a userId,
// or with a realNameLevel outside 0..3, is an error rather than a guess: the
// platform links accounts on it.
func (c *Client) UserInfo(ctx context.Context, token string) (User, error) {
	const op = "user info"
	if token == "" {
		return User{}, &APIError{Op: op, Code: CodeTokenInvalid, Msg: "empty token"}
	}
	var out struct {
		UserID        string          `json:"userId"`
		UserName      string          `json:"userName"`
		IDType        string          `json:"idType"`
		IDNo          string          `json:"idNo"`
		Phone         string          `json:"phone"`
		RealNameLevel json.RawMessage `json:"realNameLevel"`
		Region        string          `json:"region"`
	}
	if err := c.call(ctx, op, "/user/info", map[string]string{"token": token}, token, &out); err != nil {
		return User{}, err
	}
	if out.UserID == "" {
		return User{}, &callError{op: op, msg: "answer has no userId"}
	}
	level, err := parseLevel(out.RealNameLevel)
	if err != nil {
		return User{}, &callError{op: op, msg: err.Error()}
	}
	return User{UserID: out.UserID, UserName: out.UserName, IDType: out.IDType, IDNo: out.IDNo,
		Phone: out.Phone, RealNameLevel: level, Region: out.Region}, nil
}

// parseLevel reads realNameLevel as a number or a numeric string (services
// of this family send either).
func parseLevel(raw json.RawMessage) (int, error) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 3 {
		return 0, fmt.Errorf("realNameLevel %.20q is not 0..3", s)
	}
	return n, nil
}

// envelope is the business answer of every endpoint.
type envelope struct {
	Success   bool            `json:"success"`
	ErrorCode json.RawMessage `json:"errorCode"`
	ErrorMsg  string          `json:"errorMsg"`
	Data      json.RawMessage `json:"data"`
	Message   string          `json:"message"` // a gateway refusal
}

// call signs and posts in as JSON to path under BaseURL and decodes the data
// of a successful answer into out. credential is the ticket or token in the
// body, scrubbed from every error along with the secretKey.
func (c *Client) call(ctx context.Context, op, path string, in any, credential string, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return &callError{op: op, msg: "encode request: " + err.Error()}
	}
	u := c.base.JoinPath(path)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return &callError{op: op, msg: c.scrub(err.Error(), credential), cause: err}
	}
	date := c.now().UTC().Format(DateLayout)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set(HeaderAccessKey, c.cfg.AccessKey)
	req.Header.Set(HeaderAlgorithm, Algorithm)
	req.Header.Set(HeaderDateTime, date)
	req.Header.Set(HeaderSignature, Sign(c.cfg.SecretKey, SigningString(req.Method, req.URL.EscapedPath(), req.URL.RawQuery, c.cfg.AccessKey, date)))

	resp, err := c.hc.Do(req)
	if err != nil {
		return &callError{op: op, msg: c.scrub(err.Error(), credential), cause: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return &callError{op: op, msg: c.scrub("read answer: "+err.Error(), credential), cause: err}
	}
	var env envelope
	jsonErr := json.Unmarshal(raw, &env)
	if resp.StatusCode != http.StatusOK {
		msg := env.Message
		if jsonErr != nil || msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return &APIError{Op: op, Status: resp.StatusCode, Msg: c.scrub(msg, credential)}
	}
	if jsonErr != nil {
		return &callError{op: op, msg: "answer is not JSON: " + snippet(c.scrub(string(raw), credential))}
	}
	if !env.Success {
		code := strings.Trim(string(env.ErrorCode), `"`)
		if code == "" || code == "null" {
			code = "unknown"
		}
		return &APIError{Op: op, Status: resp.StatusCode, Code: c.scrub(code, credential), Msg: c.scrub(env.ErrorMsg, credential)}
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return &callError{op: op, msg: "answer has no data"}
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return &callError{op: op, msg: "decode data: " + c.scrub(err.Error(), credential)}
	}
	return nil
}

// scrub removes the secretKey and the request's credential from s, in case
// the service (or a fake, or a proxy's error page) echoes them.
func (c *Client) scrub(s, credential string) string {
	for _, secret := range []string{c.cfg.SecretKey, credential} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "REDACTED")
		}
	}
	return s
}

// snippet is the start of an unexpected answer, enough to recognise an HTML
// error page in a log.
func snippet(s string) string {
	const n = 120
	s = strings.ToValidUTF8(s, "?")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return strconv.Quote(s)
}
