package hotupdate

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// ParseEnvelope reads an envelope as received, strictly: one JSON object
// with exactly the members of the contract at every level, each of the right
// JSON type and shape, no duplicate members, nothing but whitespace after
// it, and schema 1. A verifier that tolerated more would sign off on bytes
// that another implementation reads differently; everything it refuses is a
// *VerifyError with ReasonMalformed (check 1).
//
// Beyond the contract's words it also refuses, as malformed, what has no
// single reading: duplicate member names, invalid UTF-8, lone surrogate
// escapes, and numbers spelled other than as plain non-negative integers up
// to 2^53−1 (no "1.0", "1e3" or "-0").
func ParseEnvelope(raw []byte) (Envelope, error) {
	p := parser{s: raw}
	var env Envelope
	if err := p.envelope(&env); err != nil {
		return Envelope{}, err
	}
	p.ws()
	if p.i != len(p.s) {
		return Envelope{}, p.errf("envelope", "trailing data after the envelope")
	}
	if err := checkEnvelopeShape(env); err != nil {
		return Envelope{}, err
	}
	return env, nil
}

// parser is a JSON reader driven by the envelope's schema: it never builds
// a generic tree and stops at the first member it does not expect, so its
// work and depth are bounded by the schema whatever the input.
type parser struct {
	s []byte
	i int
}

func (p *parser) errf(where, format string, args ...any) error {
	return &VerifyError{Reason: ReasonMalformed, Detail: fmt.Sprintf("%s: %s (at byte %d)", where, fmt.Sprintf(format, args...), p.i)}
}

// ws skips JSON whitespace.
func (p *parser) ws() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// got names the JSON type of the value starting at the current position.
func (p *parser) got() string {
	if p.i >= len(p.s) {
		return "the end of the input"
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || (c >= '0' && c <= '9'):
		return "a number"
	default:
		return fmt.Sprintf("%q, which is not JSON", rune(c))
	}
}

func (p *parser) want(where, what string) error {
	return p.errf(where, "want %s, got %s", what, p.got())
}

// object reads an object, calling member for each member name (the reader is
// then at the value, which member must consume) and refusing duplicates and
// missing required members.
func (p *parser) object(where string, required []string, member func(key string) error) error {
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return p.want(where, "an object")
	}
	p.i++
	seen := make(map[string]bool, len(required))
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
	} else {
		for {
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != '"' {
				return p.want(where, "a member name")
			}
			key, err := p.str(where)
			if err != nil {
				return err
			}
			if seen[key] {
				return p.errf(where, "duplicate member %q", key)
			}
			seen[key] = true
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return p.errf(where, "want ':' after member name %q", key)
			}
			p.i++
			p.ws()
			if err := member(key); err != nil {
				return err
			}
			p.ws()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
				continue
			}
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				break
			}
			return p.errf(where, "want ',' or '}' after member %q", key)
		}
	}
	for _, k := range required {
		if !seen[k] {
			return p.errf(where, "missing member %q", k)
		}
	}
	return nil
}

// array reads an array, calling elem for each element.
func (p *parser) array(where string, elem func(i int) error) error {
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '[' {
		return p.want(where, "an array")
	}
	p.i++
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return nil
	}
	for n := 0; ; n++ {
		p.ws()
		if err := elem(n); err != nil {
			return err
		}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return nil
		}
		return p.errf(where, "want ',' or ']' after element %d", n)
	}
}

// str reads a string: valid UTF-8, no raw control characters, only JSON's
// escapes, and \u escapes that pair their surrogates.
func (p *parser) str(where string) (string, error) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", p.want(where, "a string")
	}
	p.i++
	var buf []byte // only when the string has escapes
	start := p.i
	for {
		if p.i >= len(p.s) {
			return "", p.errf(where, "unterminated string")
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			var s string
			if buf == nil {
				s = string(p.s[start:p.i])
			} else {
				s = string(append(buf, p.s[start:p.i]...))
			}
			p.i++
			return s, nil
		case c == '\\':
			buf = append(buf, p.s[start:p.i]...)
			if p.i+1 >= len(p.s) {
				return "", p.errf(where, "unterminated escape")
			}
			esc := p.s[p.i+1]
			p.i += 2
			switch esc {
			case '"', '\\', '/':
				buf = append(buf, esc)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, err := p.hex4(where)
				if err != nil {
					return "", err
				}
				switch {
				case r >= 0xDC00 && r <= 0xDFFF:
					return "", p.errf(where, "lone low surrogate \\u%04x", r)
				case r >= 0xD800 && r <= 0xDBFF:
					if p.i+1 >= len(p.s) || p.s[p.i] != '\\' || p.s[p.i+1] != 'u' {
						return "", p.errf(where, "lone high surrogate \\u%04x", r)
					}
					p.i += 2
					lo, err := p.hex4(where)
					if err != nil {
						return "", err
					}
					if lo < 0xDC00 || lo > 0xDFFF {
						return "", p.errf(where, "high surrogate \\u%04x not followed by a low one", r)
					}
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.errf(where, "invalid escape \\%c", rune(esc))
			}
			start = p.i
		case c < 0x20:
			return "", p.errf(where, "control character U+%04X must be escaped", c)
		case c < utf8.RuneSelf:
			p.i++
		default:
			r, size := utf8.DecodeRune(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errf(where, "invalid UTF-8")
			}
			p.i += size
		}
	}
}

// hex4 reads the four hex digits of a \u escape.
func (p *parser) hex4(where string) (rune, error) {
	if p.i+4 > len(p.s) {
		return 0, p.errf(where, "short \\u escape")
	}
	var r rune
	for _, c := range p.s[p.i : p.i+4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, p.errf(where, "invalid \\u escape")
		}
		r = r<<4 | rune(d)
	}
	p.i += 4
	return r, nil
}

// integer reads a non-negative integer up to 2^53−1 spelled as plain digits.
func (p *parser) integer(where string) (int64, error) {
	if p.i >= len(p.s) || p.s[p.i] < '0' || p.s[p.i] > '9' {
		if p.i < len(p.s) && p.s[p.i] == '-' {
			return 0, p.errf(where, "want a non-negative integer, got a negative number")
		}
		return 0, p.want(where, "an integer")
	}
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	digits := string(p.s[start:p.i])
	if p.i < len(p.s) && (p.s[p.i] == '.' || p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		return 0, p.errf(where, "want an integer written without fraction or exponent")
	}
	if len(digits) > 1 && digits[0] == '0' {
		return 0, p.errf(where, "number with a leading zero is not JSON")
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > maxSafeInteger {
		return 0, p.errf(where, "integer %s is larger than 2^53-1", digits)
	}
	return n, nil
}

func (p *parser) unknown(where, key string) error {
	return p.errf(where, "unknown member %q", key)
}

func (p *parser) envelope(env *Envelope) error {
	return p.object("envelope", []string{"manifest", "signature"}, func(key string) error {
		switch key {
		case "manifest":
			return p.manifest(&env.Manifest)
		case "signature":
			return p.signature(&env.Signature)
		}
		return p.unknown("envelope", key)
	})
}

func (p *parser) signature(sig *Signature) error {
	const where = "signature"
	return p.object(where, []string{"alg", "key_id", "value"}, func(key string) (err error) {
		switch key {
		case "alg":
			sig.Alg, err = p.str(where + ".alg")
		case "key_id":
			sig.KeyID, err = p.str(where + ".key_id")
		case "value":
			sig.Value, err = p.str(where + ".value")
		default:
			err = p.unknown(where, key)
		}
		return err
	})
}

var manifestMembers = []string{"schema", "app_id", "bundle_id", "version", "created_at", "entry", "min_container", "files"}

func (p *parser) manifest(m *Manifest) error {
	const where = "manifest"
	return p.object(where, manifestMembers, func(key string) (err error) {
		switch key {
		case "schema":
			var n int64
			n, err = p.integer(where + ".schema")
			m.Schema = int(n)
		case "app_id":
			m.AppID, err = p.str(where + ".app_id")
		case "bundle_id":
			m.BundleID, err = p.str(where + ".bundle_id")
		case "version":
			m.Version, err = p.str(where + ".version")
		case "created_at":
			m.CreatedAt, err = p.str(where + ".created_at")
		case "entry":
			m.Entry, err = p.str(where + ".entry")
		case "min_container":
			m.MinContainer = map[string]string{}
			err = p.object(where+".min_container", nil, func(kind string) error {
				v, err := p.str(fmt.Sprintf("%s.min_container[%q]", where, kind))
				m.MinContainer[kind] = v
				return err
			})
		case "files":
			m.Files = []File{}
			err = p.array(where+".files", func(i int) error {
				f, err := p.file(fmt.Sprintf("%s.files[%d]", where, i))
				m.Files = append(m.Files, f)
				return err
			})
		default:
			err = p.unknown(where, key)
		}
		return err
	})
}

func (p *parser) file(where string) (File, error) {
	var f File
	err := p.object(where, []string{"path", "size", "sha256", "content_type"}, func(key string) (err error) {
		switch key {
		case "path":
			f.Path, err = p.str(where + ".path")
		case "size":
			f.Size, err = p.integer(where + ".size")
		case "sha256":
			f.SHA256, err = p.str(where + ".sha256")
		case "content_type":
			f.ContentType, err = p.str(where + ".content_type")
		default:
			err = p.unknown(where, key)
		}
		return err
	})
	return f, err
}
