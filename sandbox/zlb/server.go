// Package zlb is a protocol-faithful fake of a 浙里办-style gov-app single
// sign-on (统一单点登录), so the platform's ticket exchange can be exercised on
// a laptop and in tests without an IRS account, access keys or the
// province's network.
//
// The real flow: the gov app opens a light app with a one-time ticket in the
// URL (?ticket=…), or a browser is sent to the SSO login page and comes back
// with one; the light app's server exchanges the ticket for a token and the
// token for the citizen, server to server, through a gateway that
// authenticates every request with the app's accessKey/secretKey (HMAC-SHA256
// over a canonical string, see SigningString).
//
// Server speaks:
//
//	GET  /sso/login?redirect_uri&state  the citizen signs in at once: 302 to redirect_uri?ticket=…&state=…
//	POST /ticket/validate {"ticket"}     → data {"token","expires_in"}; tickets are single use and live 5 minutes
//	POST /user/info {"token"}            → data {"userId","userName","idType","idNo" (masked),"phone","realNameLevel","region"}
//
// API paths are matched by suffix, so the fake can sit under a gateway prefix
// (/restapi/prod/IC3300…/ticket/validate) as the real service does. Like the
// real gateway it answers an authentication failure with HTTP 401 and
// {"message":"Invalid signature"} (or "Invalid access key", "Clock skew
// exceeded", …), and a business answer with HTTP 200 and the envelope
// {"success","errorCode","errorMsg","data"}.
//
// It imports the standard library only: it fakes the outside and does not
// know the platform.
package zlb

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Lifetimes and limits of the real service; clients are tested against these,
// so they are the real values rather than test-friendly ones.
const (
	// TicketTTL is how long a ticket may be validated: five minutes, once.
	TicketTTL = 5 * time.Minute
	// TokenTTL is the life of a token (expires_in 7200).
	TokenTTL = 2 * time.Hour
	// MaxClockSkew is how far X-BG-DATE-TIME may be from the gateway's clock,
	// either way, before the request is refused; it bounds how long a
	// captured request can be replayed.
	MaxClockSkew = 5 * time.Minute
	// maxBody bounds request bodies; the real bodies are a few dozen bytes.
	maxBody = 64 << 10
	// maxRecords bounds the call record, oldest dropped first, so a sandbox
	// left running for weeks does not grow without end.
	maxRecords = 10000
)

// API paths (suffixes) and the login page.
const (
	PathLogin          = "/sso/login"
	PathTicketValidate = "/ticket/validate"
	PathUserInfo       = "/user/info"
)

// Business error codes (errorCode, a string as on the real service), named so
// tests read as documentation. Every code comes with HTTP 200.
const (
	CodeTicketInvalid = "1001" // ticket unknown or issued for another app
	CodeTicketUsed    = "1002" // ticket already validated
	CodeTicketExpired = "1003" // ticket older than TicketTTL
	CodeTokenInvalid  = "2001" // token unknown or of another app
	CodeTokenExpired  = "2002" // token older than TokenTTL
	CodeBadRequest    = "4000" // body is not the JSON the endpoint expects
	CodeSystemBusy    = "9999" // transient failure, try again
)

// errMsgs are the errorMsg texts of each code.
var errMsgs = map[string]string{
	CodeTicketInvalid: "ticket invalid",
	CodeTicketUsed:    "ticket already used",
	CodeTicketExpired: "ticket expired",
	CodeTokenInvalid:  "token invalid",
	CodeTokenExpired:  "token expired",
	CodeBadRequest:    "invalid request",
	CodeSystemBusy:    "system busy",
}

// ErrMsg returns the errorMsg the fake sends with code.
func ErrMsg(code string) string {
	if m, ok := errMsgs[code]; ok {
		return m
	}
	return "unknown error"
}

// Gateway refusals: HTTP 401 with {"message": …}, the texts of the real
// gateway (a Kong hmac-auth plugin), which clients may match on.
const (
	MsgInvalidAccessKey = "Invalid access key"
	MsgInvalidSignature = "Invalid signature"
	MsgInvalidAlgorithm = "Invalid algorithm"
	MsgInvalidDate      = "Invalid date"
	MsgClockSkew        = "Clock skew exceeded"
)

// Server is the fake SSO service and its gateway. Its zero value is ready and
// knows no apps, so every API request is refused with "Invalid access key"
// until AddApp is called; the login page works without apps. All methods are
// safe for concurrent use; the exported fields are meant to be set before the
// server takes requests.
type Server struct {
	// Now is the server's clock; nil means time.Now. Tests move it to expire
	// tickets and tokens and to skew the client's clock without sleeping.
	Now func() time.Time
	// Latency delays every answer, to exercise the client's timeouts; the
	// wait ends early when the request's context is done.
	Latency time.Duration
	// UserFor, when set, picks who signs in on the login page (for example
	// from a cookie of the simulated gov-app container); when it returns
	// false the user set by SetUser is used.
	UserFor func(r *http.Request) (User, bool)

	mu       sync.Mutex
	apps     map[string]string // accessKey -> secretKey
	tickets  map[string]*grant
	tokens   map[string]*grant
	users    map[string]User // userId -> latest profile, for /user/info
	user     *User           // who signs in on the login page
	failures []failure
	calls    []Call
}

// grant is an issued ticket or token.
type grant struct {
	app     string // accessKey it belongs to; "" for a ticket any app may validate
	userID  string
	expires time.Time
	used    bool
}

// failure is one queued FailNext.
type failure struct {
	path string // suffix; "" matches any API path
	code string
	msg  string
}

// User is a citizen as the SSO service knows them. IDNo is kept whole here
// and masked on the way out, as the real service does, so tests can set a
// realistic number and check that the platform never sees it.
type User struct {
	UserID   string
	UserName string
	// IDType is the document type; "1" is the resident identity card
	// (居民身份证).
	IDType string
	IDNo   string
	Phone  string
	// RealNameLevel is 1 registered (unverified), 2 real-name verified
	// (实名, the name matches the ID number), 3 real-person verified (实人,
	// face matched).
	RealNameLevel int
	// Region is the GB/T 2260 code of the citizen's area (e.g. 330106).
	Region string
}

// DefaultUser is who signs in when neither SetUser nor UserFor chose anyone,
// so a zero-value server completes the flow out of the box. The phone is the
// one of the Alipay fake's default user, so a sandbox demo can show two
// channels linked into one citizen by a verified phone.
func DefaultUser() User {
	return User{
		UserID:        "zlb0000000000000000000001",
		UserName:      "沙箱用户",
		IDType:        "1",
		IDNo:          "330106199001011234",
		Phone:         "13800138000",
		RealNameLevel: 2,
		Region:        "330106",
	}
}

// Call is one request the fake received, recorded so tests can assert what
// the client actually sent (and that it did not send what it must not).
type Call struct {
	Method string
	Path   string
	Query  url.Values
	// Header holds the X-BG-* headers and Content-Type as received.
	Header http.Header
	Body   []byte
	At     time.Time
	// Result is "0" for a success, the errorCode of a business error, the
	// gateway message of a refusal, or the redirect/page outcome of a login.
	Result string
	// Detail explains a refusal, e.g. the signing string the gateway
	// expected (never the secretKey), so a failing signature is debuggable.
	Detail string
}

// init makes the zero value usable; callers hold s.mu.
func (s *Server) init() {
	if s.apps == nil {
		s.apps = map[string]string{}
		s.tickets = map[string]*grant{}
		s.tokens = map[string]*grant{}
		s.users = map[string]User{}
	}
}

// now reads the server's clock.
func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// AddApp registers an app's credentials, or changes its secretKey (which, as
// on the real gateway, does not revoke tokens already issued).
func (s *Server) AddApp(accessKey, secretKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.apps[accessKey] = secretKey
}

// SetUser chooses who signs in on the login page from now on and makes the
// profile (or its update) known to /user/info.
func (s *Server) SetUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.user = &u
	s.users[u.UserID] = u
}

// IssueTicket is what the gov app does when it opens a light app: a fresh
// one-time ticket for u, which any registered app may validate once within
// TicketTTL. The sandbox phone appends it to the light app's URL; tests hand
// it to the client.
func (s *Server) IssueTicket(u User) string {
	return s.IssueTicketFor("", u)
}

// IssueTicketFor is IssueTicket bound to one app: validating it with another
// accessKey fails with 1001, as a ticket issued for one light app must not
// sign the citizen into another.
func (s *Server) IssueTicketFor(accessKey string, u User) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issueTicket(accessKey, u)
}

// issueTicket records u and a new ticket; callers hold s.mu.
func (s *Server) issueTicket(accessKey string, u User) string {
	s.init()
	s.prune()
	s.users[u.UserID] = u
	t := "ST-" + randomHex(16)
	s.tickets[t] = &grant{app: accessKey, userID: u.UserID, expires: s.now().Add(TicketTTL)}
	return t
}

// FailNext makes the next API request, whatever its path, fail with the
// business error code and msg (the fake's own text when msg is empty; code ""
// is 9999 system busy), after it passed authentication. Calls queue up.
func (s *Server) FailNext(code, msg string) {
	s.FailNextOn("", code, msg)
}

// FailNextOn is FailNext for the next request to one API path (for example
// PathUserInfo), so a test can fail the user lookup after the ticket
// validated.
func (s *Server) FailNextOn(path, code, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == "" {
		code = CodeSystemBusy
	}
	if msg == "" {
		msg = ErrMsg(code)
	}
	s.failures = append(s.failures, failure{path: path, code: code, msg: msg})
}

// ExpireAll ends every ticket and token now, as if the client had slept past
// their lifetimes.
func (s *Server) ExpireAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	now := s.now()
	for _, m := range []map[string]*grant{s.tickets, s.tokens} {
		for _, g := range m {
			if g.expires.After(now) {
				g.expires = now
			}
		}
	}
}

// Calls returns a copy of the requests received so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// ServeHTTP answers one request: the login page without authentication; an
// API call after, in order, the route (404), the gateway's HMAC check (401),
// a queued FailNext, the method (405) and the endpoint's own checks.
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
	call := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: http.Header{}, Body: body}
	for _, h := range []string{HeaderAccessKey, HeaderSignature, HeaderAlgorithm, HeaderDateTime, "Content-Type"} {
		if v := r.Header.Values(h); len(v) > 0 {
			call.Header[http.CanonicalHeaderKey(h)] = append([]string(nil), v...)
		}
	}
	call.Result, call.Detail = s.serve(w, r, body)
	s.mu.Lock()
	s.init()
	call.At = s.now()
	s.calls = append(s.calls, call)
	if len(s.calls) > maxRecords {
		s.calls = append(s.calls[:0:0], s.calls[len(s.calls)-maxRecords:]...)
	}
	s.mu.Unlock()
}

// serve routes and answers; it returns what Call records.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, body []byte) (result, detail string) {
	path := r.URL.Path
	if strings.HasSuffix(path, PathLogin) {
		return s.login(w, r)
	}
	var endpoint func(app string, body []byte) (any, string, string)
	switch {
	case strings.HasSuffix(path, PathTicketValidate):
		path, endpoint = PathTicketValidate, s.validateTicket
	case strings.HasSuffix(path, PathUserInfo):
		path, endpoint = PathUserInfo, s.userInfo
	default:
		writeGateway(w, http.StatusNotFound, "no Route matched with those values")
		return "404", ""
	}
	app, msg, detail := s.authenticate(r)
	if msg != "" {
		writeGateway(w, http.StatusUnauthorized, msg)
		return msg, detail
	}
	s.mu.Lock()
	f, failed := s.takeFailure(path)
	s.mu.Unlock()
	if failed {
		writeEnvelope(w, nil, f.code, f.msg)
		return f.code, "FailNext"
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeGateway(w, http.StatusMethodNotAllowed, "Method not allowed")
		return "405", ""
	}
	data, code, msg := endpoint(app, body)
	writeEnvelope(w, data, code, msg)
	if code == "" {
		return "0", ""
	}
	return code, ""
}

// authenticate is the gateway's HMAC check. It returns the caller's
// accessKey, or the refusal message and what the gateway expected.
func (s *Server) authenticate(r *http.Request) (app, msg, detail string) {
	ak := r.Header.Get(HeaderAccessKey)
	s.mu.Lock()
	s.init()
	secret, known := s.apps[ak]
	now := s.now()
	s.mu.Unlock()
	if ak == "" || !known {
		return "", MsgInvalidAccessKey, "unknown access key " + ak
	}
	if alg := r.Header.Get(HeaderAlgorithm); alg != Algorithm {
		return "", MsgInvalidAlgorithm, "algorithm " + alg + ", want " + Algorithm
	}
	date := r.Header.Get(HeaderDateTime)
	at, err := time.Parse(DateLayout, date)
	if err != nil {
		return "", MsgInvalidDate, "X-BG-DATE-TIME " + date + " is not of the layout " + DateLayout
	}
	if d := now.Sub(at); d > MaxClockSkew || d < -MaxClockSkew {
		return "", MsgClockSkew, "X-BG-DATE-TIME " + date + " is " + d.Round(time.Second).String() + " from the gateway's clock " + now.UTC().Format(DateLayout)
	}
	want := SigningString(r.Method, wirePath(r), r.URL.RawQuery, ak, date)
	got := r.Header.Get(HeaderSignature)
	if got == "" || !equalSignatures(got, Sign(secret, want)) {
		return "", MsgInvalidSignature, "expected signature over " + quoteLines(want)
	}
	return ak, "", ""
}

// wirePath is the path the client sent, before any http.StripPrefix in front
// of the fake: the client signed that one.
func wirePath(r *http.Request) string {
	if r.RequestURI != "" {
		if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
			return u.EscapedPath()
		}
	}
	return r.URL.EscapedPath()
}

// equalSignatures compares in constant time, as a gateway must, so the fake
// does not teach clients to rely on anything else.
func equalSignatures(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var d byte
	for i := 0; i < len(a); i++ {
		d |= a[i] ^ b[i]
	}
	return d == 0
}

// quoteLines shows a signing string with its newlines visible.
func quoteLines(s string) string {
	return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"`
}

// takeFailure pops the first queued failure that applies to path; callers
// hold s.mu.
func (s *Server) takeFailure(path string) (failure, bool) {
	for i, f := range s.failures {
		if f.path == "" || strings.HasSuffix(f.path, path) {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
			return f, true
		}
	}
	return failure{}, false
}

// prune forgets tickets and tokens expired for a day, so a long-running
// sandbox stays bounded; callers hold s.mu.
func (s *Server) prune() {
	cutoff := s.now().Add(-24 * time.Hour)
	for _, m := range []map[string]*grant{s.tickets, s.tokens} {
		for k, g := range m {
			if g.expires.Before(cutoff) {
				delete(m, k)
			}
		}
	}
}

// envelope is the business answer of every API endpoint. errorCode and
// errorMsg are null on success, as on the real service.
type envelope struct {
	Success   bool    `json:"success"`
	ErrorCode *string `json:"errorCode"`
	ErrorMsg  *string `json:"errorMsg"`
	Data      any     `json:"data"`
}

// writeEnvelope writes a success (code "") or a business error, HTTP 200.
func writeEnvelope(w http.ResponseWriter, data any, code, msg string) {
	e := envelope{Success: code == "", Data: data}
	if code != "" {
		e.ErrorCode, e.ErrorMsg, e.Data = &code, &msg, nil
	}
	writeJSON(w, http.StatusOK, e)
}

// writeGateway writes a refusal of the gateway itself.
func writeGateway(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// randomHex returns n random bytes as hex; tickets and tokens come from it so
// they cannot be guessed across test runs.
func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
