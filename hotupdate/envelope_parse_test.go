package hotupdate_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/govapp/govapp/hotupdate"
)

// validRaw is a valid canonical envelope to edit.
func validRaw(t *testing.T) []byte {
	t.Helper()
	env, _ := signed(t, map[string][]byte{"index.html": []byte("<p>")}, nil)
	raw, err := hotupdate.MarshalEnvelope(env)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestParseEnvelopeStrict(t *testing.T) {
	raw := string(validRaw(t))
	sub := func(old, new string) string {
		if strings.Count(raw, old) != 1 {
			t.Fatalf("%q occurs %d times", old, strings.Count(raw, old))
		}
		return strings.Replace(raw, old, new, 1)
	}
	ok := map[string]string{
		"canonical":         raw,
		"whitespace around": " \t\r\n" + raw + " \n",
		"escaped member":    sub(`"entry":`, `"\u0065ntry":`),
		"escaped value":     sub(`"entry":"index.html"`, `"entry":"\u0069ndex.html"`),
		"escaped slash":     sub(`"content_type":"text/html; charset=utf-8"`, `"content_type":"text\/html; charset=utf-8"`),
		"uppercase \\u hex": sub(`"entry":"index.html"`, `"entry":"\u0069nde\u0078.html"`),
		"members reordered": reorder(raw),
	}
	for name, in := range ok {
		if _, err := hotupdate.ParseEnvelope([]byte(in)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := map[string]string{
		"BOM":                     "\ufeff" + raw,
		"duplicate member":        sub(`"entry":"index.html",`, `"entry":"index.html","entry":"index.html",`),
		"duplicate escaped":       sub(`"entry":"index.html",`, `"entry":"index.html","\u0065ntry":"index.html",`),
		"case-variant member":     sub(`"entry":`, `"Entry":`),
		"size 1.0":                sub(`"size":3}`, `"size":3.0}`),
		"size 3e0":                sub(`"size":3}`, `"size":3e0}`),
		"size -0":                 sub(`"size":3}`, `"size":-0}`),
		"size 03":                 sub(`"size":3}`, `"size":03}`),
		"size 2^53":               sub(`"size":3}`, `"size":9007199254740992}`),
		"size huge":               sub(`"size":3}`, `"size":99999999999999999999999}`),
		"schema true":             sub(`"schema":1`, `"schema":true`),
		"lone high surrogate":     sub(`"entry":"index.html"`, `"entry":"\ud83dindex.html"`),
		"lone low surrogate":      sub(`"entry":"index.html"`, `"entry":"\ude00index.html"`),
		"reversed surrogates":     sub(`"entry":"index.html"`, `"entry":"\ude00\ud83d"`),
		"invalid UTF-8":           sub(`"entry":"index.html"`, "\"entry\":\"index\xff.html\""),
		"UTF-8 surrogate":         sub(`"entry":"index.html"`, "\"entry\":\"\xed\xa0\x80\""),
		"overlong UTF-8":          sub(`"entry":"index.html"`, "\"entry\":\"\xc0\xaf\""),
		"raw control":             sub(`"entry":"index.html"`, "\"entry\":\"index\n.html\""),
		"bad escape":              sub(`"entry":"index.html"`, `"entry":"index\x2e.html"`),
		"short \\u":               sub(`"entry":"index.html"`, `"entry":"\u00"`),
		"single quotes":           sub(`"entry":"index.html"`, `'entry':'index.html'`),
		"trailing comma object":   sub(`"version":"1.0.0"}`, `"version":"1.0.0",}`),
		"trailing comma array":    sub(`}],"min_container"`, `},],"min_container"`),
		"trailing garbage":        raw + "x",
		"two envelopes":           raw + raw,
		"NUL after":               raw + "\x00",
		"non-JSON whitespace":     "\u00a0" + raw,
		"form feed":               "\f" + raw,
		"comment":                 "/**/" + raw,
		"nested unknown":          sub(`"files":[`, `"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],"files":[`),
		"null manifest":           `{"manifest":null,"signature":{}}`,
		"missing signature":       `{"manifest":` + raw[len(`{"manifest":`):strings.Index(raw, `,"signature"`)] + `}`,
		"unterminated":            raw[:len(raw)-1],
		"empty":                   "",
		"only whitespace":         " ",
		"number":                  "1",
		"string":                  `"x"`,
		"uppercase key_id":        strings.Replace(raw, `"key_id":"`, `"key_id":"A`, 1),
		"key_id 17 hex":           strings.Replace(raw, `"key_id":"`, `"key_id":"a`, 1),
		"value with line break":   strings.Replace(raw, `"value":"`, `"value":"\n`, 1),
		"value non-canonical b64": raw[:strings.Index(raw, `"value":"`)] + `"value":"AB=="}}`,
		"value empty":             raw[:strings.Index(raw, `"value":"`)] + `"value":""}}`,
	}
	for name, in := range bad {
		env, err := hotupdate.ParseEnvelope([]byte(in))
		if hotupdate.Reason(err) != hotupdate.ReasonMalformed {
			t.Errorf("%s: %v, want malformed", name, err)
		}
		if !reflect.DeepEqual(env, hotupdate.Envelope{}) {
			t.Errorf("%s: a non-zero envelope came with the error", name)
		}
	}
}

func TestParseEnvelopeValues(t *testing.T) {
	raw := validRaw(t)
	env, err := hotupdate.ParseEnvelope(raw)
	if err != nil {
		t.Fatal(err)
	}
	if env.Manifest.MinContainer == nil || env.Manifest.Files == nil {
		t.Fatal("empty min_container or files read as nil")
	}
	again, err := hotupdate.MarshalEnvelope(env)
	if err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("re-encoding a canonical envelope changed it: %v\n%s\n%s", err, raw, again)
	}
	// Escapes decode to the characters they stand for.
	esc := bytes.Replace(raw, []byte(`"entry":"index.html"`), []byte(`"entry":"\"\\\/\b\f\n\r\t\u0000\u00e9\u2028\ud83d\ude00"`), 1)
	env, err = hotupdate.ParseEnvelope(esc)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\"\\/\b\f\n\r\t\x00é\u2028😀"; env.Manifest.Entry != want {
		t.Fatalf("entry %q, want %q", env.Manifest.Entry, want)
	}
}

// reorder puts the signature before the manifest.
func reorder(raw string) string {
	i := strings.Index(raw, `,"signature":`)
	return `{"signature":` + raw[i+len(`,"signature":`):len(raw)-1] + `,"manifest":` + raw[len(`{"manifest":`):i] + `}`
}
