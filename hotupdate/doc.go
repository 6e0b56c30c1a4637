// Package hotupdate is the bundle format of hot updates: the manifest, its
// canonical JSON encoding, hashing, Ed25519 and SM2/SM3 signatures, the
// ordered verification that every implementation shares, and the diff
// between two bundles.
//
// The contract is docs/HOTUPDATE.md; the shared vectors in
// testdata/vectors/ pin every rule of it, so that the platform, the CLI,
// sdk-js and the native container reach the same verdict on the same bytes.
// The package speaks neither HTTP nor SQL: callers fetch and store, this
// package only decides.
//
// A publisher builds a manifest with NewManifest, signs it with Sign and
// uploads the envelope (MarshalEnvelope); a verifier calls VerifyBundle on
// the bytes it received, with its trusted keys, its Limits and, when it holds
// the files, a content lookup. Every refusal is a *VerifyError whose Reason
// is one of the stable codes of the contract's table.
package hotupdate

//go:generate go run ./cmd/mkvectors -out testdata/vectors
