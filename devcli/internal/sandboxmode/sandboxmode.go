// Package sandboxmode runs the fakes of sandbox/ beside the platform when no outside service
// is configured, so a laptop without credentials still signs citizens in through "WeChat" and
// "Alipay" and texts verification codes — all on loopback, all recorded.
package sandboxmode

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"net"
	"net/http"

	"github.com/govapp/govapp/platform"
	"github.com/govapp/govapp/sandbox/alipay"
	"github.com/govapp/govapp/sandbox/apns"
	"github.com/govapp/govapp/sandbox/fcm"
	"github.com/govapp/govapp/sandbox/sms"
	"github.com/govapp/govapp/sandbox/wechat"
	"github.com/govapp/govapp/sandbox/zlb"
)

// Fakes are the running sandbox services.
type Fakes struct {
	APNs   *apns.Server
	FCM    *fcm.Server
	WeChat *wechat.Server
	Alipay *alipay.Gateway
	SMS    *sms.Gateway
	ZLB    *zlb.Server
	// URL is where each fake listens, by name.
	URL   map[string]string
	close []func() error
}

// Start runs the fakes on loopback ports and returns cfg pointing at them (credentials made
// up for this run and registered with the fakes).
func Start(cfg platform.Config) (*Fakes, platform.Config, error) {
	f := &Fakes{APNs: apns.New(), FCM: &fcm.Server{}, WeChat: &wechat.Server{}, Alipay: &alipay.Gateway{}, SMS: &sms.Gateway{}, ZLB: &zlb.Server{}, URL: map[string]string{}}
	for name, h := range map[string]http.Handler{"fcm": f.FCM, "wechat": f.WeChat, "alipay": f.Alipay, "sms": f.SMS, "zlb": f.ZLB} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			f.Close()
			return nil, cfg, err
		}
		srv := &http.Server{Handler: h}
		go func() { _ = srv.Serve(ln) }()
		f.URL[name] = "http://" + ln.Addr().String()
		f.close = append(f.close, srv.Close)
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	cfg.WeChatAppID, cfg.WeChatSecret = "wxsandbox0000001", hex.EncodeToString(b[:])
	f.WeChat.AddApp(cfg.WeChatAppID, cfg.WeChatSecret)
	cfg.WeChatAPIURL, cfg.WeChatOpenURL = f.URL["wechat"], f.URL["wechat"]

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		f.Close()
		return nil, cfg, err
	}
	pub, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	cfg.AlipayAppID = "2021000000000001"
	cfg.AlipayPrivateKey = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	if err := f.Alipay.AddApp(cfg.AlipayAppID, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})); err != nil {
		f.Close()
		return nil, cfg, err
	}
	cfg.AlipayPublicKey = string(f.Alipay.PublicKeyPEM())
	cfg.AlipayGatewayURL = f.URL["alipay"] + "/gateway.do"
	cfg.AlipayAuthorizeURL = f.URL["alipay"] + "/oauth2/publicAppAuthorize.htm"
	cfg.SMSURL = f.URL["sms"]

	// APNs speaks HTTP/2 over TLS only: the fake has its own certificate, which the
	// platform is told to trust.
	ak, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Close()
		return nil, cfg, err
	}
	der, _ := x509.MarshalPKCS8PrivateKey(ak)
	cfg.APNsKey = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	cfg.APNsKeyID, cfg.APNsTeamID, cfg.APNsTopic = "SANDBOX001", "SANDBOXTM1", "cn.gov.sandbox.app"
	f.APNs.AddKey(cfg.APNsKeyID, cfg.APNsTeamID, &ak.PublicKey)
	f.APNs.AddTopic(cfg.APNsTeamID, cfg.APNsTopic)
	ts := f.APNs.Start()
	f.close = append(f.close, func() error { ts.Close(); return nil })
	f.URL["apns"] = ts.URL
	cfg.APNsURL = ts.URL
	cfg.APNsCA = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate.Raw}))
	cfg.FCMProjectID, cfg.FCMURL = "govapp-sandbox", f.URL["fcm"]

	_, _ = rand.Read(b[:])
	cfg.ZLBBaseURL, cfg.ZLBAccessKey, cfg.ZLBSecretKey = f.URL["zlb"], "BCDSGA_sandbox0001", hex.EncodeToString(b[:])
	f.ZLB.AddApp(cfg.ZLBAccessKey, cfg.ZLBSecretKey)
	return f, cfg, nil
}

// Close stops the fakes.
func (f *Fakes) Close() {
	for _, c := range f.close {
		_ = c()
	}
}
