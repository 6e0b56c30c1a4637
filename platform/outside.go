package platform

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/govapp/govapp/platform/internal/auth"
	"github.com/govapp/govapp/platform/internal/bridge"
	"github.com/govapp/govapp/platform/internal/ext/alipay"
	"github.com/govapp/govapp/platform/internal/ext/apns"
	"github.com/govapp/govapp/platform/internal/ext/fcm"
	"github.com/govapp/govapp/platform/internal/ext/sms"
	"github.com/govapp/govapp/platform/internal/ext/wechat"
	"github.com/govapp/govapp/platform/internal/ext/zlb"
	"github.com/govapp/govapp/platform/internal/push"
)

// outsiders are the clients of the outside services, as the domains use them.
type outsiders struct {
	ups    map[string]auth.Upstream
	sms    auth.SMS
	notify http.Handler
	// push senders by device kind
	push map[string]push.Sender
}

// outside builds the clients of the outside services the config names and the sign-in
// methods and push senders on them; a service left unconfigured is simply absent.
func outside(ctx context.Context, cfg Config, br *bridge.Service) (o outsiders, err error) {
	ups := map[string]auth.Upstream{}
	senders := map[string]push.Sender{}
	var notify http.Handler
	if cfg.WeChatAppID != "" {
		if cfg.WeChatSecret == "" {
			return o, errors.New("wechat_secret: is empty while wechat_app_id is set; give the official account's secret (GOVAPP_WECHAT_SECRET_FILE)")
		}
		wc := wechat.New(wechat.Config{AppID: cfg.WeChatAppID, Secret: cfg.WeChatSecret, BaseURL: cfg.WeChatAPIURL, OpenBaseURL: cfg.WeChatOpenURL}, br)
		br.SetWeChat(wc, func(appID, secret string) bridge.WeChatSigner {
			return wechat.New(wechat.Config{AppID: appID, Secret: secret, BaseURL: cfg.WeChatAPIURL, OpenBaseURL: cfg.WeChatOpenURL}, br)
		})
		ups["wechat"] = wechatUpstream{wc}
		// Subscribe messages go out through the platform's shared official account; an
		// account of a department's own is not reachable from here yet.
		senders[push.KindWeChat] = &push.WeChatSender{PageBase: cfg.PublicURL, Account: func(_ context.Context, appID string) (*wechat.Client, error) {
			if appID != cfg.WeChatAppID {
				return nil, fmt.Errorf("push: official account %s is not the platform's (%s)", appID, cfg.WeChatAppID)
			}
			return wc, nil
		}}
	}
	if cfg.AlipayAppID != "" {
		ac, err := alipay.New(alipay.Config{AppID: cfg.AlipayAppID, PrivateKeyPEM: []byte(cfg.AlipayPrivateKey), AlipayPublicKeyPEM: []byte(cfg.AlipayPublicKey),
			GatewayURL: cfg.AlipayGatewayURL, AuthorizeURL: cfg.AlipayAuthorizeURL})
		if err != nil {
			return o, fmt.Errorf("alipay_private_key / alipay_public_key: %w", err)
		}
		ups["alipay"] = alipayUpstream{ac}
		senders[push.KindAlipay] = &push.AlipaySender{Client: ac, PageBase: cfg.PublicURL}
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
			return o, fmt.Errorf("zlb_base_url / zlb_access_key / zlb_secret_key: %w", err)
		}
		ups["govapp"] = zlbUpstream{zc}
	}
	var sender auth.SMS
	if cfg.SMSURL != "" {
		sender = &sms.Client{BaseURL: cfg.SMSURL, APIKey: cfg.SMSAPIKey}
	}
	if cfg.APNsKey != "" {
		s, err := apnsSender(cfg)
		if err != nil {
			return o, err
		}
		senders[push.KindAPNs] = s
	}
	if cfg.FCMProjectID != "" {
		fc, err := fcm.New(ctx, fcm.Config{ProjectID: cfg.FCMProjectID, CredentialsJSON: []byte(cfg.FCMCredentials), BaseURL: cfg.FCMURL})
		if err != nil {
			return o, fmt.Errorf("fcm_project_id / fcm_credentials: %w", err)
		}
		senders[push.KindFCM] = &push.FCMSender{FCM: fc}
	}
	return outsiders{ups: ups, sms: sender, notify: notify, push: senders}, nil
}

// apnsSender builds one apns2 client per APNs environment on the configured key.
func apnsSender(cfg Config) (*push.APNsSender, error) {
	if cfg.APNsKeyID == "" || cfg.APNsTeamID == "" || cfg.APNsTopic == "" {
		return nil, errors.New("apns_key_id, apns_team_id, apns_topic: all three are needed with apns_key (the key's id, the developer team id and the app's bundle id)")
	}
	var client *http.Client
	if cfg.APNsCA != "" {
		roots, err := x509.SystemCertPool()
		if err != nil {
			roots = x509.NewCertPool()
		}
		if !roots.AppendCertsFromPEM([]byte(cfg.APNsCA)) {
			return nil, errors.New("apns_ca: holds no PEM certificate; give the CA certificate of the APNs relay")
		}
		client = apns.HTTP2Client(roots)
	}
	out := &push.APNsSender{}
	for _, prod := range []bool{true, false} {
		s, err := apns.New(apns.Config{KeyP8: []byte(cfg.APNsKey), KeyID: cfg.APNsKeyID, TeamID: cfg.APNsTeamID, Topic: cfg.APNsTopic,
			Production: prod, BaseURL: cfg.APNsURL}, client)
		if err != nil {
			return nil, fmt.Errorf("apns_key: %w", err)
		}
		if prod {
			out.Production = s
		} else {
			out.Development = s
		}
	}
	return out, nil
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
