package hotupdate_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/hotupdate/internal/vectors"
)

// testKey is a deterministic key of alg for tests.
func testKey(t testing.TB, alg string) hotupdate.PrivateKey {
	t.Helper()
	k, err := hotupdate.GenerateKey(alg, vectors.Stream("test key "+alg))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestRoundTrip(t *testing.T) {
	files := map[string][]byte{
		"index.html":           []byte("<!doctype html><title>个税退税</title>"),
		"assets/app-5F2A9C.js": []byte("govapp.ready()"),
		"文档/说明\u2028.txt":      []byte("第一行\u2028第二行"),
		"empty":                {},
	}
	for _, alg := range []string{hotupdate.AlgEd25519, hotupdate.AlgSM2} {
		t.Run(alg, func(t *testing.T) {
			k, err := hotupdate.GenerateKey(alg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := k.Public().Validate(); err != nil {
				t.Fatal(err)
			}
			m, err := hotupdate.NewManifest("tax-refund", "2.0.0+build.7", "index.html", files, map[string]string{"govapp": "3.2.0", "web": "1"}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			env, err := hotupdate.Sign(m, k)
			if err != nil {
				t.Fatal(err)
			}
			if env.Signature.Alg != alg || env.Signature.KeyID != k.KeyID {
				t.Fatalf("signature %+v", env.Signature)
			}
			raw, err := hotupdate.MarshalEnvelope(env)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := hotupdate.ParseEnvelope(raw)
			if err != nil {
				t.Fatal(err)
			}
			content := func(p string) ([]byte, bool) { b, ok := files[p]; return b, ok }
			got, err := hotupdate.VerifyBundle(raw, []hotupdate.PublicKey{testKey(t, hotupdate.AlgEd25519).Public(), k.Public()}, hotupdate.DefaultLimits(), content)
			if err != nil {
				t.Fatal(err)
			}
			if got.Manifest.BundleID != m.BundleID || parsed.Manifest.BundleID != m.BundleID {
				t.Fatal("bundle ids differ after the round trip")
			}
			// Another trusted key of the same alg does not verify it.
			other, _ := hotupdate.GenerateKey(alg, nil)
			pub := other.Public()
			pub.KeyID = k.KeyID
			if _, err := hotupdate.VerifyBundle(raw, []hotupdate.PublicKey{pub}, hotupdate.Limits{}, nil); hotupdate.Reason(err) != hotupdate.ReasonBadSignature {
				t.Fatalf("with another key: %v", err)
			}
		})
	}
}

func TestSignRefuses(t *testing.T) {
	k := testKey(t, hotupdate.AlgEd25519)
	m, err := hotupdate.NewManifest("housing-fund", "1", "index.html", map[string][]byte{"index.html": nil}, nil, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	stale := m
	stale.Version = "2"
	if _, err := hotupdate.Sign(stale, k); hotupdate.Reason(err) != hotupdate.ReasonBundleIDMismatch {
		t.Errorf("stale bundle_id: %v, want bundle_id_mismatch", err)
	}
	broken := map[string]func(*hotupdate.PrivateKey){
		"unknown alg":      func(k *hotupdate.PrivateKey) { k.Alg = "rsa" },
		"other public key": func(k *hotupdate.PrivateKey) { k.PublicKey = testKey(t, hotupdate.AlgSM2).PublicKey },
		"wrong key id":     func(k *hotupdate.PrivateKey) { k.KeyID = "0000000000000000" },
		"short private":    func(k *hotupdate.PrivateKey) { k.Private = "AAAA" },
		"not base64":       func(k *hotupdate.PrivateKey) { k.Private = "%%" },
	}
	for name, edit := range broken {
		bk := k
		edit(&bk)
		if _, err := hotupdate.Sign(m, bk); err == nil {
			t.Errorf("%s: Sign succeeded", name)
		}
	}
	sk := testKey(t, hotupdate.AlgSM2)
	sk.Private = base64.StdEncoding.EncodeToString(make([]byte, 32)) // zero scalar
	if _, err := hotupdate.Sign(m, sk); err == nil {
		t.Error("SM2 zero scalar: Sign succeeded")
	}
}

func TestKeys(t *testing.T) {
	// key_id is the contract's formula.
	sum := sha256.Sum256([]byte("ed25519:q7sbnq9YYkcGpE0OdbIk3k/Ij5mqNN9Sle/azIrpIhI="))
	if got, want := hotupdate.KeyID("ed25519", "q7sbnq9YYkcGpE0OdbIk3k/Ij5mqNN9Sle/azIrpIhI="), hex.EncodeToString(sum[:])[:16]; got != want {
		t.Errorf("KeyID = %s, want %s", got, want)
	}
	for _, alg := range []string{hotupdate.AlgEd25519, hotupdate.AlgSM2} {
		a, b := testKey(t, alg), testKey(t, alg)
		if a != b {
			t.Errorf("%s: GenerateKey is not deterministic in its reader", alg)
		}
		pub, _ := base64.StdEncoding.DecodeString(a.PublicKey)
		priv, _ := base64.StdEncoding.DecodeString(a.Private)
		wantPub := map[string]int{hotupdate.AlgEd25519: 32, hotupdate.AlgSM2: 65}[alg]
		if len(pub) != wantPub || len(priv) != 32 || (alg == hotupdate.AlgSM2 && pub[0] != 4) {
			t.Errorf("%s: public %d bytes, private %d bytes", alg, len(pub), len(priv))
		}
		if a.Public() != (hotupdate.PublicKey{KeyID: a.KeyID, Alg: alg, PublicKey: a.PublicKey}) {
			t.Errorf("%s: Public() = %+v", alg, a.Public())
		}
	}
	if _, err := hotupdate.GenerateKey("rsa", rand.Reader); err == nil {
		t.Error("GenerateKey(rsa) succeeded")
	}
	if _, err := hotupdate.GenerateKey(hotupdate.AlgSM2, strings.NewReader("short")); err == nil {
		t.Error("GenerateKey from a short reader succeeded")
	}

	good := testKey(t, hotupdate.AlgSM2).Public()
	bad := map[string]hotupdate.PublicKey{
		"wrong key id":   {KeyID: "0000000000000000", Alg: good.Alg, PublicKey: good.PublicKey},
		"unknown alg":    {KeyID: hotupdate.KeyID("rsa", good.PublicKey), Alg: "rsa", PublicKey: good.PublicKey},
		"ed25519 length": {KeyID: hotupdate.KeyID("ed25519", good.PublicKey), Alg: "ed25519", PublicKey: good.PublicKey},
		"not on curve":   withPub(hotupdate.AlgSM2, append([]byte{4}, make([]byte, 64)...)),
		"compressed":     withPub(hotupdate.AlgSM2, append([]byte{2}, make([]byte, 32)...)),
		"not base64":     {KeyID: hotupdate.KeyID("ed25519", "$$"), Alg: "ed25519", PublicKey: "$$"},
	}
	if err := good.Validate(); err != nil {
		t.Errorf("good key: %v", err)
	}
	for name, k := range bad {
		if err := k.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, k)
		}
	}
}

func withPub(alg string, raw []byte) hotupdate.PublicKey {
	p := base64.StdEncoding.EncodeToString(raw)
	return hotupdate.PublicKey{KeyID: hotupdate.KeyID(alg, p), Alg: alg, PublicKey: p}
}
