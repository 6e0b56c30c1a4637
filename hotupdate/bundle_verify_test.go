package hotupdate_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/hotupdate"
)

func TestValidPath(t *testing.T) {
	good := []string{
		"index.html", "assets/app.js", "a", ".keep", "a/.b/c", "...", "a/..b", "a/b..", "首页.html",
		"文档/说明\u2028第一版.txt", "😀", "space in name.css", "a&b<c>.js", "a\"b", "~user", "a\u0080b",
		strings.Repeat("x", 512), strings.Repeat("长", 170) + "xy",
	}
	bad := []string{
		"", "/index.html", "/", "a/", "a//b", "./a", "a/./b", "a/.", ".", "..", "../a", "a/../b", "a/..",
		`a\b`, `\a`, "a\x00b", "a\x01", "a\tb", "a\nb", "a\x1f", "a\x7fb", "C:x", "c:/x", "a:b", "file::$DATA",
		strings.Repeat("x", 513), strings.Repeat("长", 171), "\xff", "a\xc3", "\xed\xa0\x80",
	}
	for _, p := range good {
		if err := hotupdate.ValidPath(p); err != nil {
			t.Errorf("ValidPath(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range bad {
		err := hotupdate.ValidPath(p)
		if hotupdate.Reason(err) != hotupdate.ReasonBadPath {
			t.Errorf("ValidPath(%q) = %v, want %s", p, err, hotupdate.ReasonBadPath)
		}
	}
}

func TestReasonAndError(t *testing.T) {
	ve := &hotupdate.VerifyError{Reason: hotupdate.ReasonHashMismatch, Detail: "x differs"}
	if got := ve.Error(); got != "hash_mismatch: x differs" {
		t.Errorf("Error() = %q", got)
	}
	cases := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{ve, "hash_mismatch"},
		{fmt.Errorf("download: %w", ve), "hash_mismatch"},
		{errors.New("disk full"), "error"},
	}
	for _, c := range cases {
		if got := hotupdate.Reason(c.err); got != c.want {
			t.Errorf("Reason(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// signed makes a valid ed25519 envelope of files, for the order tests.
func signed(t *testing.T, files map[string][]byte, edit func(*hotupdate.Manifest)) (hotupdate.Envelope, hotupdate.PublicKey) {
	t.Helper()
	k := testKey(t, hotupdate.AlgEd25519)
	m, err := hotupdate.NewManifest("housing-fund", "1.0.0", "index.html", files, nil, time.Unix(1790000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&m)
		if m.BundleID, err = hotupdate.BundleID(m); err != nil {
			t.Fatal(err)
		}
	}
	env, err := hotupdate.Sign(m, k)
	if err != nil {
		t.Fatal(err)
	}
	return env, k.Public()
}

func TestVerifyOrder(t *testing.T) {
	files := map[string][]byte{"index.html": []byte("<p>hi</p>"), "a.js": []byte("1"), "b.js": []byte("22")}
	cases := []struct {
		name string
		edit func(*hotupdate.Manifest)
		lim  hotupdate.Limits
		want string
	}{
		{"ok", nil, hotupdate.Limits{}, ""},
		{"zero limits mean defaults", nil, hotupdate.Limits{}, ""},
		{"too many before too large", nil, hotupdate.Limits{MaxFiles: 2, MaxFileSize: 1}, hotupdate.ReasonTooManyFiles},
		{"file before total", nil, hotupdate.Limits{MaxFileSize: 1, MaxTotalSize: 1}, hotupdate.ReasonFileTooLarge},
		{"total before path", func(m *hotupdate.Manifest) { m.Files[0].Path = "/a.js" }, hotupdate.Limits{MaxTotalSize: 5}, hotupdate.ReasonBundleTooLarge},
		{"path before sort", func(m *hotupdate.Manifest) { m.Files[0], m.Files[2] = m.Files[2], m.Files[0]; m.Files[1].Path = "a//b" }, hotupdate.Limits{}, hotupdate.ReasonBadPath},
		{"sort before duplicate", func(m *hotupdate.Manifest) { m.Files[1].Path = "A.js"; m.Files[0], m.Files[2] = m.Files[2], m.Files[0] }, hotupdate.Limits{}, hotupdate.ReasonUnsortedFiles},
		{"duplicate before entry", func(m *hotupdate.Manifest) { m.Files[1].Path = "a.js"; m.Entry = "none" }, hotupdate.Limits{}, hotupdate.ReasonDuplicatePath},
		{"Kelvin sign folds to k", func(m *hotupdate.Manifest) { m.Files[1].Path = "k.js"; m.Files[2].Path = "\u212a.js"; m.Entry = "a.js" }, hotupdate.Limits{}, hotupdate.ReasonDuplicatePath},
		{"entry", func(m *hotupdate.Manifest) { m.Entry = "Index.html" }, hotupdate.Limits{}, hotupdate.ReasonBadEntry},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, pub := signed(t, files, c.edit)
			err := hotupdate.Verify(env, []hotupdate.PublicKey{pub}, c.lim)
			if got := hotupdate.Reason(err); got != c.want {
				t.Fatalf("reason %q, want %q (%v)", got, c.want, err)
			}
			if c.edit == nil {
				return
			}
			if err := hotupdate.CheckManifest(env.Manifest, c.lim); hotupdate.Reason(err) != c.want {
				t.Fatalf("CheckManifest: %v, want %q", err, c.want)
			}
		})
	}
}

func TestVerifyChecksShapesOfGoValues(t *testing.T) {
	env, pub := signed(t, map[string][]byte{"index.html": nil}, nil)
	cases := map[string]func(*hotupdate.Envelope){
		"schema 0":          func(e *hotupdate.Envelope) { e.Manifest.Schema = 0 },
		"invalid UTF-8":     func(e *hotupdate.Envelope) { e.Manifest.Entry = "\xff" },
		"content type CRLF": func(e *hotupdate.Envelope) { e.Manifest.Files[0].ContentType = "text/html\r\nX-Evil: 1" },
		"empty signature":   func(e *hotupdate.Envelope) { e.Signature.Value = "" },
		"base64 with break": func(e *hotupdate.Envelope) { e.Signature.Value = e.Signature.Value[:4] + "\n" + e.Signature.Value[4:] },
	}
	for name, edit := range cases {
		e := env
		e.Manifest.Files = append([]hotupdate.File{}, env.Manifest.Files...)
		edit(&e)
		if err := hotupdate.Verify(e, []hotupdate.PublicKey{pub}, hotupdate.Limits{}); hotupdate.Reason(err) != hotupdate.ReasonMalformed {
			t.Errorf("%s: %v, want malformed", name, err)
		}
	}
}

func TestVerifyUnusableTrustedKey(t *testing.T) {
	env, pub := signed(t, map[string][]byte{"index.html": nil}, nil)
	pub.PublicKey = "AAAA"
	if err := hotupdate.Verify(env, []hotupdate.PublicKey{pub}, hotupdate.Limits{}); hotupdate.Reason(err) != hotupdate.ReasonBadSignature {
		t.Fatalf("%v, want bad_signature", err)
	}
}

func TestVerifyFilesOrder(t *testing.T) {
	files := map[string][]byte{"a.js": []byte("aa"), "b.js": []byte("bb"), "index.html": []byte("<p>")}
	env, _ := signed(t, files, nil)
	m := env.Manifest
	serve := func(edit func(map[string][]byte)) func(string) ([]byte, bool) {
		fs := map[string][]byte{}
		for p, b := range files {
			fs[p] = append([]byte{}, b...)
		}
		edit(fs)
		calls := map[string]int{}
		return func(p string) ([]byte, bool) {
			calls[p]++
			if calls[p] > 1 {
				t.Errorf("content(%q) called %d times", p, calls[p])
			}
			b, ok := fs[p]
			return b, ok
		}
	}
	cases := []struct {
		name string
		edit func(map[string][]byte)
		want string
	}{
		{"ok", func(map[string][]byte) {}, ""},
		{"extra files are ignored", func(fs map[string][]byte) { fs["other"] = nil }, ""},
		{"missing", func(fs map[string][]byte) { delete(fs, "b.js") }, hotupdate.ReasonMissingFile},
		{"missing after a bad hash", func(fs map[string][]byte) { fs["a.js"] = []byte("xx"); delete(fs, "index.html") }, hotupdate.ReasonMissingFile},
		{"size after a bad hash", func(fs map[string][]byte) { fs["a.js"] = []byte("xx"); fs["b.js"] = []byte("b") }, hotupdate.ReasonSizeMismatch},
		{"hash", func(fs map[string][]byte) { fs["b.js"] = []byte("bc") }, hotupdate.ReasonHashMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := hotupdate.VerifyFiles(m, serve(c.edit))
			if got := hotupdate.Reason(err); got != c.want {
				t.Fatalf("reason %q, want %q (%v)", got, c.want, err)
			}
		})
	}
	if err := hotupdate.VerifyFiles(m, nil); hotupdate.Reason(err) != hotupdate.ReasonMissingFile {
		t.Fatalf("nil content: %v, want missing_file", err)
	}
}

func TestNewManifest(t *testing.T) {
	files := map[string][]byte{"index.html": []byte("<p>hi</p>"), "assets/app.js": []byte("x"), "B.png": nil}
	at := time.Date(2026, 11, 27, 22, 0, 0, 999999999, time.FixedZone("CST", 8*3600))
	m, err := hotupdate.NewManifest("housing-fund", "1.4.2", "index.html", files, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	if m.Schema != hotupdate.SchemaVersion || m.CreatedAt != "2026-11-27T14:00:00Z" || m.MinContainer == nil || len(m.MinContainer) != 0 {
		t.Errorf("schema %d, created_at %q, min_container %#v", m.Schema, m.CreatedAt, m.MinContainer)
	}
	var paths []string
	for _, f := range m.Files {
		paths = append(paths, f.Path)
		sum := sha256.Sum256(files[f.Path])
		if f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(files[f.Path])) || f.ContentType != hotupdate.ContentType(f.Path) {
			t.Errorf("file %+v", f)
		}
	}
	if got := strings.Join(paths, ","); got != "B.png,assets/app.js,index.html" {
		t.Errorf("paths %s, want bytewise order", got)
	}
	if id, _ := hotupdate.BundleID(m); id != m.BundleID {
		t.Errorf("bundle_id %s, recomputes to %s", m.BundleID, id)
	}
	if err := hotupdate.CheckManifest(m, hotupdate.DefaultLimits()); err != nil {
		t.Errorf("CheckManifest: %v", err)
	}
	// The caller's map is copied, not kept.
	mc := map[string]string{"govapp": "3.2.0"}
	m2, err := hotupdate.NewManifest("housing-fund", "1.4.2", "index.html", files, mc, at)
	if err != nil {
		t.Fatal(err)
	}
	mc["govapp"] = "9"
	if m2.MinContainer["govapp"] != "3.2.0" {
		t.Error("NewManifest kept the caller's min_container map")
	}

	refusals := []struct {
		name                  string
		appID, version, entry string
		files                 map[string][]byte
		minC                  map[string]string
		want                  string
	}{
		{"bad path", "housing-fund", "1", "index.html", map[string][]byte{"index.html": nil, "../x": nil}, nil, hotupdate.ReasonBadPath},
		{"case duplicate", "housing-fund", "1", "index.html", map[string][]byte{"index.html": nil, "A.js": nil, "a.js": nil}, nil, hotupdate.ReasonDuplicatePath},
		{"no entry", "housing-fund", "1", "main.html", map[string][]byte{"index.html": nil}, nil, hotupdate.ReasonBadEntry},
		{"no files", "housing-fund", "1", "index.html", nil, nil, hotupdate.ReasonBadEntry},
		{"app id", "Housing", "1", "index.html", map[string][]byte{"index.html": nil}, nil, hotupdate.ReasonMalformed},
		{"version", "housing-fund", "v 1", "index.html", map[string][]byte{"index.html": nil}, nil, hotupdate.ReasonMalformed},
		{"container kind", "housing-fund", "1", "index.html", map[string][]byte{"index.html": nil}, map[string]string{"ios": "1"}, hotupdate.ReasonMalformed},
		{"container version", "housing-fund", "1", "index.html", map[string][]byte{"index.html": nil}, map[string]string{"web": "1.x"}, hotupdate.ReasonMalformed},
	}
	for _, c := range refusals {
		_, err := hotupdate.NewManifest(c.appID, c.version, c.entry, c.files, c.minC, at)
		if got := hotupdate.Reason(err); got != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	if _, err := hotupdate.NewManifest("housing-fund", "1", "index.html", map[string][]byte{"index.html": nil}, nil, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); hotupdate.Reason(err) != hotupdate.ReasonMalformed {
		t.Errorf("year 10000: %v, want malformed", err)
	}
}

func TestContentType(t *testing.T) {
	for p, want := range map[string]string{
		"index.html":           "text/html; charset=utf-8",
		"a/B.HTM":              "text/html; charset=utf-8",
		"app.js":               "text/javascript; charset=utf-8",
		"app.mjs":              "text/javascript; charset=utf-8",
		"app.css":              "text/css; charset=utf-8",
		"data.json":            "application/json",
		"app.js.map":           "application/json",
		"logo.svg":             "image/svg+xml",
		"logo.PNG":             "image/png",
		"photo.jpg":            "image/jpeg",
		"photo.jpeg":           "image/jpeg",
		"pic.webp":             "image/webp",
		"font.woff2":           "font/woff2",
		"readme.txt":           "text/plain; charset=utf-8",
		"favicon.ico":          "image/x-icon",
		"Makefile":             "application/octet-stream",
		"archive.tar.gz":       "application/octet-stream",
		".keep":                "application/octet-stream",
		"dir.js/file":          "application/octet-stream",
		"说明.txt":               "text/plain; charset=utf-8",
		"app.wasm":             "application/wasm",
		"manifest.webmanifest": "application/manifest+json",
	} {
		if got := hotupdate.ContentType(p); got != want {
			t.Errorf("ContentType(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestDiff(t *testing.T) {
	f := func(p, sha string) hotupdate.File {
		return hotupdate.File{Path: p, SHA256: strings.Repeat(sha, 64), Size: 1, ContentType: "x"}
	}
	old := hotupdate.Manifest{Files: []hotupdate.File{f("a.js", "1"), f("b.js", "2"), f("c.js", "3"), f("index.html", "4")}}
	nw := hotupdate.Manifest{Files: []hotupdate.File{f("a.js", "1"), f("b2.js", "2"), f("c.js", "9"), f("d.js", "5"), f("index.html", "4")}}
	changed, removed := hotupdate.Diff(old, nw)
	var got []string
	for _, c := range changed {
		got = append(got, c.Path+"@"+c.SHA256[:1])
	}
	if g := strings.Join(got, ","); g != "b2.js@2,c.js@9,d.js@5" {
		t.Errorf("changed %s", g)
	}
	if g := strings.Join(removed, ","); g != "b.js" {
		t.Errorf("removed %s", g)
	}
	if c, r := hotupdate.Diff(nw, nw); c != nil || r != nil {
		t.Errorf("Diff of a manifest with itself: %v %v", c, r)
	}
	c, r := hotupdate.Diff(hotupdate.Manifest{}, nw)
	if len(c) != len(nw.Files) || r != nil {
		t.Errorf("Diff from nothing: %d changed, %v removed", len(c), r)
	}
	c, r = hotupdate.Diff(old, hotupdate.Manifest{})
	if c != nil || len(r) != len(old.Files) {
		t.Errorf("Diff to nothing: %v changed, %d removed", c, len(r))
	}
}

func TestVerifyBundleZeroEnvelopeOnError(t *testing.T) {
	env, pub := signed(t, map[string][]byte{"index.html": []byte("x")}, nil)
	raw, err := hotupdate.MarshalEnvelope(env)
	if err != nil {
		t.Fatal(err)
	}
	got, err := hotupdate.VerifyBundle(raw, []hotupdate.PublicKey{pub}, hotupdate.Limits{}, func(string) ([]byte, bool) { return []byte("y"), true })
	if hotupdate.Reason(err) != hotupdate.ReasonHashMismatch || got.Manifest.BundleID != "" {
		t.Fatalf("got %v with envelope %+v", err, got)
	}
	got, err = hotupdate.VerifyBundle(raw, []hotupdate.PublicKey{pub}, hotupdate.Limits{}, nil)
	if err != nil || got.Manifest.BundleID != env.Manifest.BundleID {
		t.Fatalf("without content: %v", err)
	}
	// Whitespace in transport does not matter.
	spaced := bytes.ReplaceAll(raw, []byte(`,"`), []byte(",\n\t \""))
	if _, err := hotupdate.VerifyBundle(append([]byte(" \r\n"), spaced...), []hotupdate.PublicKey{pub}, hotupdate.Limits{}, nil); err != nil {
		t.Fatalf("with whitespace: %v", err)
	}
}
