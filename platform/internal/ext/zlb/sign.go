package zlb

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// The gateway's request-authentication headers (业务协同网关 HMAC 鉴权).
const (
	HeaderAccessKey = "X-BG-HMAC-ACCESS-KEY"
	HeaderSignature = "X-BG-HMAC-SIGNATURE"
	HeaderAlgorithm = "X-BG-HMAC-ALGORITHM"
	HeaderDateTime  = "X-BG-DATE-TIME"
	// Algorithm is the only algorithm the gateway accepts.
	Algorithm = "hmac-sha256"
	// DateLayout is RFC 1123 in GMT, the layout of HTTP's Date header. The
	// gateway refuses a date more than 5 minutes from its clock, so the
	// platform's clock must be NTP-synchronised.
	DateLayout = "Mon, 02 Jan 2006 15:04:05 GMT"
)

// SigningString is the canonical string a request's signature covers,
// exactly:
//
//	METHOD + "\n" + PATH + "\n" + QUERY + "\n" + ACCESS_KEY + "\n" + DATE_TIME + "\n"
//
// METHOD upper case; PATH the escaped path on the wire ("/" when empty),
// including the gateway prefix of BaseURL; QUERY the CanonicalQuery of the raw
// query ("" when none); ACCESS_KEY and DATE_TIME the header values. The
// trailing newline belongs to the scheme. The body is not covered, as on the
// real gateway.
//
// It is written out here rather than shared with sandbox/zlb because the
// sandbox must not know the platform; a fixed vector pinned in both packages'
// tests keeps the two copies equal.
func SigningString(method, path, rawQuery, accessKey, dateTime string) string {
	if path == "" {
		path = "/"
	}
	return strings.ToUpper(method) + "\n" + path + "\n" + CanonicalQuery(rawQuery) + "\n" + accessKey + "\n" + dateTime + "\n"
}

// CanonicalQuery decodes the pairs of a raw query, sorts them by key then by
// value (byte order), re-encodes them with RFC 3986 percent-encoding (a space
// as %20, hex upper case) and joins them with "&". Decoding first makes the
// result independent of how a URL library chose to escape.
func CanonicalQuery(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, part := range strings.Split(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		pairs = append(pairs, pair{k, v})
	}
	sort.SliceStable(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = escape(p.k) + "=" + escape(p.v)
	}
	return strings.Join(parts, "&")
}

// escape is RFC 3986 percent-encoding (url.QueryEscape writes a space as
// "+", which the gateway's other clients do not).
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// Sign is the X-BG-HMAC-SIGNATURE of a signing string: standard base64 of
// HMAC-SHA256 keyed with the secretKey.
func Sign(secretKey, signingString string) string {
	m := hmac.New(sha256.New, []byte(secretKey))
	m.Write([]byte(signingString))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
