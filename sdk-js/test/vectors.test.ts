// Every vector of hotupdate/testdata/vectors (shared with Go and the native
// container) and of test/fixtures/vectors must reach its verdict — with
// WebCrypto Ed25519 and with the TweetNaCl fallback.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ed25519Mode, verifyEnvelope } from '../src/index';
import { resetEd25519Probe } from '../src/crypto/ed25519';
import { loadVectors, OWN_VECTORS, SHARED_VECTORS, VectorSet } from './helpers';

function run(set: VectorSet, mode: 'webcrypto' | 'fallback') {
  for (const v of set.index) {
    test(v.name, async () => {
      const r = await verifyEnvelope(set.envelope(v.name), {
        keys: set.keys,
        limits: v.limits,
        files: v.check_files ? set.files(v.name) : undefined,
      });
      const got = r.ok ? '' : r.reason;
      assert.equal(got, v.valid ? '' : v.reason, `${v.name} (${mode}): ${r.ok ? 'valid' : r.detail}`);
      assert.equal(r.ok, v.valid);
    });
  }
}

const shared = loadVectors(SHARED_VECTORS);
const own = loadVectors(OWN_VECTORS);

for (const mode of ['webcrypto', 'fallback'] as const) {
  describe(`vectors with ${mode} Ed25519`, () => {
    test('mode', async () => {
      resetEd25519Probe(mode === 'fallback');
      assert.equal(await ed25519Mode(), mode);
    });
    if (shared) {
      describe(`shared (${shared.index.length} in hotupdate/testdata/vectors)`, () => run(shared, mode));
    } else {
      test('shared vectors', { skip: 'hotupdate/testdata/vectors/index.json not found' }, () => {});
    }
    if (own) describe(`sdk-js (${own.index.length} in test/fixtures/vectors)`, () => run(own, mode));
  });
}

after(() => resetEd25519Probe());

test('the vector sets are there and cover every reason', () => {
  assert.ok(own, 'test/fixtures/vectors is missing: npm run fixtures');
  if (!shared) return;
  const reasons = new Set(shared.index.map((v) => v.reason));
  for (const r of ['', 'malformed', 'unknown_key', 'alg_mismatch', 'bad_signature', 'bundle_id_mismatch', 'too_many_files',
    'file_too_large', 'bundle_too_large', 'bad_path', 'unsorted_files', 'duplicate_path', 'bad_entry', 'missing_file',
    'size_mismatch', 'hash_mismatch']) {
    assert.ok(reasons.has(r), `no shared vector for ${JSON.stringify(r)}`);
  }
});
