// Package vectors makes the shared test vectors of the bundle format
// (hotupdate/testdata/vectors): the inputs on which every implementation
// — Go, sdk-js, the native container — must reach the same verdict. It is
// a package rather than part of cmd/mkvectors so that a test can regenerate
// the vectors in memory and prove the committed ones current.
//
// Everything is deterministic: keys come from fixed seeds, created_at is
// fixed, Ed25519 is deterministic by design and SM2 nonces come from a
// fixed stream per vector. The keys are public test keys; never sign a
// real bundle with them.
package vectors

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/govapp/govapp/hotupdate"
)

// Index is one entry of index.json.
type Index struct {
	Name       string            `json:"name"`
	Valid      bool              `json:"valid"`
	Reason     string            `json:"reason"`
	CheckFiles bool              `json:"check_files"`
	Limits     *hotupdate.Limits `json:"limits,omitempty"`
}

// Vector is one vector before it is written out.
type Vector struct {
	Index
	// About says in one line what the vector pins; it goes to README.md.
	About string
	// Envelope is envelope.json, the bytes exactly as a verifier receives
	// them.
	Envelope []byte
	// Files is files.json's content (path → bytes), when CheckFiles.
	Files map[string][]byte
}

// CreatedAt is the created_at of every vector's manifest.
var CreatedAt = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)

// seeds of the test keys. Changing one changes every vector.
const (
	seedEd25519  = "govapp hotupdate vectors: ed25519 trusted key"
	seedSM2      = "govapp hotupdate vectors: sm2-sm3 trusted key"
	seedStranger = "govapp hotupdate vectors: ed25519 untrusted key"
)

// Keys are the vectors' signing keys: two trusted ones and a stranger.
type Keys struct {
	Ed25519, SM2, Stranger hotupdate.PrivateKey
}

// TestKeys derives the vectors' keys from their fixed seeds.
func TestKeys() (Keys, error) {
	var ks Keys
	var err error
	if ks.Ed25519, err = hotupdate.GenerateKey(hotupdate.AlgEd25519, Stream(seedEd25519)); err != nil {
		return ks, err
	}
	if ks.SM2, err = hotupdate.GenerateKey(hotupdate.AlgSM2, Stream(seedSM2)); err != nil {
		return ks, err
	}
	if ks.Stranger, err = hotupdate.GenerateKey(hotupdate.AlgEd25519, Stream(seedStranger)); err != nil {
		return ks, err
	}
	return ks, nil
}

// Trusted returns keys.json's keys.
func (ks Keys) Trusted() []hotupdate.PublicKey {
	return []hotupdate.PublicKey{ks.Ed25519.Public(), ks.SM2.Public()}
}

// Stream returns an endless deterministic byte stream, SHA-256(seed ‖
// counter) blocks, for keys and SM2 nonces. One-byte reads return a byte
// without advancing the stream: gmsm reads one byte at random
// (randutil.MaybeReadByte) to stop callers from relying on determinism, and
// skipping that read is what lets the vectors be reproducible all the same.
func Stream(seed string) io.Reader {
	return &stream{seed: []byte(seed)}
}

type stream struct {
	seed  []byte
	ctr   uint64
	block []byte
}

// Read fills p from the stream (see Stream for one-byte reads).
func (s *stream) Read(p []byte) (int, error) {
	if len(p) == 1 {
		p[0] = 0
		return 1, nil
	}
	n := 0
	for n < len(p) {
		if len(s.block) == 0 {
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], s.ctr)
			s.ctr++
			sum := sha256.Sum256(append(append([]byte{}, s.seed...), c[:]...))
			s.block = sum[:]
		}
		m := copy(p[n:], s.block)
		s.block = s.block[m:]
		n += m
	}
	return n, nil
}

// baseFiles are the files of the plain valid bundle: an entry page, a
// script, a style sheet, a binary icon and an empty dot-file.
func baseFiles() map[string][]byte {
	icon := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	return map[string][]byte{
		"index.html": []byte("<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>住房公积金</title>" +
			"<link rel=\"stylesheet\" href=\"assets/app.css\"></head><body><div id=\"app\"></div>" +
			"<script src=\"assets/app.js\"></script></body></html>\n"),
		"assets/app.js":   []byte("document.getElementById(\"app\").textContent = \"公积金查询\";\ngovapp.ready();\n"),
		"assets/app.css":  []byte("body{margin:0;font-family:sans-serif}\n"),
		"assets/icon.png": icon,
		"assets/.keep":    {},
	}
}

// unicodeFiles are the files of the bundle with Chinese paths, a U+2028 in
// a path, characters JSON encoders like to escape, and two paths whose
// UTF-8 order differs from their UTF-16 order (U+FF01 vs U+1F600).
func unicodeFiles() map[string][]byte {
	return map[string][]byte{
		"首页.html":                  []byte("<!doctype html><meta charset=\"utf-8\"><title>办事指南</title><p>欢迎\u2028使用</p>\n"),
		"页面/办事指南.html":             []byte("<p>第一行\u2028第二行\u2029第三段 <&> \"引号\" \\ \t</p>\n"),
		"文档/说明\u2028第一版.txt":       []byte("说明：本文件名含 U+2028。\n"),
		"assets/a&b<c>d'e\".js":    []byte("console.log('<>&');\n"),
		"图标/！.svg":                 []byte("<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"),
		"图标/😀.svg":                 []byte("<svg xmlns=\"http://www.w3.org/2000/svg\"><title>😀</title></svg>\n"),
		"数据/Ärzte/é.json":          []byte("{\"名称\":\"医院\"}\n"),
		"assets/space in name.css": []byte("p{color:#333}\n"),
	}
}

// gen carries what every vector needs.
type gen struct {
	keys Keys
	out  []Vector
	err  error
}

// Generate makes every vector, in index order.
func Generate() (Keys, []Vector, error) {
	keys, err := TestKeys()
	if err != nil {
		return keys, nil, err
	}
	g := &gen{keys: keys}
	g.all()
	if g.err != nil {
		return keys, nil, g.err
	}
	seen := map[string]bool{}
	for _, v := range g.out {
		if seen[v.Name] {
			return keys, nil, fmt.Errorf("vectors: duplicate name %s", v.Name)
		}
		seen[v.Name] = true
	}
	return keys, g.out, nil
}

// Files renders the vectors as the files of testdata/vectors (path relative
// to it → bytes).
func Files(keys Keys, vs []Vector) (map[string][]byte, error) {
	out := map[string][]byte{}
	kj, err := marshal(keys.Trusted())
	if err != nil {
		return nil, err
	}
	out["keys.json"] = kj
	idx := make([]Index, len(vs))
	var readme strings.Builder
	readme.WriteString(readmeHead)
	for i, v := range vs {
		idx[i] = v.Index
		out[v.Name+"/envelope.json"] = v.Envelope
		if v.CheckFiles {
			fs := map[string]string{}
			for p, b := range v.Files {
				fs[p] = base64.StdEncoding.EncodeToString(b)
			}
			fj, err := marshal(fs)
			if err != nil {
				return nil, err
			}
			out[v.Name+"/files.json"] = fj
		}
		verdict := "valid"
		if !v.Valid {
			verdict = "`" + v.Reason + "`"
		}
		fmt.Fprintf(&readme, "| `%s` | %s | %s |\n", v.Name, verdict, v.About)
	}
	ij, err := marshal(idx)
	if err != nil {
		return nil, err
	}
	out["index.json"] = ij
	out["README.md"] = []byte(readme.String())
	return out, nil
}

const readmeHead = `# Hot-update test vectors

Generated by ` + "`go run ./hotupdate/cmd/mkvectors`" + ` — do not edit by hand; the
format and the rules are in docs/HOTUPDATE.md. Every implementation must reach the
verdict of index.json for every vector, verifying envelope.json with the keys of
keys.json, the default limits unless the entry has ` + "`limits`" + `, and — when
` + "`check_files`" + ` is true — the contents of files.json.

The keys are public test keys derived from fixed seeds: never trust them outside tests.

| name | verdict | what it pins |
|---|---|---|
`

// marshal is indented JSON with a final newline, readable in diffs.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (g *gen) fail(err error) {
	if g.err == nil && err != nil {
		g.err = err
	}
}

// manifest builds a manifest with NewManifest from the defaults.
func (g *gen) manifest(files map[string][]byte, entry string, minContainer map[string]string) hotupdate.Manifest {
	m, err := hotupdate.NewManifest("housing-fund", "1.4.2", entry, files, minContainer, CreatedAt)
	g.fail(err)
	return m
}

// raw builds a manifest of files in the given order, without NewManifest's
// checks, for the vectors that must carry what NewManifest refuses.
func raw(base hotupdate.Manifest, paths []string, files map[string][]byte) hotupdate.Manifest {
	m := base
	m.Files = nil
	for _, p := range paths {
		c := files[p]
		sum := sha256.Sum256(c)
		m.Files = append(m.Files, hotupdate.File{
			Path:        p,
			Size:        int64(len(c)),
			SHA256:      fmt.Sprintf("%x", sum),
			ContentType: hotupdate.ContentType(p),
		})
	}
	return m
}

// reid sets m's BundleID to what it hashes to.
func (g *gen) reid(m hotupdate.Manifest) hotupdate.Manifest {
	id, err := hotupdate.BundleID(m)
	g.fail(err)
	m.BundleID = id
	return m
}

// sign signs m (with its bundle_id recomputed) with k through the public
// API, the SM2 nonce from a stream named after the vector.
func (g *gen) sign(name string, m hotupdate.Manifest, k hotupdate.PrivateKey) hotupdate.Envelope {
	env, err := hotupdate.SignWithRand(g.reid(m), k, Stream("sm2 nonce: "+name))
	g.fail(err)
	return env
}

// signAsIs signs m with the Ed25519 key k exactly as it is, bundle_id and
// all, which Sign refuses to do; only for bundle_id_mismatch.
func (g *gen) signAsIs(m hotupdate.Manifest, k hotupdate.PrivateKey) hotupdate.Envelope {
	if k.Alg != hotupdate.AlgEd25519 {
		g.fail(fmt.Errorf("signAsIs: want an ed25519 key"))
		return hotupdate.Envelope{}
	}
	seed, err := base64.StdEncoding.DecodeString(k.Private)
	g.fail(err)
	msg, err := hotupdate.Canonical(m)
	g.fail(err)
	if err != nil || len(seed) != ed25519.SeedSize {
		g.fail(fmt.Errorf("signAsIs: bad key"))
		return hotupdate.Envelope{}
	}
	sig := ed25519.Sign(ed25519.NewKeyFromSeed(seed), msg)
	return hotupdate.Envelope{Manifest: m, Signature: hotupdate.Signature{
		Alg: k.Alg, KeyID: k.KeyID, Value: base64.StdEncoding.EncodeToString(sig),
	}}
}

// bytesOf is the canonical envelope with a final newline (whitespace after
// the value is allowed, and it keeps diffs tidy).
func (g *gen) bytesOf(env hotupdate.Envelope) []byte {
	b, err := hotupdate.MarshalEnvelope(env)
	g.fail(err)
	return append(b, '\n')
}

// replace replaces old by new in b, which must hold old exactly once.
func (g *gen) replace(b []byte, old, new string) []byte {
	if n := bytes.Count(b, []byte(old)); n != 1 {
		g.fail(fmt.Errorf("vectors: %q occurs %d times, want once", old, n))
		return b
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

func (g *gen) add(v Vector) {
	if v.Reason == "" {
		v.Valid = true
	}
	g.out = append(g.out, v)
}

func (g *gen) valid(name, about string, env []byte, files map[string][]byte) {
	g.add(Vector{Index: Index{Name: name, CheckFiles: files != nil}, About: about, Envelope: env, Files: files})
}

func (g *gen) invalid(name, reason, about string, env []byte) {
	g.add(Vector{Index: Index{Name: name, Reason: reason}, About: about, Envelope: env})
}

func (g *gen) invalidFiles(name, reason, about string, env []byte, files map[string][]byte) {
	g.add(Vector{Index: Index{Name: name, Reason: reason, CheckFiles: true}, About: about, Envelope: env, Files: files})
}

func (g *gen) limited(name, reason, about string, env []byte, lim hotupdate.Limits) {
	g.add(Vector{Index: Index{Name: name, Reason: reason, Limits: &lim}, About: about, Envelope: env})
}

func flipBase64(g *gen, v string, at int) string {
	b, err := base64.StdEncoding.DecodeString(v)
	g.fail(err)
	if at < 0 {
		at += len(b)
	}
	b[at] ^= 0x01
	return base64.StdEncoding.EncodeToString(b)
}

func copyFiles(m map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = append([]byte{}, v...)
	}
	return out
}

func sortedPaths(files map[string][]byte) []string {
	ps := make([]string, 0, len(files))
	for p := range files {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// all makes every vector.
func (g *gen) all() {
	ks := g.keys
	files := baseFiles()
	minC := map[string]string{"govapp": "3.2.0", "wechat": "8.0.5"}
	base := g.manifest(files, "index.html", minC)
	if g.err != nil {
		return
	}
	edEnv := g.sign("valid-ed25519", base, ks.Ed25519)
	ed := g.bytesOf(edEnv)

	// Valid ones.
	g.valid("valid-ed25519", "an Ed25519-signed bundle with its files (binary and empty ones among them)", ed, files)
	smBase := g.manifest(files, "index.html", nil)
	g.valid("valid-sm2-sm3", "an SM2/SM3-signed bundle (DER signature, default user id) with its files and min_container {}",
		g.bytesOf(g.sign("valid-sm2-sm3", smBase, ks.SM2)), files)

	uf := unicodeFiles()
	uni := g.manifest(uf, "首页.html", map[string]string{"web": "1", "alipay": "10.3.0.1"})
	uniEnv := g.sign("valid-unicode", uni, ks.Ed25519)
	g.valid("valid-unicode", "Chinese paths and entry, U+2028 literal in a path, <&'\" in paths; files sorted by UTF-8 bytes (！ U+FF01 before 😀 U+1F600, the reverse of UTF-16 order)",
		g.bytesOf(uniEnv), uf)
	indented, err := json.MarshalIndent(uniEnv, "", "\t") // escapes <, >, &, U+2028; struct member order
	g.fail(err)
	indented = g.replace(indented, `"app_id"`, `"app\u005fid"`)
	indented = g.replace(indented, `"图标/😀.svg"`, `"\u56fe\u6807\/\ud83d\ude00.svg"`)
	g.valid("valid-transport-escapes", "valid-unicode as encoding/json sends it (indented, members unsorted, \\u003c and \\u2028 escapes) plus an escaped member name, \\/ and a surrogate pair; the signature covers the re-canonicalised manifest",
		append(indented, '\n'), uf)

	atLim := copyFiles(files)
	longPath := strings.Repeat("长", 169) + "xy.js" // 512 bytes, 174 UTF-16 units
	atLim[longPath] = []byte("// the longest path allowed\n")
	atLimM := g.manifest(atLim, "index.html", minC)
	var maxSize, total int64
	for _, f := range atLimM.Files {
		total += f.Size
		maxSize = max(maxSize, f.Size)
	}
	g.add(Vector{Index: Index{Name: "valid-at-limits", Limits: &hotupdate.Limits{MaxFiles: len(atLimM.Files), MaxFileSize: maxSize, MaxTotalSize: total}},
		About:    "exactly at max_files, max_file_size and max_total_size, with a path of exactly 512 bytes",
		Envelope: g.bytesOf(g.sign("valid-at-limits", atLimM, ks.Ed25519))})

	// 1. malformed
	g.invalid("malformed-not-json", hotupdate.ReasonMalformed, "not JSON at all", []byte("this is not json\n"))
	g.invalid("malformed-empty", hotupdate.ReasonMalformed, "zero bytes", []byte{})
	g.invalid("malformed-truncated", hotupdate.ReasonMalformed, "the valid envelope cut in half", ed[:len(ed)/2])
	g.invalid("malformed-array", hotupdate.ReasonMalformed, "a JSON array instead of the envelope object", []byte("[]\n"))
	g.invalid("malformed-trailing-data", hotupdate.ReasonMalformed, "a valid envelope followed by more JSON", append(append([]byte{}, bytes.TrimSpace(ed)...), "{}\n"...))
	g.invalid("malformed-unknown-member-envelope", hotupdate.ReasonMalformed, "an extra member next to manifest and signature",
		g.replace(ed, `{"manifest":`, `{"comment":"hi","manifest":`))
	g.invalid("malformed-unknown-member-manifest", hotupdate.ReasonMalformed, "an extra member in the manifest",
		g.replace(ed, `{"app_id":`, `{"annotations":{},"app_id":`))
	g.invalid("malformed-unknown-member-file", hotupdate.ReasonMalformed, "an extra member in a file",
		g.replace(ed, `{"content_type":"text/html; charset=utf-8",`, `{"content_type":"text/html; charset=utf-8","mtime":0,`))
	g.invalid("malformed-unknown-member-signature", hotupdate.ReasonMalformed, "an extra member in the signature",
		g.replace(ed, `"signature":{`, `"signature":{"cert":"",`))
	g.invalid("malformed-missing-member", hotupdate.ReasonMalformed, "the manifest has no entry",
		g.replace(ed, `"entry":"index.html",`, ``))
	g.invalid("malformed-wrong-type-size", hotupdate.ReasonMalformed, "a size given as a string",
		g.replace(ed, fmt.Sprintf(`"size":%d}`, len(files["index.html"])), fmt.Sprintf(`"size":"%d"}`, len(files["index.html"]))))
	g.invalid("malformed-wrong-type-schema", hotupdate.ReasonMalformed, `schema "1" (a string)`,
		g.replace(ed, `"schema":1,`, `"schema":"1",`))
	filesAt, filesEnd := bytes.Index(ed, []byte(`"files":[`)), bytes.Index(ed, []byte(`],"min_container"`))
	g.invalid("malformed-wrong-type-files", hotupdate.ReasonMalformed, "files is an object",
		bytes.Join([][]byte{ed[:filesAt], []byte(`"files":{}`), ed[filesEnd+1:]}, nil))
	g.invalid("malformed-wrong-type-min-container", hotupdate.ReasonMalformed, "min_container is null",
		g.replace(ed, `"min_container":{"govapp":"3.2.0","wechat":"8.0.5"}`, `"min_container":null`))
	g.invalid("malformed-wrong-type-file", hotupdate.ReasonMalformed, "a file given as a string",
		g.replace(ed, `"files":[`, `"files":["index.html",`))
	g.invalid("malformed-wrong-type-alg", hotupdate.ReasonMalformed, "signature.alg is a number",
		g.replace(ed, `"alg":"ed25519"`, `"alg":25519`))
	g.invalid("malformed-negative-size", hotupdate.ReasonMalformed, "a negative size",
		g.replace(ed, `"size":0}`, `"size":-1}`))

	tamper := func(name, about string, edit func(*hotupdate.Manifest)) {
		m := base
		m.MinContainer = map[string]string{"govapp": "3.2.0", "wechat": "8.0.5"}
		edit(&m)
		g.invalid(name, hotupdate.ReasonMalformed, about+" (otherwise well signed)", g.bytesOf(g.sign(name, m, ks.Ed25519)))
	}
	tamper("malformed-schema-2", "schema 2", func(m *hotupdate.Manifest) { m.Schema = 2 })
	tamper("malformed-app-id", `app_id "Housing_Fund"`, func(m *hotupdate.Manifest) { m.AppID = "Housing_Fund" })
	tamper("malformed-version", `version "1.4.2 beta"`, func(m *hotupdate.Manifest) { m.Version = "1.4.2 beta" })
	tamper("malformed-created-at-offset", "created_at with +08:00 instead of Z", func(m *hotupdate.Manifest) { m.CreatedAt = "2026-11-27T22:00:00+08:00" })
	tamper("malformed-created-at-fraction", "created_at with milliseconds", func(m *hotupdate.Manifest) { m.CreatedAt = "2026-11-27T14:00:00.000Z" })
	tamper("malformed-created-at-no-such-day", "created_at on 30 February", func(m *hotupdate.Manifest) { m.CreatedAt = "2026-02-30T14:00:00Z" })
	tamper("malformed-min-container-kind", `min_container kind "ios"`, func(m *hotupdate.Manifest) { m.MinContainer["ios"] = "16.0" })
	tamper("malformed-min-container-version", `min_container version "3.2.0-beta"`, func(m *hotupdate.Manifest) { m.MinContainer["govapp"] = "3.2.0-beta" })
	tamper("malformed-min-container-five-parts", `min_container version "1.2.3.4.5"`, func(m *hotupdate.Manifest) { m.MinContainer["web"] = "1.2.3.4.5" })
	tamper("malformed-sha256-short", "a sha256 of 63 hex digits", func(m *hotupdate.Manifest) {
		m.Files = append([]hotupdate.File{}, m.Files...)
		m.Files[0].SHA256 = m.Files[0].SHA256[:63]
	})
	tamper("malformed-sha256-uppercase", "a sha256 in uppercase hex", func(m *hotupdate.Manifest) {
		m.Files = append([]hotupdate.File{}, m.Files...)
		m.Files[0].SHA256 = strings.ToUpper(m.Files[0].SHA256)
	})
	upperID := edEnv
	upperID.Manifest.BundleID = strings.ToUpper(upperID.Manifest.BundleID)
	g.invalid("malformed-bundle-id-uppercase", hotupdate.ReasonMalformed, "bundle_id in uppercase hex", g.bytesOf(upperID))
	shortKey := edEnv
	shortKey.Signature.KeyID = shortKey.Signature.KeyID[:15]
	g.invalid("malformed-key-id-short", hotupdate.ReasonMalformed, "a key_id of 15 hex digits", g.bytesOf(shortKey))
	notB64 := edEnv
	notB64.Signature.Value = "!!!!"
	g.invalid("malformed-signature-not-base64", hotupdate.ReasonMalformed, "a signature value that is not base64", g.bytesOf(notB64))
	unpadded := edEnv
	unpadded.Signature.Value = strings.TrimRight(unpadded.Signature.Value, "=")
	g.invalid("malformed-signature-unpadded", hotupdate.ReasonMalformed, "the signature value without its base64 padding", g.bytesOf(unpadded))

	// 2. unknown_key
	g.invalid("unknown-key", hotupdate.ReasonUnknownKey, "signed with a key that keys.json does not have",
		g.bytesOf(g.sign("unknown-key", base, ks.Stranger)))

	// 3. alg_mismatch
	am := edEnv
	am.Signature.Alg = hotupdate.AlgSM2
	g.invalid("alg-mismatch-ed25519-key-as-sm2", hotupdate.ReasonAlgMismatch, "the Ed25519 key's id with alg sm2-sm3", g.bytesOf(am))
	smEnv := g.sign("alg-mismatch-sm2-key-as-ed25519", base, ks.SM2)
	smEnv.Signature.Alg = hotupdate.AlgEd25519
	g.invalid("alg-mismatch-sm2-key-as-ed25519", hotupdate.ReasonAlgMismatch, "the SM2 key's id with alg ed25519", g.bytesOf(smEnv))
	unknownAlg := edEnv
	unknownAlg.Signature.Alg = "rsa-sha256"
	g.invalid("alg-mismatch-unknown-alg", hotupdate.ReasonAlgMismatch, "a trusted key's id with an algorithm nobody knows", g.bytesOf(unknownAlg))

	// 4. bad_signature
	flipped := edEnv
	flipped.Signature.Value = flipBase64(g, flipped.Signature.Value, 10)
	g.invalid("bad-signature-flipped-byte", hotupdate.ReasonBadSignature, "one bit of the Ed25519 signature flipped", g.bytesOf(flipped))
	smOK := g.sign("bad-signature-sm2-flipped-byte", base, ks.SM2)
	smOK.Signature.Value = flipBase64(g, smOK.Signature.Value, -1)
	g.invalid("bad-signature-sm2-flipped-byte", hotupdate.ReasonBadSignature, "one bit of the SM2 signature's s flipped (still valid DER)", g.bytesOf(smOK))
	changed := edEnv
	changed.Manifest.Version = "1.4.3"
	g.invalid("bad-signature-manifest-changed", hotupdate.ReasonBadSignature, "version changed after signing (bundle_id is stale too: the signature is checked first)", g.bytesOf(changed))
	impostor := g.sign("bad-signature-other-key", base, ks.Stranger)
	impostor.Signature.KeyID = ks.Ed25519.KeyID
	g.invalid("bad-signature-other-key", hotupdate.ReasonBadSignature, "signed by an untrusted key but naming the trusted Ed25519 key", g.bytesOf(impostor))
	short := edEnv
	sb, _ := base64.StdEncoding.DecodeString(short.Signature.Value)
	short.Signature.Value = base64.StdEncoding.EncodeToString(sb[:len(sb)-1])
	g.invalid("bad-signature-short", hotupdate.ReasonBadSignature, "an Ed25519 signature of 63 bytes", g.bytesOf(short))
	smDER := g.sign("bad-signature-sm2-not-der", base, ks.SM2)
	smDER.Signature.Value = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x42}, 64))
	g.invalid("bad-signature-sm2-not-der", hotupdate.ReasonBadSignature, "an SM2 signature of 64 raw bytes r‖s instead of DER", g.bytesOf(smDER))

	// 5. bundle_id_mismatch
	stale := base
	stale.Version = "1.4.3" // bundle_id still the one of 1.4.2
	g.invalid("bundle-id-mismatch", hotupdate.ReasonBundleIDMismatch, "version bumped and signed, bundle_id left at the old one",
		g.bytesOf(g.signAsIs(stale, ks.Ed25519)))

	// 6..8 limits
	big := g.sign("limits", base, ks.Ed25519)
	bigB := g.bytesOf(big)
	var largest, sum int64
	for _, f := range big.Manifest.Files {
		largest = max(largest, f.Size)
		sum += f.Size
	}
	n := len(big.Manifest.Files)
	g.limited("too-many-files", hotupdate.ReasonTooManyFiles, fmt.Sprintf("%d files with max_files %d", n, n-1), bigB,
		hotupdate.Limits{MaxFiles: n - 1, MaxFileSize: hotupdate.DefaultMaxFileSize, MaxTotalSize: hotupdate.DefaultMaxTotalSize})
	g.limited("file-too-large", hotupdate.ReasonFileTooLarge, "the largest file one byte over max_file_size", bigB,
		hotupdate.Limits{MaxFiles: hotupdate.DefaultMaxFiles, MaxFileSize: largest - 1, MaxTotalSize: hotupdate.DefaultMaxTotalSize})
	g.limited("bundle-too-large", hotupdate.ReasonBundleTooLarge, "the sizes add up to one byte over max_total_size", bigB,
		hotupdate.Limits{MaxFiles: hotupdate.DefaultMaxFiles, MaxFileSize: largest, MaxTotalSize: sum - 1})

	// 9. bad_path: the base files plus one bad path, sorted, signed.
	badPath := func(name, p, about string) {
		fs := copyFiles(files)
		fs[p] = []byte("x")
		m := raw(base, sortedPaths(fs), fs)
		g.invalid(name, hotupdate.ReasonBadPath, about, g.bytesOf(g.sign(name, m, ks.Ed25519)))
	}
	badPath("bad-path-absolute", "/index.html", "an absolute path")
	badPath("bad-path-dotdot", "../escape.js", "a leading .. segment")
	badPath("bad-path-dotdot-inner", "assets/../../escape.js", "a .. segment inside")
	badPath("bad-path-dot", "a/./b.js", "a . segment")
	badPath("bad-path-dot-alone", ".", "the path .")
	badPath("bad-path-backslash", `assets\evil.js`, "a backslash")
	badPath("bad-path-nul", "assets/app.js\x00.png", "a NUL (\\u0000 in JSON)")
	badPath("bad-path-control", "assets/a\x1fb.js", "U+001F")
	badPath("bad-path-del", "assets/a\x7fb.js", "U+007F")
	badPath("bad-path-double-slash", "a//b.js", "an empty segment (//)")
	badPath("bad-path-trailing-slash", "assets/", "a trailing slash")
	badPath("bad-path-drive", "C:x", "a drive letter (:)")
	badPath("bad-path-empty", "", "an empty path")
	badPath("bad-path-too-long", strings.Repeat("长", 170)+".js", "513 bytes of UTF-8 (173 UTF-16 units): the limit counts bytes")

	// 10. unsorted_files
	rev := sortedPaths(files)
	rev[0], rev[len(rev)-1] = rev[len(rev)-1], rev[0]
	g.invalid("unsorted-files", hotupdate.ReasonUnsortedFiles, "first and last file swapped",
		g.bytesOf(g.sign("unsorted-files", raw(base, rev, files), ks.Ed25519)))
	uPaths := sortedPaths(uf)
	for i, p := range uPaths {
		switch p {
		case "图标/！.svg":
			uPaths[i] = "图标/😀.svg"
		case "图标/😀.svg":
			uPaths[i] = "图标/！.svg"
		}
	}
	g.invalid("unsorted-files-utf16-order", hotupdate.ReasonUnsortedFiles, "😀 before ！: sorted by UTF-16 code units, not by UTF-8 bytes",
		g.bytesOf(g.sign("unsorted-files-utf16-order", raw(uni, uPaths, uf), ks.Ed25519)))
	pathSort := copyFiles(files)
	pathSort["../x.js"] = []byte("x")
	ps := sortedPaths(pathSort)
	ps[0], ps[len(ps)-1] = ps[len(ps)-1], ps[0]
	g.invalid("order-bad-path-before-unsorted", hotupdate.ReasonBadPath, "unsorted and a bad path: check 9 comes before check 10",
		g.bytesOf(g.sign("order-bad-path-before-unsorted", raw(base, ps, pathSort), ks.Ed25519)))

	// 11. duplicate_path
	dup := func(name, about string, paths ...string) {
		fs := copyFiles(files)
		all := sortedPaths(fs)
		for _, p := range paths {
			fs[p] = []byte("x")
			all = append(all, p)
		}
		sort.Strings(all)
		g.invalid(name, hotupdate.ReasonDuplicatePath, about, g.bytesOf(g.sign(name, raw(base, all, fs), ks.Ed25519)))
	}
	dup("duplicate-path-exact", "the same path twice, adjacent (in order, so not unsorted_files)", "assets/dup.js", "assets/dup.js")
	dup("duplicate-path-case", "A.js and a.js", "A.js", "a.js")
	dup("duplicate-path-unicode-case", "数据/Ä.json and 数据/ä.json (Unicode case folding)", "数据/Ä.json", "数据/ä.json")
	dup("duplicate-path-kelvin", "K.js (U+212A KELVIN SIGN) and k.js fold together", "\u212a.js", "k.js")

	// Paths that case-fold together only in newer Unicode than the platform's (15.0.0): a
	// verifier that asks its runtime's case mappings instead of the shared table gets these wrong.
	newer := copyFiles(files)
	newer["\u0264.js"] = []byte("a")      // ɤ LATIN SMALL LETTER RAMS HORN
	newer["\ua7cb.js"] = []byte("b")      // Ɤ, its capital since Unicode 16
	newer["stra\u00dfe.js"] = []byte("c") // ß does not fold to ss (full folding)
	newer["strasse.js"] = []byte("d")
	nm := g.manifest(newer, "index.html", nil)
	g.valid("valid-fold-unicode15", "ɤ/Ɤ (U+0264/U+A7CB, a case pair only since Unicode 16) and ß/ss are distinct under the Unicode 15.0.0 simple folding every implementation carries",
		g.bytesOf(g.sign("valid-fold-unicode15", nm, ks.Ed25519)), newer)

	// 12. bad_entry
	entry := func(name, e, about string) {
		m := base
		m.Entry = e
		g.invalid(name, hotupdate.ReasonBadEntry, about, g.bytesOf(g.sign(name, m, ks.Ed25519)))
	}
	entry("bad-entry", "main.html", "entry is not among the files")
	entry("bad-entry-case", "INDEX.html", "entry differs from a path only in case: entry matches exactly")
	noFiles := base
	noFiles.Files = []hotupdate.File{}
	g.invalid("bad-entry-no-files", hotupdate.ReasonBadEntry, "files is empty", g.bytesOf(g.sign("bad-entry-no-files", noFiles, ks.Ed25519)))

	// 13..15 with contents
	missing := copyFiles(files)
	delete(missing, "assets/app.css")
	g.invalidFiles("missing-file", hotupdate.ReasonMissingFile, "assets/app.css is not served", ed, missing)
	longer := copyFiles(files)
	longer["assets/app.js"] = append(longer["assets/app.js"], '\n')
	g.invalidFiles("size-mismatch", hotupdate.ReasonSizeMismatch, "assets/app.js is served one byte longer (its hash differs too: size is checked first)", ed, longer)
	flippedFile := copyFiles(files)
	flippedFile["assets/app.js"][3] ^= 0x01
	g.invalidFiles("hash-mismatch", hotupdate.ReasonHashMismatch, "one bit flipped in assets/app.js", ed, flippedFile)
	order := copyFiles(files)
	order["assets/app.css"][0] ^= 0x01
	delete(order, "index.html")
	g.invalidFiles("order-missing-before-hash", hotupdate.ReasonMissingFile, "assets/app.css (earlier) has a bad hash and index.html (later) is missing: every file's presence is checked before any size or hash", ed, order)
	sm := g.sign("hash-mismatch-sm2", smBase, ks.SM2)
	smFlip := copyFiles(files)
	smFlip["index.html"][20] ^= 0x80
	g.invalidFiles("hash-mismatch-sm2", hotupdate.ReasonHashMismatch, "one bit flipped in index.html of an SM2-signed bundle", g.bytesOf(sm), smFlip)
}
