package alipay

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponseBytes bounds what is read from the gateway; Alipay's answers to the
// methods used here are a few kilobytes.
const maxResponseBytes = 1 << 20

// Client calls the Alipay open API for one app. It is safe for concurrent use; it keeps
// no token cache, because Alipay's user tokens belong to citizens' sessions, which the
// platform stores.
type Client struct {
	appID        string
	key          *rsa.PrivateKey
	alipayKey    *rsa.PublicKey
	gatewayURL   string
	authorizeURL string
	httpClient   *http.Client
	now          func() time.Time
}

// New checks cfg and parses its keys, so that a wrong key or URL fails at start-up with
// an error that says what to fix, rather than at a citizen's first sign-in.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.AppID) == "" {
		return nil, errors.New("alipay: AppID is empty; set the app ID from the Alipay open platform console")
	}
	if cfg.SignType != "" && cfg.SignType != SignTypeRSA2 {
		return nil, fmt.Errorf("alipay: sign type %q is not supported; use %q (SHA256withRSA)", cfg.SignType, SignTypeRSA2)
	}
	if cfg.Charset != "" && !strings.EqualFold(cfg.Charset, CharsetUTF8) {
		return nil, fmt.Errorf("alipay: charset %q is not supported; use %q", cfg.Charset, CharsetUTF8)
	}
	key, err := ParsePrivateKey(cfg.PrivateKeyPEM)
	if err != nil {
		return nil, err
	}
	alipayKey, err := ParsePublicKey(cfg.AlipayPublicKeyPEM)
	if err != nil {
		return nil, err
	}
	c := &Client{
		appID:        cfg.AppID,
		key:          key,
		alipayKey:    alipayKey,
		gatewayURL:   cfg.GatewayURL,
		authorizeURL: cfg.AuthorizeURL,
		httpClient:   cfg.HTTPClient,
		now:          cfg.Now,
	}
	if c.gatewayURL == "" {
		c.gatewayURL = DefaultGatewayURL
	}
	if c.authorizeURL == "" {
		c.authorizeURL = DefaultAuthorizeURL
	}
	for name, u := range map[string]string{"GatewayURL": c.gatewayURL, "AuthorizeURL": c.authorizeURL} {
		if err := checkAbsoluteURL(u); err != nil {
			return nil, fmt.Errorf("alipay: %s %q: %w", name, u, err)
		}
	}
	if c.httpClient == nil {
		c.httpClient = &http.Client{Timeout: DefaultTimeout}
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// checkAbsoluteURL accepts http(s) URLs with a host and without a fragment.
func checkAbsoluteURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("want an absolute http(s) URL")
	}
	if u.Fragment != "" {
		return errors.New("must not have a #fragment")
	}
	return nil
}

// AppID returns the app the client acts for; notifications for other apps are refused.
func (c *Client) AppID() string { return c.appID }

// commonParams are set by Call and may not be overridden by a method's parameters,
// since they are what the signature binds the call to.
var commonParams = map[string]bool{
	"app_id": true, "method": true, "format": true, "charset": true, "sign_type": true,
	"sign": true, "timestamp": true, "version": true, "biz_content": true,
}

// Call invokes method on the gateway and decodes its verified response node into out
// (which may be nil). bizContent, when not nil, is sent as the biz_content JSON (a
// string, []byte or json.RawMessage is sent as is); extra holds the method's top-level
// parameters (grant_type and code for the OAuth token, auth_token for user info).
//
// Every parameter goes in the form body rather than the URL, so that auth codes and
// tokens never appear in the request URL, which net/http quotes in its errors.
//
// An answer that Alipay did not sign is only ever turned into an *APIError (the gateway
// cannot sign for an app it does not know), never into data; a signature that does not
// verify is ErrBadSignature, whatever the answer says.
func (c *Client) Call(ctx context.Context, method string, bizContent any, extra url.Values, out any) error {
	params, err := c.requestParams(method, bizContent, extra)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.gatewayURL, strings.NewReader(params.Encode()))
	if err != nil {
		return fmt.Errorf("alipay: %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("alipay: %s: %w", method, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return fmt.Errorf("alipay: %s: reading the response: %w", method, err)
	}
	if len(body) > maxResponseBytes {
		return fmt.Errorf("alipay: %s: the response is larger than %d bytes", method, maxResponseBytes)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("alipay: %s: the gateway answered HTTP %d", method, resp.StatusCode)
	}
	return c.decodeResponse(method, body, out)
}

// requestParams builds and signs the parameters of one call.
func (c *Client) requestParams(method string, bizContent any, extra url.Values) (url.Values, error) {
	if method == "" {
		return nil, errors.New("alipay: no method to call")
	}
	params := url.Values{}
	params.Set("app_id", c.appID)
	params.Set("method", method)
	params.Set("format", "JSON")
	params.Set("charset", CharsetUTF8)
	params.Set("sign_type", SignTypeRSA2)
	params.Set("timestamp", FormatTimestamp(c.now()))
	params.Set("version", APIVersion)
	if bizContent != nil {
		biz, err := encodeBizContent(bizContent)
		if err != nil {
			return nil, fmt.Errorf("alipay: %s: encoding biz_content: %w", method, err)
		}
		params.Set("biz_content", biz)
	}
	for k, vs := range extra {
		if commonParams[k] {
			return nil, fmt.Errorf("alipay: %s: parameter %q is set by the client", method, k)
		}
		if len(vs) == 0 {
			continue
		}
		if len(vs) > 1 {
			return nil, fmt.Errorf("%w: %q", ErrAmbiguousParams, k)
		}
		params.Set(k, vs[0])
	}
	sign, err := SignParams(params, c.key)
	if err != nil {
		return nil, err
	}
	params.Set("sign", sign)
	return params, nil
}

// encodeBizContent marshals biz_content without HTML escaping, so that URLs and "&" in
// messages reach Alipay (and its logs) as written.
func encodeBizContent(v any) (string, error) {
	switch b := v.(type) {
	case string:
		return b, nil
	case []byte:
		return string(b), nil
	case json.RawMessage:
		return string(b), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// decodeResponse verifies the response node and decodes it into out, or returns the
// *APIError it carries.
func (c *Client) decodeResponse(method string, body []byte, out any) error {
	p, err := splitResponse(body, method)
	if err != nil {
		return err
	}
	var env envelope
	if err := json.Unmarshal(p.raw, &env); err != nil {
		return fmt.Errorf("alipay: %s: the %s node is unreadable", method, p.node)
	}
	failed := p.isError || (env.Code != "" && env.Code != CodeSuccess)
	if p.sign == "" {
		if failed {
			return apiError(method, env)
		}
		return fmt.Errorf("%w: %s: the response is not signed", ErrBadSignature, method)
	}
	if err := verifyBytes(p.raw, p.sign, c.alipayKey); err != nil {
		return fmt.Errorf("alipay: %s: the response node %s: %w (is AlipayPublicKeyPEM the Alipay public key of app %s?)", method, p.node, err, c.appID)
	}
	if failed {
		return apiError(method, env)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(p.raw, out); err != nil {
		return fmt.Errorf("alipay: %s: decoding the response: %w", method, err)
	}
	return nil
}

// apiError turns an error envelope into an *APIError; an error node without a code is
// still an error.
func apiError(method string, env envelope) error {
	if env.Code == "" {
		env.Code = "unknown"
	}
	return &APIError{Method: method, Code: env.Code, Msg: env.Msg, SubCode: env.SubCode, SubMsg: env.SubMsg}
}
