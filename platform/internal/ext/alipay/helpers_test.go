package alipay

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	fake "github.com/govapp/govapp/sandbox/alipay"
)

// testAppID is the app the tests register with the sandbox gateway.
const testAppID = "2021000000000001"

// readTestdata returns a file of testdata/.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sandbox is a sandbox gateway behind an HTTP server, with the test app registered and
// the committed test key as the gateway ("Alipay") key, so no key is generated.
type sandbox struct {
	gw  *fake.Gateway
	srv *httptest.Server
}

// newSandbox starts the gateway for one test.
func newSandbox(t *testing.T) *sandbox {
	t.Helper()
	gw := &fake.Gateway{}
	if err := gw.SetPrivateKeyPEM(readTestdata(t, "alipay_private_key.pem")); err != nil {
		t.Fatal(err)
	}
	if err := gw.AddApp(testAppID, readTestdata(t, "app_public_key.pem")); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	return &sandbox{gw: gw, srv: srv}
}

// config is a client configuration pointed at the sandbox.
func (s *sandbox) config(t *testing.T) Config {
	return Config{
		AppID:              testAppID,
		PrivateKeyPEM:      readTestdata(t, "app_private_key.pem"),
		AlipayPublicKeyPEM: s.gw.PublicKeyPEM(),
		GatewayURL:         s.srv.URL + "/gateway.do",
		AuthorizeURL:       s.srv.URL + "/oauth2/publicAppAuthorize.htm",
		HTTPClient:         &http.Client{Timeout: 5 * time.Second},
	}
}

// client is a client of the sandbox.
func (s *sandbox) client(t *testing.T) *Client {
	t.Helper()
	c, err := New(s.config(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
