// Verification of a signed bundle envelope, exactly as the table in
// docs/HOTUPDATE.md says: the same checks, in the same order, with the same
// reason codes as the Go package hotupdate and the native container.

import { FOLD_RUNS } from './foldtable';
import { compareUtf8, decodeUtf8Strict, fromBase64, hasLoneSurrogate, utf8 } from './bytes';
import { canonicalBytes, MAX_SAFE } from './canonical';
import { cryptoBackends } from './crypto/backends';
import { ed25519Verify } from './crypto/ed25519';
import { sha256, sha256Hex } from './crypto/sha256';
import { parseStrictJson } from './json';

/** Reason is a stable verification reason code shared by every implementation. */
export type Reason =
  | 'malformed'
  | 'unknown_key'
  | 'alg_mismatch'
  | 'bad_signature'
  | 'bundle_id_mismatch'
  | 'too_many_files'
  | 'file_too_large'
  | 'bundle_too_large'
  | 'bad_path'
  | 'unsorted_files'
  | 'duplicate_path'
  | 'bad_entry'
  | 'missing_file'
  | 'size_mismatch'
  | 'hash_mismatch';

/** REASONS lists the reason codes in the order of the checks. */
export const REASONS: readonly Reason[] = [
  'malformed', 'unknown_key', 'alg_mismatch', 'bad_signature', 'bundle_id_mismatch',
  'too_many_files', 'file_too_large', 'bundle_too_large', 'bad_path', 'unsorted_files',
  'duplicate_path', 'bad_entry', 'missing_file', 'size_mismatch', 'hash_mismatch',
];

/** ALG_ED25519 and ALG_SM2 are the signature algorithms of the contract. */
export const ALG_ED25519 = 'ed25519';
export const ALG_SM2 = 'sm2-sm3';

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
export const DEFAULT_LIMITS: Readonly<Limits> = {
  max_files: 2000,
  max_file_size: 20 * 1024 * 1024,
  max_total_size: 50 * 1024 * 1024,
};

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
  min_container: { [kind: string]: string };
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
export type FileSource =
  | Map<string, Uint8Array>
  | { [path: string]: Uint8Array }
  | ((file: ManifestFile) => Promise<Uint8Array | null | undefined>);

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
export type VerifyResult =
  | { ok: true; envelope: Envelope; files?: Map<string, Uint8Array> }
  | VerifyFailure;

/** ParseResult is the result of parseEnvelope. */
export type ParseResult = { ok: true; envelope: Envelope } | VerifyFailure;

const KINDS = ['alipay', 'govapp', 'web', 'wechat'];
const RE_APP_ID = /^[a-z][a-z0-9-]{2,39}$/;
const RE_VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$/;
const RE_CREATED = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/;
const RE_DOTTED = /^[0-9]+(\.[0-9]+){0,3}$/;
const RE_HEX64 = /^[0-9a-f]{64}$/;
const RE_HEX16 = /^[0-9a-f]{16}$/;
// content_type is served as a header: 1–255 printable ASCII characters.
const RE_CONTENT_TYPE = /^[\x20-\x7e]{1,255}$/;

function fail(reason: Reason, detail: string): VerifyFailure {
  return { ok: false, reason, detail };
}

class Malformed extends Error {}

function bad(msg: string): never {
  throw new Malformed(msg);
}

function isObject(v: unknown): v is { [k: string]: unknown } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === null || p === Object.prototype;
}

function exactMembers(v: unknown, what: string, names: string[]): { [k: string]: unknown } {
  if (!isObject(v)) bad(what + ' is not an object');
  const keys = Object.keys(v);
  for (const k of keys) {
    if (names.indexOf(k) < 0) bad(what + ' has unknown member ' + JSON.stringify(k));
  }
  for (const n of names) {
    if (!Object.prototype.hasOwnProperty.call(v, n)) bad(what + ' lacks member ' + JSON.stringify(n));
  }
  return v;
}

function str(v: unknown, what: string, re?: RegExp): string {
  if (typeof v !== 'string') bad(what + ' is not a string');
  if (hasLoneSurrogate(v)) bad(what + ' is not valid Unicode');
  if (re && !re.test(v)) bad(what + ' ' + JSON.stringify(v) + ' does not match ' + String(re));
  return v;
}

function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_SAFE || Object.is(v, -0)) {
    bad(what + ' is not an integer in 0..2^53-1');
  }
  return v;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].indexOf(month) >= 0 ? 30 : 31;
}

function createdAt(v: unknown): string {
  const s = str(v, 'manifest.created_at');
  const m = RE_CREATED.exec(s);
  if (!m) bad('manifest.created_at ' + JSON.stringify(s) + ' is not RFC 3339 UTC with Z and whole seconds');
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || se > 59) {
    bad('manifest.created_at ' + JSON.stringify(s) + ' is not a valid time');
  }
  return s;
}

function shape(v: unknown): Envelope {
  const env = exactMembers(v, 'envelope', ['manifest', 'signature']);
  const m = exactMembers(env.manifest, 'manifest', [
    'schema', 'app_id', 'bundle_id', 'version', 'created_at', 'entry', 'min_container', 'files',
  ]);
  if (int(m.schema, 'manifest.schema') !== 1) bad('manifest.schema is ' + String(m.schema) + ', not 1');
  str(m.app_id, 'manifest.app_id', RE_APP_ID);
  str(m.bundle_id, 'manifest.bundle_id', RE_HEX64);
  str(m.version, 'manifest.version', RE_VERSION);
  createdAt(m.created_at);
  str(m.entry, 'manifest.entry');
  const mc = m.min_container;
  if (!isObject(mc)) bad('manifest.min_container is not an object');
  for (const k of Object.keys(mc)) {
    if (KINDS.indexOf(k) < 0) bad('manifest.min_container has unknown container kind ' + JSON.stringify(k));
    str(mc[k], 'manifest.min_container.' + k, RE_DOTTED);
  }
  if (!Array.isArray(m.files)) bad('manifest.files is not an array');
  m.files.forEach((f: unknown, i: number) => {
    const w = 'manifest.files[' + i + ']';
    const o = exactMembers(f, w, ['path', 'size', 'sha256', 'content_type']);
    str(o.path, w + '.path');
    int(o.size, w + '.size');
    str(o.sha256, w + '.sha256', RE_HEX64);
    str(o.content_type, w + '.content_type', RE_CONTENT_TYPE);
  });
  const sig = exactMembers(env.signature, 'signature', ['alg', 'key_id', 'value']);
  // An algorithm nobody knows is not malformed: no trusted key has it (alg_mismatch).
  str(sig.alg, 'signature.alg');
  str(sig.key_id, 'signature.key_id', RE_HEX16);
  const value = fromBase64(str(sig.value, 'signature.value'));
  if (value === null || value.length === 0) bad('signature.value is not non-empty standard base64 with padding');
  return env as unknown as Envelope;
}

/**
 * parseEnvelope parses and shape-checks an envelope (check 1): bytes (must be
 * UTF-8), JSON text, or an already parsed value. Text is parsed strictly:
 * duplicate members, fractions, exponents and lone surrogates are malformed.
 */
export function parseEnvelope(input: string | Uint8Array | unknown): ParseResult {
  try {
    let v: unknown = input;
    if (input instanceof Uint8Array) {
      let text: string;
      try {
        text = decodeUtf8Strict(input);
      } catch (_) {
        return fail('malformed', 'envelope is not valid UTF-8');
      }
      v = parseStrictJson(text);
    } else if (typeof input === 'string') {
      v = parseStrictJson(input);
    }
    return { ok: true, envelope: shape(v) };
  } catch (e) {
    return fail('malformed', e instanceof Error ? e.message : String(e));
  }
}

/**
 * pathProblem returns why p is not a safe bundle path, or null when it is:
 * 1–512 bytes of UTF-8, "/"-separated non-empty segments other than "." and
 * "..", and no "\", ":", NUL, C0 control or DEL.
 */
export function pathProblem(p: string): string | null {
  if (hasLoneSurrogate(p)) return 'not valid UTF-8';
  const n = utf8(p).length;
  if (n < 1 || n > 512) return 'length ' + n + ' bytes is outside 1..512';
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return 'control character U+' + ('000' + c.toString(16).toUpperCase()).slice(-4);
    if (c === 0x5c) return 'backslash';
    if (c === 0x3a) return 'colon';
  }
  for (const seg of p.split('/')) {
    if (seg === '') return 'empty segment';
    if (seg === '.' || seg === '..') return 'segment ' + JSON.stringify(seg);
  }
  return null;
}

// foldCode maps a code point to the smallest member of its simple case folding orbit, from a
// table generated from Go's unicode.SimpleFold (src/foldtable.ts): the verdict must not depend
// on the Unicode version of the WebView's toLowerCase/toUpperCase, and İ/ı stay apart from
// i/I as in Go's strings.EqualFold.
function foldCode(cp: number): number {
  let lo = 0;
  let hi = FOLD_RUNS.length / 4;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (FOLD_RUNS[4 * mid] <= cp) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return cp;
  const r = 4 * (lo - 1);
  if (cp > FOLD_RUNS[r + 1] || (cp - FOLD_RUNS[r]) % FOLD_RUNS[r + 2] !== 0) return cp;
  return cp + FOLD_RUNS[r + 3];
}

/**
 * foldPath maps p to a key that is equal for paths equal under Unicode
 * simple case folding, code point by code point (check 11): A.js ~ a.js,
 * Ä ~ ä, K ~ K (Kelvin), ſ ~ s, but not ß ~ ss or ı ~ i.
 */
export function foldPath(p: string): string {
  let out = '';
  for (const ch of Array.from(p)) out += String.fromCodePoint(foldCode(ch.codePointAt(0)!));
  return out;
}

function effectiveLimits(l?: Partial<Limits>): Limits {
  const pick = (v: number | undefined, d: number) => (typeof v === 'number' && v > 0 ? v : d);
  return {
    max_files: pick(l && l.max_files, DEFAULT_LIMITS.max_files),
    max_file_size: pick(l && l.max_file_size, DEFAULT_LIMITS.max_file_size),
    max_total_size: pick(l && l.max_total_size, DEFAULT_LIMITS.max_total_size),
  };
}

/** computeBundleId returns the bundle id of m: hex SHA-256 of its canonical form with bundle_id "". */
export async function computeBundleId(m: Manifest): Promise<string> {
  const copy: { [k: string]: unknown } = {};
  for (const k of Object.keys(m)) copy[k] = (m as unknown as { [k: string]: unknown })[k];
  copy.bundle_id = '';
  return sha256Hex(canonicalBytes(copy));
}

/** keyIdFor returns the key id of a public key: the first 16 hex of SHA-256(alg + ":" + base64). */
export async function keyIdFor(alg: string, publicKeyBase64: string): Promise<string> {
  return (await sha256Hex(utf8(alg + ':' + publicKeyBase64))).slice(0, 16);
}

async function signatureValid(alg: string, msg: Uint8Array, sig: Uint8Array, key: Uint8Array): Promise<boolean> {
  if (alg === ALG_ED25519) return ed25519Verify(msg, sig, key);
  if (alg === ALG_SM2) {
    if (key.length !== 65 || key[0] !== 0x04) return false;
    const verify = await cryptoBackends().sm2();
    return verify(msg, sig, key);
  }
  return false;
}

function lookup(src: FileSource, f: ManifestFile): Promise<Uint8Array | null | undefined> {
  if (typeof src === 'function') return src(f);
  if (src instanceof Map) return Promise.resolve(src.get(f.path));
  return Promise.resolve(Object.prototype.hasOwnProperty.call(src, f.path) ? src[f.path] : undefined);
}

/**
 * checkManifest runs checks 6–12 on a parsed manifest (limits, paths,
 * order, duplicates, entry) and returns the first failure or null.
 */
export function checkManifest(m: Manifest, limits?: Partial<Limits>): VerifyFailure | null {
  const lim = effectiveLimits(limits);
  const files = m.files;
  if (files.length > lim.max_files) {
    return fail('too_many_files', files.length + ' files, more than ' + lim.max_files);
  }
  for (const f of files) {
    if (f.size > lim.max_file_size) {
      return fail('file_too_large', JSON.stringify(f.path) + ' is ' + f.size + ' bytes, more than ' + lim.max_file_size);
    }
  }
  let total = 0;
  for (const f of files) {
    total += f.size;
    if (total > lim.max_total_size) {
      return fail('bundle_too_large', 'the files add up to more than ' + lim.max_total_size + ' bytes');
    }
  }
  for (const f of files) {
    const p = pathProblem(f.path);
    if (p) return fail('bad_path', JSON.stringify(f.path) + ': ' + p);
  }
  // Bytewise order; an exact repeat is not out of order (check 11 names it).
  for (let i = 1; i < files.length; i++) {
    if (compareUtf8(files[i - 1].path, files[i].path) > 0) {
      return fail('unsorted_files', JSON.stringify(files[i].path) + ' does not sort after ' + JSON.stringify(files[i - 1].path));
    }
  }
  const seen: { [k: string]: string } = Object.create(null);
  for (const f of files) {
    const k = foldPath(f.path);
    const other = seen[k];
    if (other !== undefined) {
      return fail('duplicate_path', JSON.stringify(f.path) + ' and ' + JSON.stringify(other) + ' are the same path on a case-insensitive file system');
    }
    seen[k] = f.path;
  }
  if (!files.some((f) => f.path === m.entry)) {
    return fail('bad_entry', 'entry ' + JSON.stringify(m.entry) + ' is not one of the files');
  }
  return null;
}

/**
 * checkFiles runs checks 13–15 (presence, size, SHA-256 of every file, each
 * check over all files before the next) and returns the first failure, or
 * the contents by path.
 */
export async function checkFiles(m: Manifest, src: FileSource): Promise<VerifyFailure | Map<string, Uint8Array>> {
  const got: Array<Uint8Array | null | undefined> = await Promise.all(m.files.map((f) => lookup(src, f)));
  for (let i = 0; i < m.files.length; i++) {
    if (!got[i]) return fail('missing_file', JSON.stringify(m.files[i].path) + ' is missing');
  }
  for (let i = 0; i < m.files.length; i++) {
    const b = got[i] as Uint8Array;
    if (b.length !== m.files[i].size) {
      return fail('size_mismatch', JSON.stringify(m.files[i].path) + ' is ' + b.length + ' bytes, manifest says ' + m.files[i].size);
    }
  }
  const out = new Map<string, Uint8Array>();
  for (let i = 0; i < m.files.length; i++) {
    const b = got[i] as Uint8Array;
    const h = await sha256Hex(b);
    if (h !== m.files[i].sha256) {
      return fail('hash_mismatch', JSON.stringify(m.files[i].path) + ' has SHA-256 ' + h + ', manifest says ' + m.files[i].sha256);
    }
    out.set(m.files[i].path, b);
  }
  return out;
}

/**
 * verifyEnvelope runs the whole verification table on an envelope (bytes,
 * text or parsed value) and returns the first failing check's reason, or ok.
 * Without opts.files checks 13–15 are skipped.
 */
export async function verifyEnvelope(input: string | Uint8Array | unknown, opts: VerifyOptions): Promise<VerifyResult> {
  // 1. malformed
  const parsed = parseEnvelope(input);
  if (!parsed.ok) return parsed;
  const env = parsed.envelope;
  const m = env.manifest;
  const sig = env.signature;

  // 2. unknown_key
  let key: TrustedKey | undefined;
  for (const k of opts.keys || []) {
    if (k && k.key_id === sig.key_id) {
      key = k;
      break;
    }
  }
  if (!key) return fail('unknown_key', 'key ' + sig.key_id + ' is not trusted');

  // 3. alg_mismatch
  if (key.alg !== sig.alg) {
    return fail('alg_mismatch', 'key ' + sig.key_id + ' is ' + JSON.stringify(key.alg) + ', signature says ' + JSON.stringify(sig.alg));
  }

  // 4. bad_signature
  const pub = fromBase64(key.public_key);
  const sigBytes = fromBase64(sig.value) as Uint8Array;
  if (!pub || !(await signatureValid(sig.alg, canonicalBytes(m), sigBytes, pub))) {
    return fail('bad_signature', 'the ' + sig.alg + ' signature does not verify with key ' + sig.key_id);
  }

  // 5. bundle_id_mismatch
  const id = await computeBundleId(m);
  if (id !== m.bundle_id) return fail('bundle_id_mismatch', 'bundle_id is ' + m.bundle_id + ', the manifest hashes to ' + id);

  // 6–12.
  const f = checkManifest(m, opts.limits);
  if (f) return f;

  // 13–15.
  if (!opts.files) return { ok: true, envelope: env };
  const files = await checkFiles(m, opts.files);
  if (!(files instanceof Map)) return files;
  return { ok: true, envelope: env, files };
}

// sha256 is re-exported for callers that hash downloaded files themselves.
export { sha256, sha256Hex };
