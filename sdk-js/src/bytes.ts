// Byte helpers that run on the oldest WebViews we support (ES2017 + TextEncoder).

/** utf8 returns the UTF-8 bytes of s. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/**
 * decodeUtf8Strict decodes bytes as UTF-8 and throws on invalid sequences;
 * a byte order mark is kept as U+FEFF (so a JSON parser refuses it).
 */
export function decodeUtf8Strict(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
}

/** hasLoneSurrogate reports whether s is not well-formed UTF-16 (so has no UTF-8 form). */
export function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d < 0xdc00 || d > 0xdfff) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/** compareBytes orders byte strings lexicographically (bytewise). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/**
 * compareUtf8 orders two strings by their UTF-8 bytes, which is code point
 * order — not JavaScript's UTF-16 code unit order, which puts U+E000..U+FFFF
 * after the astral planes.
 */
export function compareUtf8(a: string, b: string): number {
  return compareBytes(utf8(a), utf8(b));
}

const HEX = '0123456789abcdef';

/** toHex returns lowercase hex. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX: { [c: string]: number } = {};
for (let i = 0; i < B64.length; i++) B64_INDEX[B64[i]] = i;

/**
 * fromBase64 decodes standard base64 with padding (RFC 4648 §4); it returns
 * null for anything else (URL alphabet, missing padding, whitespace).
 * Like the Go side (StdEncoding.Strict plus a re-encoding check) it allows
 * one spelling per value: unused trailing bits must be zero.
 */
export function fromBase64(s: string): Uint8Array | null {
  if (typeof s !== 'string' || s.length % 4 !== 0) return null;
  let pad = 0;
  if (s.length > 0 && s[s.length - 1] === '=') pad = s[s.length - 2] === '=' ? 2 : 1;
  const n = (s.length / 4) * 3 - pad;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const last = i + 4 === s.length;
    const q = [0, 0, 0, 0];
    for (let j = 0; j < 4; j++) {
      const ch = s[i + j];
      if (ch === '=') {
        if (!last || j < 4 - pad) return null;
        continue;
      }
      const v = B64_INDEX[ch];
      if (v === undefined) return null;
      q[j] = v;
    }
    const w = (q[0] << 18) | (q[1] << 12) | (q[2] << 6) | q[3];
    if (o < n) out[o++] = (w >> 16) & 255;
    if (o < n) out[o++] = (w >> 8) & 255;
    if (o < n) out[o++] = w & 255;
  }
  return toBase64(out) === s ? out : null;
}

/** toBase64 encodes standard base64 with padding. */
export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const w = (b[i] << 16) | ((i + 1 < b.length ? b[i + 1] : 0) << 8) | (i + 2 < b.length ? b[i + 2] : 0);
    s += B64[(w >> 18) & 63] + B64[(w >> 12) & 63];
    s += i + 1 < b.length ? B64[(w >> 6) & 63] : '=';
    s += i + 2 < b.length ? B64[w & 63] : '=';
  }
  return s;
}

/** globalObject returns the global object without `globalThis` (Chrome 71+, Safari 12.1+). */
export function globalObject(): any {
  if (typeof self !== 'undefined') return self;
  if (typeof window !== 'undefined') return window;
  // eslint-disable-next-line no-new-func
  return Function('return this')();
}
