package devcli

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/govapp/govapp/sandbox/alipay"
	"github.com/govapp/govapp/sandbox/wechat"
)

// TestSandboxSignIn: with no credentials the platform signs citizens in through the sandbox
// WeChat and Alipay, using the real clients; the same person arriving through Alipay with a
// verified phone is the same `sub` once the WeChat account verified that phone by SMS; and
// wx.config signatures verify at the fake for the platform's own pages only.
func TestSandboxSignIn(t *testing.T) {
	e2eEngines(t, func(t *testing.T, dbURL string) {
		env := startSandbox(t, dbURL)
		fakes, cfg, base, admin, ctx, api := env.fakes, env.cfg, env.base, env.admin, env.ctx, env.api
		signIn := env.signIn
		fakes.WeChat.SetUser(wechat.User{OpenID: "oSandbox-zhang", Nickname: "张三"})
		wx := signIn("Mozilla/5.0 (iPhone) MicroMessenger/8.0.47")
		sub := wx.IDTokenClaims.Subject
		if sub == "" || wx.IDTokenClaims.Name != "张三" {
			t.Fatalf("WeChat sign-in claims %+v", wx.IDTokenClaims)
		}
		// An app that wants no profile signs in silently (snsapi_base), and it is the same citizen.
		if again := signIn("Mozilla/5.0 (iPhone) MicroMessenger/8.0.47", "openid"); again.IDTokenClaims.Subject != sub {
			t.Fatalf("silent sign-in sub %s, want %s", again.IDTokenClaims.Subject, sub)
		}
		var scopes []string
		for _, c := range fakes.WeChat.Calls() {
			if strings.HasSuffix(c.Path, "/oauth2/authorize") {
				scopes = append(scopes, c.Query.Get("scope"))
			}
		}
		if strings.Join(scopes, ",") != "snsapi_userinfo,snsapi_base" {
			t.Fatalf("WeChat authorize scopes %v, want userinfo for a profile, base without", scopes)
		}
		// The WeChat citizen verifies a phone by SMS.
		if st, b := api("POST", "/v1/auth/phone/code", `{"phone":"13900000002"}`, wx.AccessToken); st != 202 {
			t.Fatalf("phone code: %d %v", st, b)
		}
		msg, ok := fakes.SMS.Last("13900000002")
		if !ok {
			t.Fatal("the SMS gateway got nothing")
		}
		code := regexp.MustCompile(`[0-9]{6}`).FindString(msg.Text)
		if st, b := api("POST", "/v1/auth/phone/verify", `{"phone":"13900000002","code":"`+code+`"}`, wx.AccessToken); st != 200 {
			t.Fatalf("phone verify: %d %v", st, b)
		}
		// Alipay: a certified citizen with that mobile is the same person.
		fakes.Alipay.SetUser(alipay.User{UserID: "208800000000001", NickName: "张三", Mobile: "13900000002", Certified: true})
		ali := signIn("Mozilla/5.0 (Android) AlipayClient/10.5.36")
		if ali.IDTokenClaims.Subject != sub {
			t.Fatalf("Alipay sign-in sub %s, want the WeChat citizen's %s", ali.IDTokenClaims.Subject, sub)
		}
		if ali.IDTokenClaims.PhoneNumber != "13900000002" || !ali.IDTokenClaims.PhoneNumberVerified {
			t.Fatalf("phone claims %+v", ali.IDTokenClaims.UserInfoPhone)
		}

		// wx.config: the platform's own pages get a signature WeChat accepts; foreign pages none.
		page := base + "/a/housing-fund/b/x/index.html?from=menu#top"
		st, sig := api("GET", "/v1/bridge/wechat/signature?app_id=housing-fund&url="+url.QueryEscape(page), "", "")
		if st != 200 {
			t.Fatalf("signature: %d %v", st, sig)
		}
		if !fakes.WeChat.VerifyJSSignature(cfg.WeChatAppID, int64(sig["timestamp"].(float64)), sig["nonceStr"].(string), page, sig["signature"].(string)) {
			t.Fatalf("the sandbox WeChat rejects the signature %v", sig)
		}
		// A department may bring its own official account: its apps' pages are then signed with it.
		_, appInfo := api("GET", "/v1/apps/housing-fund", "", admin)
		owner := appInfo["owner_node"].(string)
		fakes.WeChat.AddApp("wxdept0000000001", "deptsecret000000000000000000001")
		if st, b := api("PUT", "/v1/orgs/"+owner+"/wechat-account", `{"app_id":"wxdept0000000001","secret":"deptsecret000000000000000000001"}`, admin); st != 200 {
			t.Fatalf("department account: %d %v", st, b)
		}
		st, sig = api("GET", "/v1/bridge/wechat/signature?app_id=housing-fund&url="+url.QueryEscape(page), "", "")
		if st != 200 || sig["appId"] != "wxdept0000000001" ||
			!fakes.WeChat.VerifyJSSignature("wxdept0000000001", int64(sig["timestamp"].(float64)), sig["nonceStr"].(string), page, sig["signature"].(string)) {
			t.Fatalf("signature with the department's account: %d %v", st, sig)
		}

		// housing-fund declares location and scan (demo): asking for the camera is refused.
		if st, b := api("GET", "/v1/bridge/wechat/signature?app_id=housing-fund&apis=scanQRCode,getLocation&url="+url.QueryEscape(page), "", ""); st != 200 {
			t.Fatalf("declared APIs: %d %v", st, b)
		}
		if st, b := api("GET", "/v1/bridge/wechat/signature?app_id=housing-fund&apis=chooseImage&url="+url.QueryEscape(page), "", ""); st != 403 || !strings.Contains(b["error"].(string), "declare") {
			t.Fatalf("undeclared API: %d %v", st, b)
		}
		if st, b := api("GET", "/v1/bridge/wechat/signature?app_id=housing-fund&url="+url.QueryEscape("https://evil.example.com/x"), "", ""); st != 403 {
			t.Fatalf("foreign page: %d %v", st, b)
		}

		// Alipay's asynchronous notifications: verified, handled once, acknowledged each time.
		params := url.Values{"app_id": {cfg.AlipayAppID}, "notify_type": {"msg_delivery"}, "notify_id": {"n-0001"}, "msg_id": {"m-1"}}
		for i := 0; i < 2; i++ {
			ack, err := fakes.Alipay.Notify(ctx, base+"/v1/bridge/alipay/notify", params)
			if err != nil || ack != "success" {
				t.Fatalf("notify %d: %q %v", i, ack, err)
			}
		}
		forged := url.Values{"app_id": {cfg.AlipayAppID}, "notify_id": {"n-0002"}, "sign_type": {"RSA2"}, "sign": {"Zm9yZ2Vk"}}
		resp, err := http.PostForm(base+"/v1/bridge/alipay/notify", forged)
		must(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "fail" {
			t.Fatalf("forged notify answered %q, want fail", body)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
