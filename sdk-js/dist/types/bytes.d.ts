/** utf8 returns the UTF-8 bytes of s. */
export declare function utf8(s: string): Uint8Array;
/**
 * decodeUtf8Strict decodes bytes as UTF-8 and throws on invalid sequences;
 * a byte order mark is kept as U+FEFF (so a JSON parser refuses it).
 */
export declare function decodeUtf8Strict(b: Uint8Array): string;
/** hasLoneSurrogate reports whether s is not well-formed UTF-16 (so has no UTF-8 form). */
export declare function hasLoneSurrogate(s: string): boolean;
/** compareBytes orders byte strings lexicographically (bytewise). */
export declare function compareBytes(a: Uint8Array, b: Uint8Array): number;
/**
 * compareUtf8 orders two strings by their UTF-8 bytes, which is code point
 * order — not JavaScript's UTF-16 code unit order, which puts U+E000..U+FFFF
 * after the astral planes.
 */
export declare function compareUtf8(a: string, b: string): number;
/** toHex returns lowercase hex. */
export declare function toHex(b: Uint8Array): string;
/**
 * fromBase64 decodes standard base64 with padding (RFC 4648 §4); it returns
 * null for anything else (URL alphabet, missing padding, whitespace).
 * Like the Go side (StdEncoding.Strict plus a re-encoding check) it allows
 * one spelling per value: unused trailing bits must be zero.
 */
export declare function fromBase64(s: string): Uint8Array | null;
/** toBase64 encodes standard base64 with padding. */
export declare function toBase64(b: Uint8Array): string;
/** globalObject returns the global object without `globalThis` (Chrome 71+, Safari 12.1+). */
export declare function globalObject(): any;
