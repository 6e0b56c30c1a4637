/**
 * sm2Verify verifies an SM2 signature (ASN.1 DER SEQUENCE{r,s}) over msg with
 * SM3 and the default user id 1234567812345678 (GM/T 0009); publicKey is the
 * uncompressed point 04‖X‖Y (65 bytes).
 *
 * sm-crypto takes the message as a string (which it UTF-8 encodes) or as an
 * array of bytes; the bytes are passed so that nothing is re-encoded. The
 * signature and key go in as lowercase hex. sm-crypto's DER decoder is strict
 * (minimal INTEGERs, exact lengths), which is what GM/T 0009 asks for.
 */
export declare function sm2Verify(msg: Uint8Array, sig: Uint8Array, publicKey: Uint8Array): boolean;
