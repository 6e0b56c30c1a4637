package hotupdate

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/emmansun/gmsm/sm2"
)

// sm2UID is the default SM2 user id of GB/T 32918 / GM/T 0009, named here
// rather than left to the library's default so that the choice is visible
// and other implementations can match it.
var sm2UID = []byte("1234567812345678")

// Key sizes of the wire formats.
const (
	ed25519SeedSize = ed25519.SeedSize // private key: the RFC 8032 seed
	sm2ScalarSize   = 32               // private key: the big-endian scalar
	sm2PublicSize   = 65               // public key: 04 ‖ X ‖ Y
)

// PublicKey is a trusted verification key as the platform stores it per
// department and hands it to devices with an update.
type PublicKey struct {
	KeyID     string `json:"key_id"`
	Alg       string `json:"alg"`
	PublicKey string `json:"public_key"`
}

// PrivateKey is a signing key as the CLI keeps it
// (~/.config/govapp/keys/<key_id>.json, mode 0600). Private is standard
// base64 of the 32-byte Ed25519 seed or of the 32-byte SM2 scalar, the
// smallest forms from which everything else is derived.
type PrivateKey struct {
	Alg       string `json:"alg"`
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"`
	Private   string `json:"private_key"`
}

// KeyID names a public key by its content: the first 16 hex characters of
// SHA-256 over alg + ":" + publicKeyBase64. Including the algorithm means
// the same bytes under another algorithm are another key.
func KeyID(alg, publicKeyBase64 string) string {
	sum := sha256.Sum256([]byte(alg + ":" + publicKeyBase64))
	return hex.EncodeToString(sum[:8])
}

// GenerateKey makes a new signing key for alg (AlgEd25519 or AlgSM2),
// reading randomness from rand (crypto/rand when nil). The key depends only
// on the bytes read, so a fixed reader gives a fixed key, which is how the
// test vectors get theirs.
func GenerateKey(alg string, rand io.Reader) (PrivateKey, error) {
	if rand == nil {
		rand = cryptoRand()
	}
	var priv []byte
	switch alg {
	case AlgEd25519:
		priv = make([]byte, ed25519SeedSize)
		if _, err := io.ReadFull(rand, priv); err != nil {
			return PrivateKey{}, fmt.Errorf("hotupdate: generate %s key: %w", alg, err)
		}
	case AlgSM2:
		// Rejection sampling of a scalar in [1, n-2], reading only from rand.
		priv = make([]byte, sm2ScalarSize)
		for tries := 0; ; tries++ {
			if tries == 100 {
				return PrivateKey{}, fmt.Errorf("hotupdate: generate %s key: the random source gives no valid scalar", alg)
			}
			if _, err := io.ReadFull(rand, priv); err != nil {
				return PrivateKey{}, fmt.Errorf("hotupdate: generate %s key: %w", alg, err)
			}
			if _, err := sm2.NewPrivateKey(priv); err == nil {
				break
			}
		}
	default:
		return PrivateKey{}, fmt.Errorf("hotupdate: unknown signature algorithm %q (want %q or %q)", alg, AlgEd25519, AlgSM2)
	}
	k, err := privateKeyFromBytes(alg, priv)
	if err != nil {
		return PrivateKey{}, err
	}
	return k, nil
}

// cryptoRand returns crypto/rand's reader; a function so that parameters
// named rand may shadow the package.
func cryptoRand() io.Reader { return rand.Reader }

// privateKeyFromBytes builds the PrivateKey record of raw private bytes.
func privateKeyFromBytes(alg string, priv []byte) (PrivateKey, error) {
	pub, err := publicFromPrivate(alg, priv)
	if err != nil {
		return PrivateKey{}, err
	}
	pub64 := base64.StdEncoding.EncodeToString(pub)
	return PrivateKey{
		Alg:       alg,
		KeyID:     KeyID(alg, pub64),
		PublicKey: pub64,
		Private:   base64.StdEncoding.EncodeToString(priv),
	}, nil
}

// publicFromPrivate derives the raw public key bytes from raw private bytes.
func publicFromPrivate(alg string, priv []byte) ([]byte, error) {
	switch alg {
	case AlgEd25519:
		if len(priv) != ed25519SeedSize {
			return nil, fmt.Errorf("hotupdate: %s private key is %d bytes, want %d", alg, len(priv), ed25519SeedSize)
		}
		return ed25519.NewKeyFromSeed(priv).Public().(ed25519.PublicKey), nil
	case AlgSM2:
		k, err := sm2.NewPrivateKey(priv)
		if err != nil {
			return nil, fmt.Errorf("hotupdate: %s private key: %w", alg, err)
		}
		return sm2PublicBytes(&k.PublicKey), nil
	default:
		return nil, fmt.Errorf("hotupdate: unknown signature algorithm %q", alg)
	}
}

// sm2PublicBytes encodes an SM2 public key as the uncompressed point.
func sm2PublicBytes(pub *ecdsa.PublicKey) []byte {
	out := make([]byte, sm2PublicSize)
	out[0] = 4
	pub.X.FillBytes(out[1:33])
	pub.Y.FillBytes(out[33:])
	return out
}

// Public returns the verification half of k, what gets registered with the
// platform.
func (k PrivateKey) Public() PublicKey {
	return PublicKey{KeyID: k.KeyID, Alg: k.Alg, PublicKey: k.PublicKey}
}

// validate checks a private key record before it is used: a key file that
// was edited or truncated must fail loudly here rather than produce
// signatures that no device accepts. It returns the raw private bytes.
func (k PrivateKey) validate() ([]byte, error) {
	priv, err := decodeBase64(k.Private)
	if err != nil {
		return nil, fmt.Errorf("hotupdate: key %s: private_key: %w", k.KeyID, err)
	}
	pub, err := publicFromPrivate(k.Alg, priv)
	if err != nil {
		return nil, fmt.Errorf("hotupdate: key %s: %w", k.KeyID, err)
	}
	if base64.StdEncoding.EncodeToString(pub) != k.PublicKey {
		return nil, fmt.Errorf("hotupdate: key %s: public_key does not belong to private_key", k.KeyID)
	}
	if want := KeyID(k.Alg, k.PublicKey); k.KeyID != want {
		return nil, fmt.Errorf("hotupdate: key %s: key_id should be %s", k.KeyID, want)
	}
	return priv, nil
}

// Validate checks a public key before the platform registers it: a known
// algorithm, standard base64 of a well-formed key (32 bytes for Ed25519, an
// uncompressed point on the SM2 curve), and the KeyID that its content
// gives. A key that passes cannot make Verify fail for reasons other than
// the bundle's.
func (k PublicKey) Validate() error {
	if _, err := k.parse(); err != nil {
		return err
	}
	if want := KeyID(k.Alg, k.PublicKey); k.KeyID != want {
		return fmt.Errorf("hotupdate: key %s: key_id should be %s for this %s key", k.KeyID, want, k.Alg)
	}
	return nil
}

// parse decodes the public key into the form its verifier takes.
func (k PublicKey) parse() (any, error) {
	raw, err := decodeBase64(k.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("hotupdate: key %s: public_key: %w", k.KeyID, err)
	}
	switch k.Alg {
	case AlgEd25519:
		if len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("hotupdate: key %s: %s public key is %d bytes, want %d", k.KeyID, k.Alg, len(raw), ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(raw), nil
	case AlgSM2:
		if len(raw) != sm2PublicSize {
			return nil, fmt.Errorf("hotupdate: key %s: %s public key is %d bytes, want %d (04 ‖ X ‖ Y)", k.KeyID, k.Alg, len(raw), sm2PublicSize)
		}
		pub, err := sm2.NewPublicKey(raw)
		if err != nil {
			return nil, fmt.Errorf("hotupdate: key %s: %s public key: %w", k.KeyID, k.Alg, err)
		}
		return pub, nil
	default:
		return nil, fmt.Errorf("hotupdate: key %s: unknown signature algorithm %q", k.KeyID, k.Alg)
	}
}

// verifySignature reports whether sig is pub's signature over msg.
func verifySignature(pub any, msg, sig []byte) bool {
	switch pub := pub.(type) {
	case ed25519.PublicKey:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, msg, sig)
	case *ecdsa.PublicKey:
		return sm2.VerifyASN1WithSM2(pub, sm2UID, msg, sig)
	}
	return false
}

// sign signs msg with the raw private key of alg.
func sign(alg string, priv, msg []byte, rand io.Reader) ([]byte, error) {
	switch alg {
	case AlgEd25519:
		return ed25519.Sign(ed25519.NewKeyFromSeed(priv), msg), nil
	case AlgSM2:
		k, err := sm2.NewPrivateKey(priv)
		if err != nil {
			return nil, err
		}
		return sm2.SignASN1(rand, k, msg, sm2.NewSM2SignerOption(true, sm2UID))
	}
	return nil, fmt.Errorf("hotupdate: unknown signature algorithm %q", alg)
}

var errNotBase64 = errors.New("not standard base64 with padding")

// decodeBase64 decodes standard base64 with padding and nothing else: no
// line breaks, no stray bits, so that one value has one spelling.
func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || base64.StdEncoding.EncodeToString(b) != s {
		return nil, errNotBase64
	}
	return b, nil
}
