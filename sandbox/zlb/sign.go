package zlb

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
)

// The gateway's request-authentication headers (业务协同网关 HMAC 鉴权). Every
// API request carries all four; the login page, which a browser opens, carries
// none.
const (
	HeaderAccessKey = "X-BG-HMAC-ACCESS-KEY"
	HeaderSignature = "X-BG-HMAC-SIGNATURE"
	HeaderAlgorithm = "X-BG-HMAC-ALGORITHM"
	HeaderDateTime  = "X-BG-DATE-TIME"
	// Algorithm is the only value of HeaderAlgorithm the gateway accepts.
	Algorithm = "hmac-sha256"
	// DateLayout is the layout of HeaderDateTime: RFC 1123 in GMT, the
	// layout of HTTP's Date header (net/http.TimeFormat).
	DateLayout = "Mon, 02 Jan 2006 15:04:05 GMT"
)

// SigningString is the canonical string a request's signature covers,
// exactly:
//
//	METHOD + "\n" + PATH + "\n" + QUERY + "\n" + ACCESS_KEY + "\n" + DATE_TIME + "\n"
//
// METHOD is upper case; PATH is the escaped path the client put on the wire
// ("/" when empty), including any prefix the gateway is mounted under; QUERY
// is CanonicalQuery of the raw query ("" when there is none); ACCESS_KEY and
// DATE_TIME are the values of the X-BG-HMAC-ACCESS-KEY and X-BG-DATE-TIME
// headers. Note the trailing newline: it is part of the published scheme and
// the commonest reason for "Invalid signature".
//
// The body is not covered, as on the real gateway; the ticket and token it
// carries are protected by TLS and by being single-use or short-lived, not by
// the signature.
func SigningString(method, path, rawQuery, accessKey, dateTime string) string {
	if path == "" {
		path = "/"
	}
	return strings.ToUpper(method) + "\n" + path + "\n" + CanonicalQuery(rawQuery) + "\n" + accessKey + "\n" + dateTime + "\n"
}

// CanonicalQuery puts a raw query in the one order both sides agree on: the
// pairs are decoded, sorted by key then by value (byte order), re-encoded
// with RFC 3986 percent-encoding (unreserved characters kept, a space as %20,
// hex in upper case) and joined by "&"; a key without "=" gets an empty value.
// Decoding first makes "a=%7e" and "a=~" sign alike, whichever way a client's
// URL library escaped them.
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

// escape is RFC 3986 percent-encoding: everything but ALPHA, DIGIT and
// "-._~" is encoded. url.QueryEscape is not used because it writes a space
// as "+", which other languages' clients do not.
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

// Sign is the X-BG-HMAC-SIGNATURE of a signing string: standard base64 (with
// padding) of HMAC-SHA256 keyed with the app's secretKey.
func Sign(secretKey, signingString string) string {
	m := hmac.New(sha256.New, []byte(secretKey))
	m.Write([]byte(signingString))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
