package hotupdate_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/hotupdate/internal/vectors"
)

const vectorsDir = "testdata/vectors"

// vector is one loaded vector of testdata/vectors.
type vector struct {
	vectors.Index
	envelope []byte
	files    map[string][]byte
}

// content returns the vector's content lookup, nil when files are not
// checked.
func (v vector) content() func(string) ([]byte, bool) {
	if !v.CheckFiles {
		return nil
	}
	return func(p string) ([]byte, bool) {
		b, ok := v.files[p]
		return b, ok
	}
}

func (v vector) limits() hotupdate.Limits {
	if v.Limits != nil {
		return *v.Limits
	}
	return hotupdate.DefaultLimits()
}

// loadVectors reads keys.json, index.json and every vector, as another
// implementation would.
func loadVectors(tb testing.TB) ([]hotupdate.PublicKey, []vector) {
	tb.Helper()
	var keys []hotupdate.PublicKey
	readJSON(tb, filepath.Join(vectorsDir, "keys.json"), &keys)
	var idx []vectors.Index
	readJSON(tb, filepath.Join(vectorsDir, "index.json"), &idx)
	vs := make([]vector, 0, len(idx))
	for _, e := range idx {
		v := vector{Index: e}
		var err error
		v.envelope, err = os.ReadFile(filepath.Join(vectorsDir, e.Name, "envelope.json"))
		if err != nil {
			tb.Fatal(err)
		}
		if e.CheckFiles {
			var enc map[string]string
			readJSON(tb, filepath.Join(vectorsDir, e.Name, "files.json"), &enc)
			v.files = map[string][]byte{}
			for p, b64 := range enc {
				if v.files[p], err = base64.StdEncoding.DecodeString(b64); err != nil {
					tb.Fatalf("%s: files.json %q: %v", e.Name, p, err)
				}
			}
		}
		vs = append(vs, v)
	}
	return keys, vs
}

func readJSON(tb testing.TB, name string, v any) {
	tb.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
}

// TestVectors is the Go side of the cross-language contract: every vector
// reaches the verdict of index.json.
func TestVectors(t *testing.T) {
	keys, vs := loadVectors(t)
	if len(keys) != 2 {
		t.Fatalf("keys.json has %d keys, want 2", len(keys))
	}
	for _, k := range keys {
		if err := k.Validate(); err != nil {
			t.Errorf("keys.json: %v", err)
		}
	}
	reasons := map[string]bool{}
	for _, v := range vs {
		t.Run(v.Name, func(t *testing.T) {
			if v.Valid != (v.Reason == "") {
				t.Fatalf("index.json: valid %v with reason %q", v.Valid, v.Reason)
			}
			env, err := hotupdate.VerifyBundle(v.envelope, keys, v.limits(), v.content())
			if got := hotupdate.Reason(err); got != v.Reason {
				t.Fatalf("reason %q, want %q (error: %v)", got, v.Reason, err)
			}
			reasons[v.Reason] = true
			if err != nil {
				return
			}
			// A verified envelope re-encodes to bytes that verify the same.
			again, err := hotupdate.MarshalEnvelope(env)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := hotupdate.VerifyBundle(again, keys, v.limits(), v.content()); err != nil {
				t.Fatalf("re-encoded envelope: %v", err)
			}
		})
	}
	for _, r := range allReasons {
		if !reasons[r] {
			t.Errorf("no vector gives reason %q", r)
		}
	}
}

var allReasons = []string{"",
	hotupdate.ReasonMalformed, hotupdate.ReasonUnknownKey, hotupdate.ReasonAlgMismatch,
	hotupdate.ReasonBadSignature, hotupdate.ReasonBundleIDMismatch, hotupdate.ReasonTooManyFiles,
	hotupdate.ReasonFileTooLarge, hotupdate.ReasonBundleTooLarge, hotupdate.ReasonBadPath,
	hotupdate.ReasonUnsortedFiles, hotupdate.ReasonDuplicatePath, hotupdate.ReasonBadEntry,
	hotupdate.ReasonMissingFile, hotupdate.ReasonSizeMismatch, hotupdate.ReasonHashMismatch,
}

// TestVectorsUpToDate regenerates the vectors in memory and compares them
// with the committed files byte for byte: the generator is deterministic,
// so any difference means `go run ./hotupdate/cmd/mkvectors` was not run
// after a change (or someone edited a vector by hand).
func TestVectorsUpToDate(t *testing.T) {
	keys, vs, err := vectors.Generate()
	if err != nil {
		t.Fatal(err)
	}
	want, err := vectors.Files(keys, vs)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	err = filepath.WalkDir(vectorsDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(vectorsDir, p)
		if err != nil {
			return err
		}
		got[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range want {
		names = append(names, n)
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	stale := 0
	for _, n := range names {
		w, inWant := want[n]
		g, inGot := got[n]
		switch {
		case !inGot:
			t.Errorf("%s is missing", n)
		case !inWant:
			t.Errorf("%s is not generated any more", n)
		case !bytes.Equal(w, g):
			t.Errorf("%s differs from what mkvectors generates", n)
		default:
			continue
		}
		stale++
	}
	if stale > 0 {
		t.Log("run: go run ./hotupdate/cmd/mkvectors")
	}
}
