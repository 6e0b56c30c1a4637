package zlb

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testAK = "BCDSGA_test0001"
	testSK = "BCDSGS_secret_0123456789abcdef"
)

// clock is a settable clock for Server.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)} }

// Published-style vector: the canonical query sorts by key then value, the
// path keeps the gateway prefix, the string ends with "\n". The expected
// signature was computed independently (Python hmac/base64) and is pinned in
// the platform client's tests too, so both sides cannot drift together.
func TestSigningVector(t *testing.T) {
	got := SigningString("post", "/restapi/prod/IC33000020220329000007/ticket/validate", "b=2&a=hello+world&a=%7e", "ak-test", "Tue, 09 Nov 2021 08:49:20 GMT")
	want := "POST\n/restapi/prod/IC33000020220329000007/ticket/validate\na=hello%20world&a=~&b=2\nak-test\nTue, 09 Nov 2021 08:49:20 GMT\n"
	if got != want {
		t.Fatalf("SigningString = %q, want %q", got, want)
	}
	if sig := Sign("sk-test", got); sig != "+YH9znSCAdW9wFSDj7Rcqgk8nsJxUJkh5to61gkV4nU=" {
		t.Fatalf("Sign = %s", sig)
	}
	if got := SigningString("POST", "", "", "ak", "d"); got != "POST\n/\n\nak\nd\n" {
		t.Fatalf("empty path and query: %q", got)
	}
}

func TestMaskIDNo(t *testing.T) {
	for in, want := range map[string]string{
		"330106199001011234": "330***********1234",
		"1234567":            "*******",
		"":                   "",
		"12345678":           "123*5678",
	} {
		if got := MaskIDNo(in); got != want {
			t.Errorf("MaskIDNo(%q) = %q, want %q", in, got, want)
		}
	}
}

// env is a fake with the test app and a client-side signer.
type env struct {
	t   *testing.T
	s   *Server
	clk *clock
	srv *httptest.Server
}

func newEnv(t *testing.T) *env {
	clk := newClock()
	s := &Server{Now: clk.Now}
	s.AddApp(testAK, testSK)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &env{t: t, s: s, clk: clk, srv: srv}
}

// reply is a decoded answer.
type reply struct {
	status  int
	message string // gateway refusal
	env     struct {
		Success   bool            `json:"success"`
		ErrorCode *string         `json:"errorCode"`
		ErrorMsg  *string         `json:"errorMsg"`
		Data      json.RawMessage `json:"data"`
	}
}

func (r reply) code() string {
	if r.env.ErrorCode == nil {
		return ""
	}
	return *r.env.ErrorCode
}

// post sends a signed POST; edit may change the request after signing.
func (e *env) post(path, ak, sk string, body any, edit func(*http.Request)) reply {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, strings.NewReader(string(b)))
	if err != nil {
		e.t.Fatal(err)
	}
	date := e.clk.Now().UTC().Format(DateLayout)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderAccessKey, ak)
	req.Header.Set(HeaderAlgorithm, Algorithm)
	req.Header.Set(HeaderDateTime, date)
	req.Header.Set(HeaderSignature, Sign(sk, SigningString(req.Method, req.URL.EscapedPath(), req.URL.RawQuery, ak, date)))
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode}
	if resp.StatusCode != http.StatusOK {
		var m struct{ Message string }
		_ = json.Unmarshal(raw, &m)
		r.message = m.Message
		return r
	}
	if err := json.Unmarshal(raw, &r.env); err != nil {
		e.t.Fatalf("answer %s: %v", raw, err)
	}
	return r
}

func (e *env) validate(ticket string) reply {
	return e.post(PathTicketValidate, testAK, testSK, map[string]string{"ticket": ticket}, nil)
}

func tokenOf(t *testing.T, r reply) string {
	t.Helper()
	if !r.env.Success || r.code() != "" {
		t.Fatalf("validate: status %d message %q code %q", r.status, r.message, r.code())
	}
	var d tokenData
	if err := json.Unmarshal(r.env.Data, &d); err != nil || d.Token == "" || d.ExpiresIn != 7200 {
		t.Fatalf("token data %s: %v", r.env.Data, err)
	}
	return d.Token
}

func TestTicketTokenUser(t *testing.T) {
	e := newEnv(t)
	u := DefaultUser()
	u.UserID, u.UserName, u.RealNameLevel = "u-42", "张三", 3
	tok := tokenOf(t, e.validate(e.s.IssueTicket(u)))

	r := e.post(PathUserInfo, testAK, testSK, map[string]string{"token": tok}, nil)
	if !r.env.Success {
		t.Fatalf("user/info: %q %q", r.message, r.code())
	}
	var got map[string]any
	_ = json.Unmarshal(r.env.Data, &got)
	want := map[string]any{"userId": "u-42", "userName": "张三", "idType": "1", "idNo": "330***********1234",
		"phone": "13800138000", "realNameLevel": float64(3), "region": "330106"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("fields %v", got)
	}
}

func TestTicketRefusals(t *testing.T) {
	e := newEnv(t)
	tk := e.s.IssueTicket(DefaultUser())
	tokenOf(t, e.validate(tk))
	if r := e.validate(tk); r.code() != CodeTicketUsed || r.env.Success || string(r.env.Data) != "null" {
		t.Errorf("reused ticket: %q %s", r.code(), r.env.Data)
	}
	if r := e.validate("ST-unknown"); r.code() != CodeTicketInvalid || *r.env.ErrorMsg != "ticket invalid" {
		t.Errorf("unknown ticket: %q", r.code())
	}
	old := e.s.IssueTicket(DefaultUser())
	e.clk.Add(TicketTTL)
	if r := e.validate(old); r.code() != CodeTicketExpired {
		t.Errorf("expired ticket: %q", r.code())
	}
	e.s.AddApp("other-ak", "other-sk")
	bound := e.s.IssueTicketFor("other-ak", DefaultUser())
	if r := e.validate(bound); r.code() != CodeTicketInvalid {
		t.Errorf("ticket of another app: %q", r.code())
	}
	if r := e.post(PathTicketValidate, "other-ak", "other-sk", map[string]string{"ticket": bound}, nil); !r.env.Success {
		t.Errorf("ticket of its own app: %q", r.code())
	}
	if r := e.post(PathTicketValidate, testAK, testSK, map[string]string{"ticketId": "x"}, nil); r.code() != CodeBadRequest {
		t.Errorf("missing ticket: %q", r.code())
	}
	if r := e.post(PathTicketValidate, testAK, testSK, "not an object", nil); r.code() != CodeBadRequest {
		t.Errorf("bad body: %q", r.code())
	}
}

func TestTokenRefusals(t *testing.T) {
	e := newEnv(t)
	tok := tokenOf(t, e.validate(e.s.IssueTicket(DefaultUser())))
	e.s.AddApp("other-ak", "other-sk")
	if r := e.post(PathUserInfo, "other-ak", "other-sk", map[string]string{"token": tok}, nil); r.code() != CodeTokenInvalid {
		t.Errorf("token of another app: %q", r.code())
	}
	e.clk.Add(TokenTTL)
	if r := e.post(PathUserInfo, testAK, testSK, map[string]string{"token": tok}, nil); r.code() != CodeTokenExpired {
		t.Errorf("expired token: %q", r.code())
	}
	tok = tokenOf(t, e.validate(e.s.IssueTicket(DefaultUser())))
	e.s.ExpireAll()
	if r := e.post(PathUserInfo, testAK, testSK, map[string]string{"token": tok}, nil); r.code() != CodeTokenExpired {
		t.Errorf("ExpireAll: %q", r.code())
	}
}

func TestGatewayRefusals(t *testing.T) {
	e := newEnv(t)
	tk := e.s.IssueTicket(DefaultUser())
	body := map[string]string{"ticket": tk}
	cases := []struct {
		name, ak, sk string
		edit         func(*http.Request)
		status       int
		msg          string
	}{
		{"unknown access key", "nobody", testSK, nil, 401, MsgInvalidAccessKey},
		{"wrong secret", testAK, "wrong", nil, 401, MsgInvalidSignature},
		{"no signature", testAK, testSK, func(r *http.Request) { r.Header.Del(HeaderSignature) }, 401, MsgInvalidSignature},
		{"algorithm", testAK, testSK, func(r *http.Request) { r.Header.Set(HeaderAlgorithm, "hmac-sha1") }, 401, MsgInvalidAlgorithm},
		{"date layout", testAK, testSK, func(r *http.Request) { r.Header.Set(HeaderDateTime, "2024-05-06T07:08:09Z") }, 401, MsgInvalidDate},
		{"query added after signing", testAK, testSK, func(r *http.Request) { r.URL.RawQuery = "x=1" }, 401, MsgInvalidSignature},
		{"method changed after signing", testAK, testSK, func(r *http.Request) { r.Method = http.MethodPut }, 401, MsgInvalidSignature},
	}
	for _, c := range cases {
		if r := e.post(PathTicketValidate, c.ak, c.sk, body, c.edit); r.status != c.status || r.message != c.msg {
			t.Errorf("%s: %d %q, want %d %q", c.name, r.status, r.message, c.status, c.msg)
		}
	}
	// Clock skew: a request dated 5 minutes and a second away, either way.
	for _, d := range []time.Duration{MaxClockSkew + time.Second, -MaxClockSkew - time.Second} {
		r := e.post(PathTicketValidate, testAK, testSK, body, func(r *http.Request) {
			date := e.clk.Now().Add(d).UTC().Format(DateLayout)
			r.Header.Set(HeaderDateTime, date)
			r.Header.Set(HeaderSignature, Sign(testSK, SigningString(r.Method, r.URL.EscapedPath(), r.URL.RawQuery, testAK, date)))
		})
		if r.status != 401 || r.message != MsgClockSkew {
			t.Errorf("skew %v: %d %q", d, r.status, r.message)
		}
	}
	// Exactly at the limit is still accepted; the ticket survived every refusal.
	r := e.post(PathTicketValidate, testAK, testSK, body, func(r *http.Request) {
		date := e.clk.Now().Add(-MaxClockSkew).UTC().Format(DateLayout)
		r.Header.Set(HeaderDateTime, date)
		r.Header.Set(HeaderSignature, Sign(testSK, SigningString(r.Method, r.URL.EscapedPath(), r.URL.RawQuery, testAK, date)))
	})
	tokenOf(t, r)

	calls := e.s.Calls()
	bad := calls[1] // wrong secret
	if bad.Result != MsgInvalidSignature || !strings.Contains(bad.Detail, `POST\n/ticket/validate\n\n`+testAK) || strings.Contains(bad.Detail, testSK) {
		t.Errorf("call record of a bad signature: %+v", bad)
	}
	if bad.Header.Get(HeaderAccessKey) != testAK || bad.Header.Get(HeaderSignature) == "" {
		t.Errorf("recorded headers: %v", bad.Header)
	}
	if r := e.post("/nowhere", testAK, testSK, body, nil); r.status != 404 {
		t.Errorf("unknown path: %d", r.status)
	}
	// GET is signed like POST, then refused by method.
	if r := e.post(PathTicketValidate, testAK, testSK, body, func(r *http.Request) {
		r.Method = http.MethodGet
		date := r.Header.Get(HeaderDateTime)
		r.Header.Set(HeaderSignature, Sign(testSK, SigningString(r.Method, r.URL.EscapedPath(), "", testAK, date)))
	}); r.status != 405 {
		t.Errorf("GET: %d %q", r.status, r.message)
	}
}

func TestZeroValueAndPrefix(t *testing.T) {
	var s Server
	mux := http.NewServeMux()
	mux.Handle("/restapi/prod/IC3300/", http.StripPrefix("/restapi/prod/IC3300", &s))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	e := &env{t: t, s: &s, clk: &clock{t: time.Now()}, srv: srv}
	if r := e.post("/restapi/prod/IC3300"+PathTicketValidate, testAK, testSK, map[string]string{"ticket": "x"}, nil); r.status != 401 || r.message != MsgInvalidAccessKey {
		t.Fatalf("zero value: %d %q", r.status, r.message)
	}
	s.AddApp(testAK, testSK)
	// The client signs the full path on the wire, prefix included.
	tokenOf(t, e.post("/restapi/prod/IC3300"+PathTicketValidate, testAK, testSK, map[string]string{"ticket": s.IssueTicket(DefaultUser())}, nil))
}

func TestFailNext(t *testing.T) {
	e := newEnv(t)
	e.s.FailNextOn(PathUserInfo, "", "")
	e.s.FailNext("1001", "custom")
	if r := e.validate(e.s.IssueTicket(DefaultUser())); r.code() != "1001" || *r.env.ErrorMsg != "custom" {
		t.Fatalf("FailNext: %q", r.code())
	}
	tok := tokenOf(t, e.validate(e.s.IssueTicket(DefaultUser())))
	if r := e.post(PathUserInfo, testAK, testSK, map[string]string{"token": tok}, nil); r.code() != CodeSystemBusy || *r.env.ErrorMsg != "system busy" {
		t.Fatalf("FailNextOn: %q", r.code())
	}
	if r := e.post(PathUserInfo, testAK, testSK, map[string]string{"token": tok}, nil); !r.env.Success {
		t.Fatalf("after failures: %q", r.code())
	}
	// A failure is not spent on a request the gateway refused.
	e.s.FailNext("", "")
	if r := e.post(PathUserInfo, testAK, "wrong", map[string]string{"token": tok}, nil); r.status != 401 {
		t.Fatal(r.status)
	}
	if r := e.post(PathUserInfo, testAK, testSK, map[string]string{"token": tok}, nil); r.code() != CodeSystemBusy {
		t.Fatalf("queued failure: %q", r.code())
	}
}

func TestLoginPage(t *testing.T) {
	e := newEnv(t)
	u := DefaultUser()
	u.UserID, u.UserName = "u-page", "李四"
	e.s.SetUser(u)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"redirect_uri": {"https://gov.example.cn/auth/callback/govapp?keep=1"}, "state": {"st-123"}}
	resp, err := noFollow.Get(e.srv.URL + PathLogin + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if loc.Host != "gov.example.cn" || loc.Path != "/auth/callback/govapp" || loc.Query().Get("state") != "st-123" || loc.Query().Get("keep") != "1" {
		t.Fatalf("redirect %s", loc)
	}
	tok := tokenOf(t, e.validate(loc.Query().Get("ticket")))
	r := e.post(PathUserInfo, testAK, testSK, map[string]string{"token": tok}, nil)
	if !strings.Contains(string(r.env.Data), `"userId":"u-page"`) {
		t.Fatalf("user: %s", r.env.Data)
	}

	e.s.UserFor = func(*http.Request) (User, bool) { return User{UserID: "u-cookie"}, true }
	resp, err = noFollow.Get(e.srv.URL + PathLogin + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ = url.Parse(resp.Header.Get("Location"))
	tok = tokenOf(t, e.validate(loc.Query().Get("ticket")))
	if r := e.post(PathUserInfo, testAK, testSK, map[string]string{"token": tok}, nil); !strings.Contains(string(r.env.Data), `"userId":"u-cookie"`) {
		t.Fatalf("UserFor: %s", r.env.Data)
	}

	for _, bad := range []string{"", "/relative", "javascript:alert(1)", "ftp://x/"} {
		resp, err := noFollow.Get(e.srv.URL + PathLogin + "?" + url.Values{"redirect_uri": {bad}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("redirect_uri %q: %d", bad, resp.StatusCode)
		}
	}
}
