package stats

import (
	"math/rand/v2"
	"testing"
)

// The hand-written checks of the ingest path accept exactly what the documented patterns do.
func TestCharChecksMatchPatterns(t *testing.T) {
	const alphabet = "azAZ09_-.+/ é\x00"
	rng := rand.New(rand.NewPCG(7, 7))
	for range 200_000 {
		b := make([]byte, rng.IntN(140))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		if got, want := isIDChars(s, 8, 64), reEventID.MatchString(s); got != want {
			t.Fatalf("event id %q: %v, pattern says %v", s, got, want)
		}
		if got, want := isIDChars(s, 8, 128), reDeviceID.MatchString(s); got != want {
			t.Fatalf("device id %q: %v, pattern says %v", s, got, want)
		}
		if got, want := isAppID(s), reAppID.MatchString(s); got != want {
			t.Fatalf("app id %q: %v, pattern says %v", s, got, want)
		}
		if got, want := isVersion(s), reVersion.MatchString(s); got != want {
			t.Fatalf("version %q: %v, pattern says %v", s, got, want)
		}
	}
}

// The recent-id set remembers at least limit keys, forgets the oldest generation, and
// tells (app, id) pairs apart even when their concatenations agree.
func TestRecentIDs(t *testing.T) {
	r := newRecentIDs(100)
	if r.key("ab", "c") == r.key("a", "bc") {
		t.Fatal("keys of different (app, id) pairs are equal")
	}
	if r.key("app", "id") != r.keyBytes([]byte("app"), []byte("id")) {
		t.Fatal("key and keyBytes differ")
	}
	for i := range 250 {
		r.add(r.key("app", string(rune('a'+i%26))+string(rune(i))))
	}
	for i := 150; i < 250; i++ {
		if !r.has(r.key("app", string(rune('a'+i%26))+string(rune(i)))) {
			t.Fatalf("key %d of the last 100 forgotten", i)
		}
	}
	if r.has(r.key("app", string(rune('a'))+string(rune(0)))) {
		t.Fatal("the oldest generation is still remembered")
	}
}
