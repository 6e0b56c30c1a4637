package hotupdate

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"
)

// maxSafeInteger is the largest integer the canonical form carries, 2^53−1,
// the largest that every JSON implementation (JavaScript's numbers among
// them) reads exactly.
const maxSafeInteger = 1<<53 - 1

// Canonical returns the canonical JSON of m, the bytes that are hashed into
// BundleID and signed: RFC 8785 (JCS) restricted to what a manifest holds —
// no whitespace, members sorted by key, integers in 0..2^53−1, strings with
// only the escapes JSON.stringify makes (so every other character, "<", "&",
// U+2028 included, is literal UTF-8). Sorted keys plus JSON.stringify give
// the same bytes in JavaScript.
//
// A nil MinContainer encodes as {} and nil Files as []. It fails on what has
// no canonical form: strings that are not valid UTF-8 and integers out of
// range.
func Canonical(m Manifest) ([]byte, error) {
	var e canonEncoder
	e.manifest(m)
	if e.err != nil {
		return nil, e.err
	}
	return e.buf, nil
}

// MarshalEnvelope returns the canonical JSON of a whole envelope
// ({"manifest":…,"signature":…}, both objects canonical), the bytes to
// upload or serve: deterministic, so that equal envelopes are equal bytes
// and ETags and stored copies do not depend on who encoded them.
func MarshalEnvelope(env Envelope) ([]byte, error) {
	var e canonEncoder
	e.raw(`{"manifest":`)
	e.manifest(env.Manifest)
	e.raw(`,"signature":{"alg":`)
	e.str(env.Signature.Alg)
	e.raw(`,"key_id":`)
	e.str(env.Signature.KeyID)
	e.raw(`,"value":`)
	e.str(env.Signature.Value)
	e.raw(`}}`)
	if e.err != nil {
		return nil, e.err
	}
	return e.buf, nil
}

// canonEncoder appends canonical JSON to buf and keeps the first error.
type canonEncoder struct {
	buf []byte
	err error
}

func (e *canonEncoder) raw(s string) { e.buf = append(e.buf, s...) }

func (e *canonEncoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

func (e *canonEncoder) manifest(m Manifest) {
	// Members in bytewise key order: app_id, bundle_id, created_at, entry,
	// files, min_container, schema, version.
	e.raw(`{"app_id":`)
	e.str(m.AppID)
	e.raw(`,"bundle_id":`)
	e.str(m.BundleID)
	e.raw(`,"created_at":`)
	e.str(m.CreatedAt)
	e.raw(`,"entry":`)
	e.str(m.Entry)
	e.raw(`,"files":[`)
	for i, f := range m.Files {
		if i > 0 {
			e.raw(",")
		}
		// content_type, path, sha256, size.
		e.raw(`{"content_type":`)
		e.str(f.ContentType)
		e.raw(`,"path":`)
		e.str(f.Path)
		e.raw(`,"sha256":`)
		e.str(f.SHA256)
		e.raw(`,"size":`)
		e.integer(f.Size, "size of "+strconv.Quote(f.Path))
		e.raw("}")
	}
	e.raw(`],"min_container":{`)
	keys := make([]string, 0, len(m.MinContainer))
	for k := range m.MinContainer {
		keys = append(keys, k)
	}
	sort.Strings(keys) // bytewise, as JCS wants for ASCII keys
	for i, k := range keys {
		if i > 0 {
			e.raw(",")
		}
		e.str(k)
		e.raw(":")
		e.str(m.MinContainer[k])
	}
	e.raw(`},"schema":`)
	e.integer(int64(m.Schema), "schema")
	e.raw(`,"version":`)
	e.str(m.Version)
	e.raw("}")
}

func (e *canonEncoder) integer(n int64, what string) {
	if n < 0 || n > maxSafeInteger {
		e.fail(fmt.Errorf("%s %d is outside 0..2^53-1", what, n))
		return
	}
	e.buf = strconv.AppendInt(e.buf, n, 10)
}

var errInvalidUTF8 = errors.New("string is not valid UTF-8")

const hexDigits = "0123456789abcdef"

// str appends s as a JSON string with JSON.stringify's escapes only.
func (e *canonEncoder) str(s string) {
	if !utf8.ValidString(s) {
		e.fail(fmt.Errorf("%w: %q", errInvalidUTF8, s))
		return
	}
	e.buf = append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		e.buf = append(e.buf, s[start:i]...)
		switch c {
		case '"':
			e.buf = append(e.buf, '\\', '"')
		case '\\':
			e.buf = append(e.buf, '\\', '\\')
		case '\b':
			e.buf = append(e.buf, '\\', 'b')
		case '\t':
			e.buf = append(e.buf, '\\', 't')
		case '\n':
			e.buf = append(e.buf, '\\', 'n')
		case '\f':
			e.buf = append(e.buf, '\\', 'f')
		case '\r':
			e.buf = append(e.buf, '\\', 'r')
		default:
			e.buf = append(e.buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	e.buf = append(e.buf, s[start:]...)
	e.buf = append(e.buf, '"')
}
