package alipay

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
)

// MinKeyBits is the smallest RSA key accepted: Alipay requires 2048-bit keys for RSA2,
// and a shorter key would be refused by the gateway only at the first call.
const MinKeyBits = 2048

// ErrCertificateMode is returned when a certificate is configured where a public key
// is expected: the certificate mode is not supported (see the package documentation).
var ErrCertificateMode = errors.New("alipay: a certificate was given but only the public-key mode (公钥模式) is supported; configure the Alipay public key shown in the open platform console instead of alipayCertPublicKey_RSA2.crt")

// ParsePrivateKey reads the app's RSA private key from PKCS#1 or PKCS#8 PEM, or from the
// bare base64 DER that Alipay's key tool writes. Its errors describe the input's shape
// and never quote the input, so they can be logged.
func ParsePrivateKey(data []byte) (*rsa.PrivateKey, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("alipay: the app private key is empty; set it from the PEM file generated with Alipay's key tool")
	}
	var der []byte
	kind := "base64 DER"
	if block, _ := pem.Decode(data); block != nil {
		switch block.Type {
		case "RSA PRIVATE KEY", "PRIVATE KEY":
			kind = block.Type
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("alipay: the app private key is encrypted; store it unencrypted (openssl pkcs8 -topk8 -nocrypt) and protect it with the platform's secret encryption instead")
		case "PUBLIC KEY", "RSA PUBLIC KEY":
			return nil, errors.New("alipay: a public key was given where the app private key is expected")
		case "CERTIFICATE":
			return nil, errors.New("alipay: a certificate was given where the app private key is expected")
		default:
			return nil, fmt.Errorf("alipay: the app private key is a PEM block of type %q; want \"RSA PRIVATE KEY\" (PKCS#1) or \"PRIVATE KEY\" (PKCS#8)", block.Type)
		}
		if len(block.Headers) > 0 {
			return nil, errors.New("alipay: the app private key PEM has headers (is it encrypted?); store it unencrypted")
		}
		der = block.Bytes
	} else {
		var err error
		if der, err = decodeBareBase64(data); err != nil {
			return nil, errors.New("alipay: the app private key is neither PEM nor base64 DER")
		}
	}
	key, err := parsePrivateDER(der, kind)
	if err != nil {
		return nil, err
	}
	if bits := key.N.BitLen(); bits < MinKeyBits {
		return nil, fmt.Errorf("alipay: the app private key has %d bits; RSA2 needs at least %d", bits, MinKeyBits)
	}
	return key, nil
}

// parsePrivateDER tries the format the PEM type announces first and the other one next,
// because keys pasted from Alipay's tool are often labelled loosely. The x509 errors are
// not wrapped: they are about ASN.1 structure, and a fixed message is enough to act on.
func parsePrivateDER(der []byte, kind string) (*rsa.PrivateKey, error) {
	if kind != "PRIVATE KEY" {
		if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
			return k, nil
		}
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("alipay: the app private key is a %T; RSA2 needs an RSA key", k)
		}
		return rk, nil
	}
	if kind == "PRIVATE KEY" {
		if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("alipay: the app private key (%s) is not a valid PKCS#1 or PKCS#8 RSA private key", kind)
}

// ParsePublicKey reads the Alipay public key from PKIX ("PUBLIC KEY") or PKCS#1
// ("RSA PUBLIC KEY") PEM, or from the bare base64 DER that the open platform console
// shows. A certificate is refused with ErrCertificateMode.
func ParsePublicKey(data []byte) (*rsa.PublicKey, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("alipay: the Alipay public key is empty; copy it from the app's 接口加签方式 page of the open platform console")
	}
	var der []byte
	pkcs1 := false
	if block, _ := pem.Decode(data); block != nil {
		switch block.Type {
		case "PUBLIC KEY":
		case "RSA PUBLIC KEY":
			pkcs1 = true
		case "CERTIFICATE":
			return nil, ErrCertificateMode
		case "RSA PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("alipay: a private key was given where the Alipay public key is expected; the Alipay public key comes from the open platform console")
		default:
			return nil, fmt.Errorf("alipay: the Alipay public key is a PEM block of type %q; want \"PUBLIC KEY\"", block.Type)
		}
		der = block.Bytes
	} else {
		var err error
		if der, err = decodeBareBase64(data); err != nil {
			return nil, errors.New("alipay: the Alipay public key is neither PEM nor base64 DER")
		}
	}
	if pkcs1 {
		k, err := x509.ParsePKCS1PublicKey(der)
		if err != nil {
			return nil, fmt.Errorf("alipay: the Alipay public key is not a valid PKCS#1 RSA public key: %w", err)
		}
		return checkPublic(k)
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		if _, cerr := x509.ParseCertificate(der); cerr == nil {
			return nil, ErrCertificateMode
		}
		if k1, err1 := x509.ParsePKCS1PublicKey(der); err1 == nil {
			return checkPublic(k1)
		}
		return nil, fmt.Errorf("alipay: the Alipay public key is not a valid PKIX public key: %w", err)
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("alipay: the Alipay public key is a %T; RSA2 needs an RSA key", k)
	}
	return checkPublic(rk)
}

// checkPublic refuses keys too short for RSA2, so that a wrong paste fails at start-up.
func checkPublic(k *rsa.PublicKey) (*rsa.PublicKey, error) {
	if bits := k.N.BitLen(); bits < MinKeyBits {
		return nil, fmt.Errorf("alipay: the Alipay public key has %d bits; RSA2 needs at least %d", bits, MinKeyBits)
	}
	return k, nil
}

// decodeBareBase64 decodes a key pasted as base64 without PEM armour, possibly wrapped
// over several lines.
func decodeBareBase64(data []byte) ([]byte, error) {
	compact := bytes.Join(bytes.Fields(data), nil)
	return base64.StdEncoding.DecodeString(string(compact))
}
