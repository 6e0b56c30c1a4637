package hotupdate

import (
	"encoding/base64"
	"fmt"
	"io"
)

// Sign signs m with k and returns the envelope to publish. m must carry its
// correct BundleID (NewManifest sets it): a manifest edited after
// NewManifest is refused with ReasonBundleIDMismatch instead of being
// signed into a bundle that every verifier rejects. SM2 signatures take
// their randomness from crypto/rand.
func Sign(m Manifest, k PrivateKey) (Envelope, error) {
	return SignWithRand(m, k, nil)
}

// SignWithRand is Sign with the SM2 nonce read from rand (crypto/rand when
// nil); Ed25519 ignores it. It exists for reproducible test vectors made
// with public test keys — with a real key, a predictable rand gives the
// key away.
func SignWithRand(m Manifest, k PrivateKey, rand io.Reader) (Envelope, error) {
	priv, err := k.validate()
	if err != nil {
		return Envelope{}, err
	}
	id, err := BundleID(m)
	if err != nil {
		return Envelope{}, malformed("%v", err)
	}
	if m.BundleID != id {
		return Envelope{}, &VerifyError{Reason: ReasonBundleIDMismatch, Detail: fmt.Sprintf("bundle_id is %q, the manifest hashes to %s", m.BundleID, id)}
	}
	msg, err := Canonical(m)
	if err != nil {
		return Envelope{}, malformed("%v", err)
	}
	if rand == nil {
		rand = cryptoRand()
	}
	sig, err := sign(k.Alg, priv, msg, rand)
	if err != nil {
		return Envelope{}, fmt.Errorf("hotupdate: sign with key %s: %w", k.KeyID, err)
	}
	return Envelope{
		Manifest:  m,
		Signature: Signature{Alg: k.Alg, KeyID: k.KeyID, Value: base64.StdEncoding.EncodeToString(sig)},
	}, nil
}
