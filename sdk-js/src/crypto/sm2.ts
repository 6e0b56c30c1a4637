// SM2 with SM3 (国密) verification through sm-crypto.

import { doVerifySignature } from 'sm-crypto/src/sm2/index.js';
import { toHex } from '../bytes';

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
export function sm2Verify(msg: Uint8Array, sig: Uint8Array, publicKey: Uint8Array): boolean {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) return false;
  if (sig.length < 8 || sig.length > 80) return false;
  try {
    return doVerifySignature(Array.prototype.slice.call(msg), toHex(sig), toHex(publicKey), {
      der: true,
      hash: true,
      userId: '1234567812345678',
    }) === true;
  } catch (_) {
    return false;
  }
}
