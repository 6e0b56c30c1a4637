/** MAX_SAFE is 2^53−1, the largest integer the canonical form carries. */
export declare const MAX_SAFE = 9007199254740991;
/** CanonicalError is thrown for a value that has no canonical form. */
export declare class CanonicalError extends Error {
    constructor(message: string);
}
/**
 * canonicalize returns the canonical JSON text of v. It throws CanonicalError
 * on booleans, null, non-integers, negative or unsafe numbers, strings with
 * lone surrogates (no UTF-8 form) and any other type.
 */
export declare function canonicalize(v: unknown): string;
/** canonicalBytes returns the UTF-8 bytes of canonicalize(v): what is hashed and signed. */
export declare function canonicalBytes(v: unknown): Uint8Array;
