package alipay

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

// pemBody returns the base64 lines of a PEM file: what would leak if a key were quoted.
func pemBody(data []byte) []string {
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" && !strings.HasPrefix(l, "-----") {
			lines = append(lines, l)
		}
	}
	return lines
}

// bareBase64 is a PEM file's body on one line, as Alipay's key tool prints keys.
func bareBase64(data []byte) []byte {
	return []byte(strings.Join(pemBody(data), ""))
}

// TestParsePrivateKeyFormats: Keys arrive as PKCS#1, PKCS#8 or the bare base64 of Alipay's
// key tool; all must give the same key.
func TestParsePrivateKeyFormats(t *testing.T) {
	pkcs1 := readTestdata(t, "app_private_key.pem")
	pkcs8 := readTestdata(t, "app_private_key_pkcs8.pem")
	want, err := ParsePrivateKey(pkcs1)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"PKCS#8 PEM":          pkcs8,
		"PKCS#1 bare base64":  bareBase64(pkcs1),
		"PKCS#8 bare base64":  bareBase64(pkcs8),
		"PKCS#8 wrapped b64":  []byte(strings.Join(pemBody(pkcs8), "\r\n")),
		"PEM with whitespace": append(append([]byte("\n  "), pkcs1...), "\n\n"...),
	} {
		got, err := ParsePrivateKey(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !got.Equal(want) {
			t.Errorf("%s: a different key", name)
		}
	}
}

// TestParsePublicKeyFormats: The Alipay public key is usually pasted from the console as
// bare base64.
func TestParsePublicKeyFormats(t *testing.T) {
	pkix := readTestdata(t, "app_public_key.pem")
	want, err := ParsePublicKey(pkix)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(want)})
	for name, data := range map[string][]byte{
		"PKIX bare base64":   bareBase64(pkix),
		"PKCS#1 PEM":         pkcs1,
		"PKCS#1 bare base64": bareBase64(pkcs1),
	} {
		got, err := ParsePublicKey(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !got.Equal(want) {
			t.Errorf("%s: a different key", name)
		}
	}
}

// TestKeyErrorsAreClearAndQuoteNothing: Configuration errors must say what to fix and must
// never carry private key material into logs.
func TestKeyErrorsAreClearAndQuoteNothing(t *testing.T) {
	priv := readTestdata(t, "app_private_key.pem")
	key, err := ParsePrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "alipay"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	certDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER})
	lines := pemBody(priv)
	truncated := []byte(strings.Join(strings.Split(string(priv), "\n")[:12], "\n") + "\n-----END RSA PRIVATE KEY-----\n")
	corrupted := bytes.Replace(priv, []byte(lines[3][:8]), []byte("AAAAAAAA"), 1)

	privCases := []struct {
		name, want string
		data       []byte
	}{
		{"empty", "empty", nil},
		{"public key", "public key was given", readTestdata(t, "app_public_key.pem")},
		{"encrypted", "encrypted", []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")},
		{"truncated", "not a valid PKCS#1 or PKCS#8", truncated},
		{"corrupted", "not a valid PKCS#1 or PKCS#8", corrupted},
		{"garbage", "neither PEM nor base64", []byte("this is not a key " + lines[0])},
		{"1024 bits", "1024 bits", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})},
		{"EC key", "RSA2 needs an RSA key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})},
		{"certificate", "certificate", cert},
	}
	var errs []error
	for _, c := range privCases {
		_, err := ParsePrivateKey(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("private %s: %v, want an error containing %q", c.name, err, c.want)
		}
		errs = append(errs, err)
	}

	_, err = ParsePublicKey(cert)
	if !errors.Is(err, ErrCertificateMode) {
		t.Errorf("public certificate: %v, want ErrCertificateMode", err)
	}
	_, err = ParsePublicKey(bareBase64(cert))
	if !errors.Is(err, ErrCertificateMode) {
		t.Errorf("public bare certificate: %v, want ErrCertificateMode", err)
	}
	_, err = ParsePublicKey(priv)
	if err == nil || !strings.Contains(err.Error(), "private key was given") {
		t.Errorf("public given a private key: %v", err)
	}
	errs = append(errs, err)

	// New with each broken private key, and with valid ones in other broken configs.
	for _, c := range privCases {
		_, err := New(Config{AppID: testAppID, PrivateKeyPEM: c.data, AlipayPublicKeyPEM: readTestdata(t, "alipay_public_key.pem")})
		errs = append(errs, err)
	}
	for _, cfg := range []Config{
		{AppID: testAppID, PrivateKeyPEM: priv, AlipayPublicKeyPEM: priv},
		{AppID: testAppID, PrivateKeyPEM: priv, SignType: "RSA"},
		{AppID: testAppID, PrivateKeyPEM: priv, Charset: "GBK"},
		{AppID: "", PrivateKeyPEM: priv},
		{AppID: testAppID, PrivateKeyPEM: priv, AlipayPublicKeyPEM: readTestdata(t, "alipay_public_key.pem"), GatewayURL: "openapi.alipay.com/gateway.do"},
	} {
		_, err := New(cfg)
		if err == nil {
			t.Errorf("New(%v) accepted a broken config", cfg)
		}
		errs = append(errs, err)
		errs = append(errs, fmt.Errorf("%v %+v %#v %s", cfg, cfg, cfg, cfg))
	}
	assertNoSecret(t, errs, lines)
}

// assertNoSecret fails when any error message contains a line of the private key.
func assertNoSecret(t *testing.T, errs []error, keyLines []string) {
	t.Helper()
	for _, err := range errs {
		if err == nil {
			continue
		}
		msg := err.Error()
		for _, l := range keyLines {
			for i := 0; i+16 <= len(l); i += 16 {
				if strings.Contains(msg, l[i:i+16]) {
					t.Fatalf("an error message contains private key material: %.200q", msg)
				}
			}
		}
		if strings.Contains(msg, base64.StdEncoding.EncodeToString([]byte("PRIVATE"))) || strings.Contains(msg, "BEGIN RSA PRIVATE KEY") {
			t.Fatalf("an error message quotes a key: %.200q", msg)
		}
	}
}
