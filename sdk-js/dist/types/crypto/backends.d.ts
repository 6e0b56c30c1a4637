/** SignatureVerifier checks a signature over msg with a raw public key. */
export type SignatureVerifier = (msg: Uint8Array, sig: Uint8Array, publicKey: Uint8Array) => boolean;
/** CryptoBackends supplies the verifiers that are not built into the platform. */
export interface CryptoBackends {
    /** ed25519 is used only where WebCrypto has no Ed25519. */
    ed25519(): Promise<SignatureVerifier>;
    /** sm2 verifies SM2-with-SM3 (default user id), signature ASN.1 DER, key 04‖X‖Y. */
    sm2(): Promise<SignatureVerifier>;
}
/** setCryptoBackends installs the verifiers; the entry points call it once. */
export declare function setCryptoBackends(b: CryptoBackends): void;
/** cryptoBackends returns the installed verifiers or throws if none were installed. */
export declare function cryptoBackends(): CryptoBackends;
