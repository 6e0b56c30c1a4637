// Where the heavy verifiers come from. The browser build (dist/govapp.js)
// loads them as separate scripts on first use (dist/ed25519.js, dist/sm2.js)
// so that the common case — WebCrypto Ed25519 — downloads nothing more; the
// ESM build and the tests link them statically (src/crypto/static.ts).

/** SignatureVerifier checks a signature over msg with a raw public key. */
export type SignatureVerifier = (msg: Uint8Array, sig: Uint8Array, publicKey: Uint8Array) => boolean;

/** CryptoBackends supplies the verifiers that are not built into the platform. */
export interface CryptoBackends {
  /** ed25519 is used only where WebCrypto has no Ed25519. */
  ed25519(): Promise<SignatureVerifier>;
  /** sm2 verifies SM2-with-SM3 (default user id), signature ASN.1 DER, key 04‖X‖Y. */
  sm2(): Promise<SignatureVerifier>;
}

let current: CryptoBackends | null = null;

/** setCryptoBackends installs the verifiers; the entry points call it once. */
export function setCryptoBackends(b: CryptoBackends): void {
  current = b;
}

/** cryptoBackends returns the installed verifiers or throws if none were installed. */
export function cryptoBackends(): CryptoBackends {
  if (!current) throw new Error('govapp: no crypto backends installed (import from the package entry point)');
  return current;
}
