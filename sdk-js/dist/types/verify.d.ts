import { sha256, sha256Hex } from './crypto/sha256';
/** Reason is a stable verification reason code shared by every implementation. */
export type Reason = 'malformed' | 'unknown_key' | 'alg_mismatch' | 'bad_signature' | 'bundle_id_mismatch' | 'too_many_files' | 'file_too_large' | 'bundle_too_large' | 'bad_path' | 'unsorted_files' | 'duplicate_path' | 'bad_entry' | 'missing_file' | 'size_mismatch' | 'hash_mismatch';
/** REASONS lists the reason codes in the order of the checks. */
export declare const REASONS: readonly Reason[];
/** ALG_ED25519 and ALG_SM2 are the signature algorithms of the contract. */
export declare const ALG_ED25519 = "ed25519";
export declare const ALG_SM2 = "sm2-sm3";
/** TrustedKey is a public key the verifier trusts (the SigningKey of the API, extra members ignored). */
export interface TrustedKey {
    key_id: string;
    alg: string;
    public_key: string;
}
/** Limits bound a bundle (checks 6–8); a missing, zero or negative member means its default. */
export interface Limits {
    max_files: number;
    max_file_size: number;
    max_total_size: number;
}
/** DEFAULT_LIMITS are the contract's defaults: 2000 files, 20 MiB a file, 50 MiB in all. */
export declare const DEFAULT_LIMITS: Readonly<Limits>;
/** ManifestFile is one file of a bundle. */
export interface ManifestFile {
    path: string;
    size: number;
    sha256: string;
    content_type: string;
}
/** Manifest is schema 1 of the bundle manifest. */
export interface Manifest {
    schema: number;
    app_id: string;
    bundle_id: string;
    version: string;
    created_at: string;
    entry: string;
    min_container: {
        [kind: string]: string;
    };
    files: ManifestFile[];
}
/** Signature is the detached signature of an envelope's manifest. */
export interface Signature {
    alg: string;
    key_id: string;
    value: string;
}
/** Envelope is the signed manifest. */
export interface Envelope {
    manifest: Manifest;
    signature: Signature;
}
/**
 * FileSource gives the file contents for checks 13–15: a Map or a plain
 * object keyed by path, or a function that fetches a file (null or
 * undefined when it does not exist; throwing aborts the verification).
 */
export type FileSource = Map<string, Uint8Array> | {
    [path: string]: Uint8Array;
} | ((file: ManifestFile) => Promise<Uint8Array | null | undefined>);
/** VerifyOptions are the trusted keys, the limits and, to check contents, the files. */
export interface VerifyOptions {
    keys: TrustedKey[];
    limits?: Partial<Limits>;
    files?: FileSource;
}
/** VerifyFailure is a verdict other than ok; detail is for people, reason for programs. */
export interface VerifyFailure {
    ok: false;
    reason: Reason;
    detail: string;
}
/** VerifyResult is the verdict; on success it carries the parsed envelope and, when checked, the files by path. */
export type VerifyResult = {
    ok: true;
    envelope: Envelope;
    files?: Map<string, Uint8Array>;
} | VerifyFailure;
/** ParseResult is the result of parseEnvelope. */
export type ParseResult = {
    ok: true;
    envelope: Envelope;
} | VerifyFailure;
/**
 * parseEnvelope parses and shape-checks an envelope (check 1): bytes (must be
 * UTF-8), JSON text, or an already parsed value. Text is parsed strictly:
 * duplicate members, fractions, exponents and lone surrogates are malformed.
 */
export declare function parseEnvelope(input: string | Uint8Array | unknown): ParseResult;
/**
 * pathProblem returns why p is not a safe bundle path, or null when it is:
 * 1–512 bytes of UTF-8, "/"-separated non-empty segments other than "." and
 * "..", and no "\", ":", NUL, C0 control or DEL.
 */
export declare function pathProblem(p: string): string | null;
/**
 * foldPath maps p to a key that is equal for paths equal under Unicode
 * simple case folding, code point by code point (check 11): A.js ~ a.js,
 * Ä ~ ä, K ~ K (Kelvin), ſ ~ s, but not ß ~ ss or ı ~ i.
 */
export declare function foldPath(p: string): string;
/** computeBundleId returns the bundle id of m: hex SHA-256 of its canonical form with bundle_id "". */
export declare function computeBundleId(m: Manifest): Promise<string>;
/** keyIdFor returns the key id of a public key: the first 16 hex of SHA-256(alg + ":" + base64). */
export declare function keyIdFor(alg: string, publicKeyBase64: string): Promise<string>;
/**
 * checkManifest runs checks 6–12 on a parsed manifest (limits, paths,
 * order, duplicates, entry) and returns the first failure or null.
 */
export declare function checkManifest(m: Manifest, limits?: Partial<Limits>): VerifyFailure | null;
/**
 * checkFiles runs checks 13–15 (presence, size, SHA-256 of every file, each
 * check over all files before the next) and returns the first failure, or
 * the contents by path.
 */
export declare function checkFiles(m: Manifest, src: FileSource): Promise<VerifyFailure | Map<string, Uint8Array>>;
/**
 * verifyEnvelope runs the whole verification table on an envelope (bytes,
 * text or parsed value) and returns the first failing check's reason, or ok.
 * Without opts.files checks 13–15 are skipped.
 */
export declare function verifyEnvelope(input: string | Uint8Array | unknown, opts: VerifyOptions): Promise<VerifyResult>;
export { sha256, sha256Hex };
