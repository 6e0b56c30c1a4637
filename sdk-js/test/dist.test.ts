// The committed browser files: ES2017 syntax only, within budget, and
// working end to end in a fake page (node:vm), lazy chunks included.
import * as acorn from 'acorn';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { MemoryStore } from '../src/index';
import { SDK_VERSION } from '../src/version';
import { FakeServer, loadVectors, ROOT, SHARED_VECTORS, OWN_VECTORS } from './helpers';

const DIST = join(ROOT, 'dist');
const BROWSER_FILES = ['govapp.js', 'sm2.js', 'ed25519.js', 'sim.js'];
const vectors = (loadVectors(SHARED_VECTORS) || loadVectors(OWN_VECTORS))!;

describe('dist', { skip: existsSync(join(DIST, 'govapp.js')) ? false : 'dist/ not built (npm run build)' }, () => {
  for (const f of BROWSER_FILES) {
    test(`${f} parses as ES2017 and uses no BigInt`, () => {
      const src = readFileSync(join(DIST, f), 'utf8');
      acorn.parse(src, { ecmaVersion: 2017, sourceType: 'script' });
      assert.ok(!/\bBigInt\b/.test(src), `${f} mentions BigInt`);
      // sm-crypto names globalThis only on a branch browsers never take (no window.crypto).
      if (f !== 'sm2.js') assert.ok(!/\bglobalThis\b/.test(src), `${f} uses globalThis (Chrome 71+, Safari 12.1+)`);
    });
  }
  // Usage statistics and push took it from 58 KB to about 69 KB (26 KB gzipped).
  test('govapp.js stays under 72 KB (28 KB gzipped)', () => {
    const b = readFileSync(join(DIST, 'govapp.js'));
    assert.ok(b.length < 72 * 1024, `govapp.js is ${b.length} bytes`);
    const gz = gzipSync(b, { level: 9 }).length;
    assert.ok(gz < 28 * 1024, `govapp.js is ${gz} bytes gzipped`);
  });
  test('the container simulation stays out of govapp.js', () => {
    const src = readFileSync(join(DIST, 'govapp.js'), 'utf8');
    assert.ok(!/govappSim|wxLocalResource|sim-image/.test(src));
    assert.ok(!/preVerifyJSAPI/.test(src), 'weixin-js-sdk is used for its types only; the page loads jweixin itself');
  });
  test('package.json and the SDK agree on the version', () => {
    assert.equal(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version, SDK_VERSION);
  });

  interface PageOpts {
    pathname: string;
    crypto: 'full' | 'no-ed25519' | 'no-subtle';
    storage?: MemoryStore;
    server: FakeServer;
  }

  /** page loads dist/govapp.js into a fresh fake browser page. */
  function page(o: PageOpts) {
    const navs: string[] = [];
    const scripts: string[] = [];
    const listeners: { [type: string]: Array<(e: any) => void> } = {};
    const subtle = globalThis.crypto.subtle;
    let cryptoObj: any = globalThis.crypto;
    if (o.crypto === 'no-ed25519') {
      cryptoObj = {
        getRandomValues: (a: any) => globalThis.crypto.getRandomValues(a),
        subtle: {
          digest: (alg: any, data: any) => subtle.digest(alg, data),
          importKey: () => Promise.reject(new Error('NotSupportedError: Ed25519')),
          verify: () => Promise.reject(new Error('NotSupportedError')),
        },
      };
    } else if (o.crypto === 'no-subtle') {
      cryptoObj = { getRandomValues: (a: any) => globalThis.crypto.getRandomValues(a) };
    }
    const body = { innerHTML: '', querySelector: () => null };
    const ctx: any = {
      console, setTimeout, clearTimeout, TextEncoder, TextDecoder, Uint8Array, Uint32Array, DataView, ArrayBuffer,
      crypto: cryptoObj,
      localStorage: o.storage || new MemoryStore(),
      location: { pathname: o.pathname, replace: (u: string) => navs.push(u), reload: () => {} },
      fetch: o.server.fetch,
      addEventListener: (t: string, fn: (e: any) => void) => (listeners[t] = listeners[t] || []).push(fn),
    };
    ctx.document = {
      title: '',
      body,
      documentElement: {},
      currentScript: { src: 'https://gov.example/sdk/govapp.js?v=1' },
      createElement: () => ({}),
      head: {
        appendChild: (el: any) => {
          scripts.push(el.src);
          const name = /\/sdk\/([a-z0-9]+\.js)$/.exec(el.src)![1];
          setTimeout(() => {
            vm.runInContext(readFileSync(join(DIST, name), 'utf8'), ctx, { filename: name });
            el.onload();
          }, 0);
        },
      },
    };
    ctx.window = ctx;
    ctx.self = ctx;
    vm.createContext(ctx);
    vm.runInContext(readFileSync(join(DIST, 'govapp.js'), 'utf8'), ctx, { filename: 'govapp.js' });
    return {
      ctx, navs, scripts, body,
      fire: (type: string, e: any) => (listeners[type] || []).forEach((fn) => fn(e)),
      run: (code: string) => vm.runInContext(code, ctx),
    };
  }

  function server(name: string) {
    const env = JSON.parse(Buffer.from(vectors.envelope(name)).toString('utf8'));
    const contents = vectors.files(name);
    const byHash = new Map<string, Uint8Array>();
    for (const f of env.manifest.files) byHash.set(f.sha256, contents.get(f.path)!);
    return {
      env,
      server: new FakeServer((url) => {
        if (url.endsWith('/v1/runtime/reports')) return new Response(null, { status: 202 });
        const m = /\/v1\/runtime\/files\/([0-9a-f]{64})$/.exec(url);
        const b = m && byHash.get(m[1]);
        return b ? new Response(b as BodyInit, { status: 200 }) : new Response('', { status: 404 });
      }),
    };
  }

  const cases: Array<[string, PageOpts['crypto'], string[]]> = [
    ['valid-ed25519', 'full', []],
    ['valid-ed25519', 'no-ed25519', ['https://gov.example/sdk/ed25519.js']],
    ['valid-ed25519', 'no-subtle', ['https://gov.example/sdk/ed25519.js']],
    ['valid-sm2-sm3', 'full', ['https://gov.example/sdk/sm2.js']],
    ['valid-sm2-sm3', 'no-subtle', ['https://gov.example/sdk/sm2.js']],
  ];
  for (const [name, crypto, chunks] of cases) {
    const present = vectors.index.some((v) => v.name === name);
    test(`loader page verifies ${name} with crypto ${crypto}`, { skip: present ? false : `no vector ${name}` }, async () => {
      const { env, server: srv } = server(name);
      const p = page({ pathname: '/a/housing-fund/', crypto, server: srv });
      assert.equal(typeof p.run('typeof govappBootLoader'), 'string');
      assert.equal(p.run('govapp.version'), SDK_VERSION);
      assert.equal(p.run('govapp.state()'), 'inert');
      const config = { server: '', appId: 'housing-fund', channel: 'production', device: 'd1', keys: vectors.keys,
        offer: { release_id: 'r1', bundle_id: env.manifest.bundle_id, mandatory: false, rollback: false, manifest: env, keys: vectors.keys } };
      p.run('window.__GOVAPP_LOADER__ = ' + JSON.stringify(config));
      const outcome = await p.run('govappBootLoader()');
      assert.equal(outcome.action, 'navigate', JSON.stringify(outcome) + ' ' + p.body.innerHTML);
      const entry = env.manifest.entry.split('/').map(encodeURIComponent).join('/');
      assert.deepEqual(p.navs, [`/a/housing-fund/b/${env.manifest.bundle_id}/${entry}`]);
      assert.deepEqual(p.scripts, chunks);
    });
  }

  test('runtime page: an error before ready() goes back to the loader', async () => {
    const storage = new MemoryStore();
    const id = 'c'.repeat(64);
    storage.setItem('govapp:housing-fund:pending', JSON.stringify({ bundle_id: id, release_id: 'r1', entry: 'index.html' }));
    storage.setItem('govapp:housing-fund:booting', JSON.stringify(id));
    const p = page({ pathname: `/a/housing-fund/b/${id}/index.html`, crypto: 'full', storage, server: new FakeServer(() => new Response(null, { status: 202 })) });
    assert.equal(p.run('govapp.state()'), 'trial');
    assert.equal(p.run('govapp.bundleId'), id);
    p.fire('error', { message: 'Uncaught ReferenceError: foo is not defined' });
    assert.deepEqual(p.navs, ['/a/housing-fund/']);
    assert.deepEqual(JSON.parse(storage.getItem('govapp:housing-fund:failed')!), { bundle_id: id, reason: 'error: Uncaught ReferenceError: foo is not defined' });
  });

  test('runtime page: ready() promotes the bundle and reports', async () => {
    const storage = new MemoryStore();
    const id = 'd'.repeat(64);
    storage.setItem('govapp:housing-fund:pending', JSON.stringify({ bundle_id: id, release_id: 'r1', entry: 'index.html' }));
    storage.setItem('govapp:housing-fund:ctx', JSON.stringify({ server: '', device: 'd1' }));
    const srv = new FakeServer(() => new Response(null, { status: 202 }));
    const p = page({ pathname: `/a/housing-fund/b/${id}/index.html`, crypto: 'full', storage, server: srv });
    await p.run('govapp.ready()');
    assert.equal(p.run('govapp.state()'), 'good');
    assert.equal(JSON.parse(storage.getItem('govapp:housing-fund:good')!).bundle_id, id);
    assert.deepEqual(srv.reports(), [{ app_id: 'housing-fund', release_id: 'r1', bundle_id: id, device: 'd1', event: 'ready' }]);
    p.fire('unhandledrejection', { reason: new Error('late') });
    assert.deepEqual(p.navs, []);
  });

  test('runtime page: the JS API is on window.govapp and answers with GovappErrors', async () => {
    const p = page({ pathname: '/a/housing-fund/b/' + 'e'.repeat(64) + '/index.html', crypto: 'full', server: new FakeServer(() => new Response(null, { status: 202 })) });
    for (const m of ['ready', 'login', 'scan', 'getLocation', 'chooseImage', 'previewImage', 'share', 'phoneCall', 'openLink', 'setTitle', 'close', 'getSystemInfo', 'getUiStyle']) {
      assert.equal(p.run('typeof govapp.' + m), 'function', m);
    }
    p.run('window.navigator = {userAgent: "Mozilla/5.0 (Linux; Android 13) Chrome/120 Mobile"}');
    assert.equal(p.run('govapp.container'), 'web');
    const e = await p.run('govapp.scan().catch(function (e) { return e; })');
    assert.equal(e.name, 'GovappError');
    assert.equal(e.code, 'not_declared', 'no __GOVAPP__ on this page: nothing is declared');
    assert.ok(p.run('govapp.isGovappError')(e));
    p.run('window.__GOVAPP__ = {appId: "housing-fund", jsapi: ["scan"]}');
    const u = await p.run('govapp.scan().catch(function (e) { return e; })');
    assert.equal(u.code, 'unsupported');
    assert.equal(u.container, 'web');
  });

  test('runtime page: usage statistics record the launch, JSAPI calls, errors, custom events and update_installed', async () => {
    const storage = new MemoryStore();
    const id = 'f'.repeat(64);
    storage.setItem('govapp:housing-fund:pending', JSON.stringify({ bundle_id: id, release_id: 'r1', entry: 'index.html' }));
    const srv = new FakeServer((url) =>
      url.endsWith('/v1/runtime/events') ? Response.json({ accepted: 0, duplicates: 0, rejected: 0, items: [] }) : new Response(null, { status: 202 }),
    );
    const p = page({ pathname: `/a/housing-fund/b/${id}/index.html`, crypto: 'full', storage, server: srv });
    p.run('window.navigator = {userAgent: "Mozilla/5.0 (Linux; Android 13) Chrome/120 Mobile"}');
    p.run('window.__GOVAPP__ = {appId: "housing-fund", jsapi: ["scan"], version: "1.4.2"}');
    await p.run('govapp.scan().catch(function () {})');
    p.run('govapp.track("apply_submit", {step: 2})');
    await p.run('govapp.ready()');
    p.fire('unhandledrejection', { reason: new Error('late') });
    const enabled = p.run('govapp.stats.enabled()');
    const did = p.run('govapp.stats.deviceId()');
    const q = JSON.parse(storage.getItem('govapp:housing-fund:stats:queue')!);
    p.run('govapp.stats.disable()'); // no timers left behind, whatever fails below
    assert.equal(enabled, true);
    assert.match(did, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(q.map((e: any) => e.name), ['app_launch', 'page_view', 'jsapi_call', 'custom_apply_submit', 'update_installed', 'error']);
    assert.deepEqual(q[5].props, { kind: 'rejection', message: 'late' });
    assert.deepEqual(q[2].props.api, 'scan');
    assert.equal(q[2].props.ok, false);
    assert.equal(q[2].props.code, 'unsupported');
    assert.equal(q[2].container, 'web');
    assert.equal(q[2].page, '/index.html');
    assert.deepEqual(q[4].props, { bundle: id });
    assert.equal(q[4].version, '1.4.2');
    assert.equal(p.run('govapp.stats.enabled()'), false);
    assert.equal(storage.getItem('govapp:housing-fund:stats:queue'), null);
    assert.equal(typeof p.run('govapp.push.inbox'), 'function');
    const e = await p.run('govapp.push.inbox().catch(function (e) { return e; })');
    assert.equal(e.code, 'denied', 'signed out');
    p.run('govapp.setAccessToken("tok")');
    srv.route = () => Response.json({ items: [] });
    assert.deepEqual(JSON.parse(JSON.stringify(await p.run('govapp.push.inbox()'))), { items: [] });
    assert.equal((srv.calls[srv.calls.length - 1].init!.headers as any).Authorization, 'Bearer tok');
  });

  test('loader page without a good bundle shows the Chinese error page', async () => {
    const p = page({ pathname: '/a/housing-fund/', crypto: 'full', server: new FakeServer(() => new Response(null, { status: 202 })) });
    const outcome = await p.run('govappBootLoader({server: "", appId: "housing-fund", device: "d1", offer: null, keys: []})');
    assert.equal(outcome.action, 'error');
    assert.match(p.body.innerHTML, /应用暂时无法打开/);
    assert.match(p.body.innerHTML, /重试/);
  });
});
