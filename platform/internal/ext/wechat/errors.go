package wechat

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Kinds of WeChat failure the platform acts on. Every error WeChat returns
// is an *APIError; errors.Is matches it against these by errcode, so callers
// branch on the kind and still read the exact code with errors.As.
var (
	// ErrInvalidCredential is 40001/42001: the access_token is invalid, not
	// the latest, or expired. The client already refreshed and retried once.
	ErrInvalidCredential = errors.New("wechat: access_token invalid or expired")
	// ErrQuota is 45009: the account used up today's quota of this API. It
	// resets at midnight Beijing time (or by clearing it in the WeChat
	// console); retrying sooner only fails again.
	ErrQuota = errors.New("wechat: daily API quota reached")
	// ErrNotSubscribed is 43004: the user does not follow the official
	// account, so WeChat will not deliver messages to them; push should fall
	// back to another channel.
	ErrNotSubscribed = errors.New("wechat: user does not follow the official account")
	// ErrInvalidCode is 40029/40163: the OAuth code is unknown, expired or
	// already used; the user has to sign in again.
	ErrInvalidCode = errors.New("wechat: OAuth code invalid, expired or already used")
	// ErrScope is 48001: the call needs a permission the token lacks, e.g.
	// userinfo with a snsapi_base token; ask for snsapi_userinfo.
	ErrScope = errors.New("wechat: API unauthorized for this token or scope")
	// ErrPageURL rejects a wx.config signature request for a page URL that
	// is not absolute http(s), which WeChat would refuse anyway.
	ErrPageURL = errors.New("wechat: page URL must be an absolute http or https URL")
)

// codeKinds maps errcodes to their kind.
var codeKinds = map[int]error{
	40001: ErrInvalidCredential,
	42001: ErrInvalidCredential,
	45009: ErrQuota,
	43004: ErrNotSubscribed,
	40029: ErrInvalidCode,
	40163: ErrInvalidCode,
	48001: ErrScope,
}

// APIError is an error answer from WeChat ({"errcode":N,"errmsg":"..."}).
type APIError struct {
	Op   string // what the client was doing, e.g. "send template message"
	Code int    // WeChat's errcode
	Msg  string // WeChat's errmsg, secrets removed
}

// Error reads like "wechat: send template message: errcode 45009: reach max
// api daily quota limit (the quota resets ...)", with what to do next when
// the code is a known one.
func (e *APIError) Error() string {
	s := fmt.Sprintf("wechat: %s: errcode %d: %s", e.Op, e.Code, e.Msg)
	if h, ok := codeHints[e.Code]; ok {
		s += " (" + h + ")"
	}
	return s
}

// codeHints say what an operator can do about an errcode.
var codeHints = map[int]string{
	40001: "token invalid or superseded; if it repeats after the client's refresh, something else fetches access_tokens for this appid",
	42001: "token expired; if it repeats after the client's refresh, check the clocks of the platform instances",
	40013: "check the AppID of the official account (公众号 设置与开发 > 基本配置)",
	40125: "check the AppSecret of the official account (公众号 设置与开发 > 基本配置)",
	40164: "add this server's outbound IP to the account's IP whitelist (IP白名单)",
	45009: "the daily quota resets at midnight Beijing time",
	43004: "the user does not follow the official account; use another channel",
	40029: "the code is invalid or expired; send the user through sign-in again",
	40163: "the code was already used; send the user through sign-in again",
	48001: "the token lacks the permission; user info needs scope snsapi_userinfo",
}

// Is makes errors.Is(err, ErrQuota) and friends true for the matching
// errcodes.
func (e *APIError) Is(target error) bool {
	kind, ok := codeKinds[e.Code]
	return ok && kind == target
}

// apiErr builds the APIError of an errcode answer, scrubbing the message in
// case WeChat (or a fake) echoes a credential.
func (c *Client) apiErr(op string, code int64, msg string) error {
	return &APIError{Op: op, Code: int(code), Msg: c.redact(msg)}
}

// callError is a failure to talk to WeChat at all (network, HTTP status,
// bad JSON). Its message is scrubbed; the cause is kept only for errors.Is,
// so context.Canceled and context.DeadlineExceeded still match, but is not
// unwrapped: silenceper's messages and *url.Error carry the request URL,
// with the secret or access_token in its query.
type callError struct {
	op    string
	msg   string
	cause error
}

// Error reports the operation and the scrubbed cause.
func (e *callError) Error() string { return "wechat: " + e.op + ": " + e.msg }

// Is defers to the hidden cause.
func (e *callError) Is(target error) bool { return errors.Is(e.cause, target) }

// callErr wraps a transport or decoding failure without leaking secrets.
// silenceper's messages name the real WeChat host even when the request
// went to BaseURL, so the message says where it really went.
func (c *Client) callErr(op string, err error) error {
	msg := c.redact(err.Error())
	if c.route != nil && c.route.api != nil {
		msg += " (api.weixin.qq.com redirected to " + c.route.api.Redacted() + ")"
	}
	return &callError{op: op, msg: msg, cause: err}
}

// credentialParam matches credential parameters in URLs ("&secret=...",
// "?access_token=..."); the leading separator keeps "errcode=" and
// "statusCode=" readable.
var credentialParam = regexp.MustCompile(`(?i)(^|[?&\s])(secret|appsecret|access_token|refresh_token|code|ticket)=[^&\s"']*`)

// redact removes the app secret and every credential-looking query
// parameter from s.
func (c *Client) redact(s string) string {
	if c.cfg.Secret != "" {
		s = strings.ReplaceAll(s, c.cfg.Secret, "REDACTED")
	}
	return credentialParam.ReplaceAllString(s, "${1}${2}=REDACTED")
}
