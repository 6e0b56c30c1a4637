package zlb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	fake "github.com/govapp/govapp/sandbox/zlb"
)

const (
	testAK = "BCDSGA_platform_test"
	testSK = "BCDSGS_very-secret-key_0123456789"
)

// clock is a settable clock shared by the fake and, shifted, the client.
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

// sandbox is the fake behind an HTTP server with the test app registered.
type sandbox struct {
	fake *fake.Server
	srv  *httptest.Server
	clk  *clock
}

func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	clk := &clock{t: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}
	f := &fake.Server{Now: clk.Now}
	f.AddApp(testAK, testSK)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return &sandbox{fake: f, srv: srv, clk: clk}
}

// client is a client of the sandbox whose clock is the sandbox's plus skew.
func (s *sandbox) client(t *testing.T, secret string, skew time.Duration) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: s.srv.URL, AccessKey: testAK, SecretKey: secret, Now: func() time.Time { return s.clk.Now().Add(skew) }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The same vector as sandbox/zlb's TestSigningVector, computed independently:
// the two copies of the scheme must agree byte for byte.
func TestSigningVector(t *testing.T) {
	got := SigningString("post", "/restapi/prod/IC33000020220329000007/ticket/validate", "b=2&a=hello+world&a=%7e", "ak-test", "Tue, 09 Nov 2021 08:49:20 GMT")
	want := "POST\n/restapi/prod/IC33000020220329000007/ticket/validate\na=hello%20world&a=~&b=2\nak-test\nTue, 09 Nov 2021 08:49:20 GMT\n"
	if got != want {
		t.Fatalf("SigningString = %q, want %q", got, want)
	}
	if sig := Sign("sk-test", got); sig != "+YH9znSCAdW9wFSDj7Rcqgk8nsJxUJkh5to61gkV4nU=" {
		t.Fatalf("Sign = %s", sig)
	}
	if sig := Sign("sk-test", SigningString("POST", "/ticket/validate", "", "ak-test", "Tue, 09 Nov 2021 08:49:20 GMT")); sig != "yGDiDJfiiVBFpvX2bZ9wTxOUzwp8MISPyM/CjWDuRXk=" {
		t.Fatalf("Sign without query = %s", sig)
	}
}

func TestTicketTokenUser(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client(t, testSK, 0)
	ctx := context.Background()
	u := fake.User{UserID: "zlb-u-42", UserName: "张三", IDType: "1", IDNo: "330106199001011234", Phone: "13900000042", RealNameLevel: 3, Region: "330106"}
	ticket := sb.fake.IssueTicket(u)

	tok, err := c.ValidateTicket(ctx, ticket)
	if err != nil || tok == "" {
		t.Fatalf("ValidateTicket: %q, %v", tok, err)
	}
	got, err := c.UserInfo(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	want := User{UserID: "zlb-u-42", UserName: "张三", IDType: "1", IDNo: "330***********1234", Phone: "13900000042", RealNameLevel: 3, Region: "330106"}
	if got != want {
		t.Fatalf("UserInfo = %+v, want %+v", got, want)
	}

	calls := sb.fake.Calls()
	if len(calls) != 2 {
		t.Fatalf("calls: %d", len(calls))
	}
	for _, call := range calls {
		if call.Method != http.MethodPost || call.Result != "0" || len(call.Query) != 0 {
			t.Errorf("call %+v", call)
		}
		if call.Header.Get(fake.HeaderAccessKey) != testAK || call.Header.Get(fake.HeaderAlgorithm) != "hmac-sha256" {
			t.Errorf("headers %v", call.Header)
		}
		if _, err := time.Parse(http.TimeFormat, call.Header.Get(fake.HeaderDateTime)); err != nil {
			t.Errorf("date %q: %v", call.Header.Get(fake.HeaderDateTime), err)
		}
		for k, v := range call.Header {
			if strings.Contains(strings.Join(v, " "), testSK) {
				t.Errorf("secret key sent in header %s", k)
			}
		}
		if strings.Contains(string(call.Body), testSK) || strings.Contains(call.Path, ticket) {
			t.Errorf("secret in body or ticket in URL: %+v", call)
		}
	}
	if string(calls[0].Body) != `{"ticket":"`+ticket+`"}` || string(calls[1].Body) != `{"token":"`+tok+`"}` {
		t.Errorf("bodies %s %s", calls[0].Body, calls[1].Body)
	}
}

func TestReusedTicketRefused(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client(t, testSK, 0)
	ticket := sb.fake.IssueTicket(fake.DefaultUser())
	if _, err := c.ValidateTicket(context.Background(), ticket); err != nil {
		t.Fatal(err)
	}
	_, err := c.ValidateTicket(context.Background(), ticket)
	var ae *APIError
	if !errors.Is(err, ErrTicketInvalid) || !errors.As(err, &ae) || ae.Code != CodeTicketUsed {
		t.Fatalf("reused ticket: %v", err)
	}
	if strings.Contains(err.Error(), ticket) {
		t.Errorf("ticket in error: %v", err)
	}
	if _, err := c.ValidateTicket(context.Background(), ""); !errors.Is(err, ErrTicketInvalid) {
		t.Errorf("empty ticket: %v", err)
	}
}

func TestExpiredTicketRefused(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client(t, testSK, 0)
	ticket := sb.fake.IssueTicket(fake.DefaultUser())
	sb.clk.Add(fake.TicketTTL - time.Second)
	fresh := sb.fake.IssueTicket(fake.DefaultUser())
	sb.clk.Add(time.Second)
	_, err := c.ValidateTicket(context.Background(), ticket)
	var ae *APIError
	if !errors.Is(err, ErrTicketInvalid) || !errors.As(err, &ae) || ae.Code != CodeTicketExpired {
		t.Fatalf("expired ticket: %v", err)
	}
	tok, err := c.ValidateTicket(context.Background(), fresh)
	if err != nil {
		t.Fatalf("fresh ticket: %v", err)
	}
	sb.clk.Add(fake.TokenTTL)
	if _, err := c.UserInfo(context.Background(), tok); !errors.Is(err, ErrTokenInvalid) || errors.Is(err, ErrTicketInvalid) {
		t.Fatalf("expired token: %v", err)
	}
}

func TestBadSignatureRefused(t *testing.T) {
	sb := newSandbox(t)
	ticket := sb.fake.IssueTicket(fake.DefaultUser())
	wrong := "BCDSGS_wrong-secret_9876543210"
	_, err := sb.client(t, wrong, 0).ValidateTicket(context.Background(), ticket)
	var ae *APIError
	if !errors.Is(err, ErrSignature) || errors.Is(err, ErrClockSkew) || !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || ae.Msg != fake.MsgInvalidSignature {
		t.Fatalf("wrong secret: %v", err)
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), ticket) {
		t.Errorf("credential in error: %v", err)
	}
	if got := sb.fake.Calls()[0]; got.Result != fake.MsgInvalidSignature {
		t.Errorf("fake recorded %+v", got)
	}
	// The refusal came before the ticket was looked at: it is still good.
	if _, err := sb.client(t, testSK, 0).ValidateTicket(context.Background(), ticket); err != nil {
		t.Fatalf("ticket after a refused signature: %v", err)
	}

	// An unknown access key is a signature problem too.
	c, _ := New(Config{BaseURL: sb.srv.URL, AccessKey: "someone-else", SecretKey: testSK, Now: sb.clk.Now})
	if _, err := c.ValidateTicket(context.Background(), "t"); !errors.Is(err, ErrSignature) {
		t.Fatalf("unknown access key: %v", err)
	}
}

func TestClockSkewRefused(t *testing.T) {
	sb := newSandbox(t)
	ticket := sb.fake.IssueTicket(fake.DefaultUser())
	for _, skew := range []time.Duration{6 * time.Minute, -6 * time.Minute} {
		_, err := sb.client(t, testSK, skew).ValidateTicket(context.Background(), ticket)
		if !errors.Is(err, ErrClockSkew) || !errors.Is(err, ErrSignature) || !strings.Contains(err.Error(), "clock") {
			t.Fatalf("skew %v: %v", skew, err)
		}
	}
	if _, err := sb.client(t, testSK, 4*time.Minute).ValidateTicket(context.Background(), ticket); err != nil {
		t.Fatalf("skew within 5 minutes: %v", err)
	}
}

func TestGatewayPrefix(t *testing.T) {
	f := &fake.Server{}
	f.AddApp(testAK, testSK)
	const prefix = "/restapi/prod/IC33000020220329000007"
	mux := http.NewServeMux()
	mux.Handle(prefix+"/", http.StripPrefix(prefix, f))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL + prefix + "/", AccessKey: testAK, SecretKey: testSK})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.ValidateTicket(context.Background(), f.IssueTicket(fake.DefaultUser()))
	if err != nil {
		t.Fatal(err)
	}
	if u, err := c.UserInfo(context.Background(), tok); err != nil || u.UserID != fake.DefaultUser().UserID {
		t.Fatalf("UserInfo = %+v, %v", u, err)
	}
	if got := c.LoginURL("https://gov.example.cn/cb", "s1"); !strings.HasPrefix(got, srv.URL+prefix+"/sso/login?") {
		t.Errorf("LoginURL = %s", got)
	}
}

// The browser flow: LoginURL → the fake's login page → redirect with ticket
// and state → ValidateTicket → UserInfo.
func TestLoginPageFlow(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client(t, testSK, 0)
	to := c.LoginURL("https://gov.example.cn/auth/callback/govapp", "st-1&x=y")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || loc.Query().Get("state") != "st-1&x=y" || loc.Path != "/auth/callback/govapp" {
		t.Fatalf("login page: %d %s", resp.StatusCode, loc)
	}
	tok, err := c.ValidateTicket(context.Background(), loc.Query().Get("ticket"))
	if err != nil {
		t.Fatal(err)
	}
	if u, err := c.UserInfo(context.Background(), tok); err != nil || u.Phone != "13800138000" || u.RealNameLevel != 2 {
		t.Fatalf("UserInfo = %+v, %v", u, err)
	}

	c2, _ := New(Config{BaseURL: sb.srv.URL, AccessKey: testAK, SecretKey: testSK, LoginURL: "https://portal.example.gov.cn/uc/sso/login?appId=7"})
	u, _ := url.Parse(c2.LoginURL("https://gov.example.cn/cb", "s"))
	if u.Host != "portal.example.gov.cn" || u.Query().Get("appId") != "7" || u.Query().Get("redirect_uri") != "https://gov.example.cn/cb" {
		t.Errorf("LoginURL with Config.LoginURL = %s", u)
	}
}

func TestSecretNotInErrors(t *testing.T) {
	sb := newSandbox(t)
	c := sb.client(t, testSK, 0)
	ctx := context.Background()
	var errs []error

	// The service echoes the secret and the ticket in errorMsg.
	ticket := sb.fake.IssueTicket(fake.DefaultUser())
	sb.fake.FailNext("9999", "debug: sk="+testSK+" ticket="+ticket)
	_, err := c.ValidateTicket(ctx, ticket)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != "9999" {
		t.Fatalf("FailNext: %v", err)
	}
	errs = append(errs, err)

	// A gateway refusal, an expired token, a wrong secret.
	_, err = sb.client(t, testSK+"x", 0).ValidateTicket(ctx, ticket)
	errs = append(errs, err)
	_, err = sb.client(t, testSK, time.Hour).ValidateTicket(ctx, ticket)
	errs = append(errs, err)
	_, err = c.UserInfo(ctx, "AT-unknown-"+testSK)
	errs = append(errs, err)

	// A proxy that answers with an HTML page quoting the request, secret included.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<html>bad gateway for %s with key %s</html>", ticket, testSK)
	}))
	defer echo.Close()
	c2, _ := New(Config{BaseURL: echo.URL, AccessKey: testAK, SecretKey: testSK})
	_, err = c2.ValidateTicket(ctx, ticket)
	errs = append(errs, err)
	for _, status := range []int{http.StatusUnauthorized, http.StatusBadGateway} {
		st := status
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(st)
			fmt.Fprintf(w, `{"message":"refused %s"}`, testSK)
		}))
		c3, _ := New(Config{BaseURL: proxy.URL, AccessKey: testAK, SecretKey: testSK})
		_, err = c3.ValidateTicket(ctx, ticket)
		errs = append(errs, err)
		proxy.Close()
	}

	// No server at all.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	c4, _ := New(Config{BaseURL: dead.URL, AccessKey: testAK, SecretKey: testSK})
	_, err = c4.ValidateTicket(ctx, ticket)
	errs = append(errs, err)

	// Constructor errors and printed configurations and clients.
	_, err = New(Config{BaseURL: "not a url", AccessKey: testAK, SecretKey: testSK})
	errs = append(errs, err)
	_, err = New(Config{BaseURL: "https://u:" + testSK + "@gw.example/", AccessKey: testAK, SecretKey: testSK})
	errs = append(errs, err)

	for i, err := range errs {
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		if s := err.Error(); strings.Contains(s, testSK) || strings.Contains(s, ticket) {
			t.Errorf("case %d leaks a credential: %s", i, s)
		}
	}
	cfg := Config{BaseURL: sb.srv.URL, AccessKey: testAK, SecretKey: testSK}
	for _, s := range []string{fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%s", cfg),
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
		if strings.Contains(s, testSK) || !strings.Contains(s, testAK) {
			t.Errorf("printed: %s", s)
		}
	}
}

func TestTimeout(t *testing.T) {
	sb := newSandbox(t)
	sb.fake.Latency = time.Second
	c := sb.client(t, testSK, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.ValidateTicket(ctx, sb.fake.IssueTicket(fake.DefaultUser()))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timeout: %v", err)
	}
	if errors.Unwrap(err) != nil {
		t.Errorf("the raw cause is exposed: %v", errors.Unwrap(err))
	}
}

// A service that answers a user the platform cannot trust is refused rather
// than guessed at: no userId, or a realNameLevel beyond 3.
func TestUserInfoChecks(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"success":true,"data":{"userId":"u1","realNameLevel":"2"}}`:   true,
		`{"success":true,"data":{"userId":"u1"}}`:                       true,
		`{"success":true,"data":{"userId":"u1","realNameLevel":5}}`:     false,
		`{"success":true,"data":{"userName":"no id"}}`:                  false,
		`{"success":true,"data":null}`:                                  false,
		`{"success":false,"errorCode":2001,"errorMsg":"token invalid"}`: false,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }))
		c, _ := New(Config{BaseURL: srv.URL, AccessKey: testAK, SecretKey: testSK})
		u, err := c.UserInfo(context.Background(), "tok")
		srv.Close()
		if (err == nil) != ok {
			t.Errorf("%s: %+v, %v", body, u, err)
		}
		if strings.Contains(body, "2001") && !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("numeric errorCode: %v", err)
		}
	}
}

func TestNew(t *testing.T) {
	good := Config{BaseURL: "https://gw.example.gov.cn/restapi/prod/IC1", AccessKey: "ak", SecretKey: "sk"}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*Config){
		"no access key": func(c *Config) { c.AccessKey = " " },
		"no secret key": func(c *Config) { c.SecretKey = "" },
		"no base URL":   func(c *Config) { c.BaseURL = "" },
		"relative":      func(c *Config) { c.BaseURL = "/restapi" },
		"ftp":           func(c *Config) { c.BaseURL = "ftp://gw.example/" },
		"query":         func(c *Config) { c.BaseURL = "https://gw.example/?a=1" },
		"fragment":      func(c *Config) { c.BaseURL = "https://gw.example/#x" },
		"login URL":     func(c *Config) { c.LoginURL = "login" },
	} {
		cfg := good
		edit(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
