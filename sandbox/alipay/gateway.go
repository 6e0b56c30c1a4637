// Package alipay is a protocol-faithful fake of the Alipay open platform for dev mode and
// tests: the open-API gateway (gateway.do), the web OAuth page
// (oauth2/publicAppAuthorize.htm) and the asynchronous notifications Alipay posts to
// apps.
//
// It rejects what Alipay rejects, in Alipay's shapes, so that a client that works against
// it has been through the same checks: every request must carry a valid RSA2 signature
// by the app's private key (the public key registered with AddApp), a Beijing-time
// timestamp and the common parameters; every answer is
// {"<method>_response":{…},"sign":"…"} or {"error_response":{…},"sign":"…"}, signed by
// the gateway's own key (PublicKeyPEM) over the exact bytes of the node; auth codes are
// single-use and short-lived; alipay.user.info.share needs an auth_user token.
//
// Methods served: alipay.system.oauth.token (grant_type=authorization_code),
// alipay.user.info.share and alipay.open.public.message.single.send (the life-account
// template message the platform pushes with). Known simplifications: public-key mode
// only; one gateway key for all apps (Alipay has one per app); both user_id and open_id
// are returned (Alipay returns the one the app's ID mode selects); mobile is returned
// with auth_user when the user has one (Alipay requires a separately approved
// capability); the redirect URI of the OAuth page is not checked against a registered
// domain; refresh_token grants are refused as isv.grant-type-invalid; the timestamp must
// be within ten minutes of the gateway's clock.
//
// It imports the standard library only and knows nothing of the platform.
package alipay

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Methods the gateway serves.
const (
	MethodOAuthToken              = "alipay.system.oauth.token"
	MethodUserInfoShare           = "alipay.user.info.share"
	MethodPublicMessageSingleSend = "alipay.open.public.message.single.send"
)

// Paths the gateway answers on; a prefix before them is ignored so that the fake can be
// mounted under /sandbox/alipay/ in dev mode.
const (
	GatewayPath   = "/gateway.do"
	AuthorizePath = "/oauth2/publicAppAuthorize.htm"
)

// Lifetimes of the credentials the gateway issues.
const (
	AuthCodeTTL     = 5 * time.Minute
	AccessTokenTTL  = 15 * 24 * time.Hour
	RefreshTokenTTL = 30 * 24 * time.Hour
	// TimestampSkew is how far a request's timestamp may be from the gateway's clock.
	// It is what turns a timestamp written in UTC instead of Beijing time into a refusal.
	TimestampSkew = 10 * time.Minute
)

// maxRequestBytes bounds a request body.
const maxRequestBytes = 1 << 20

// Error is an error answer of Alipay: code, msg, sub_code, sub_msg, in this order on the
// wire.
type Error struct {
	Code    string `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code,omitempty"`
	SubMsg  string `json:"sub_msg,omitempty"`
}

// ErrUnavailable is Alipay's "system busy" answer, the usual argument of FailNext.
var ErrUnavailable = Error{Code: "20000", Msg: "Service Currently Unavailable", SubCode: "isp.unknow-error", SubMsg: "系统繁忙"}

// missingArg is a 40001 Missing Required Arguments error.
func missingArg(sub, msg string) *Error {
	return &Error{Code: "40001", Msg: "Missing Required Arguments", SubCode: sub, SubMsg: msg}
}

// invalidArg is a 40002 Invalid Arguments error.
func invalidArg(sub, msg string) *Error {
	return &Error{Code: "40002", Msg: "Invalid Arguments", SubCode: sub, SubMsg: msg}
}

// User is the Alipay citizen who signs in through the OAuth page. OpenID is per app at
// Alipay; when it is empty the gateway derives a stable one from the app and UserID.
type User struct {
	UserID    string // 2088 followed by 12 digits
	OpenID    string
	NickName  string
	Avatar    string
	Province  string
	City      string
	Gender    string // "M" or "F"
	Mobile    string // returned with auth_user when set
	Certified bool   // real-name verified (is_certified "T")
}

// DefaultUser is the citizen who signs in until SetUser names another.
func DefaultUser() User {
	return User{
		UserID:    "2088000000000001",
		NickName:  "沙箱用户",
		Avatar:    "https://tfs.alipayobjects.com/images/partner/sandbox.png",
		Province:  "浙江省",
		City:      "杭州市",
		Gender:    "F",
		Mobile:    "13800138000",
		Certified: true,
	}
}

// Call is one request the fake received, for tests to assert on.
type Call struct {
	Time    time.Time
	Path    string     // GatewayPath, AuthorizePath or "notify"
	Method  string     // the API method; "publicAppAuthorize" for the page, "notify" for Notify
	AppID   string     // the app_id parameter
	Params  url.Values // every parameter received (or sent, for notify)
	Code    string     // "10000" on success, else the error code (HTTP status for the page)
	SubCode string
}

// Message is a template message the gateway accepted, as the sandbox phone shows it.
type Message struct {
	Time       time.Time
	AppID      string
	MsgID      string
	ToUserID   string
	ToOpenID   string
	TemplateID string
	// Context is the template context exactly as sent (head_color, url, action_name,
	// first, keyword1…, remark).
	Context json.RawMessage
}

// grant is an auth code or access token issued for a user of an app.
type grant struct {
	appID   string
	user    User
	scopes  []string
	expires time.Time
}

// failure is a queued FailNext.
type failure struct {
	method string
	err    Error
}

// Gateway is the fake Alipay. Its zero value is ready: it generates its key pair on first
// use (or takes one from SetPrivateKey) and serves the default user. Register apps with
// AddApp before calling it.
type Gateway struct {
	// Now is the gateway's clock; time.Now when nil. Set it before serving.
	Now func() time.Time
	// HTTPClient posts notifications (Notify); http.DefaultClient when nil.
	HTTPClient *http.Client
	// UserFor, when set, picks the citizen on the OAuth page from the request (e.g. a
	// cookie of the sandbox phone), so several simulated citizens can sign in at once;
	// when it is nil or answers false, the SetUser user signs in.
	UserFor func(r *http.Request) (User, bool)

	mu       sync.Mutex
	key      *rsa.PrivateKey
	apps     map[string]*rsa.PublicKey
	user     *User
	codes    map[string]grant
	tokens   map[string]grant
	calls    []Call
	messages []Message
	fails    []failure
	delay    time.Duration
}

// The gateway is served as a plain http.Handler.
var _ http.Handler = (*Gateway)(nil)

// now reads the clock.
func (g *Gateway) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// AddApp registers an app and the public key of the private key it signs with, as a
// developer uploads it in the open platform console.
func (g *Gateway) AddApp(appID string, appPublicKeyPEM []byte) error {
	if appID == "" {
		return fmt.Errorf("sandbox/alipay: empty app ID")
	}
	k, err := parsePublicKey(appPublicKeyPEM)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.apps == nil {
		g.apps = map[string]*rsa.PublicKey{}
	}
	g.apps[appID] = k
	return nil
}

// SetPrivateKey sets the gateway's key, whose public half the platform configures as the
// Alipay public key. Tests set a fixed one to skip key generation.
func (g *Gateway) SetPrivateKey(k *rsa.PrivateKey) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.key = k
}

// SetPrivateKeyPEM is SetPrivateKey from PKCS#1 or PKCS#8 PEM.
func (g *Gateway) SetPrivateKeyPEM(data []byte) error {
	k, err := parsePrivateKey(data)
	if err != nil {
		return err
	}
	g.SetPrivateKey(k)
	return nil
}

// PublicKeyPEM returns the gateway's public key as PKIX PEM: the "Alipay public key" of
// every registered app.
func (g *Gateway) PublicKeyPEM() []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	return publicKeyPEM(&g.signingKey().PublicKey)
}

// signingKey returns the gateway key, generating it on first use. g.mu must be held.
func (g *Gateway) signingKey() *rsa.PrivateKey {
	if g.key == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(fmt.Sprintf("sandbox/alipay: generating the gateway key: %v", err))
		}
		g.key = k
	}
	return g.key
}

// SetUser sets the citizen who signs in through the OAuth page from now on. Codes and
// tokens already issued keep the user they were issued for.
func (g *Gateway) SetUser(u User) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.user = &u
}

// currentUser returns the user set by SetUser or DefaultUser. g.mu must be held.
func (g *Gateway) currentUser() User {
	if g.user != nil {
		return *g.user
	}
	return DefaultUser()
}

// FailNext makes the next call of method (any method when empty) answer e in Alipay's
// shape, after the request passed the signature checks. Calls queue up.
func (g *Gateway) FailNext(method string, e Error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fails = append(g.fails, failure{method: method, err: e})
}

// SetDelay makes every gateway answer wait d (or until the request is cancelled), to
// test the platform's timeouts.
func (g *Gateway) SetDelay(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.delay = d
}

// Calls returns the requests received so far, oldest first.
func (g *Gateway) Calls() []Call {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Call(nil), g.calls...)
}

// Messages returns the template messages accepted so far, oldest first.
func (g *Gateway) Messages() []Message {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Message(nil), g.messages...)
}

// ServeHTTP routes to the gateway or the OAuth page by the end of the path.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasSuffix(r.URL.Path, GatewayPath):
		g.serveGateway(w, r)
	case strings.HasSuffix(r.URL.Path, AuthorizePath):
		g.serveAuthorize(w, r)
	default:
		http.NotFound(w, r)
	}
}

// methodHandler serves one API method once the common checks passed; it returns the
// success node or an error.
type methodHandler func(g *Gateway, appID string, params url.Values) (any, *Error)

// methods are the API methods served.
var methods = map[string]methodHandler{
	MethodOAuthToken:              (*Gateway).oauthToken,
	MethodUserInfoShare:           (*Gateway).userInfoShare,
	MethodPublicMessageSingleSend: (*Gateway).messageSingleSend,
}

// errorNodeFor is the node an error of method is answered in: Alipay answers OAuth token
// errors (and every gateway-level refusal) in error_response, and business errors of
// the other methods in their own <method>_response node.
func errorNodeFor(method string) string {
	if method == MethodOAuthToken || methods[method] == nil {
		return "error_response"
	}
	return responseNode(method)
}

// responseNode is the node name of method's answer.
func responseNode(method string) string {
	return strings.ReplaceAll(method, ".", "_") + "_response"
}

// serveGateway checks and answers one open-API call.
func (g *Gateway) serveGateway(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request body", http.StatusBadRequest)
		return
	}
	params := r.Form // query and form body together, as Alipay reads both

	// The delay comes after the body is read: only then does net/http notice a client
	// that gave up, so a cancelled request ends the wait.
	g.mu.Lock()
	delay := g.delay
	g.mu.Unlock()
	if delay > 0 && sleepCtx(r.Context(), delay) != nil {
		return
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	call := Call{Time: g.now(), Path: GatewayPath, Method: params.Get("method"), AppID: params.Get("app_id"), Params: cloneValues(params)}
	node, payload, e, signed := g.handle(params)
	if e != nil {
		call.Code, call.SubCode = e.Code, e.SubCode
		payload = e
	} else {
		call.Code = "10000"
	}
	g.calls = append(g.calls, call)
	g.writeNode(w, node, payload, signed)
}

// handle runs the common checks in Alipay's order and then the method. It returns the
// node to answer in, the payload or error, and whether the answer is signed: a refusal
// for an unknown app cannot be signed, since Alipay signs with a key per app.
func (g *Gateway) handle(params url.Values) (node string, payload any, e *Error, signed bool) {
	for k, vs := range params {
		if len(vs) > 1 {
			return "error_response", nil, invalidArg("isv.invalid-parameter", "参数无效: "+k+" 重复出现"), false
		}
	}
	appID := params.Get("app_id")
	if appID == "" {
		return "error_response", nil, missingArg("isv.missing-app-id", "缺少AppID参数"), false
	}
	appKey := g.apps[appID]
	if appKey == nil {
		return "error_response", nil, invalidArg("isv.invalid-app-id", "无效的AppID参数"), false
	}
	method := params.Get("method")
	switch {
	case method == "":
		return "error_response", nil, missingArg("isv.missing-method", "缺少方法名参数"), true
	case methods[method] == nil:
		return "error_response", nil, invalidArg("isv.invalid-method", "不存在的方法名"), true
	case params.Get("sign_type") == "":
		return "error_response", nil, missingArg("isv.missing-signature-type", "缺少签名类型参数"), true
	case params.Get("sign_type") != "RSA2":
		return "error_response", nil, invalidArg("isv.invalid-signature-type", "无效的签名类型"), true
	case params.Get("sign") == "":
		return "error_response", nil, missingArg("isv.missing-signature", "缺少签名参数"), true
	case params.Get("timestamp") == "":
		return "error_response", nil, missingArg("isv.missing-timestamp", "缺少时间戳参数"), true
	case params.Get("version") == "":
		return "error_response", nil, missingArg("isv.missing-version", "缺少版本参数"), true
	case params.Get("version") != "1.0":
		return "error_response", nil, invalidArg("isv.invalid-parameter", "参数无效: version"), true
	case params.Get("charset") != "" && !strings.EqualFold(params.Get("charset"), "utf-8"):
		return "error_response", nil, invalidArg("isv.invalid-charset", "字符集错误"), true
	case params.Get("format") != "" && !strings.EqualFold(params.Get("format"), "json"):
		return "error_response", nil, invalidArg("isv.invalid-format", "无效的数据格式"), true
	}
	ts, err := time.ParseInLocation(timestampLayout, params.Get("timestamp"), beijing)
	if err != nil {
		return "error_response", nil, invalidArg("isv.invalid-timestamp", "非法的时间戳参数"), true
	}
	if d := g.now().Sub(ts); d > TimestampSkew || d < -TimestampSkew {
		return "error_response", nil, invalidArg("isv.invalid-timestamp", "非法的时间戳参数: 与网关时间相差 "+d.Round(time.Minute).String()+"，时间戳须为北京时间(UTC+8)"), true
	}
	content := signContent(params, "sign")
	if !rsa2Verify(appKey, []byte(content), params.Get("sign")) {
		return "error_response", nil, invalidArg("isv.invalid-signature", "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为："+content), true
	}
	for i, f := range g.fails {
		if f.method == "" || f.method == method {
			g.fails = append(g.fails[:i], g.fails[i+1:]...)
			fe := f.err
			return errorNodeFor(method), nil, &fe, true
		}
	}
	payload, e = methods[method](g, appID, params)
	if e != nil {
		return errorNodeFor(method), nil, e, true
	}
	return responseNode(method), payload, nil, true
}

// writeNode writes {"<node>":<payload>,"sign":"…"}, the signature covering the exact
// bytes of the payload as written. Alipay's JSON does not escape <, > and &, and neither
// does this, so that clients are tested on the same bytes.
func (g *Gateway) writeNode(w http.ResponseWriter, node string, payload any, signed bool) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(payload); err != nil {
		http.Error(w, "sandbox/alipay: encoding the answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	raw := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	var body bytes.Buffer
	body.WriteString(`{"` + node + `":`)
	body.Write(raw)
	if signed {
		sig, err := rsa2Sign(g.signingKey(), raw)
		if err != nil {
			http.Error(w, "sandbox/alipay: signing the answer: "+err.Error(), http.StatusInternalServerError)
			return
		}
		body.WriteString(`,"sign":"` + sig + `"`)
	}
	body.WriteString("}")
	// Alipay's gateway labels its JSON text/html.
	w.Header().Set("Content-Type", "text/html;charset=utf-8")
	_, _ = w.Write(body.Bytes())
}

// randomID returns n random bytes in hex, for codes, tokens and IDs.
func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// cloneValues copies v so that recorded calls do not alias request state.
func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
