// Ed25519 verification in plain ES5 JavaScript (TweetNaCl, audited by Cure53),
// for WebViews without WebCrypto Ed25519 — and without BigInt, which rules
// out BigInt-based libraries on the oldest WebViews we support.

// nacl.js is the compact TweetNaCl (18 KB minified against 32 KB for nacl-fast.js);
// one verification per update does not need the fast one.
import nacl from 'tweetnacl/nacl.js';

// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const L = [
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/** scalarIsCanonical reports whether the 32 little-endian bytes are < L (RFC 8032 §5.1.7). */
export function scalarIsCanonical(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i] < L[i]) return true;
    if (s[i] > L[i]) return false;
  }
  return false; // equal to L
}

/**
 * ed25519VerifyNacl verifies an RFC 8032 Ed25519 signature the way Go's
 * crypto/ed25519 does: 64-byte signature with S < L, 32-byte key, R compared
 * by encoding. TweetNaCl itself does not reject S ≥ L, so that is checked here.
 */
export function ed25519VerifyNacl(msg: Uint8Array, sig: Uint8Array, publicKey: Uint8Array): boolean {
  if (sig.length !== 64 || publicKey.length !== 32) return false;
  if (!scalarIsCanonical(sig.subarray(32))) return false;
  return nacl.sign.detached.verify(msg, sig, publicKey);
}
