/** scalarIsCanonical reports whether the 32 little-endian bytes are < L (RFC 8032 §5.1.7). */
export declare function scalarIsCanonical(s: Uint8Array): boolean;
/**
 * ed25519VerifyNacl verifies an RFC 8032 Ed25519 signature the way Go's
 * crypto/ed25519 does: 64-byte signature with S < L, 32-byte key, R compared
 * by encoding. TweetNaCl itself does not reject S ≥ L, so that is checked here.
 */
export declare function ed25519VerifyNacl(msg: Uint8Array, sig: Uint8Array, publicKey: Uint8Array): boolean;
