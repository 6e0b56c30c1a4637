package hotupdate_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/govapp/govapp/hotupdate"
)

// addVectorSeeds adds every vector's envelope to the fuzzer's seed corpus
// (testdata/fuzz/<FuzzName>/ adds the committed findings on top).
func addVectorSeeds(f *testing.F) ([]hotupdate.PublicKey, []vector) {
	keys, vs := loadVectors(f)
	for _, v := range vs {
		f.Add(v.envelope)
	}
	return keys, vs
}

// FuzzParseEnvelope checks that the parser never panics, refuses only with
// malformed, accepts nothing that is not JSON, reads what encoding/json
// reads, and that what it accepts re-encodes to bytes it reads back to the
// same envelope.
func FuzzParseEnvelope(f *testing.F) {
	addVectorSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		env, err := hotupdate.ParseEnvelope(raw)
		if err != nil {
			if r := hotupdate.Reason(err); r != hotupdate.ReasonMalformed {
				t.Fatalf("refused with %q: %v", r, err)
			}
			if !reflect.DeepEqual(env, hotupdate.Envelope{}) {
				t.Fatal("a non-zero envelope came with an error")
			}
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("accepted input that is not JSON: %q", raw)
		}
		var std hotupdate.Envelope
		if err := json.Unmarshal(raw, &std); err != nil {
			t.Fatalf("encoding/json refuses what ParseEnvelope accepts: %v", err)
		}
		if !reflect.DeepEqual(std, env) {
			t.Fatalf("encoding/json reads\n%+v\nParseEnvelope reads\n%+v", std, env)
		}
		enc, err := hotupdate.MarshalEnvelope(env)
		if err != nil {
			t.Fatalf("accepted an envelope that has no canonical form: %v", err)
		}
		again, err := hotupdate.ParseEnvelope(enc)
		if err != nil {
			t.Fatalf("canonical re-encoding does not parse: %v\n%s", err, enc)
		}
		if !reflect.DeepEqual(again, env) {
			t.Fatalf("re-encoding changed the envelope:\n%+v\n%+v", env, again)
		}
		if enc2, _ := hotupdate.MarshalEnvelope(again); !bytes.Equal(enc, enc2) {
			t.Fatal("canonical encoding is not stable")
		}
	})
}

// FuzzVerifyBundle checks that verification never panics, answers only
// with the contract's reasons, and that an envelope that verifies
// re-encodes to the canonical bytes that were signed — one of the
// manifests of the vectors, since the fuzzer cannot forge a signature.
func FuzzVerifyBundle(f *testing.F) {
	keys, vs := addVectorSeeds(f)
	// The canonical manifests whose signatures are good, and files to serve.
	signed := map[string]bool{}
	files := map[string][]byte{}
	for _, v := range vs {
		env, err := hotupdate.ParseEnvelope(v.envelope)
		if err != nil {
			continue
		}
		switch hotupdate.Reason(hotupdate.Verify(env, keys, v.limits())) {
		case hotupdate.ReasonUnknownKey, hotupdate.ReasonAlgMismatch, hotupdate.ReasonBadSignature:
			continue
		}
		c, err := hotupdate.Canonical(env.Manifest)
		if err != nil {
			f.Fatal(err)
		}
		signed[string(c)] = true
		if v.Valid && v.CheckFiles {
			for p, b := range v.files {
				files[p] = b
			}
		}
	}
	known := map[string]bool{}
	for _, r := range allReasons {
		known[r] = true
	}
	content := func(p string) ([]byte, bool) { b, ok := files[p]; return b, ok }
	f.Fuzz(func(t *testing.T, raw []byte) {
		env, err := hotupdate.VerifyBundle(raw, keys, hotupdate.DefaultLimits(), content)
		if r := hotupdate.Reason(err); !known[r] {
			t.Fatalf("reason %q is not one of the contract's: %v", r, err)
		}
		if err != nil {
			return
		}
		c, err := hotupdate.Canonical(env.Manifest)
		if err != nil {
			t.Fatalf("a verified manifest has no canonical form: %v", err)
		}
		if !signed[string(c)] {
			t.Fatalf("verified a manifest nobody signed:\n%s", c)
		}
		enc, err := hotupdate.MarshalEnvelope(env)
		if err != nil {
			t.Fatal(err)
		}
		env2, err := hotupdate.VerifyBundle(enc, keys, hotupdate.DefaultLimits(), content)
		if err != nil {
			t.Fatalf("the re-encoded envelope does not verify: %v", err)
		}
		if c2, _ := hotupdate.Canonical(env2.Manifest); !bytes.Equal(c, c2) {
			t.Fatalf("re-encoding changed the canonical manifest:\n%s\n%s", c, c2)
		}
	})
}

// TestFuzzCorpusVerdicts gives the committed fuzz inputs expected verdicts:
// those named ok-* are accepted (parsed, or verified with the vectors'
// keys and files), every other one is refused.
func TestFuzzCorpusVerdicts(t *testing.T) {
	keys, vs := loadVectors(t)
	files := map[string][]byte{}
	for _, v := range vs {
		if v.Valid && v.CheckFiles {
			for p, b := range v.files {
				files[p] = b
			}
		}
	}
	content := func(p string) ([]byte, bool) { b, ok := files[p]; return b, ok }
	check := map[string]func([]byte) error{
		"FuzzParseEnvelope": func(raw []byte) error { _, err := hotupdate.ParseEnvelope(raw); return err },
		"FuzzVerifyBundle": func(raw []byte) error {
			_, err := hotupdate.VerifyBundle(raw, keys, hotupdate.DefaultLimits(), content)
			return err
		},
	}
	for fuzz, run := range check {
		dir := filepath.Join("testdata", "fuzz", fuzz)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			raw := readCorpusFile(t, filepath.Join(dir, e.Name()))
			err := run(raw)
			if want := strings.HasPrefix(e.Name(), "ok-"); want != (err == nil) {
				t.Errorf("%s/%s: %v", fuzz, e.Name(), err)
			}
		}
	}
}

// readCorpusFile reads a one-[]byte file of the fuzzing corpus format.
func readCorpusFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(strings.TrimSpace(string(b)), "\n", 2)
	if len(lines) != 2 || lines[0] != "go test fuzz v1" || !strings.HasPrefix(lines[1], "[]byte(") || !strings.HasSuffix(lines[1], ")") {
		t.Fatalf("%s: not a one-[]byte corpus file", name)
	}
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return []byte(s)
}
