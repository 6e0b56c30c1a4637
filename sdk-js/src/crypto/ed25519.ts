// Ed25519: WebCrypto where the platform has it (Node 20, Chrome 137+,
// Safari 17+, Firefox 129+), otherwise the fallback backend.

import { globalObject } from '../bytes';
import { cryptoBackends } from './backends';

// RFC 8032 §7.1 test 1: key and signature of the empty message, used to
// probe that the platform's Ed25519 exists and actually verifies.
const PROBE_KEY = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const PROBE_SIG = hex(
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
);

function hex(s: string): Uint8Array {
  const b = new Uint8Array(s.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(s.substr(i * 2, 2), 16);
  return b;
}

let probe: Promise<boolean> | null = null;

async function subtleVerify(subtle: SubtleCrypto, msg: Uint8Array, sig: Uint8Array, key: Uint8Array): Promise<boolean> {
  const k = await subtle.importKey('raw', key as BufferSource, { name: 'Ed25519' }, false, ['verify']);
  return subtle.verify({ name: 'Ed25519' }, k, sig as BufferSource, msg as BufferSource);
}

function webCryptoEd25519(): Promise<boolean> {
  if (!probe) {
    const c = globalObject().crypto;
    const subtle: SubtleCrypto | undefined = c && c.subtle;
    probe = !subtle
      ? Promise.resolve(false)
      : subtleVerify(subtle, new Uint8Array(0), PROBE_SIG, PROBE_KEY).then(
          (ok) => ok === true,
          () => false,
        );
  }
  return probe;
}

/** ed25519Mode tells which implementation ed25519Verify uses here ("webcrypto" or "fallback"). */
export async function ed25519Mode(): Promise<'webcrypto' | 'fallback'> {
  return (await webCryptoEd25519()) ? 'webcrypto' : 'fallback';
}

/** ed25519Verify verifies a pure Ed25519 signature; false for any malformed input. */
export async function ed25519Verify(msg: Uint8Array, sig: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  if (sig.length !== 64 || publicKey.length !== 32) return false;
  if (await webCryptoEd25519()) {
    try {
      return await subtleVerify(globalObject().crypto.subtle, msg, sig, publicKey);
    } catch (_) {
      return false; // a key WebCrypto refuses (not a point) cannot verify anything
    }
  }
  const verify = await cryptoBackends().ed25519();
  return verify(msg, sig, publicKey);
}

/** resetEd25519Probe forgets the WebCrypto probe (tests). */
export function resetEd25519Probe(forceFallback?: boolean): void {
  probe = forceFallback ? Promise.resolve(false) : null;
}
