package alipay

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// The protocol pieces below repeat what the platform's client does, on purpose: the
// sandbox imports only the standard library and must not share code with the client it
// checks, or a bug on one side would be copied to the other and never be caught.

// timestampLayout is the layout of timestamp and notify_time.
const timestampLayout = "2006-01-02 15:04:05"

// beijing is UTC+8, the zone Alipay reads and writes timestamps in.
var beijing = time.FixedZone("CST", 8*3600)

// signContent is the RSA2 signed string: parameters except those in skip and those with
// an empty value, sorted by key, joined as k=v&… with raw values.
func signContent(params url.Values, skip ...string) string {
	keys := make([]string, 0, len(params))
	for k, vs := range params {
		if len(vs) == 0 || vs[0] == "" || contains(skip, k) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k + "=" + params[k][0])
	}
	return b.String()
}

// contains reports whether xs holds x.
func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// rsa2Sign signs content with SHA256withRSA (PKCS#1 v1.5) and returns base64.
func rsa2Sign(key *rsa.PrivateKey, content []byte) (string, error) {
	sum := sha256.Sum256(content)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// rsa2Verify checks a base64 SHA256withRSA signature.
func rsa2Verify(key *rsa.PublicKey, content []byte, sign string) bool {
	sig, err := base64.StdEncoding.DecodeString(sign)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(content)
	return rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig) == nil
}

// parsePublicKey reads an app public key as uploaded to the open platform: PKIX or
// PKCS#1 PEM, or bare base64 DER.
func parsePublicKey(data []byte) (*rsa.PublicKey, error) {
	data = bytes.TrimSpace(data)
	der := data
	if block, _ := pem.Decode(data); block != nil {
		der = block.Bytes
	} else {
		d, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(data), nil)))
		if err != nil {
			return nil, errors.New("sandbox/alipay: the app public key is neither PEM nor base64 DER")
		}
		der = d
	}
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("sandbox/alipay: the app public key is a %T, not RSA", k)
		}
		return rk, nil
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("sandbox/alipay: the app public key is not a PKIX or PKCS#1 RSA public key")
}

// parsePrivateKey reads the gateway's own key from PKCS#1 or PKCS#8 PEM.
func parsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("sandbox/alipay: the gateway private key is not PEM")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("sandbox/alipay: the gateway private key is not PKCS#1 or PKCS#8")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("sandbox/alipay: the gateway private key is a %T, not RSA", k)
	}
	return rk, nil
}

// publicKeyPEM encodes a public key as PKIX PEM, the form the platform configures.
func publicKeyPEM(k *rsa.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		panic(err) // cannot happen for an RSA key
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
