// Package wechat is a protocol-faithful fake of the WeChat official-account
// API (公众号), so the platform's real WeChat client can be exercised on a
// laptop and in tests without an account, a public IP or WeChat's daily
// quotas.
//
// Server speaks the same endpoints, parameters, JSON shapes and errcodes as
// api.weixin.qq.com and open.weixin.qq.com for the parts the platform uses:
// access_token, jsapi_ticket, web OAuth (authorize, sns access_token,
// userinfo), template messages and subscribe messages. Like WeChat it answers
// errors with HTTP 200 and {"errcode":N,"errmsg":"..."}, so a client that
// only looks at the status code is caught here rather than in production.
//
// It imports the standard library only: it fakes the outside and does not
// know the platform.
package wechat

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Lifetimes and limits WeChat documents; the client's caching is tested
// against these, so they are the real values rather than test-friendly ones.
const (
	// TokenTTL is the lifetime WeChat gives an access_token, a jsapi_ticket
	// and an OAuth access_token (expires_in 7200).
	TokenTTL = 7200 * time.Second
	// CodeTTL is how long an OAuth code may be exchanged; WeChat says five
	// minutes, single use.
	CodeTTL = 5 * time.Minute
	// TokenOverlap is how long the previous access_token stays valid after a
	// new one is issued, which is what makes uncoordinated refreshes by
	// several instances fail a few minutes later instead of at once.
	TokenOverlap = 5 * time.Minute
	// maxBody bounds request bodies; WeChat rejects far smaller messages.
	maxBody = 1 << 20
	// maxRecords bounds each record (calls, messages), oldest dropped
	// first, so a sandbox left running for weeks does not grow without end.
	maxRecords = 10000
)

// Errcodes the fake returns, named so tests read as WeChat's documentation.
const (
	ErrCodeOK                = 0
	ErrCodeSystemBusy        = -1    // system error, try again
	ErrCodeInvalidCredential = 40001 // access_token invalid or not latest
	ErrCodeInvalidGrantType  = 40002 // grant_type is not the expected value
	ErrCodeInvalidOpenID     = 40003 // openid unknown or not of this app
	ErrCodeInvalidAppID      = 40013 // appid unknown
	ErrCodeInvalidCode       = 40029 // OAuth code unknown, expired or of another app
	ErrCodeInvalidTemplateID = 40037 // template_id not added to this account
	ErrCodeInvalidArgs       = 40097 // a parameter has an invalid value
	ErrCodeInvalidSecret     = 40125 // appsecret does not match the appid
	ErrCodeCodeUsed          = 40163 // OAuth code already exchanged
	ErrCodeTokenMissing      = 41001 // access_token missing
	ErrCodeAppIDMissing      = 41002 // appid missing
	ErrCodeSecretMissing     = 41004 // secret missing
	ErrCodeCodeMissing       = 41008 // OAuth code missing
	ErrCodeOpenIDMissing     = 41009 // openid missing
	ErrCodeTokenExpired      = 42001 // access_token expired
	ErrCodeRequireGET        = 43001 // endpoint only answers GET
	ErrCodeRequirePOST       = 43002 // endpoint only answers POST
	ErrCodeRequireSubscribe  = 43004 // the user does not follow the account
	ErrCodeDataFormat        = 47001 // body is not the JSON the endpoint expects
	ErrCodeAPIUnauthorized   = 48001 // scope or account lacks the permission
	ErrCodeQuota             = 45009 // daily quota of this API reached
	ErrCodeRedirectDomain    = 10003 // redirect_uri not on the OAuth domain
	ErrCodeScope             = 10005 // scope not one this account may ask for
	ErrCodeRedirectMissing   = 10011 // redirect_uri empty
)

// errMsgs are the errmsg texts WeChat sends with each errcode (minus the
// " rid: ..." request id suffix the fake appends, as WeChat does).
var errMsgs = map[int]string{
	ErrCodeSystemBusy:        "system error",
	ErrCodeInvalidCredential: "invalid credential, access_token is invalid or not latest",
	ErrCodeInvalidGrantType:  "invalid grant_type",
	ErrCodeInvalidOpenID:     "invalid openid",
	ErrCodeInvalidAppID:      "invalid appid",
	ErrCodeInvalidCode:       "invalid code",
	ErrCodeInvalidTemplateID: "invalid template_id",
	ErrCodeInvalidArgs:       "invalid args",
	ErrCodeInvalidSecret:     "invalid appsecret",
	ErrCodeCodeUsed:          "code been used",
	ErrCodeTokenMissing:      "access_token missing",
	ErrCodeAppIDMissing:      "appid missing",
	ErrCodeSecretMissing:     "appsecret missing",
	ErrCodeCodeMissing:       "code missing",
	ErrCodeOpenIDMissing:     "openid missing",
	ErrCodeTokenExpired:      "access_token expired",
	ErrCodeRequireGET:        "require GET method",
	ErrCodeRequirePOST:       "require POST method",
	ErrCodeRequireSubscribe:  "require subscribe",
	ErrCodeDataFormat:        "data format error",
	ErrCodeAPIUnauthorized:   "api unauthorized",
	ErrCodeQuota:             "reach max api daily quota limit",
	ErrCodeRedirectDomain:    "redirect_uri domain mismatch",
	ErrCodeScope:             "scope unauthorized",
	ErrCodeRedirectMissing:   "redirect_uri missing",
}

// ErrMsg returns the errmsg WeChat sends with code, so tests and the fake's
// users need not copy the strings.
func ErrMsg(code int) string {
	if m, ok := errMsgs[code]; ok {
		return m
	}
	return "unknown error"
}

// chinaTime is the zone WeChat's daily quotas reset in (midnight Beijing).
var chinaTime = time.FixedZone("CST", 8*60*60)

// Server is the fake WeChat. Its zero value is ready and knows no apps, so
// every token request fails with 40013 until AddApp is called. All methods
// are safe for concurrent use; the exported fields are meant to be set
// before the server takes requests.
type Server struct {
	// Now is the server's clock; nil means time.Now. Tests move it forward
	// to expire tokens, codes and quotas without sleeping.
	Now func() time.Time
	// DailyQuota, when positive, is how many calls each app may make to each
	// API path per day (Beijing time) before WeChat answers 45009.
	DailyQuota int
	// Latency delays every answer, to exercise the client's timeouts; the
	// wait ends early when the request's context is done.
	Latency time.Duration
	// UserFor, when set, picks the user who "consents" on an authorize
	// request (for example from a cookie of the simulated container); when
	// it returns false the user set by SetUser is used.
	UserFor func(r *http.Request) (User, bool)

	mu         sync.Mutex
	apps       map[string]*app
	tokens     map[string]*grant // access_token -> app and expiry
	userTokens map[string]*grant // OAuth access_token -> app, user, scope, expiry
	codes      map[string]*grant // OAuth code -> app, user, scope, expiry, used
	users      map[string]User   // openid -> profile, for userinfo
	user       *User             // who consents on authorize
	unfollowed map[string]bool   // openids that do not follow (43004)
	failures   []failure
	quota      map[string]int // appid + " " + path + " " + day -> calls
	calls      []Call
	templates  []TemplateMessage
	subscribes []SubscribeMessage
	nextMsgID  int64
}

// app is one official account the fake knows.
type app struct {
	id, secret   string
	oauthDomains []string        // empty: any redirect_uri host
	templates    map[string]bool // empty: any template_id
	ticket       string
	ticketExp    time.Time
}

// grant is an issued credential: an access_token, an OAuth code or an OAuth
// access_token.
type grant struct {
	appID      string
	openID     string
	scope      string
	expires    time.Time
	used       bool // an OAuth code that was exchanged
	superseded bool // an access_token replaced by a newer one: 40001, not 42001
}

// failure is one queued FailNext.
type failure struct {
	path string // "" matches any path
	code int
	msg  string
}

// User is a WeChat user as the OAuth endpoints describe them. WeChat gives
// each app its own openid for a person and one unionid across the apps of an
// open-platform account; the fake uses the configured OpenID for every app.
type User struct {
	OpenID     string
	UnionID    string // empty when the account is not bound to an open platform
	Nickname   string
	Sex        int // 0 unknown, 1 male, 2 female
	Province   string
	City       string
	Country    string
	HeadImgURL string
}

// DefaultUser is who consents when neither SetUser nor UserFor chose
// anyone, so a zero-value server completes OAuth flows out of the box.
func DefaultUser() User {
	return User{
		OpenID:     "oSandbox0000000000000000001",
		UnionID:    "uSandbox0000000000000000001",
		Nickname:   "沙箱用户",
		Country:    "中国",
		Province:   "浙江",
		City:       "杭州",
		HeadImgURL: "https://thirdwx.qlogo.cn/mmopen/sandbox/132",
	}
}

// Call is one request the fake received, recorded so tests can assert what
// the client actually sent (and that it did not send what it must not).
type Call struct {
	Method string
	Path   string
	Query  url.Values
	Body   []byte
	At     time.Time
}

// TemplateMessage is a template message the fake accepted; the sandbox
// phone shows these as arrived notices.
type TemplateMessage struct {
	AppID      string
	MsgID      int64
	ToUser     string
	TemplateID string
	URL        string
	Data       map[string]TemplateValue
	At         time.Time
}

// TemplateValue is one keyword of a template or subscribe message.
type TemplateValue struct {
	Value string `json:"value"`
	Color string `json:"color,omitempty"`
}

// SubscribeMessage is a subscribe message (bizsend) the fake accepted.
type SubscribeMessage struct {
	AppID      string
	ToUser     string
	TemplateID string
	Page       string
	Data       map[string]TemplateValue
	At         time.Time
}

// init makes the zero value usable; callers hold s.mu.
func (s *Server) init() {
	if s.apps == nil {
		s.apps = map[string]*app{}
		s.tokens = map[string]*grant{}
		s.userTokens = map[string]*grant{}
		s.codes = map[string]*grant{}
		s.users = map[string]User{}
		s.unfollowed = map[string]bool{}
		s.quota = map[string]int{}
	}
}

// now reads the server's clock.
func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// AddApp registers an official account, or changes its secret (which, as on
// WeChat, does not revoke tokens already issued).
func (s *Server) AddApp(appID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if a, ok := s.apps[appID]; ok {
		a.secret = secret
		return
	}
	s.apps[appID] = &app{id: appID, secret: secret, templates: map[string]bool{}}
}

// SetOAuthDomains sets the 网页授权域名 of an app: authorize requests whose
// redirect_uri host is not one of them fail with 10003, as on WeChat. No
// domains (the default) accepts any host.
func (s *Server) SetOAuthDomains(appID string, domains ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.app(appID); a != nil {
		a.oauthDomains = append([]string(nil), domains...)
	}
}

// AddTemplate adds a template_id to an app; once an app has any, sends with
// another template_id fail with 40037. With none, any template_id is taken.
func (s *Server) AddTemplate(appID, templateID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.app(appID); a != nil {
		a.templates[templateID] = true
	}
}

// app returns a registered app or nil; callers hold s.mu.
func (s *Server) app(appID string) *app {
	s.init()
	return s.apps[appID]
}

// SetUser chooses who consents on the next authorize requests and makes the
// profile known to userinfo.
func (s *Server) SetUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.user = &u
	s.users[u.OpenID] = u
}

// SetFollowing says whether openid follows the account; template and
// subscribe sends to a user who does not follow fail with 43004. Everyone
// follows by default.
func (s *Server) SetFollowing(openID string, following bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if following {
		delete(s.unfollowed, openID)
	} else {
		s.unfollowed[openID] = true
	}
}

// FailNext makes the next request, whatever its path, fail with errcode and
// errmsg (WeChat's own text when errmsg is empty). Calls queue up.
func (s *Server) FailNext(errcode int, errmsg string) {
	s.FailNextOn("", errcode, errmsg)
}

// FailNextOn is FailNext for the next request to one path (for example
// "/cgi-bin/message/template/send"), so a test can fail a send without
// failing the token fetch that precedes it.
func (s *Server) FailNextOn(path string, errcode int, errmsg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if errmsg == "" {
		errmsg = ErrMsg(errcode)
	}
	s.failures = append(s.failures, failure{path: path, code: errcode, msg: errmsg})
}

// ExpireTokens ends every access_token of appID now, as if the client had
// slept past expires_in; the next call with one fails with 42001.
func (s *Server) ExpireTokens(appID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	now := s.now()
	for _, g := range s.tokens {
		if g.appID == appID && g.expires.After(now) {
			g.expires = now
		}
	}
}

// Calls returns a copy of the requests received so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	copy(out, s.calls)
	return out
}

// TemplateMessages returns the template messages accepted so far.
func (s *Server) TemplateMessages() []TemplateMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TemplateMessage(nil), s.templates...)
}

// SubscribeMessages returns the subscribe messages accepted so far.
func (s *Server) SubscribeMessages() []SubscribeMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SubscribeMessage(nil), s.subscribes...)
}

// ServeHTTP answers one WeChat API request. It records the call, applies a
// queued FailNext, then dispatches on the path like WeChat's gateway.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if r.Body != nil { // nil when a client request is handed over in-process
		b, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
			return
		}
		body = b
	}
	if s.Latency > 0 {
		t := time.NewTimer(s.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	q := r.URL.Query()

	s.mu.Lock()
	s.init()
	s.calls = appendBounded(s.calls, Call{Method: r.Method, Path: r.URL.Path, Query: q, Body: body, At: s.now()})
	f, failed := s.takeFailure(r.URL.Path)
	s.mu.Unlock()

	if r.URL.Path == "/connect/oauth2/authorize" {
		if failed {
			writePage(w, f.code, f.msg)
			return
		}
		s.authorize(w, r, q)
		return
	}
	if failed {
		writeErr(w, f.code, f.msg)
		return
	}
	var resp any
	switch r.URL.Path {
	case "/cgi-bin/token":
		resp = s.onlyGET(r, func() any { return s.token(q) })
	case "/cgi-bin/ticket/getticket":
		resp = s.onlyGET(r, func() any { return s.ticket(r.URL.Path, q) })
	case "/sns/oauth2/access_token":
		resp = s.onlyGET(r, func() any { return s.snsToken(q) })
	case "/sns/userinfo":
		resp = s.onlyGET(r, func() any { return s.userInfo(q) })
	case "/cgi-bin/message/template/send":
		resp = s.onlyPOST(r, func() any { return s.sendTemplate(r.URL.Path, q, body) })
	case "/cgi-bin/message/subscribe/bizsend":
		resp = s.onlyPOST(r, func() any { return s.sendSubscribe(r.URL.Path, q, body) })
	default:
		http.NotFound(w, r)
		return
	}
	writeJSON(w, resp)
}

// appendBounded appends v and drops the oldest entries beyond maxRecords.
func appendBounded[T any](list []T, v T) []T {
	list = append(list, v)
	if len(list) > maxRecords {
		list = append(list[:0:0], list[len(list)-maxRecords:]...)
	}
	return list
}

// takeFailure pops the first queued failure that applies to path; callers
// hold s.mu.
func (s *Server) takeFailure(path string) (failure, bool) {
	for i, f := range s.failures {
		if f.path == "" || f.path == path {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
			return f, true
		}
	}
	return failure{}, false
}

// onlyGET answers 43001 to anything but GET, as WeChat's GET endpoints do.
func (s *Server) onlyGET(r *http.Request, fn func() any) any {
	if r.Method != http.MethodGet {
		return errBody(ErrCodeRequireGET, "")
	}
	return fn()
}

// onlyPOST answers 43002 to anything but POST, as WeChat's send endpoints do.
func (s *Server) onlyPOST(r *http.Request, fn func() any) any {
	if r.Method != http.MethodPost {
		return errBody(ErrCodeRequirePOST, "")
	}
	return fn()
}

// overQuota counts one call of appID to path and says whether it exceeds
// DailyQuota; callers hold s.mu.
func (s *Server) overQuota(appID, path string) bool {
	if s.DailyQuota <= 0 {
		return false
	}
	key := appID + " " + path + " " + s.now().In(chinaTime).Format("2006-01-02")
	if s.quota[key] >= s.DailyQuota {
		return true
	}
	s.quota[key]++
	return false
}

// errorBody is WeChat's error answer.
type errorBody struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// errBody builds an error answer; msg "" means WeChat's text for code. Like
// WeChat it appends a request id, so clients that compare errmsg verbatim
// break here first.
func errBody(code int, msg string) errorBody {
	if msg == "" {
		msg = ErrMsg(code)
	}
	return errorBody{ErrCode: code, ErrMsg: msg + " rid: " + randomHex(12)}
}

// writeErr writes an error answer with HTTP 200, as WeChat does.
func writeErr(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, errBody(code, msg))
}

// writeJSON writes v with WeChat's content type and status 200.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; encoding=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// writePage is the error page WeChat's in-app browser shows for a bad
// authorize request: HTML, status 200, the errcode in the text.
func writePage(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>微信网页授权</title></head>"+
		"<body><h1>授权失败</h1><p class=\"errcode\">errcode=%d</p><p class=\"errmsg\">%s</p></body></html>\n",
		code, html.EscapeString(msg))
}

// randomHex returns n random bytes as hex; credentials and codes come from
// it so they cannot be guessed across test runs.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
