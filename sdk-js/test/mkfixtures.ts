// Makes test/fixtures/vectors/: sdk-js's own vectors, in the shared format,
// for what the shared vectors do not pin yet (JSON strictness, case folding
// corners) and signed by JS signers (node:crypto Ed25519, sm-crypto SM2).
// Run: npm run fixtures. SM2 signatures are randomised, so the output changes.
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { doSignature, getPublicKeyFromPrivateKey } from 'sm-crypto/src/sm2/index.js';
import { canonicalBytes, canonicalize, computeBundleId, keyIdFor, Manifest, TrustedKey } from '../src/index';
import { OWN_VECTORS } from './helpers';

const ED_SEED = Buffer.alloc(32, 7);
const edPriv = createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), ED_SEED]),
  format: 'der',
  type: 'pkcs8',
});
const edPub = createPublicKey(edPriv).export({ format: 'der', type: 'spki' }).subarray(-32);
const SM2_PRIV = '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8';
const sm2PubHex = getPublicKeyFromPrivateKey(SM2_PRIV);

interface Case {
  name: string;
  valid: boolean;
  reason: string;
  check_files: boolean;
  note: string;
  envelope: Uint8Array | string;
  files?: { [path: string]: Uint8Array };
}

async function main() {
  const keys: TrustedKey[] = [
    { key_id: '', alg: 'ed25519', public_key: Buffer.from(edPub).toString('base64') },
    { key_id: '', alg: 'sm2-sm3', public_key: Buffer.from(sm2PubHex, 'hex').toString('base64') },
  ];
  for (const k of keys) k.key_id = await keyIdFor(k.alg, k.public_key);

  async function manifest(files: { [path: string]: string }, entry = 'index.html', order?: string[]): Promise<Manifest> {
    const { createHash } = await import('node:crypto');
    const paths = order || Object.keys(files).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const m: Manifest = {
      schema: 1,
      app_id: 'sdk-js-fixture',
      bundle_id: '',
      version: '1.0.0',
      created_at: '2026-11-27T14:00:00Z',
      entry,
      min_container: { web: '1' },
      files: paths.map((p) => ({
        path: p,
        size: Buffer.byteLength(files[p]),
        sha256: createHash('sha256').update(files[p]).digest('hex'),
        content_type: 'text/plain; charset=utf-8',
      })),
    };
    m.bundle_id = await computeBundleId(m);
    return m;
  }
  function signEd(m: Manifest): string {
    const sig = sign(null, Buffer.from(canonicalBytes(m)), edPriv).toString('base64');
    return JSON.stringify({ manifest: m, signature: { alg: 'ed25519', key_id: keys[0].key_id, value: sig } }, null, 2);
  }
  function signSm2(m: Manifest): string {
    const derHex = doSignature(Array.from(canonicalBytes(m)), SM2_PRIV, { der: true, hash: true, publicKey: sm2PubHex });
    const sig = Buffer.from(derHex, 'hex').toString('base64');
    return JSON.stringify({ manifest: m, signature: { alg: 'sm2-sm3', key_id: keys[1].key_id, value: sig } }, null, 2);
  }
  const enc = (o: { [p: string]: string }) => {
    const r: { [p: string]: Uint8Array } = {};
    for (const k of Object.keys(o)) r[k] = Buffer.from(o[k]);
    return r;
  };

  const base = { 'index.html': '<!doctype html><p>你好</p>', 'assets/app.js': 'govapp.ready()\n' };
  const cases: Case[] = [];
  const add = (c: Case) => cases.push(c);

  {
    const m = await manifest(base);
    add({ name: 'js-valid-sm2-signed-by-sm-crypto', valid: true, reason: '', check_files: true, note: 'SM2 signature made by sm-crypto (DER, SM3, default user id)', envelope: signSm2(m), files: enc(base) });
    add({ name: 'js-valid-ed25519-signed-by-node', valid: true, reason: '', check_files: true, note: 'Ed25519 signature made by node:crypto', envelope: signEd(m), files: enc(base) });
    const good = signEd(m);
    add({ name: 'js-malformed-duplicate-member', valid: false, reason: 'malformed', check_files: false, note: 'version twice (JSON.parse would keep the last)', envelope: good.replace('"version": "1.0.0",', '"version": "9.9.9",\n    "version": "1.0.0",') });
    add({ name: 'js-malformed-size-fraction', valid: false, reason: 'malformed', check_files: false, note: 'a size written 15.0 (JSON.parse reads 15)', envelope: good.replace(/"size": 15,/, '"size": 15.0,') });
    add({ name: 'js-malformed-size-exponent', valid: false, reason: 'malformed', check_files: false, note: 'a size written 1.5e1', envelope: good.replace(/"size": 15,/, '"size": 1.5e1,') });
    add({ name: 'js-malformed-size-unsafe', valid: false, reason: 'malformed', check_files: false, note: 'a size of 2^53', envelope: good.replace(/"size": 15,/, '"size": 9007199254740992,') });
    add({ name: 'js-malformed-lone-surrogate', valid: false, reason: 'malformed', check_files: false, note: 'a lone \\ud800 escape in a path', envelope: good.replace('"path": "assets/app.js"', '"path": "assets/\\ud800.js"') });
    add({ name: 'js-malformed-bom', valid: false, reason: 'malformed', check_files: false, note: 'a UTF-8 byte order mark before the envelope', envelope: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)]) });
    const raw = Buffer.from(good);
    const at = raw.indexOf('1.0.0');
    const broken = Buffer.concat([raw.subarray(0, at), Buffer.from([0xff]), raw.subarray(at + 1)]);
    add({ name: 'js-malformed-invalid-utf8', valid: false, reason: 'malformed', check_files: false, note: 'a 0xFF byte inside the version string', envelope: broken });
    add({ name: 'js-malformed-content-type-empty', valid: false, reason: 'malformed', check_files: false, note: 'an empty content_type', envelope: good.replace('"content_type": "text/plain; charset=utf-8"', '"content_type": ""') });
    add({ name: 'js-malformed-signature-empty', valid: false, reason: 'malformed', check_files: false, note: 'an empty signature value', envelope: good.replace(/"value": "[^"]*"/, '"value": ""') });
    add({ name: 'js-malformed-leading-zero', valid: false, reason: 'malformed', check_files: false, note: 'schema written 01', envelope: good.replace('"schema": 1,', '"schema": 01,') });
  }
  {
    const f = { 'index.html': 'x', 'ss.txt': 'a', 'ß.txt': 'b' };
    add({ name: 'js-valid-fold-sharp-s', valid: true, reason: '', check_files: true, note: 'ss.txt and ß.txt are different paths (ß folds to SS only under full case folding)', envelope: signEd(await manifest(f)), files: enc(f) });
  }
  {
    const f = { 'index.html': 'x', 'i.txt': 'a', 'ı.txt': 'b', 'İ.txt': 'c' };
    add({ name: 'js-valid-fold-dotless-i', valid: true, reason: '', check_files: true, note: 'i, ı and İ are three paths under simple case folding', envelope: signEd(await manifest(f)), files: enc(f) });
  }
  {
    const f = { 'index.html': 'x', 'k.txt': 'a', '\u212a.txt': 'b' };
    add({ name: 'js-duplicate-kelvin', valid: false, reason: 'duplicate_path', check_files: false, note: 'k.txt and K.txt (U+212A KELVIN SIGN)', envelope: signEd(await manifest(f)) });
  }
  {
    const f = { 'index.html': 'x', 'σ.txt': 'a', 'ς.txt': 'b' };
    add({ name: 'js-duplicate-final-sigma', valid: false, reason: 'duplicate_path', check_files: false, note: 'ς.txt and σ.txt fold together', envelope: signEd(await manifest(f)) });
  }
  {
    const f = { 'index.html': 'x', 'ſ.txt': 'a', 'S.txt': 'b' };
    add({ name: 'js-duplicate-long-s', valid: false, reason: 'duplicate_path', check_files: false, note: 'S.txt and ſ.txt (U+017F) fold together', envelope: signEd(await manifest(f)) });
  }
  {
    const f = { 'index.html': 'x', '\ue000.txt': 'a', '😀.txt': 'b' };
    add({ name: 'js-unsorted-private-use', valid: false, reason: 'unsorted_files', check_files: false, note: '😀 before U+E000: UTF-16 order, not UTF-8 byte order', envelope: signEd(await manifest(f, 'index.html', ['index.html', '😀.txt', '\ue000.txt'])) });
    add({ name: 'js-valid-private-use-order', valid: true, reason: '', check_files: true, note: 'U+E000 before 😀: UTF-8 byte order', envelope: signEd(await manifest(f)), files: enc(f) });
  }
  {
    const f = { 'index.html': 'x' };
    const m = await manifest(f);
    const env = JSON.parse(signSm2(m));
    // A DER signature with a non-minimal INTEGER (leading 00 before a byte < 0x80) is not DER.
    const der = Buffer.from(env.signature.value, 'base64');
    const rLen = der[3];
    const r = der.subarray(4, 4 + rLen);
    const rest = der.subarray(4 + rLen);
    const padded = Buffer.concat([Buffer.from([0x30, der[1] + 1, 0x02, rLen + 1, 0x00]), r, rest]);
    env.signature.value = padded.toString('base64');
    add({ name: 'js-bad-signature-sm2-non-minimal-der', valid: false, reason: 'bad_signature', check_files: false, note: 'SM2 DER with a needless leading 00 in r (BER, not DER)', envelope: JSON.stringify(env) });
  }

  rmSync(OWN_VECTORS, { recursive: true, force: true });
  mkdirSync(OWN_VECTORS, { recursive: true });
  writeFileSync(join(OWN_VECTORS, 'keys.json'), JSON.stringify(keys, null, 2) + '\n');
  writeFileSync(
    join(OWN_VECTORS, 'index.json'),
    JSON.stringify(cases.map((c) => ({ name: c.name, valid: c.valid, reason: c.reason, check_files: c.check_files, note: c.note })), null, 2) + '\n',
  );
  for (const c of cases) {
    const d = join(OWN_VECTORS, c.name);
    mkdirSync(d);
    writeFileSync(join(d, 'envelope.json'), c.envelope);
    if (c.check_files) {
      const o: { [p: string]: string } = {};
      for (const k of Object.keys(c.files || {})) o[k] = Buffer.from(c.files![k]).toString('base64');
      writeFileSync(join(d, 'files.json'), JSON.stringify(o, null, 2) + '\n');
    }
  }
  console.log('wrote ' + cases.length + ' vectors to ' + OWN_VECTORS);
  void canonicalize;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
