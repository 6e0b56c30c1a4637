package devcli

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/govapp/govapp/devcli/internal/sandboxmode"
	"github.com/govapp/govapp/internal/testenv"
	"github.com/govapp/govapp/platform"
	"github.com/govapp/govapp/sandbox/alipay"
	"github.com/govapp/govapp/sandbox/wechat"
)

// TestBrowserSignIn is issue 4's "Done when" in headless Chromium: a light app opened in the
// simulated WeChat container signs the citizen in through the platform (sandbox WeChat OAuth)
// and its backend receives an ID token whose claims match the citizen; the same citizen,
// after verifying a phone, signs in through simulated Alipay and is the same `sub`.
func TestBrowserSignIn(t *testing.T) {
	bin := testenv.Chromium(t)
	fakes, cfg, err := sandboxmode.Start(platform.DefaultConfig())
	must(t, err)
	defer fakes.Close()
	cfg.DataDir, cfg.Addr = t.TempDir(), "127.0.0.1:0"
	p, err := platform.New(cfg, platform.WithLogger(slog.New(slog.DiscardHandler)))
	must(t, err)
	defer p.Close()
	ln, err := p.Listen()
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = p.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	// The light app: its page sends the citizen to sign in; its backend exchanges the code and
	// shows the ID token's claims (what a department's app would store).
	var party rp.RelyingParty
	var lastTokens *oidc.Tokens[*oidc.IDTokenClaims]
	appSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			http.Redirect(w, r, rp.AuthURL("app-state", party), http.StatusFound)
		case "/cb":
			tokens, err := rp.CodeExchange[*oidc.IDTokenClaims](r.Context(), r.URL.Query().Get("code"), party)
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			lastTokens = tokens
			c := tokens.IDTokenClaims
			fmt.Fprintf(w, `<!doctype html><meta charset="utf-8"><body data-sub="%s" data-name="%s"><p>欢迎，%s</p></body>`,
				html.EscapeString(c.Subject), html.EscapeString(c.Name), html.EscapeString(c.Name))
		}
	}))
	defer appSrv.Close()
	admin := p.FirstStart().AdminToken
	req, _ := http.NewRequest("PUT", base+"/v1/apps/housing-fund/oidc-client", strings.NewReader(`{"redirect_uris":["`+appSrv.URL+`/cb"],"scopes":["openid","profile","phone"],"confidential":true}`))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	var reg map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	party, err = rp.NewRelyingPartyOIDC(ctx, base+"/oidc", "housing-fund", reg["client_secret"].(string), appSrv.URL+"/cb", []string{"openid", "profile", "phone"})
	must(t, err)

	// open runs the app in a fresh browser profile posing as a container, and returns the
	// claims the app's page shows.
	open := func(ua string) (sub, name string) {
		t.Helper()
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
			chromedp.Flag("user-data-dir", t.TempDir()), chromedp.UserAgent(ua))
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		defer cancelA()
		bctx, cancelB := chromedp.NewContext(actx)
		defer cancelB()
		must(t, chromedp.Do(bctx, chromedp.Navigate("about:blank")))
		lctx, cancelL := context.WithTimeout(bctx, 30*time.Second)
		defer cancelL()
		if err := chromedp.Do(lctx, chromedp.Navigate(appSrv.URL+"/"), chromedp.WaitVisible(`body[data-sub]`)); err != nil {
			loc, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`location.href`))
			page, _ := chromedp.Run(bctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
			t.Fatalf("sign-in in %q: %v (at %s: %.500s)", ua, err, loc, page)
		}
		sub, err := chromedp.Run(lctx, chromedp.Evaluate[string](`document.body.dataset.sub`))
		must(t, err)
		name, err = chromedp.Run(lctx, chromedp.Evaluate[string](`document.body.dataset.name`))
		must(t, err)
		return sub, name
	}

	fakes.WeChat.SetUser(wechat.User{OpenID: "oBrowser-li", Nickname: "李四"})
	sub, name := open("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile MicroMessenger/8.0.47.2560")
	if sub == "" || name != "李四" {
		t.Fatalf("WeChat sign-in gave sub %q name %q", sub, name)
	}
	// The citizen verifies a phone by SMS, with the access token the app holds.
	post := func(path, body string) int {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+lastTokens.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := post("/v1/auth/phone/code", `{"phone":"13700000003"}`); st != 202 {
		t.Fatalf("phone code: %d", st)
	}
	m, _ := fakes.SMS.Last("13700000003")
	if st := post("/v1/auth/phone/verify", `{"phone":"13700000003","code":"`+regexp.MustCompile(`[0-9]{6}`).FindString(m.Text)+`"}`); st != 200 {
		t.Fatalf("phone verify: %d", st)
	}
	fakes.Alipay.SetUser(alipay.User{UserID: "208800000000003", NickName: "李四", Mobile: "13700000003", Certified: true})
	sub2, _ := open("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile AlipayClient/10.5.36.8100")
	if sub2 != sub {
		t.Fatalf("the same citizen through Alipay is %q, want %q", sub2, sub)
	}
}
