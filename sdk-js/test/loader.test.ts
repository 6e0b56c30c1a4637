// The H5 loader and runtime state machine, driven without a browser: one
// MemoryStore plays the device's localStorage across launches.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bootLoader, createRuntime, LoaderConfig, LoaderEnv, MemoryStore, RuntimeEnv, UpdateResponse } from '../src/index';
import { FakeServer, loadVectors, OWN_VECTORS, SHARED_VECTORS } from './helpers';

const vectors = (loadVectors(SHARED_VECTORS) || loadVectors(OWN_VECTORS))!;
const VALID = vectors.index.find((v) => v.valid && v.check_files)!.name;
const APP = 'housing-fund';
const OLD = { bundle_id: 'a'.repeat(64), release_id: 'rel-old', entry: 'index.html' };

function offerOf(name = VALID): UpdateResponse {
  const env = JSON.parse(Buffer.from(vectors.envelope(name)).toString('utf8'));
  return { release_id: 'rel-new', bundle_id: env.manifest.bundle_id, mandatory: false, rollback: false, manifest: env, keys: vectors.keys };
}

/** Device is one phone: its storage survives launches; each launch gets a fresh page. */
class Device {
  storage = new MemoryStore();
  server: FakeServer;
  corrupt = false;
  constructor(name = VALID) {
    const env = JSON.parse(Buffer.from(vectors.envelope(name)).toString('utf8'));
    const contents = vectors.files(name);
    const byHash = new Map<string, Uint8Array>();
    for (const f of env.manifest.files) byHash.set(f.sha256, contents.get(f.path)!);
    this.server = new FakeServer((url) => {
      if (url.endsWith('/v1/runtime/reports')) return new Response(null, { status: 202 });
      const m = /\/v1\/runtime\/files\/([0-9a-f]{64})$/.exec(url);
      const b = m && byHash.get(m[1]);
      if (!b) return new Response('not found', { status: 404 });
      if (this.corrupt && b.length > 0) {
        const c = new Uint8Array(b);
        c[c.length - 1] ^= 1;
        return new Response(c as BodyInit, { status: 200 });
      }
      return new Response(b as BodyInit, { status: 200 });
    });
  }
  key(name: string): string | null {
    return this.storage.getItem(`govapp:${APP}:${name}`);
  }
  setGood(ref = OLD) {
    this.storage.setItem(`govapp:${APP}:good`, JSON.stringify(ref));
  }
  /** launch opens /a/{app}/ with the given offer and returns what the loader did and the page it showed. */
  async launch(offer: UpdateResponse | null) {
    const nav: string[] = [];
    const errors: Array<[string, string, (() => void) | undefined]> = [];
    const env: LoaderEnv = {
      storage: this.storage,
      navigate: (u) => nav.push(u),
      showError: (t, m, r) => errors.push([t, m, r]),
      fetch: this.server.fetch,
      reportWaitMs: 2000,
    };
    const config: LoaderConfig = { server: 'https://gov.example', appId: APP, channel: 'production', device: 'dev-1', offer, keys: offer ? offer.keys : vectors.keys };
    const outcome = await bootLoader(config, env);
    return { outcome, nav, errors };
  }
  /** open runs the runtime on a bundle page, with controllable timers and errors. */
  open(pathname: string) {
    const nav: string[] = [];
    let onError: ((m: string) => void) | null = null;
    let timer: (() => void) | null = null;
    const env: RuntimeEnv = {
      storage: this.storage,
      pathname,
      navigate: (u) => nav.push(u),
      onError: (cb) => (onError = cb),
      setTimeout: (fn, ms) => {
        assert.equal(ms, 10000);
        timer = fn;
        return 1;
      },
      clearTimeout: () => (timer = null),
      fetch: this.server.fetch,
    };
    const rt = createRuntime(env);
    return {
      rt,
      nav,
      throwError: (m: string) => onError && onError(m),
      fireTimeout: () => timer && timer(),
      armed: () => timer !== null,
    };
  }
  reports() {
    return this.server.reports();
  }
}

function pathOf(url: string): string {
  return url;
}

describe('loader and runtime', () => {
  test('first launch: verify, open the offered bundle, ready() makes it good', async () => {
    const d = new Device();
    const offer = offerOf();
    const entry = offer.manifest!.manifest.entry;
    const { outcome, nav, errors } = await d.launch(offer);
    assert.equal(errors.length, 0);
    assert.equal(outcome.action, 'navigate');
    const want = `/a/${APP}/b/${offer.bundle_id}/${entry.split('/').map(encodeURIComponent).join('/')}`;
    assert.deepEqual(nav, [want]);
    assert.equal(JSON.parse(d.key('pending')!).bundle_id, offer.bundle_id);
    assert.equal(JSON.parse(d.key('booting')!), offer.bundle_id);
    assert.equal(d.key('good'), null);
    assert.deepEqual(d.reports().map((r) => r.event), ['downloaded']);

    const page = d.open(pathOf(want));
    assert.equal(page.rt.state(), 'trial');
    assert.equal(page.rt.bundleId, offer.bundle_id);
    assert.ok(page.armed());
    await page.rt.ready();
    assert.equal(page.rt.state(), 'good');
    assert.ok(!page.armed());
    assert.equal(JSON.parse(d.key('good')!).bundle_id, offer.bundle_id);
    assert.equal(d.key('pending'), null);
    assert.equal(d.key('booting'), null);
    const ready = d.reports().find((r) => r.event === 'ready');
    assert.deepEqual(ready, { app_id: APP, release_id: 'rel-new', bundle_id: offer.bundle_id, device: 'dev-1', event: 'ready' });
    // An error after ready() changes nothing.
    page.throwError('late');
    assert.deepEqual(page.nav, []);

    // Next launch, same offer: straight to the good bundle, nothing downloaded.
    const before = d.server.calls.length;
    const again = await d.launch(offer);
    assert.deepEqual(again.nav, [want]);
    assert.equal(d.server.calls.length, before);
  });

  test('an update that verifies replaces the good bundle', async () => {
    const d = new Device();
    d.setGood();
    const offer = offerOf();
    const { outcome, nav } = await d.launch(offer);
    assert.equal(outcome.action === 'navigate' && outcome.via, 'update');
    assert.ok(nav[0].startsWith(`/a/${APP}/b/${offer.bundle_id}/`));
    const page = d.open(nav[0]);
    await page.rt.ready();
    assert.equal(JSON.parse(d.key('good')!).bundle_id, offer.bundle_id);
  });

  test('verify_failed: report the reason and stay on the good bundle', async () => {
    const d = new Device();
    d.setGood();
    d.corrupt = true;
    const { outcome, nav } = await d.launch(offerOf());
    assert.equal(outcome.action === 'navigate' && outcome.via, 'good');
    assert.deepEqual(nav, [`/a/${APP}/b/${OLD.bundle_id}/index.html`]);
    const vf = d.reports().filter((r) => r.event === 'verify_failed');
    assert.equal(vf.length, 1);
    assert.equal(vf[0].reason, 'hash_mismatch');
    assert.equal(vf[0].release_id, 'rel-new');
    assert.equal(d.key('pending'), null);
    assert.equal(JSON.parse(d.key('good')!).bundle_id, OLD.bundle_id);
  });

  test('verify_failed with no good bundle shows the Chinese error page', async () => {
    const d = new Device();
    const offer = offerOf();
    offer.keys = []; // nothing trusted
    const { outcome, nav, errors } = await d.launch({ ...offer });
    assert.equal(outcome.action, 'error');
    assert.deepEqual(nav, []);
    assert.match(errors[0][1], /unknown_key/);
    assert.match(errors[0][0], /无法打开/);
    assert.equal(d.reports()[0].reason, 'unknown_key');
  });

  test('a download error is not a verdict: open the good bundle, report nothing', async () => {
    const d = new Device();
    d.setGood();
    d.server.route = (url) => (url.includes('/files/') ? new Response('busy', { status: 503 }) : new Response(null, { status: 202 }));
    const { nav } = await d.launch(offerOf());
    assert.deepEqual(nav, [`/a/${APP}/b/${OLD.bundle_id}/index.html`]);
    assert.deepEqual(d.reports(), []);
  });

  test('crash before ready(): back to the loader, which reports failed and opens the good bundle', async () => {
    const d = new Device();
    d.setGood();
    const offer = offerOf();
    const first = await d.launch(offer);
    const page = d.open(first.nav[0]);
    page.throwError('TypeError: x is undefined');
    assert.equal(page.rt.state(), 'failed');
    assert.deepEqual(page.nav, [`/a/${APP}/`]);
    assert.deepEqual(JSON.parse(d.key('failed')!), { bundle_id: offer.bundle_id, reason: 'error: TypeError: x is undefined' });
    // ready() after the failure does not promote the bundle.
    await page.rt.ready();
    assert.equal(JSON.parse(d.key('good')!).bundle_id, OLD.bundle_id);

    const second = await d.launch(offer);
    assert.deepEqual(second.nav, [`/a/${APP}/b/${OLD.bundle_id}/index.html`]);
    const failed = d.reports().filter((r) => r.event === 'failed');
    assert.deepEqual(failed, [{ app_id: APP, release_id: 'rel-new', bundle_id: offer.bundle_id, device: 'dev-1', event: 'failed', reason: 'error: TypeError: x is undefined' }]);
    assert.equal(d.key('pending'), null);
    assert.equal(d.key('failed'), null);

    // The failed bundle is not tried again on this device, and not reported twice.
    const calls = d.server.calls.length;
    const third = await d.launch(offer);
    assert.deepEqual(third.nav, [`/a/${APP}/b/${OLD.bundle_id}/index.html`]);
    assert.equal(d.server.calls.length, calls);
  });

  test('first launch crash with no good bundle: error page, 重试 tries the bundle again', async () => {
    const d = new Device();
    const offer = offerOf();
    const first = await d.launch(offer);
    d.open(first.nav[0]).throwError('boom');
    const second = await d.launch(offer);
    assert.equal(second.outcome.action, 'error');
    assert.match(second.errors[0][1], /启动失败/);
    const third = await d.launch(offer);
    assert.equal(third.outcome.action, 'error', 'a failed bundle is not retried by itself');
    third.errors[0][2]!(); // the person taps 重试
    const fourth = await d.launch(offer);
    assert.deepEqual(fourth.nav, [first.nav[0]]);
  });

  test('killed before ready() (booting still set): the next launch reports failed "interrupted"', async () => {
    const d = new Device();
    d.setGood();
    const offer = offerOf();
    const first = await d.launch(offer);
    d.open(first.nav[0]); // the WebView dies here: no error event, no timeout
    const second = await d.launch(offer);
    assert.deepEqual(second.nav, [`/a/${APP}/b/${OLD.bundle_id}/index.html`]);
    assert.deepEqual(d.reports().filter((r) => r.event === 'failed').map((r) => r.reason), ['interrupted']);
  });

  test('no ready() within 10 s: failure "timeout"', async () => {
    const d = new Device();
    d.setGood();
    const offer = offerOf();
    const first = await d.launch(offer);
    const page = d.open(first.nav[0]);
    page.fireTimeout();
    assert.deepEqual(page.nav, [`/a/${APP}/`]);
    await d.launch(offer);
    assert.deepEqual(d.reports().filter((r) => r.event === 'failed').map((r) => r.reason), ['timeout']);
  });

  test('the good bundle is not on trial: no timer, errors do not navigate', async () => {
    const d = new Device();
    d.setGood();
    const page = d.open(`/a/${APP}/b/${OLD.bundle_id}/index.html`);
    assert.equal(page.rt.state(), 'good');
    assert.ok(!page.armed());
    page.throwError('boom');
    assert.deepEqual(page.nav, []);
    await page.rt.ready();
    assert.deepEqual(d.reports(), []);
  });

  test('pages that are not bundles are inert', async () => {
    const d = new Device();
    for (const p of [`/a/${APP}/`, '/', '/portal/']) {
      const page = d.open(p);
      assert.equal(page.rt.state(), 'inert');
      assert.equal(page.rt.appId, null);
      await page.rt.ready();
    }
  });

  test('nothing offered: open the good bundle, or say there is no version', async () => {
    const d = new Device();
    const none = await d.launch(null);
    assert.equal(none.outcome.action, 'error');
    assert.match(none.errors[0][1], /暂无可用版本/);
    d.setGood();
    const good = await d.launch(null);
    assert.deepEqual(good.nav, [`/a/${APP}/b/${OLD.bundle_id}/index.html`]);
  });

  test('rollback with nothing to offer forgets the withdrawn bundle', async () => {
    const d = new Device();
    d.setGood();
    const { outcome } = await d.launch({ release_id: '', bundle_id: '', mandatory: false, rollback: true, manifest: null, keys: [] });
    assert.equal(outcome.action, 'error');
    assert.equal(d.key('good'), null);
    assert.deepEqual(d.reports().map((r) => r.event), ['rolled_back']);
  });

  test('an answer whose bundle_id is not its manifest\'s is refused', async () => {
    const d = new Device();
    d.setGood();
    const offer = offerOf();
    offer.bundle_id = 'b'.repeat(64);
    const { nav } = await d.launch(offer);
    assert.deepEqual(nav, [`/a/${APP}/b/${OLD.bundle_id}/index.html`]);
    assert.equal(d.reports()[0].reason, 'bundle_id_mismatch');
  });
});
