/**
 * NonInteger stands for a JSON number that is not a plain integer literal
 * in 0..2^53−1 (a fraction, an exponent, a sign, or too large). The manifest
 * holds no such number, so every shape check refuses it.
 */
export declare class NonInteger {
    readonly text: string;
    constructor(text: string);
}
/** JsonSyntaxError is thrown by parseStrictJson; message says what and where. */
export declare class JsonSyntaxError extends Error {
    readonly offset: number;
    constructor(message: string, offset: number);
}
/**
 * parseStrictJson parses text as one JSON value. Objects come back as
 * null-prototype objects (so "__proto__" is an ordinary member), numbers as
 * JS numbers when they are plain safe non-negative integers and as
 * NonInteger otherwise. It throws JsonSyntaxError on anything RFC 8259 does
 * not allow and on duplicate member names, lone surrogate escapes and nesting
 * deeper than 32.
 */
export declare function parseStrictJson(text: string): unknown;
