package hotupdate_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/govapp/govapp/hotupdate"
)

// sample is a small manifest with every member set.
func sample() hotupdate.Manifest {
	return hotupdate.Manifest{
		Schema:       1,
		AppID:        "housing-fund",
		BundleID:     "",
		Version:      "1.4.2",
		CreatedAt:    "2026-11-27T14:00:00Z",
		Entry:        "index.html",
		MinContainer: map[string]string{"wechat": "8.0", "govapp": "3.2.0"},
		Files: []hotupdate.File{
			{Path: "assets/app.js", Size: 10234, SHA256: strings.Repeat("a", 64), ContentType: "text/javascript; charset=utf-8"},
			{Path: "index.html", Size: 812, SHA256: strings.Repeat("b", 64), ContentType: "text/html; charset=utf-8"},
		},
	}
}

func TestCanonicalGolden(t *testing.T) {
	withEntry := func(e string) hotupdate.Manifest {
		m := sample()
		m.Entry = e
		m.Files = nil
		m.MinContainer = nil
		return m
	}
	const prefix = `{"app_id":"housing-fund","bundle_id":"","created_at":"2026-11-27T14:00:00Z","entry":`
	const suffix = `,"files":[],"min_container":{},"schema":1,"version":"1.4.2"}`
	cases := []struct {
		name string
		m    hotupdate.Manifest
		want string
	}{
		{
			name: "key order, no whitespace, integers",
			m:    sample(),
			want: `{"app_id":"housing-fund","bundle_id":"","created_at":"2026-11-27T14:00:00Z","entry":"index.html",` +
				`"files":[{"content_type":"text/javascript; charset=utf-8","path":"assets/app.js","sha256":"` + strings.Repeat("a", 64) + `","size":10234},` +
				`{"content_type":"text/html; charset=utf-8","path":"index.html","sha256":"` + strings.Repeat("b", 64) + `","size":812}],` +
				`"min_container":{"govapp":"3.2.0","wechat":"8.0"},"schema":1,"version":"1.4.2"}`,
		},
		{name: "nil files and min_container", m: withEntry("x"), want: prefix + `"x"` + suffix},
		{name: "short escapes", m: withEntry("\"\\\b\t\n\f\r"), want: prefix + `"\"\\\b\t\n\f\r"` + suffix},
		{name: "other controls as lowercase \\u00xx", m: withEntry("\x00\x01\x0b\x1a\x1f"), want: prefix + `"\u0000\u0001\u000b\u001a\u001f"` + suffix},
		{name: "DEL is literal", m: withEntry("\x7f"), want: prefix + "\"\x7f\"" + suffix},
		{name: "no HTML escaping, / literal", m: withEntry("</script>&'"), want: prefix + `"</script>&'"` + suffix},
		{name: "U+2028 and U+2029 literal", m: withEntry("a\u2028b\u2029c"), want: prefix + "\"a\u2028b\u2029c\"" + suffix},
		{name: "non-ASCII literal, astral too", m: withEntry("首页😀é\ufffd"), want: prefix + "\"首页😀é\ufffd\"" + suffix},
		{name: "largest integer", m: func() hotupdate.Manifest {
			m := withEntry("x")
			m.Files = []hotupdate.File{{Path: "a", Size: 1<<53 - 1, SHA256: "c", ContentType: "t"}}
			return m
		}(), want: prefix + `"x","files":[{"content_type":"t","path":"a","sha256":"c","size":9007199254740991}],"min_container":{},"schema":1,"version":"1.4.2"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := hotupdate.Canonical(c.m)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			// Whatever is canonical is JSON that reads back to the same
			// values.
			var v map[string]any
			if err := json.Unmarshal(got, &v); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if v["entry"] != c.m.Entry {
				t.Fatalf("entry reads back as %q", v["entry"])
			}
		})
	}
}

func TestCanonicalRefuses(t *testing.T) {
	for name, edit := range map[string]func(*hotupdate.Manifest){
		"invalid UTF-8":       func(m *hotupdate.Manifest) { m.Entry = "\xff" },
		"invalid UTF-8 key":   func(m *hotupdate.Manifest) { m.MinContainer = map[string]string{"\xc3": "1"} },
		"negative size":       func(m *hotupdate.Manifest) { m.Files[0].Size = -1 },
		"size beyond 2^53-1":  func(m *hotupdate.Manifest) { m.Files[0].Size = 1 << 53 },
		"negative schema":     func(m *hotupdate.Manifest) { m.Schema = -1 },
		"lone surrogate UTF8": func(m *hotupdate.Manifest) { m.Files[0].Path = "\xed\xa0\x80" },
	} {
		m := sample()
		m.Files = append([]hotupdate.File{}, m.Files...)
		edit(&m)
		if b, err := hotupdate.Canonical(m); err == nil {
			t.Errorf("%s: Canonical gave %s, want an error", name, b)
		}
	}
}

func TestBundleIDIgnoresBundleID(t *testing.T) {
	m := sample()
	c, _ := hotupdate.Canonical(m) // BundleID "" in sample
	sum := sha256.Sum256(c)
	want := hex.EncodeToString(sum[:])
	for _, id := range []string{"", "x", want} {
		m.BundleID = id
		got, err := hotupdate.BundleID(m)
		if err != nil || got != want {
			t.Fatalf("BundleID with bundle_id %q = %q, %v; want %s", id, got, err, want)
		}
	}
}

func TestMarshalEnvelopeIsCanonical(t *testing.T) {
	env := hotupdate.Envelope{Manifest: sample(), Signature: hotupdate.Signature{Alg: "ed25519", KeyID: "0123456789abcdef", Value: "AA=="}}
	b, err := hotupdate.MarshalEnvelope(env)
	if err != nil {
		t.Fatal(err)
	}
	mc, _ := hotupdate.Canonical(env.Manifest)
	want := `{"manifest":` + string(mc) + `,"signature":{"alg":"ed25519","key_id":"0123456789abcdef","value":"AA=="}}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}
