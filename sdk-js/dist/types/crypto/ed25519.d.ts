/** ed25519Mode tells which implementation ed25519Verify uses here ("webcrypto" or "fallback"). */
export declare function ed25519Mode(): Promise<'webcrypto' | 'fallback'>;
/** ed25519Verify verifies a pure Ed25519 signature; false for any malformed input. */
export declare function ed25519Verify(msg: Uint8Array, sig: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
/** resetEd25519Probe forgets the WebCrypto probe (tests). */
export declare function resetEd25519Probe(forceFallback?: boolean): void;
