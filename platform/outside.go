package platform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/govapp/govapp/platform/internal/auth"
	"github.com/govapp/govapp/platform/internal/bridge"
	"github.com/govapp/govapp/platform/internal/ext/alipay"
	"github.com/govapp/govapp/platform/internal/ext/sms"
	"github.com/govapp/govapp/platform/internal/ext/wechat"
	"github.com/govapp/govapp/platform/internal/ext/zlb"
)

// outside builds the clients of the outside services the config names and the sign-in
// methods on them; a service left unconfigured is simply absent.
func outside(cfg Config, br *bridge.Service) (map[string]auth.Upstream, auth.SMS, http.Handler, error) {
	ups := map[string]auth.Upstream{}
	var notify http.Handler
	if cfg.WeChatAppID != "" {
		if cfg.WeChatSecret == "" {
			return nil, nil, nil, errors.New("wechat_secret: is empty while wechat_app_id is set; give the official account's secret (GOVAPP_WECHAT_SECRET_FILE)")
		}
		wc := wechat.New(wechat.Config{AppID: cfg.WeChatAppID, Secret: cfg.WeChatSecret, BaseURL: cfg.WeChatAPIURL, OpenBaseURL: cfg.WeChatOpenURL}, br)
		br.SetWeChat(wc, func(appID, secret string) bridge.WeChatSigner {
			return wechat.New(wechat.Config{AppID: appID, Secret: secret, BaseURL: cfg.WeChatAPIURL, OpenBaseURL: cfg.WeChatOpenURL}, br)
		})
		ups["wechat"] = wechatUpstream{wc}
	}
	if cfg.AlipayAppID != "" {
		ac, err := alipay.New(alipay.Config{AppID: cfg.AlipayAppID, PrivateKeyPEM: []byte(cfg.AlipayPrivateKey), AlipayPublicKeyPEM: []byte(cfg.AlipayPublicKey),
			GatewayURL: cfg.AlipayGatewayURL, AuthorizeURL: cfg.AlipayAuthorizeURL})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("alipay_private_key / alipay_public_key: %w", err)
		}
		ups["alipay"] = alipayUpstream{ac}
		notify = ac.NotifyHandler(br.NotifyLog(), func(ctx context.Context, form url.Values) error {
			params := map[string]string{}
			for k := range form {
				params[k] = form.Get(k)
			}
			return br.RecordNotify(ctx, form.Get("notify_type"), form.Get("notify_id"), params)
		})
	}
	if cfg.ZLBAccessKey != "" {
		zc, err := zlb.New(zlb.Config{BaseURL: cfg.ZLBBaseURL, AccessKey: cfg.ZLBAccessKey, SecretKey: cfg.ZLBSecretKey, LoginURL: cfg.ZLBLoginURL})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("zlb_base_url / zlb_access_key / zlb_secret_key: %w", err)
		}
		ups["govapp"] = zlbUpstream{zc}
	}
	var sender auth.SMS
	if cfg.SMSURL != "" {
		sender = &sms.Client{BaseURL: cfg.SMSURL, APIKey: cfg.SMSAPIKey}
	}
	return ups, sender, notify, nil
}

// wechatUpstream signs citizens in with WeChat web OAuth: snsapi_base (silent) when the app
// wants no profile, snsapi_userinfo (the citizen consents once to share a nickname) otherwise.
type wechatUpstream struct{ c *wechat.Client }

func (u wechatUpstream) Name() string { return "wechat" }

func (u wechatUpstream) AuthorizeURL(redirectURI, state string, profile bool) string {
	if !profile {
		return u.c.AuthorizeURL(redirectURI, "snsapi_base", state) // silent: no consent page
	}
	return u.c.AuthorizeURL(redirectURI, "snsapi_userinfo", state)
}

func (u wechatUpstream) Exchange(ctx context.Context, code string) (auth.UpstreamIdentity, error) {
	tok, err := u.c.ExchangeCode(ctx, code)
	if err != nil {
		return auth.UpstreamIdentity{}, err
	}
	who := auth.UpstreamIdentity{Provider: "wechat", Subject: tok.OpenID, UnionID: tok.UnionID}
	if tok.Scope == "snsapi_userinfo" {
		if info, err := u.c.UserInfo(ctx, tok.AccessToken, tok.OpenID); err == nil {
			who.Nickname = info.Nickname
		}
	}
	return who, nil
}

// alipayUpstream signs citizens in with Alipay OAuth (auth_user): Alipay's mobile of a
// real-name-certified citizen counts as verified for linking.
type alipayUpstream struct{ c *alipay.Client }

func (u alipayUpstream) Name() string { return "alipay" }

func (u alipayUpstream) AuthorizeURL(redirectURI, state string, profile bool) string {
	scope := alipay.ScopeAuthUser
	if !profile {
		scope = alipay.ScopeAuthBase
	}
	to, err := u.c.AuthorizeURL(redirectURI, scope, state)
	if err != nil {
		return "/auth/login?error=alipay" // cannot happen with a fixed scope
	}
	return to
}

func (u alipayUpstream) Exchange(ctx context.Context, code string) (auth.UpstreamIdentity, error) {
	tok, err := u.c.SystemOAuthToken(ctx, code)
	if err != nil {
		return auth.UpstreamIdentity{}, err
	}
	subject := tok.UserID
	if subject == "" {
		subject = tok.OpenID
	}
	who := auth.UpstreamIdentity{Provider: "alipay", Subject: subject}
	info, err := u.c.UserInfoShare(ctx, tok.AccessToken)
	if err != nil {
		return who, nil // auth_base: an identity without a profile
	}
	who.Nickname = info.NickName
	if info.Mobile != "" && info.Certified() {
		who.Phone, who.PhoneVerified = info.Mobile, true
	}
	if info.Certified() {
		who.VerifiedLevel = 2
	}
	return who, nil
}

// zlbUpstream signs citizens in with the gov app's SSO ticket (浙里办 style): the gov app
// hands the light app a one-time ticket, or the SSO login page sends the browser back with
// one, and the platform exchanges it server to server. The phone counts as verified for
// linking only from real-name level 2 (实名) up, where the gov app has checked the person
// against the ID number; a level-1 account's phone is only self-declared.
type zlbUpstream struct{ c *zlb.Client }

func (u zlbUpstream) Name() string { return "govapp" }

func (u zlbUpstream) AuthorizeURL(redirectURI, state string, _ bool) string {
	return u.c.LoginURL(redirectURI, state)
}

func (u zlbUpstream) Exchange(ctx context.Context, ticket string) (auth.UpstreamIdentity, error) {
	tok, err := u.c.ValidateTicket(ctx, ticket)
	if err != nil {
		return auth.UpstreamIdentity{}, err
	}
	info, err := u.c.UserInfo(ctx, tok)
	if err != nil {
		return auth.UpstreamIdentity{}, err
	}
	return auth.UpstreamIdentity{
		Provider:      "govapp",
		Subject:       info.UserID,
		Nickname:      info.UserName,
		Phone:         info.Phone,
		PhoneVerified: info.Phone != "" && info.RealNameLevel >= 2,
		VerifiedLevel: info.RealNameLevel,
		Region:        info.Region,
	}, nil
}
