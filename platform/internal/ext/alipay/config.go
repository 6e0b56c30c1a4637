package alipay

import (
	"fmt"
	"net/http"
	"time"
)

// Defaults of Config. The hosts are Alipay's production hosts; the sandbox (or Alipay's
// own test environment) is reached by setting GatewayURL and AuthorizeURL.
const (
	// DefaultGatewayURL is the open-API gateway every method is posted to.
	DefaultGatewayURL = "https://openapi.alipay.com/gateway.do"
	// DefaultAuthorizeURL is the web OAuth page of life accounts and web apps; a citizen
	// who opens it inside Alipay is sent back to the redirect URI with an auth_code.
	DefaultAuthorizeURL = "https://openauth.alipay.com/oauth2/publicAppAuthorize.htm"
	// DefaultTimeout bounds one gateway call when Config.HTTPClient is nil, so that a
	// stalled gateway cannot hold a citizen's sign-in open forever.
	DefaultTimeout = 10 * time.Second
	// SignTypeRSA2 is the only signature type supported: SHA256withRSA. Alipay has
	// deprecated RSA (SHA1withRSA) for new apps.
	SignTypeRSA2 = "RSA2"
	// CharsetUTF8 is the only request charset supported; the signature is computed over
	// the UTF-8 bytes of the parameters.
	CharsetUTF8 = "utf-8"
	// APIVersion is the value of the version parameter of every call.
	APIVersion = "1.0"
)

// Config is what a Client needs: the app's identity and keys, and where Alipay is. It is
// plain data so that it can come from the platform's configuration file or database; it
// holds a private key, so it redacts itself when printed (String, GoString).
type Config struct {
	// AppID is the app's ID on the Alipay open platform (e.g. 2021000000000001).
	AppID string
	// PrivateKeyPEM is the app's RSA private key (2048 bits or more), as PKCS#1
	// ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY") PEM, or the bare base64 DER that
	// Alipay's key tool prints.
	PrivateKeyPEM []byte
	// AlipayPublicKeyPEM is the Alipay public key shown for this app in the open
	// platform console (public-key mode), as PKIX PEM or bare base64 DER.
	AlipayPublicKeyPEM []byte
	// GatewayURL is the open-API gateway; DefaultGatewayURL when empty.
	GatewayURL string
	// AuthorizeURL is the web OAuth page; DefaultAuthorizeURL when empty.
	AuthorizeURL string
	// SignType must be empty or SignTypeRSA2.
	SignType string
	// Charset must be empty or CharsetUTF8.
	Charset string
	// HTTPClient makes the gateway calls; a client with DefaultTimeout when nil.
	HTTPClient *http.Client
	// Now is the clock used for the timestamp parameter; time.Now when nil. Tests set it
	// to pin the timestamp; the zone of what it returns does not matter.
	Now func() time.Time
}

// String prints the configuration without the private key, so that a configuration
// dumped into a log or an error message never carries the secret.
func (c Config) String() string {
	key := "<none>"
	if len(c.PrivateKeyPEM) > 0 {
		key = "<redacted>"
	}
	return fmt.Sprintf("alipay.Config{AppID:%q PrivateKeyPEM:%s AlipayPublicKeyPEM:%d bytes GatewayURL:%q AuthorizeURL:%q SignType:%q Charset:%q}",
		c.AppID, key, len(c.AlipayPublicKeyPEM), c.GatewayURL, c.AuthorizeURL, c.SignType, c.Charset)
}

// GoString is String, so that %#v redacts the private key too.
func (c Config) GoString() string { return c.String() }
