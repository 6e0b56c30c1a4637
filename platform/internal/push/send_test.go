package push_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/ext/alipay"
	"github.com/govapp/govapp/platform/internal/ext/apns"
	"github.com/govapp/govapp/platform/internal/ext/fcm"
	"github.com/govapp/govapp/platform/internal/ext/wechat"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/push"
	alipayfake "github.com/govapp/govapp/sandbox/alipay"
	apnsfake "github.com/govapp/govapp/sandbox/apns"
	fcmfake "github.com/govapp/govapp/sandbox/fcm"
	wechatfake "github.com/govapp/govapp/sandbox/wechat"
)

const (
	aliApp    = "2021000000000001"
	iosTopic  = "cn.gov.zj.app"
	wxAccount = "wx0123456789abcdef"
	wxTmpl    = "tmpl-pension"
)

// world is a push service wired to the sandbox fakes through the real provider clients.
type world struct {
	d      *db.DB
	ids    *identity.Service
	svc    *push.Service
	apns   *apnsfake.Server
	fcm    *fcmfake.Server
	wx     *wechatfake.Server
	ali    *alipayfake.Gateway
	disp   *push.Dispatcher
	sender *identity.Principal
	// What a child process needs to reach the APNs fake.
	p8      []byte
	apnsURL string
	apnsCA  *x509.Certificate
}

func newWorld(t *testing.T, d *db.DB, cfg push.Config) *world {
	t.Helper()
	ctx := context.Background()
	ids := newIdentity(t, ctx, d)
	au, err := audit.NewStore(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := push.NewService(ctx, d, ids, au, cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{d: d, ids: ids, svc: svc, sender: sender(t, ctx, ids, "fuyang-op", "330111", "operator")}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	p8 := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	w.apns = apnsfake.New()
	w.apns.AddKey("ABC123DEFG", "TEAM123456", &key.PublicKey)
	w.apns.AddTopic("TEAM123456", iosTopic)
	asrv := w.apns.Start()
	t.Cleanup(asrv.Close)
	w.p8, w.apnsURL, w.apnsCA = p8, asrv.URL, asrv.Certificate
	mk := func(prod bool) *apns.Sender {
		s, err := apns.New(apns.Config{KeyP8: p8, KeyID: "ABC123DEFG", TeamID: "TEAM123456", Topic: iosTopic, Production: prod, BaseURL: asrv.URL},
			apns.HTTP2Client(asrv.RootCAs))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	w.fcm = &fcmfake.Server{Projects: []string{"gov-demo"}}
	fsrv := httptest.NewServer(w.fcm)
	t.Cleanup(fsrv.Close)
	fs, err := fcm.New(ctx, fcm.Config{ProjectID: "gov-demo", BaseURL: fsrv.URL, HTTPClient: fsrv.Client()})
	if err != nil {
		t.Fatal(err)
	}

	w.wx = &wechatfake.Server{}
	w.wx.AddApp(wxAccount, "wx-secret")
	w.wx.AddTemplate(wxAccount, wxTmpl)
	wsrv := httptest.NewServer(w.wx)
	t.Cleanup(wsrv.Close)
	wc := wechat.New(wechat.Config{AppID: wxAccount, Secret: "wx-secret", BaseURL: wsrv.URL}, nil)

	w.ali = &alipayfake.Gateway{}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	if err := w.ali.AddApp(aliApp, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})); err != nil {
		t.Fatal(err)
	}
	alisrv := httptest.NewServer(w.ali)
	t.Cleanup(alisrv.Close)
	ac, err := alipay.New(alipay.Config{AppID: aliApp, PrivateKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}),
		AlipayPublicKeyPEM: w.ali.PublicKeyPEM(), GatewayURL: alisrv.URL + "/gateway.do"})
	if err != nil {
		t.Fatal(err)
	}

	w.disp = svc.NewDispatcher(push.DispatchConfig{Senders: map[string]push.Sender{
		push.KindAlipay: &push.AlipaySender{Client: ac, PageBase: "https://gov.example.cn"},
		push.KindAPNs:   &push.APNsSender{Production: mk(true), Development: mk(false)},
		push.KindFCM:    &push.FCMSender{FCM: fs},
		push.KindWeChat: &push.WeChatSender{Account: func(_ context.Context, appID string) (*wechat.Client, error) { return wc, nil }},
	}})
	return w
}

// citizen makes a citizen of region with the given registrations.
func (w *world) citizen(t *testing.T, name, region string, devs ...push.Device) string {
	t.Helper()
	ctx := context.Background()
	u, err := w.ids.CreateUser(ctx, identity.SystemPrincipal(), identity.UserCreate{Name: name, Kind: identity.UserCitizen, NodeID: "330000", Region: region})
	if err != nil {
		t.Fatal(err)
	}
	for _, dv := range devs {
		dv.UserID = u.ID
		if _, err := w.svc.Devices.Register(ctx, dv); err != nil {
			t.Fatal(err)
		}
	}
	return u.ID
}

func apnsDev(n int, env string) push.Device {
	return push.Device{Kind: push.KindAPNs, Token: strings.Repeat(fmt.Sprintf("%02x", n), 32), Topic: iosTopic, Environment: env}
}

func fcmDev(n int) push.Device {
	return push.Device{Kind: push.KindFCM, Token: fmt.Sprintf("fcm-%04d:APA91bHun4MxP5egoKMwt2KZFBaFUH", n)}
}

func wxDev(openid string) push.Device {
	return push.Device{Kind: push.KindWeChat, Token: openid, Topic: wxAccount}
}

func notice(title string) push.NoticeCreate {
	return push.NoticeCreate{Scope: "330111", Title: title, Body: "富阳区养老金资格认证窗口已开放，请于月底前完成认证。",
		AppID: "pension", Link: "/certify", Audience: push.Audience{Terms: []push.Term{{Regions: []string{"330111"}}}},
		WeChat: &push.WeChatTemplate{Account: wxAccount, TemplateID: wxTmpl, Data: map[string]string{"thing1": "{{title}}"}}}
}

// The whole path on both engines: resolution, snapshot, channel preference, APNs and
// FCM through their real clients, WeChat fallback on a dead token, the inbox for those
// no channel reaches, stats, and the unregistered token dropped after one send.
func TestSendThroughProviders(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d, push.Config{})
		ios := w.citizen(t, "ios", "330111", apnsDev(1, "production"), wxDev("oWeChatIOSUser000000001"))
		android := w.citizen(t, "android", "330111", fcmDev(2))
		wxOnly := w.citizen(t, "wx-only", "330111", wxDev("oWeChatOnlyUser00000001"))
		gone := w.citizen(t, "gone", "330111", apnsDev(4, "production"), wxDev("oWeChatGoneUser00000001"))
		nothing := w.citizen(t, "nothing", "330111")
		devEnv := w.citizen(t, "dev-env", "330111", apnsDev(6, "development"))
		w.citizen(t, "xihu", "330106", fcmDev(7))
		fcmGone := w.citizen(t, "fcm-gone", "330111", fcmDev(8))
		w.fcm.Unregister(fcmDev(8).Token)
		// The token of "gone" was uninstalled.
		w.apns.Unregister(apnsDev(4, "").Token, time.Now().Add(time.Second))

		n, created, err := w.svc.Create(ctx, w.sender, notice("养老认证"))
		if err != nil || !created || n.State != push.StateScheduled || n.Estimated != 8 {
			t.Fatalf("create: %+v %v %v", n, created, err)
		}
		if err := w.disp.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		st, err := w.svc.Stats(ctx, w.sender, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 8 recipients: the sender herself (staff of 富阳区) and seven citizens.
		if st.State != push.StateDone || st.Resolved != 8 || st.Sent != 5 || st.Failed["unregistered"] != 2 || st.Fallbacks != 1 || st.InboxOnly != 3 || st.Pending != 0 {
			t.Errorf("stats = %+v", st)
		}
		if st.Channels["apns"] != 2 || st.Channels["fcm"] != 1 || st.Channels["wechat"] != 2 {
			t.Errorf("channels = %v", st.Channels)
		}
		ns := w.apns.Notifications()
		if len(ns) != 2 {
			t.Fatalf("apns got %d notifications", len(ns))
		}
		var payload struct {
			APS struct {
				Alert struct{ Title string } `json:"alert"`
			} `json:"aps"`
			Gov struct{ Notice, App, Link string } `json:"govapp"`
		}
		if err := json.Unmarshal(ns[0].Payload, &payload); err != nil || payload.Gov.Notice != n.ID || payload.APS.Alert.Title != "养老认证" || payload.Gov.Link != "/certify" {
			t.Errorf("apns payload %s", ns[0].Payload)
		}
		if ns[0].CollapseID != n.ID || ns[0].Topic != iosTopic {
			t.Errorf("apns headers %+v", ns[0])
		}
		if ms := w.fcm.Messages(); len(ms) != 1 || ms[0].Data["notice"] != n.ID || ms[0].Token != fcmDev(2).Token {
			t.Errorf("fcm got %+v", ms)
		}
		var to []string
		for _, m := range w.wx.SubscribeMessages() {
			to = append(to, m.ToUser)
			if m.Data["thing1"].Value != "养老认证" || m.TemplateID != wxTmpl {
				t.Errorf("wechat message %+v", m)
			}
		}
		if strings.Join(to, ",") != "oWeChatOnlyUser00000001,oWeChatGoneUser00000001" && strings.Join(to, ",") != "oWeChatGoneUser00000001,oWeChatOnlyUser00000001" {
			t.Errorf("wechat went to %v", to)
		}
		for _, u := range []string{ios, android, wxOnly, gone, nothing, devEnv} {
			items, err := w.svc.Inbox(ctx, u, 10)
			if err != nil || len(items) != 1 || items[0].Notice != n.ID || items[0].Title != "养老认证" {
				t.Errorf("inbox of %s: %+v %v", u, items, err)
			}
		}
		if err := w.svc.MarkOpened(ctx, nothing, n.ID); err != nil {
			t.Fatal(err)
		}
		if st, _ := w.svc.Stats(ctx, w.sender, n.ID); st.Opened != 1 {
			t.Errorf("opened = %d", st.Opened)
		}
		// The dead tokens are dropped after that one send: the next notice does not try them.
		if devs, _ := w.svc.Devices.ForUser(ctx, gone); len(devs) != 1 || devs[0].Kind != push.KindWeChat {
			t.Errorf("gone's live devices: %+v", devs)
		}
		if devs, _ := w.svc.Devices.ForUser(ctx, fcmGone); len(devs) != 0 {
			t.Errorf("fcm-gone's live devices: %+v", devs)
		}
		before := w.apns.Stats().Reasons["Unregistered"]
		n2, _, err := w.svc.Create(ctx, w.sender, notice("第二条"))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.disp.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if after := w.apns.Stats().Reasons["Unregistered"]; after != before {
			t.Errorf("the dropped token was tried again: %d 410s, had %d", after, before)
		}
		if st, _ := w.svc.Stats(ctx, w.sender, n2.ID); st.Sent != 5 || st.Fallbacks != 0 || len(st.Failed) != 0 {
			t.Errorf("second notice stats = %+v", st)
		}
	})
}

// makeDue brings retries forward, as if their backoff had passed.
func makeDue(t *testing.T, d *db.DB) {
	t.Helper()
	if _, err := d.ExecContext(context.Background(), `UPDATE push_deliveries SET due_at = $1 WHERE state = 'pending'`, db.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
}

// A provider answering 429 slows the sender and loses nothing; 5xx is retried; a
// subscriber who stopped following WeChat falls back to Alipay-less inbox.
func TestThrottleAndRetryLoseNothing(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d, push.Config{})
		var toks []string
		for i := range 6 {
			dv := apnsDev(10+i, "production")
			toks = append(toks, dv.Token)
			w.citizen(t, fmt.Sprint("c", i), "330111", dv)
		}
		unfollowed := w.citizen(t, "unfollowed", "330111", wxDev("oWeChatUnfollowed000001"))
		w.wx.SetFollowing("oWeChatUnfollowed000001", false)
		w.apns.Throttle(toks[0], 2)
		w.apns.Throttle(toks[1], 1)
		w.apns.FailNext(503, "ServiceUnavailable")
		n, _, err := w.svc.Create(ctx, w.sender, notice("限流"))
		if err != nil {
			t.Fatal(err)
		}
		for range 4 {
			if err := w.disp.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			makeDue(t, d)
		}
		if err := w.disp.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		st, _ := w.svc.Stats(ctx, w.sender, n.ID)
		if st.Sent != 6 || st.Pending != 0 || st.State != push.StateDone || st.Failed["not_subscribed"] != 1 {
			t.Errorf("stats = %+v", st)
		}
		got := map[string]int{}
		for _, x := range w.apns.Notifications() {
			got[x.DeviceToken]++
		}
		for _, tk := range toks {
			if got[tk] != 1 {
				t.Errorf("token %s got %d notifications, want 1", tk[:8], got[tk])
			}
		}
		if r := w.apns.Stats().Reasons; r["TooManyRequests"] != 3 || r["ServiceUnavailable"] != 1 {
			t.Errorf("apns answered %v", r)
		}
		if items, _ := w.svc.Inbox(ctx, unfollowed, 5); len(items) != 1 {
			t.Errorf("the unfollowed citizen's inbox: %+v", items)
		}
	})
}

// Creation rules: idempotency, schedules, quota, nobody, sizes, cancel, expiry.
func TestNoticeRules(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d, push.Config{DailyQuota: 10})
		for i := range 3 {
			w.citizen(t, fmt.Sprint("c", i), "330111", fcmDev(i))
		}
		in := notice("幂等")
		in.IdempotencyKey = "pension-2026-11"
		a, created, err := w.svc.Create(ctx, w.sender, in)
		if err != nil || !created {
			t.Fatal(err)
		}
		b, created, err := w.svc.Create(ctx, w.sender, in)
		if err != nil || created || b.ID != a.ID {
			t.Errorf("retry: %s %v %v, want %s again", b.ID, created, err, a.ID)
		}
		other := in
		other.Body = "另一条"
		if _, _, err := w.svc.Create(ctx, w.sender, other); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("same key, other body: %v, want 409", err)
		}

		past := time.Now().Add(-time.Hour)
		bad := map[string]func(*push.NoticeCreate){
			"send_at":  func(n *push.NoticeCreate) { n.SendAt = &past },
			"body":     func(n *push.NoticeCreate) { n.Body = strings.Repeat("长", push.MaxBody+1) },
			"channels": func(n *push.NoticeCreate) { n.Channels = []string{"sms"} },
			"wechat":   func(n *push.NoticeCreate) { n.WeChat, n.Channels = nil, []string{"native", "wechat"} },
			"link":     func(n *push.NoticeCreate) { n.Link = "https://evil.example/" },
			"audience": func(n *push.NoticeCreate) {
				n.Audience = push.Audience{Terms: []push.Term{{Regions: []string{"330106"}}}}
			},
			"priority": func(n *push.NoticeCreate) { n.Priority = "urgent" },
			"regions": func(n *push.NoticeCreate) {
				n.Audience = push.Audience{Terms: []push.Term{{Regions: []string{"339999"}}}}
			},
			"nobody": func(n *push.NoticeCreate) {
				n.Audience = push.Audience{Terms: []push.Term{{Roles: []string{"auditor"}}}}
			},
			"over-quota": func(n *push.NoticeCreate) {
				n.Audience = push.Audience{Terms: []push.Term{{Regions: []string{"330111"}}}}
			},
		}
		for name, mut := range bad {
			n := notice("坏")
			mut(&n)
			if name == "over-quota" {
				// 4 used of 10 by the first notice: three more fit, a fourth of 4 does not.
				if _, _, err := w.svc.Create(ctx, w.sender, notice("第二")); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err := w.svc.Create(ctx, w.sender, n)
			if err == nil {
				t.Errorf("%s: accepted", name)
				continue
			}
			if name == "audience" && !errors.Is(err, errs.ErrForbidden) {
				t.Errorf("%s: %v, want 403", name, err)
			} else if name != "audience" && !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("%s: %v, want 400", name, err)
			}
			if name == "over-quota" && !strings.Contains(err.Error(), "daily quota") {
				t.Errorf("over quota: %v", err)
			}
		}
		// Nothing was stored for the refused ones: the first one and the one that used up the quota.
		var k int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM push_notices`).Scan(&k); err != nil || k != 2 {
			t.Errorf("%d notices stored, want 2", k)
		}

		// Cancel a scheduled notice: never resolved, never sent.
		later := time.Now().Add(time.Hour)
		sch := notice("稍后")
		sch.SendAt = &later
		w2 := newWorld(t, dbtest.SQLite(t), push.Config{})
		w2.citizen(t, "xx", "330111", fcmDev(1))
		s, _, err := w2.svc.Create(ctx, w2.sender, sch)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := w2.svc.Cancel(ctx, w2.sender, s.ID); err != nil || c.State != push.StateCancelled {
			t.Fatalf("cancel: %+v %v", c, err)
		}
		if _, err := w2.svc.Cancel(ctx, w2.sender, s.ID); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("cancel twice: %v", err)
		}
		// Expired before it could go: nothing is sent.
		soon := time.Now().Add(300 * time.Millisecond)
		ex := notice("过期")
		ex.ExpiresAt = &soon
		e, _, err := w2.svc.Create(ctx, w2.sender, ex)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(400 * time.Millisecond)
		if err := w2.disp.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if st, _ := w2.svc.Stats(ctx, w2.sender, e.ID); st.Sent != 0 || st.State != push.StateDone {
			t.Errorf("expired notice: %+v", st)
		}
		if w2.fcm.Count() != 0 {
			t.Errorf("fcm got %d messages", w2.fcm.Count())
		}
		// Another department sees none of it.
		xihu := sender(t, ctx, w.ids, "xihu-op", "330106", "operator")
		if _, err := w.svc.Get(ctx, xihu, a.ID); !errors.Is(err, push.ErrNoticeNotFound) {
			t.Errorf("other department reads the notice: %v", err)
		}
	})
}

// The Alipay channel sends life-account template messages through the real RSA2 client; a
// WeChat daily-quota answer defers the delivery to the next day instead of failing it.
func TestAlipayChannelAndQuotaDefer(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := newWorld(t, d, push.Config{})
		w.citizen(t, "ali", "330111", push.Device{Kind: push.KindAlipay, Token: "2088000000000001", Topic: aliApp})
		w.citizen(t, "wx", "330111", wxDev("oWeChatQuotaUser0000001"))
		w.wx.FailNextOn("/cgi-bin/message/subscribe/bizsend", 45009, "")
		in := notice("医保缴费")
		in.Alipay = &push.AlipayTemplate{TemplateID: "tpl-medical", Data: map[string]string{"first": "{{title}}", "keyword1": "{{body}}", "remark": "请及时办理"}}
		n, _, err := w.svc.Create(ctx, w.sender, in)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.disp.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		ms := w.ali.Messages()
		if len(ms) != 1 || ms[0].ToUserID != "2088000000000001" || ms[0].TemplateID != "tpl-medical" || !strings.Contains(string(ms[0].Context), "医保缴费") {
			t.Fatalf("alipay got %+v", ms)
		}
		st, _ := w.svc.Stats(ctx, w.sender, n.ID)
		if st.Channels["alipay"] != 1 || st.Pending != 1 || st.State != push.StateSending {
			t.Errorf("stats = %+v", st)
		}
		var due time.Time
		if err := d.QueryRowContext(ctx, `SELECT due_at FROM push_deliveries WHERE notice_id = $1 AND state = 'pending'`, n.ID).Scan(&due); err != nil {
			t.Fatal(err)
		}
		cst := time.FixedZone("CST", 8*3600)
		if tomorrow := time.Now().In(cst).AddDate(0, 0, 1); due.In(cst).Day() != tomorrow.Day() || due.In(cst).Hour() != 0 {
			t.Errorf("deferred to %s, want the next midnight in China", due.In(cst))
		}
	})
}
