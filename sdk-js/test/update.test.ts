import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkForUpdate, downloadAndVerify, DownloadError, report, UpdateCache, UpdateError, UpdateResponse } from '../src/index';
import { FakeServer, loadVectors, SHARED_VECTORS, OWN_VECTORS } from './helpers';

const vectors = (loadVectors(SHARED_VECTORS) || loadVectors(OWN_VECTORS))!;
const validName = vectors.index.find((v) => v.valid && v.check_files)!.name;

function offer(name = validName): UpdateResponse {
  const env = JSON.parse(Buffer.from(vectors.envelope(name)).toString('utf8'));
  return { release_id: 'rel-1', bundle_id: env.manifest.bundle_id, mandatory: false, rollback: false, manifest: env, keys: vectors.keys };
}

function filesServer(name = validName, tweak?: (sha: string, b: Uint8Array) => Response | null): FakeServer {
  const env = JSON.parse(Buffer.from(vectors.envelope(name)).toString('utf8'));
  const contents = vectors.files(name);
  const byHash = new Map<string, Uint8Array>();
  for (const f of env.manifest.files) if (contents.has(f.path)) byHash.set(f.sha256, contents.get(f.path)!);
  return new FakeServer((url) => {
    const m = /\/v1\/runtime\/files\/([0-9a-f]{64})$/.exec(url);
    if (!m) return new Response('no route', { status: 404 });
    const b = byHash.get(m[1]);
    if (!b) return new Response('not found', { status: 404 });
    const t = tweak && tweak(m[1], b);
    return t || new Response(b as BodyInit, { status: 200 });
  });
}

describe('checkForUpdate', () => {
  test('asks the update URL with the device query and answers null on 204', async () => {
    const s = new FakeServer(() => new Response(null, { status: 204 }));
    const r = await checkForUpdate({
      server: 'https://gov.example/', appId: 'housing-fund', channel: 'production', bundle: 'abc', container: 'wechat',
      containerVersion: '8.0.1', device: 'd 1', region: '330111', fetch: s.fetch, cache: new UpdateCache(),
    });
    assert.equal(r, null);
    assert.equal(s.calls[0].url,
      'https://gov.example/v1/runtime/apps/housing-fund/update?channel=production&bundle=abc&container=wechat&container_version=8.0.1&device=d%201&region=330111');
  });
  test('200 with ETag, then If-None-Match and 304 answer the cached body', async () => {
    const body = offer();
    const s = new FakeServer((_url, init) => {
      const inm = (init!.headers as any)['If-None-Match'];
      if (inm === '"v1"') return new Response(null, { status: 304 });
      return new Response(JSON.stringify(body), { status: 200, headers: { ETag: '"v1"', 'Content-Type': 'application/json' } });
    });
    const cache = new UpdateCache();
    const p = { server: '', appId: 'housing-fund', device: 'd1', fetch: s.fetch, cache };
    const a = await checkForUpdate(p);
    const b = await checkForUpdate(p);
    assert.deepEqual(a, body);
    assert.deepEqual(b, body);
    assert.equal((s.calls[0].init!.headers as any)['If-None-Match'], undefined);
    assert.equal((s.calls[1].init!.headers as any)['If-None-Match'], '"v1"');
    assert.ok(s.calls[0].url.startsWith('/v1/runtime/apps/housing-fund/update?channel=production&bundle=&'));
  });
  test('other statuses throw UpdateError', async () => {
    const s = new FakeServer(() => new Response('boom', { status: 503 }));
    await assert.rejects(checkForUpdate({ server: '', appId: 'x-app', device: 'd', fetch: s.fetch, cache: new UpdateCache() }), (e: any) => e instanceof UpdateError && e.status === 503);
  });
});

describe('downloadAndVerify', () => {
  test('downloads each distinct file once and verifies everything', async () => {
    const s = filesServer();
    const r = await downloadAndVerify(offer(), { server: 'https://gov.example', fetch: s.fetch });
    assert.ok(r.ok, r.ok ? '' : r.detail);
    const env = offer().manifest!;
    const hashes = new Set(env.manifest.files.map((f) => f.sha256));
    assert.equal(s.calls.length, hashes.size);
    assert.ok(s.calls.every((c) => c.url.startsWith('https://gov.example/v1/runtime/files/')));
    if (r.ok) assert.equal(r.files!.size, env.manifest.files.length);
  });
  test('a bad envelope fails before anything is downloaded', async () => {
    const s = filesServer();
    const o = offer();
    o.manifest!.manifest.version = '9.9.9';
    const r = await downloadAndVerify(o, { server: '', fetch: s.fetch });
    assert.equal(r.ok ? '' : r.reason, 'bad_signature');
    assert.equal(s.calls.length, 0);
  });
  test('404 is missing_file, wrong bytes hash_mismatch', async () => {
    let first = true;
    const missing = filesServer(validName, () => {
      if (!first) return null;
      first = false;
      return new Response('gone', { status: 404 });
    });
    const r1 = await downloadAndVerify(offer(), { server: '', fetch: missing.fetch });
    assert.equal(r1.ok ? '' : r1.reason, 'missing_file');
    const flipped = filesServer(validName, (_sha, b) => {
      if (b.length === 0) return null;
      const c = new Uint8Array(b);
      c[0] ^= 1;
      return new Response(c as BodyInit, { status: 200 });
    });
    const r2 = await downloadAndVerify(offer(), { server: '', fetch: flipped.fetch });
    assert.equal(r2.ok ? '' : r2.reason, 'hash_mismatch');
  });
  test('a server error is not a verdict: DownloadError', async () => {
    const s = filesServer(validName, () => new Response('busy', { status: 503 }));
    await assert.rejects(downloadAndVerify(offer(), { server: '', fetch: s.fetch }), DownloadError);
  });
});

describe('report', () => {
  test('POSTs the report and resolves true on 202', async () => {
    const s = new FakeServer(() => new Response(null, { status: 202 }));
    const ok = await report('https://gov.example', { app_id: 'a-app', release_id: 'r', bundle_id: 'b', device: 'd', event: 'failed', reason: 'timeout' }, { fetch: s.fetch });
    assert.equal(ok, true);
    assert.equal(s.calls[0].url, 'https://gov.example/v1/runtime/reports');
    assert.equal(s.calls[0].init!.method, 'POST');
    assert.deepEqual(s.calls[0].body, { app_id: 'a-app', release_id: 'r', bundle_id: 'b', device: 'd', event: 'failed', reason: 'timeout' });
  });
  test('never throws', async () => {
    const ok = await report('', { app_id: 'a', release_id: '', bundle_id: '', device: 'd', event: 'ready' }, { fetch: () => Promise.reject(new Error('offline')) });
    assert.equal(ok, false);
  });
});
