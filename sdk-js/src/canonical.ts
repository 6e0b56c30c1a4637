// Canonical JSON of docs/HOTUPDATE.md: RFC 8785 (JCS) restricted to objects,
// arrays, strings and integers in 0..2^53−1. No whitespace, members sorted by
// key, strings exactly as JSON.stringify writes them.

import { hasLoneSurrogate, utf8 } from './bytes';

/** MAX_SAFE is 2^53−1, the largest integer the canonical form carries. */
export const MAX_SAFE = 9007199254740991;

/** CanonicalError is thrown for a value that has no canonical form. */
export class CanonicalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalError';
  }
}

/**
 * canonicalize returns the canonical JSON text of v. It throws CanonicalError
 * on booleans, null, non-integers, negative or unsafe numbers, strings with
 * lone surrogates (no UTF-8 form) and any other type.
 */
export function canonicalize(v: unknown): string {
  if (typeof v === 'string') {
    if (hasLoneSurrogate(v)) throw new CanonicalError('string is not valid Unicode (lone surrogate)');
    // JSON.stringify escapes exactly: " \ \b \t \n \f \r and other C0 as \u00xx (lowercase).
    return JSON.stringify(v);
  }
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > MAX_SAFE || Object.is(v, -0)) {
      throw new CanonicalError('number ' + String(v) + ' is not an integer in 0..2^53-1');
    }
    return String(v);
  }
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ',';
      s += canonicalize(v[i]);
    }
    return s + ']';
  }
  if (isPlainObject(v)) {
    const o = v as { [k: string]: unknown };
    // Default sort is by UTF-16 code units, which is what JCS specifies for keys.
    const keys = Object.keys(o).sort();
    let s = '{';
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) s += ',';
      s += canonicalize(keys[i]) + ':' + canonicalize(o[keys[i]]);
    }
    return s + '}';
  }
  throw new CanonicalError('value of type ' + (v === null ? 'null' : typeof v) + ' has no canonical form');
}

function isPlainObject(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** canonicalBytes returns the UTF-8 bytes of canonicalize(v): what is hashed and signed. */
export function canonicalBytes(v: unknown): Uint8Array {
  return utf8(canonicalize(v));
}
