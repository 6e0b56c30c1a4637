// Usage statistics and push of dist/govapp.js in headless Chromium, against
// the harness platform, which checks batches the way
// platform/internal/stats.ParseBatch does: auto-tracked launch and page
// views (history.pushState, a hash route), a custom event, the batch sent by
// fetch, the queue sent by sendBeacon when the page is left, and govapp.push
// with the citizen's token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chromiumPath, Session } from './harness';

const exe = chromiumPath();
const s = new Session();

async function until<T>(what: string, f: () => T | undefined | null | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('usage statistics and push in Chromium', { skip: exe ? false : 'no Chromium (apt-get install chromium)' }, () => {
  before(() => s.start(exe!));
  after(() => s.stop());

  test('launch, SPA page views, JSAPI calls and a custom event reach /v1/runtime/events; the rest goes by beacon on leaving', async () => {
    const start = s.platform.batches.length;
    const page = await s.open({ container: 'web' });
    await page.evaluate(async () => {
      const g = (window as any).govapp;
      history.pushState(null, '', location.pathname.replace(/index\.html$/, 'query') + '?id=1');
      location.hash = '#/detail?id=2';
      await new Promise((r) => setTimeout(r, 50)); // hashchange is asynchronous
      await g.scan().catch(() => undefined); // unsupported in a browser: a failed jsapi_call
      g.track('apply_submit', { step: 2 });
      await g.stats.flush();
      await g.stats.flush(); // in case the interval's flush was under way
    });
    const sent = s.platform.batches.slice(start);
    assert.ok(sent.length >= 1);
    // Usually one batch; all of them if the 5 s interval came first.
    const b = { app: sent[0].body.app, device_id: sent[0].body.device_id, sent_at: sent[sent.length - 1].body.sent_at, events: sent.flatMap((x) => x.body.events) };
    for (const x of sent) assert.equal(x.body.device_id, b.device_id);
    assert.equal(b.app, 'housing-fund');
    assert.match(b.device_id, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(sent[0].authorization, '', 'signed out');
    assert.deepEqual(
      b.events.map((e: any) => e.name + ' ' + e.page),
      ['app_launch /index.html', 'page_view /index.html', 'page_view /query', 'page_view /query#/detail', 'jsapi_call /query#/detail', 'custom_apply_submit /query#/detail'],
    );
    for (const e of b.events) {
      assert.match(e.id, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(e.container, 'web');
      assert.ok(Math.abs(e.ts - b.sent_at) < 30000);
    }
    assert.deepEqual(b.events[4].props.api, 'scan');
    assert.equal(b.events[4].props.code, 'unsupported');
    assert.deepEqual(b.events[5].props, { step: 2 });
    assert.equal(await page.evaluate(() => localStorage.getItem('govapp:housing-fund:stats:queue')), null, 'accepted: the queue is empty');

    // Leaving the page (pagehide): what is still queued goes by sendBeacon.
    const before = s.platform.batches.length;
    const beaconed = await page.evaluate(() => {
      const sent: string[] = [];
      const real = navigator.sendBeacon.bind(navigator);
      navigator.sendBeacon = (url: string | URL, data?: BodyInit | null) => (sent.push(String(url)), real(url, data));
      (window as any).govapp.track('leaving');
      window.dispatchEvent(new Event('pagehide'));
      return sent;
    });
    assert.deepEqual(beaconed, ['/v1/runtime/events']);
    const beacon = await until('the beacon', () => s.platform.batches.slice(before)[0]);
    assert.deepEqual(beacon.body.events.map((e: any) => e.name), ['custom_leaving']);
    assert.equal(beacon.body.device_id, b.device_id, 'one device id per app');
    assert.match(beacon.contentType, /^application\/json/);
  });

  test('govapp.stats.disable() stops sending and is remembered', async () => {
    const page = await s.open({ container: 'web' });
    await page.evaluate(() => (window as any).govapp.stats.disable());
    await page.reload();
    const start = s.platform.batches.length;
    await page.evaluate(async () => {
      const g = (window as any).govapp;
      g.track('secret');
      await g.stats.flush();
      return g.stats.enabled();
    });
    assert.equal(await page.evaluate(() => (window as any).govapp.stats.enabled()), false);
    assert.equal(s.platform.batches.length, start);
  });

  test('govapp.push: inbox and subscribe with the citizen token; signed out is denied', async () => {
    const page = await s.open({ container: 'web' });
    const out = await page.evaluate(async () => {
      const g = (window as any).govapp;
      const denied = await g.push.inbox().then(
        () => 'resolved',
        (e: any) => e.code,
      );
      g.setAccessToken('citizen-token');
      const inbox = await g.push.inbox({ limit: 10 });
      await g.push.subscribe();
      await g.push.opened('n_1');
      return { denied, inbox };
    });
    assert.equal(out.denied, 'denied');
    assert.equal(out.inbox.items[0].title, '养老金资格认证');
    const calls = s.platform.push.slice(-3);
    assert.deepEqual(calls.map((c) => [c.method, c.path, c.authorization]), [
      ['GET', '/v1/runtime/push/inbox?limit=10', 'Bearer citizen-token'],
      ['PUT', '/v1/runtime/push/subscriptions/housing-fund', 'Bearer citizen-token'],
      ['POST', '/v1/runtime/push/inbox/n_1/opened', 'Bearer citizen-token'],
    ]);
    // The open is also a notice_opened event, sent with the citizen's token.
    await page.evaluate(async () => {
      await (window as any).govapp.stats.flush();
      await (window as any).govapp.stats.flush();
    });
    const b = s.platform.batches.filter((x) => x.body.events.some((e: any) => e.name === 'notice_opened' && e.props.notice === 'n_1'));
    assert.equal(b.length, 1);
    assert.equal(b[0].authorization, 'Bearer citizen-token');
  });
});
