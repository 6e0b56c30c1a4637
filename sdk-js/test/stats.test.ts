// Usage statistics: the queue in localStorage, batches within the platform's
// limits, per-item answers, retries and drops, the beacon on hide, SPA page
// views, errors, the opt-out — against a fake clock and a fake platform that
// checks the batch the way platform/internal/stats.ParseBatch does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  autoTrack,
  clipUtf8,
  createStats,
  MemoryStore,
  pageOf,
  randomId,
  STATS_MAX_BATCH_BYTES,
  STATS_MAX_BATCH_EVENTS,
  utf8Length,
} from '../src/index';
import type { Stats, StatsEnv } from '../src/index';
import { FakePage } from './fakewin';

const APP = 'housing-fund';
const QKEY = 'govapp:' + APP + ':stats:queue';

/** Clock runs timers by hand. */
class Clock {
  t = 1_750_000_000_000;
  timers: Array<{ at: number; fn: () => void; id: number }> = [];
  n = 0;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.n;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== id);
  };
  /** advance moves time on and runs what fell due, letting promises settle. */
  async advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      await settle();
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    await settle();
  }
}

async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

const RE_ID = /^[A-Za-z0-9_-]{8,64}$/;
const RE_DEVICE = /^[A-Za-z0-9_-]{8,128}$/;
const RE_NAME = /^(app_launch|page_view|jsapi_call|error|update_installed|notice_opened|custom_[a-z0-9_]{1,40})$/;

interface Sent {
  body: any;
  bytes: number;
  headers: { [k: string]: string };
  keepalive?: boolean;
  via: 'fetch' | 'beacon';
}

/** Platform is a fake /v1/runtime/events: checks each batch like ParseBatch and answers per item. */
class Platform {
  sent: Sent[] = [];
  stored = new Set<string>();
  /** answer overrides the reply (status, or a function of the batch). */
  answer: ((b: any) => Response | null) | null = null;
  down = false;
  fetch = async (url: string, init?: RequestInit): Promise<Response> => {
    if (this.down) throw new TypeError('Failed to fetch');
    assert.equal(url, 'https://gov.example/v1/runtime/events');
    assert.equal(init!.method, 'POST');
    const headers = (init!.headers || {}) as { [k: string]: string };
    assert.equal(headers['Content-Type'], 'application/json');
    return this.take(String(init!.body), headers, 'fetch', !!init!.keepalive);
  };
  beacon = (url: string, data: any): boolean => {
    assert.equal(url, 'https://gov.example/v1/runtime/events');
    void this.take(String(data), {}, 'beacon', false);
    return true;
  };
  take(text: string, headers: { [k: string]: string }, via: 'fetch' | 'beacon', keepalive: boolean): Response {
    const bytes = Buffer.byteLength(text);
    const body = JSON.parse(text);
    this.sent.push({ body, bytes, headers, keepalive, via });
    // Whole-batch checks of ParseBatch / Ingest.
    assert.ok(bytes <= 64 * 1024, 'batch of ' + bytes + ' bytes');
    assert.ok(body.events.length >= 1 && body.events.length <= 50, body.events.length + ' events');
    assert.ok(body.sent_at > 0);
    assert.equal(body.app, APP);
    assert.match(body.device_id, RE_DEVICE);
    const custom = this.answer && this.answer(body);
    if (custom) return custom;
    const items = body.events.map((e: any, index: number) => {
      const ok = RE_ID.test(e.id) && RE_NAME.test(e.name) && e.ts > 0 && ['wechat', 'alipay', 'govapp', 'web'].indexOf(e.container) >= 0;
      if (!ok) return { index, id: e.id, status: 'rejected', code: 'invalid' };
      if (this.stored.has(e.id)) return { index, id: e.id, status: 'duplicate' };
      this.stored.add(e.id);
      return { index, id: e.id, status: 'accepted' };
    });
    return Response.json({ items });
  }
  names(): string[] {
    return this.sent.flatMap((s) => s.body.events.map((e: any) => e.name));
  }
}

interface Rig {
  clock: Clock;
  platform: Platform;
  storage: MemoryStore;
  stats: Stats;
  env: StatsEnv;
  token: { value: string };
}

function rig(o: Partial<StatsEnv> & { storage?: MemoryStore; platform?: Platform; clock?: Clock } = {}): Rig {
  const clock = o.clock || new Clock();
  const platform = o.platform || new Platform();
  const storage = o.storage || new MemoryStore();
  const token = { value: '' };
  const env: StatsEnv = Object.assign(
    {
      storage,
      appId: APP,
      url: (p: string) => 'https://gov.example' + p,
      fetch: platform.fetch,
      sendBeacon: platform.beacon,
      keepalive: true,
      now: () => clock.t,
      random: (n: number) => crypto.getRandomValues(new Uint8Array(n)),
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      channel: () => 'wechat' as const,
      containerVersion: () => '8.0.50',
      version: () => '1.4.2',
      token: () => token.value,
    },
    o,
  );
  return { clock, platform, storage, stats: createStats(env), env, token };
}

const queued = (r: Rig) => JSON.parse(r.storage.getItem(QKEY) || '[]');

describe('stats helpers', () => {
  test('utf8Length and clipUtf8 count bytes and never split a character', () => {
    assert.equal(utf8Length('a公😀'), 1 + 3 + 4);
    assert.equal(clipUtf8('公积金', 7), '公积');
    assert.equal(clipUtf8('a😀', 4), 'a');
    for (const s of ['abc', '公积金查询', '😀x😀', '\ud800x']) assert.equal(utf8Length(s), Buffer.byteLength(s), s);
  });
  test('randomId is base64url of the random bytes', () => {
    const id = randomId(() => new Uint8Array([0xfb, 0xff, 0x00, 0x01]));
    assert.equal(id, Buffer.from([0xfb, 0xff, 0x00, 0x01]).toString('base64url'));
    assert.match(randomId((n) => crypto.getRandomValues(new Uint8Array(n))), /^[A-Za-z0-9_-]{22}$/);
  });
  test('pageOf drops the bundle prefix and queries, keeps hash routes', () => {
    assert.equal(pageOf('/a/housing-fund/b/' + 'f'.repeat(64) + '/index.html'), '/index.html');
    assert.equal(pageOf('/a/housing-fund/b/x/index.html', '#/query?id=330106'), '/index.html#/query');
    assert.equal(pageOf('/pages/list', '#!/detail'), '/pages/list#!/detail');
    assert.equal(pageOf('/pages/list', '#top'), '/pages/list');
    assert.equal(utf8Length(pageOf('/' + '公'.repeat(200))), 256);
  });
});

describe('stats queue', () => {
  test('events are queued in localStorage with stable ids and sent as one batch after the interval', async () => {
    const r = rig();
    r.stats.record('app_launch', { platform: 'android' }, '/index.html');
    r.stats.page('/index.html');
    r.stats.track('apply_submit', { step: 2, ok: true });
    const q = queued(r);
    assert.deepEqual(q.map((e: any) => e.name), ['app_launch', 'page_view', 'custom_apply_submit']);
    assert.deepEqual(q[2], { id: q[2].id, name: 'custom_apply_submit', ts: r.clock.t, container: 'wechat', container_version: '8.0.50', version: '1.4.2', page: '/index.html', props: { step: 2, ok: true } });
    assert.equal(new Set(q.map((e: any) => e.id)).size, 3);
    await r.clock.advance(4999);
    assert.equal(r.platform.sent.length, 0, 'nothing before the interval');
    await r.clock.advance(1);
    assert.equal(r.platform.sent.length, 1);
    const b = r.platform.sent[0].body;
    assert.equal(b.sent_at, r.clock.t);
    assert.deepEqual(b.events, q, 'the queued events, ids and all');
    assert.equal(r.storage.getItem(QKEY), null, 'accepted events leave the queue');
    assert.equal(r.platform.sent[0].headers.Authorization, undefined, 'signed out: no token');
  });

  test('the queue survives a reload and leftovers are sent on the next launch', async () => {
    const storage = new MemoryStore();
    const platform = new Platform();
    platform.down = true;
    const a = rig({ storage, platform });
    a.stats.record('app_launch');
    a.stats.track('x');
    await a.clock.advance(6000);
    assert.equal(queued(a).length, 2, 'a network failure keeps the events');
    platform.down = false;
    const b = rig({ storage, platform, clock: a.clock }); // the next launch, same storage
    assert.equal(b.stats.pending().length, 2);
    const did = b.stats.deviceId();
    b.stats.record('app_launch');
    await b.clock.advance(5000);
    assert.deepEqual(platform.names(), ['app_launch', 'custom_x', 'app_launch']);
    assert.equal(platform.sent[0].body.device_id, did, 'the device id is kept across launches');
    assert.equal(b.stats.pending().length, 0);
  });

  test('the queue is bounded: the oldest events are dropped', () => {
    const r = rig({ maxQueue: 10 });
    for (let i = 0; i < 25; i++) r.stats.track('n', { i });
    const q = queued(r);
    assert.equal(q.length, 10);
    assert.deepEqual(q.map((e: any) => e.props.i), [15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  });

  test('the default bound is 500 events', () => {
    const r = rig();
    r.platform.down = true;
    for (let i = 0; i < 520; i++) r.stats.track('n', { i });
    assert.equal(queued(r).length, 500);
    assert.equal(queued(r)[0].props.i, 20);
  });

  test('batches hold at most 50 events and 64 KB; a long queue goes out batch after batch', async () => {
    const r = rig();
    r.platform.down = true;
    for (let i = 0; i < 120; i++) r.stats.track('n', { i });
    // Big events: 40 of them are over 64 KB.
    const big = 'x'.repeat(250);
    for (let i = 0; i < 100; i++) r.stats.track("big", { a: big, b: big, c: big, d: big, e: big, f: big, g: big });
    r.platform.down = false;
    await r.stats.flush();
    const sizes = r.platform.sent.map((s) => s.body.events.length);
    assert.deepEqual(sizes.slice(0, 2), [50, 50]);
    for (const s of r.platform.sent) {
      assert.ok(s.bytes <= STATS_MAX_BATCH_BYTES, s.bytes + ' bytes');
      assert.ok(s.body.events.length <= STATS_MAX_BATCH_EVENTS);
    }
    assert.ok(sizes.slice(3).every((n) => n < 50), 'the big events are cut by size: ' + sizes);
    assert.ok(r.platform.sent.slice(3).some((s) => s.bytes > 60 * 1024), 'batches fill up to the limit');
    assert.equal(sizes.reduce((a, b) => a + b, 0), 220);
    assert.equal(r.stats.pending().length, 0);
  });

  test('50 queued events are sent at once, without waiting for the interval', async () => {
    const r = rig();
    for (let i = 0; i < 50; i++) r.stats.track('n');
    await r.clock.advance(0);
    assert.equal(r.platform.sent.length, 1);
    assert.equal(r.platform.sent[0].body.events.length, 50);
  });
});

describe('stats answers', () => {
  test('rejected items are dropped, items without an answer are kept, duplicates count as delivered', async () => {
    const r = rig();
    r.stats.track('a');
    r.stats.track('b');
    r.stats.track('c');
    const [a, b, c] = queued(r);
    r.platform.answer = () =>
      Response.json({ accepted: 1, duplicates: 1, rejected: 1, items: [
        { index: 0, id: a.id, status: 'duplicate' },
        { index: 1, id: b.id, status: 'rejected', code: 'future', field: 'ts' },
      ] });
    await r.stats.flush();
    assert.deepEqual(queued(r).map((e: any) => e.id), [c.id], 'c had no answer: kept');
    assert.equal(r.platform.sent.length, 1, 'and not resent at once');
    r.platform.answer = null;
    await r.stats.flush();
    assert.equal(r.stats.pending().length, 0);
    assert.deepEqual(r.platform.sent[1].body.events.map((e: any) => e.id), [c.id], 'c resent with its id');
  });

  test('a resend of a delivered event answers duplicate and leaves the queue: idempotent', async () => {
    const r = rig();
    r.stats.track('once');
    const [e] = queued(r);
    r.platform.answer = (batch) => {
      r.platform.stored.add(batch.events[0].id); // stored, but the reply is lost
      return new Response('bad gateway', { status: 502 });
    };
    await r.stats.flush();
    assert.equal(queued(r).length, 1, 'no answer: kept');
    r.platform.answer = null;
    await r.clock.advance(60_000);
    assert.equal(r.platform.sent.length, 2);
    assert.equal(r.platform.sent[1].body.events[0].id, e.id);
    assert.equal(r.stats.pending().length, 0);
    assert.equal(r.platform.stored.size, 1);
  });

  for (const status of [404, 429, 500, 503]) {
    test(`${status} keeps the events and backs off`, async () => {
      const r = rig();
      r.platform.answer = () => new Response('{"code":1,"http":' + status + ',"error":"x"}', { status });
      r.stats.track('k');
      await r.clock.advance(5000);
      assert.equal(r.platform.sent.length, 1);
      await r.clock.advance(5000);
      assert.equal(r.platform.sent.length, 1, 'not again after one interval: backing off');
      await r.clock.advance(15000);
      assert.equal(r.platform.sent.length, 2);
      await r.clock.advance(10 * 60_000);
      const n = r.platform.sent.length;
      assert.ok(n >= 4 && n <= 8, n + ' tries in ten minutes: the delay grows, up to 5 minutes');
      assert.equal(queued(r).length, 1);
      r.platform.answer = null;
      await r.clock.advance(6.25 * 60_000); // the longest delay: 5 minutes + 25 %
      assert.equal(r.stats.pending().length, 0, 'delivered once the platform answers');
    });
  }

  test('a whole-batch 400 halves the batch until the bad event is alone, then drops it', async () => {
    const r = rig();
    for (let i = 0; i < 8; i++) r.stats.track('n', { i });
    const bad = queued(r)[5].id;
    r.platform.answer = (b) => (b.events.some((e: any) => e.id === bad) ? Response.json({ code: 40001, http: 400, error: 'x' }, { status: 400 }) : null);
    await r.stats.flush();
    assert.equal(r.stats.pending().length, 0);
    assert.equal(r.platform.stored.size, 7);
    assert.ok(!r.platform.stored.has(bad));
    assert.deepEqual(r.platform.sent.map((s) => s.body.events.length), [8, 4, 4, 2, 1, 1, 2]);
  });

  test('events older than 7 days are not sent (the platform would refuse them)', async () => {
    const r = rig();
    r.platform.down = true;
    r.stats.track('old');
    await r.clock.advance(8 * 24 * 3600 * 1000);
    r.platform.down = false;
    r.stats.track('new');
    await r.stats.flush();
    assert.deepEqual(r.platform.names(), ['custom_new']);
    assert.equal(r.stats.pending().length, 0);
  });

  test('a signed-in batch carries the access token; a 401 falls back to the device id', async () => {
    let told = 0;
    const r = rig({ tokenRejected: () => (told++, (r.token.value = '')) });
    r.token.value = 'citizen-token';
    r.stats.track('a');
    await r.stats.flush();
    assert.equal(r.platform.sent[0].headers.Authorization, 'Bearer citizen-token');
    r.token.value = 'stale';
    r.stats.track('b');
    r.platform.answer = (b) => (r.platform.sent[r.platform.sent.length - 1].headers.Authorization ? new Response('{}', { status: 401 }) : null);
    await r.stats.flush();
    assert.equal(told, 1);
    assert.equal(r.platform.sent.length, 3);
    assert.equal(r.platform.sent[2].headers.Authorization, undefined);
    assert.equal(r.stats.pending().length, 0);
  });
});

describe('stats on hide', () => {
  test('signed out: one batch by sendBeacon, the events stay queued until an answer', async () => {
    const r = rig();
    for (let i = 0; i < 70; i++) r.stats.track('n');
    r.stats.flushOnHide();
    r.stats.flushOnHide(); // pagehide right after visibilitychange
    assert.equal(r.platform.sent.length, 1);
    assert.equal(r.platform.sent[0].via, 'beacon');
    assert.equal(r.platform.sent[0].body.events.length, 50);
    assert.equal(queued(r).length, 70, 'a beacon has no answer: kept, a resend answers duplicate');
    await r.stats.flush();
    assert.equal(r.stats.pending().length, 0);
    assert.equal(r.platform.stored.size, 70);
  });

  test('signed in: fetch keepalive with the token (a beacon cannot carry it); its answer is applied', async () => {
    const r = rig();
    r.token.value = 'citizen-token';
    r.stats.track('n');
    r.stats.flushOnHide();
    await settle();
    assert.equal(r.platform.sent.length, 1);
    assert.equal(r.platform.sent[0].via, 'fetch');
    assert.equal(r.platform.sent[0].keepalive, true);
    assert.equal(r.platform.sent[0].headers.Authorization, 'Bearer citizen-token');
    assert.equal(r.stats.pending().length, 0);
  });

  test('signed in without fetch keepalive: the beacon carries the device id only', () => {
    const r = rig({ keepalive: false });
    r.token.value = 'citizen-token';
    r.stats.track('n');
    r.stats.flushOnHide();
    assert.equal(r.platform.sent[0].via, 'beacon');
    assert.match(r.platform.sent[0].body.device_id, RE_DEVICE);
  });

  test('no sendBeacon, or a refused one: fetch keepalive', async () => {
    for (const beacon of [undefined, () => false]) {
      const r = rig({ sendBeacon: beacon });
      r.stats.track('n');
      r.stats.flushOnHide();
      await settle();
      assert.equal(r.platform.sent.length, 1);
      assert.equal(r.platform.sent[0].via, 'fetch');
      assert.equal(r.platform.sent[0].keepalive, true);
    }
  });
});

describe('stats opt-out', () => {
  test('disable() forgets the queue and the device id, records nothing, and is remembered', async () => {
    const storage = new MemoryStore();
    const r = rig({ storage });
    r.stats.track('before');
    const did = r.stats.deviceId();
    r.stats.disable();
    assert.equal(r.stats.enabled(), false);
    assert.equal(storage.getItem(QKEY), null);
    assert.equal(storage.getItem('govapp:' + APP + ':stats:did'), null);
    r.stats.track('during');
    r.stats.flushOnHide();
    await r.clock.advance(60_000);
    assert.equal(r.platform.sent.length, 0);
    const next = rig({ storage, platform: r.platform, clock: r.clock });
    assert.equal(next.stats.enabled(), false, 'remembered on the next launch');
    next.stats.record('app_launch');
    assert.equal(next.stats.pending().length, 0);
    next.stats.enable();
    next.stats.track('after');
    await next.clock.advance(5000);
    assert.deepEqual(r.platform.names(), ['custom_after']);
    assert.notEqual(next.stats.deviceId(), did, 'a new device id after opting back in');
  });

  test('the configuration switch (enabled: false) records nothing and keeps the storage as it is', () => {
    const r = rig({ enabled: false });
    r.stats.record('app_launch');
    r.stats.track('x');
    assert.equal(r.storage.data.size, 0);
  });

  test('without a valid app id nothing is recorded', () => {
    const r = rig({ appId: '' });
    r.stats.track('x');
    assert.equal(r.storage.data.size, 0);
  });
});

describe('stats track', () => {
  test('custom names and properties are checked like the platform does', () => {
    const r = rig();
    r.stats.track('custom_apply_submit');
    assert.equal(queued(r)[0].name, 'custom_apply_submit');
    assert.throws(() => r.stats.track('Apply Submit'), /参数错误/);
    assert.throws(() => r.stats.track(''), /参数错误/);
    assert.throws(() => r.stats.track('a'.repeat(41)), /参数错误/);
    assert.throws(() => r.stats.track('x', { 'bad-key': 1 }), /属性名/);
    assert.throws(() => r.stats.track('x', { nested: { a: 1 } as any }), /字符串、数字或布尔值/);
    assert.throws(() => r.stats.track('x', { s: 'x'.repeat(257) }), /256/);
    const many: any = {};
    for (let i = 0; i < 21; i++) many['k' + i] = i;
    assert.throws(() => r.stats.track('x', many), /20/);
    assert.equal(queued(r).length, 1);
  });

  test('built-in events clip long strings instead of failing', () => {
    const r = rig();
    r.stats.record('error', { message: '错'.repeat(200), nested: { a: 1 } as any });
    const e = queued(r)[0];
    assert.equal(utf8Length(e.props.message), 255);
    assert.equal(e.props.nested, undefined);
  });
});

describe('auto-tracking', () => {
  const BUNDLE = '/a/housing-fund/b/' + 'a'.repeat(64);
  /** win is a page: location, history that moves it, window and document events. */
  function win(path = BUNDLE + '/index.html') {
    let url = new URL('https://gov.example' + path);
    const on: { [t: string]: Array<(e: any) => void> } = {};
    const don: { [t: string]: Array<(e: any) => void> } = {};
    const add = (m: any) => (t: string, fn: (e: any) => void) => (m[t] = m[t] || []).push(fn);
    const rm = (m: any) => (t: string, fn: (e: any) => void) => (m[t] = (m[t] || []).filter((f: any) => f !== fn));
    const w: any = {
      location: {
        get pathname() {
          return url.pathname;
        },
        get hash() {
          return url.hash;
        },
      },
      history: {
        pushState(_s: any, _t: string, u: string) {
          url = new URL(u, url);
        },
        replaceState(_s: any, _t: string, u: string) {
          url = new URL(u, url);
        },
      },
      document: { visibilityState: 'visible', addEventListener: add(don), removeEventListener: rm(don) },
      addEventListener: add(on),
      removeEventListener: rm(on),
      /** move changes the URL without telling anyone (the back button, a hash link), then fires type. */
      move(u: string, type: string) {
        url = new URL(u, url);
        (on[type] || []).forEach((f) => f({}));
      },
      fire: (type: string, e: any = {}) => (on[type] || []).forEach((f) => f(e)),
      fireDoc: (type: string) => (don[type] || []).forEach((f) => f({})),
      listeners: () => Object.keys(on).reduce((n, k) => n + on[k].length, 0) + Object.keys(don).reduce((n, k) => n + don[k].length, 0),
    };
    w.document.defaultView = w;
    return w;
  }
  const names = (r: Rig) => r.stats.pending().map((e) => e.name + (e.page ? ' ' + e.page : ''));

  test('a launch once per session, the first page, and every SPA route change', () => {
    const w = win();
    const r = rig();
    const session = new MemoryStore();
    const pushState = w.history.pushState;
    const stop = autoTrack(r.stats, { win: w, appId: APP, session, launchProps: { platform: 'android' } });
    w.history.pushState(null, '', BUNDLE + '/query?id=1');
    w.history.pushState(null, '', BUNDLE + '/query?id=2'); // same page: no new view
    w.history.replaceState(null, '', BUNDLE + '/result');
    w.move(BUNDLE + '/query', 'popstate'); // the back button
    w.move(BUNDLE + '/query#/detail?id=3', 'hashchange'); // a hash router
    w.move(BUNDLE + '/query#/detail?id=4', 'hashchange');
    w.move(BUNDLE + '/query#/list', 'hashchange');
    assert.deepEqual(names(r), [
      'app_launch /index.html',
      'page_view /index.html',
      'page_view /query',
      'page_view /result',
      'page_view /query',
      'page_view /query#/detail',
      'page_view /query#/list',
    ]);
    assert.deepEqual(r.stats.pending()[0].props, { platform: 'android' });
    const q = r.stats.pending();
    assert.equal(q[q.length - 1].page, '/query#/list');
    stop();
    assert.equal(w.history.pushState, pushState, 'stop() restores history');
    assert.equal(w.listeners(), 0);
    // The same session again (a reload): no second launch.
    const r2 = rig();
    autoTrack(r2.stats, { win: win(), appId: APP, session });
    assert.deepEqual(names(r2), ['page_view /index.html']);
  });

  test('uncaught errors and unhandled rejections, at most 20 and each message once', () => {
    const w = win();
    const r = rig();
    autoTrack(r.stats, { win: w, appId: APP });
    w.fire('error', { target: w, message: 'Uncaught TypeError: x is undefined', filename: 'https://gov.example/a/app.js?v=3', lineno: 12 });
    w.fire('error', { target: w, message: 'Uncaught TypeError: x is undefined', filename: 'https://gov.example/a/app.js?v=3', lineno: 12 });
    w.fire('error', { target: { tagName: 'IMG' } }); // an image that failed to load: not a script error
    w.fire('unhandledrejection', { reason: new Error('网络错误') });
    w.fire('unhandledrejection', { reason: 'plain string' });
    for (let i = 0; i < 30; i++) w.fire('error', { target: w, message: 'e' + i });
    const errors = r.stats.pending().filter((e) => e.name === 'error');
    assert.equal(errors.length, 20);
    assert.deepEqual(errors[0].props, { kind: 'error', message: 'Uncaught TypeError: x is undefined', source: 'https://gov.example/a/app.js', line: 12 });
    assert.deepEqual(errors[1].props, { kind: 'rejection', message: '网络错误' });
    assert.deepEqual(errors[2].props, { kind: 'rejection', message: 'plain string' });
    assert.equal(errors[0].page, '/index.html', 'errors carry the page they happened on');
  });

  test('hiding the page sends the queue by beacon; so does pagehide', () => {
    const w = win();
    const r = rig();
    autoTrack(r.stats, { win: w, appId: APP });
    w.document.visibilityState = 'hidden';
    w.fireDoc('visibilitychange');
    assert.equal(r.platform.sent.length, 1);
    assert.equal(r.platform.sent[0].via, 'beacon');
    assert.deepEqual(r.platform.sent[0].body.events.map((e: any) => e.name), ['app_launch', 'page_view']);
    w.fire('pagehide');
    assert.equal(r.platform.sent.length, 1, 'the same departure is sent once');
    r.clock.t += 2000;
    w.fire('pagehide');
    assert.equal(r.platform.sent.length, 2, 'a later departure sends again');
  });
});
