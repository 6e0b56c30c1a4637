package alipay

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// TimestampLayout is the layout of the timestamp parameter and of notify_time.
const TimestampLayout = "2006-01-02 15:04:05"

// beijing is UTC+8 without daylight saving, the zone Alipay reads timestamps in. It is a
// fixed zone rather than time.LoadLocation("Asia/Shanghai") so that it needs no tzdata on
// the machine and cannot follow the machine's zone.
var beijing = time.FixedZone("CST", 8*3600)

// FormatTimestamp formats t as Alipay expects: Beijing time (UTC+8), whatever the zone
// of t or of the machine. A timestamp in UTC would be eight hours off and the gateway
// would refuse it as isv.invalid-timestamp.
func FormatTimestamp(t time.Time) string { return t.In(beijing).Format(TimestampLayout) }

// ParseTimestamp reads a timestamp or notify_time written by Alipay (Beijing time).
func ParseTimestamp(s string) (time.Time, error) {
	return time.ParseInLocation(TimestampLayout, s, beijing)
}

// Signature errors. They wrap into messages that say which step failed.
var (
	// ErrBadSignature means a response or notification did not verify against the
	// Alipay public key: it was altered, forged, or the configured Alipay public key is
	// not the one of this app.
	ErrBadSignature = errors.New("alipay: signature does not verify")
	// ErrAmbiguousParams means a parameter appeared more than once; the signed string
	// has one value per key, so a repeated key could make the verified value differ
	// from the one used.
	ErrAmbiguousParams = errors.New("alipay: a parameter appears more than once")
)

// SignContent is the string RSA2 signs: the parameters sorted by key and joined as
// k=v&…, with raw (not URL-encoded) values, leaving out sign and parameters whose value
// is empty. A key that appears more than once is refused with ErrAmbiguousParams.
//
// Empty values are left out both when signing requests (as Alipay's SDKs do) and when
// verifying notifications, so that the same canonical form serves both; Alipay does not
// send empty notification fields, and if it ever did the check would fail closed.
func SignContent(params url.Values) (string, error) {
	keys := make([]string, 0, len(params))
	for k, vs := range params {
		if k == "sign" {
			continue
		}
		if len(vs) > 1 {
			return "", fmt.Errorf("%w: %q", ErrAmbiguousParams, k)
		}
		if k == "" || len(vs) == 0 || vs[0] == "" {
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
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params[k][0])
	}
	return b.String(), nil
}

// SignParams returns the base64 RSA2 signature of params (see SignContent) made with the
// app's private key; the caller puts it in the sign parameter.
func SignParams(params url.Values, key *rsa.PrivateKey) (string, error) {
	content, err := SignContent(params)
	if err != nil {
		return "", err
	}
	return signBytes([]byte(content), key)
}

// VerifyParams checks the sign parameter of params against the RSA2 signature of the
// other parameters (see SignContent) with key. It is what the gateway does with a
// request; notifications, which also leave out sign_type, go through VerifyNotify.
func VerifyParams(params url.Values, key *rsa.PublicKey) error {
	if len(params["sign"]) > 1 {
		return fmt.Errorf("%w: %q", ErrAmbiguousParams, "sign")
	}
	sign := params.Get("sign")
	if sign == "" {
		return fmt.Errorf("%w: the sign parameter is missing", ErrBadSignature)
	}
	content, err := SignContent(params)
	if err != nil {
		return err
	}
	return verifyBytes([]byte(content), sign, key)
}

// signBytes signs content with SHA256withRSA (PKCS#1 v1.5), which is deterministic, so a
// fixed key and content give a fixed signature that tests can pin.
func signBytes(content []byte, key *rsa.PrivateKey) (string, error) {
	if key == nil {
		return "", errors.New("alipay: no private key to sign with")
	}
	sum := sha256.Sum256(content)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("alipay: signing failed: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// verifyBytes checks a base64 SHA256withRSA signature over content.
func verifyBytes(content []byte, sign string, key *rsa.PublicKey) error {
	if key == nil {
		return errors.New("alipay: no public key to verify with")
	}
	sig, err := base64.StdEncoding.DecodeString(sign)
	if err != nil {
		return fmt.Errorf("%w: the signature is not base64", ErrBadSignature)
	}
	sum := sha256.Sum256(content)
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], sig); err != nil {
		return ErrBadSignature
	}
	return nil
}
