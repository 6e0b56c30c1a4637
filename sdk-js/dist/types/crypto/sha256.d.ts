/** sha256 returns the SHA-256 digest of data. */
export declare function sha256(data: Uint8Array): Promise<Uint8Array>;
/** sha256Hex returns the lowercase hex SHA-256 of data. */
export declare function sha256Hex(data: Uint8Array): Promise<string>;
/** sha256Js is the FIPS 180-4 SHA-256 in plain JavaScript (exported for tests). */
export declare function sha256Js(data: Uint8Array): Uint8Array;
