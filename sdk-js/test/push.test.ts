// govapp.push against a fake platform with the shapes of
// platform/internal/httpapi/handlers_push.go: the citizen's token on every
// call, the exact bodies, and refusals as GovappErrors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPush, GovappError } from '../src/index';
import type { PushEnv } from '../src/index';
import { FakeServer } from './helpers';

const INBOX = {
  items: [
    { notice: 'n_2', title: '养老金资格认证', body: '富阳区养老金资格认证已开放', app_id: 'social-security', link: '/a/social-security/', at: '2025-06-01T02:00:00Z' },
    { notice: 'n_1', title: '', body: '', sensitive: true, at: '2025-05-30T02:00:00Z', opened_at: '2025-05-30T03:00:00Z' },
  ],
};

function rig(token = 'citizen-token', route?: (url: string, init?: RequestInit) => Response | null) {
  const opened: string[] = [];
  const server = new FakeServer((url, init) => {
    const custom = route && route(url, init);
    if (custom) return custom;
    const u = new URL(url);
    const m = init!.method;
    if (m === 'POST' && u.pathname === '/v1/runtime/push/devices') {
      const b = JSON.parse(String(init!.body));
      return Response.json(Object.assign({ user_id: 'u_1', registered_at: '2025-06-01T00:00:00Z' }, b), { status: 201 });
    }
    if (m === 'GET' && u.pathname === '/v1/runtime/push/inbox') return Response.json(INBOX);
    if (m === 'POST' && /^\/v1\/runtime\/push\/inbox\/[^/]+\/opened$/.test(u.pathname)) {
      if (u.pathname.indexOf('missing') >= 0) return Response.json({ code: 40410, http: 404, error: 'notice not found' }, { status: 404 });
      return Response.json({ status: 'opened' });
    }
    if ((m === 'PUT' || m === 'DELETE') && /^\/v1\/runtime\/push\/subscriptions\/[^/]+$/.test(u.pathname)) return Response.json({ status: 'ok' });
    return Response.json({ code: 40401, http: 404, error: 'no such route' }, { status: 404 });
  });
  const env: PushEnv = {
    url: (p) => 'https://gov.example' + p,
    fetch: server.fetch,
    token: () => token,
    appId: () => 'housing-fund',
    container: () => 'wechat',
    opened: (n) => opened.push(n),
  };
  return { push: createPush(env), server, opened };
}

async function failure(p: Promise<unknown>): Promise<GovappError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof GovappError, String(e));
    return e;
  }
  throw new Error('expected a rejection');
}

describe('govapp.push', () => {
  test('register posts the registration with the citizen token and subscribes to the current app', async () => {
    const r = rig();
    const token = 'a'.repeat(64);
    const d = await r.push.register({ kind: 'apns', token, topic: 'cn.gov.zj.app', environment: 'development' });
    assert.equal(d.kind, 'apns');
    const c = r.server.calls[0];
    assert.equal(c.url, 'https://gov.example/v1/runtime/push/devices');
    assert.equal(c.init!.method, 'POST');
    assert.equal((c.init!.headers as any).Authorization, 'Bearer citizen-token');
    assert.equal((c.init!.headers as any)['Content-Type'], 'application/json');
    // Exactly the members of the platform's deviceRequest (it refuses unknown ones).
    assert.deepEqual(c.body, { kind: 'apns', token, topic: 'cn.gov.zj.app', environment: 'development', app_id: 'housing-fund' });
    await r.push.register({ kind: 'fcm', token: 'fcm-token-0123456789abcdef', appId: '' });
    assert.deepEqual(r.server.calls[1].body, { kind: 'fcm', token: 'fcm-token-0123456789abcdef' });
  });

  test('register checks kind and token before asking', async () => {
    const r = rig();
    assert.match((await failure(r.push.register({ kind: 'sms' as any, token: 'x' }))).message, /kind/);
    const e = await failure(r.push.register({ kind: 'fcm', token: '' }));
    assert.equal(e.code, 'failed');
    assert.equal(e.method, 'push.register');
    assert.equal(r.server.calls.length, 0);
  });

  test('inbox returns the items as the platform gives them', async () => {
    const r = rig();
    assert.deepEqual(await r.push.inbox(), INBOX);
    await r.push.inbox({ limit: 20 });
    assert.deepEqual(r.server.calls.map((c) => [c.init!.method, c.url]), [
      ['GET', 'https://gov.example/v1/runtime/push/inbox'],
      ['GET', 'https://gov.example/v1/runtime/push/inbox?limit=20'],
    ]);
    assert.equal((r.server.calls[0].init!.headers as any).Authorization, 'Bearer citizen-token');
  });

  test('opened reports the open and records notice_opened', async () => {
    const r = rig();
    assert.deepEqual(await r.push.opened('n_2'), { status: 'opened' });
    assert.equal(r.server.calls[0].url, 'https://gov.example/v1/runtime/push/inbox/n_2/opened');
    assert.equal(r.server.calls[0].init!.method, 'POST');
    assert.deepEqual(r.opened, ['n_2']);
    const e = await failure(r.push.opened('missing'));
    assert.equal(e.code, 'failed');
    assert.match(e.message, /notice not found/);
    assert.equal(e.method, 'push.opened');
  });

  test('subscribe and unsubscribe: PUT and DELETE, the current app by default', async () => {
    const r = rig();
    await r.push.subscribe();
    await r.push.unsubscribe('social-security');
    assert.deepEqual(r.server.calls.map((c) => [c.init!.method, c.url]), [
      ['PUT', 'https://gov.example/v1/runtime/push/subscriptions/housing-fund'],
      ['DELETE', 'https://gov.example/v1/runtime/push/subscriptions/social-security'],
    ]);
  });

  test('signed out: denied without asking the platform', async () => {
    const r = rig('');
    for (const p of [r.push.inbox(), r.push.subscribe(), r.push.register({ kind: 'govapp', token: 'c1' })]) {
      const e = await failure(p);
      assert.equal(e.code, 'denied');
      assert.match(e.message, /请先登录/);
      assert.equal(e.container, 'wechat');
    }
    assert.equal(r.server.calls.length, 0);
  });

  test('refusals: 401/403 denied, 400 failed with the platform message, network failed', async () => {
    const answers: { [k: string]: Response } = {};
    const r = rig('t', (url) => answers[new URL(url).pathname] || null);
    answers['/v1/runtime/push/inbox'] = Response.json({ code: 40101, http: 401, error: 'access token expired' }, { status: 401 });
    const a = await failure(r.push.inbox());
    assert.equal(a.code, 'denied');
    assert.match(a.message, /access token expired/);
    answers['/v1/runtime/push/devices'] = Response.json({ code: 40001, http: 400, field: 'token', error: 'token: is not an APNs device token' }, { status: 400 });
    const b = await failure(r.push.register({ kind: 'apns', token: 'zz', topic: 'cn.gov' }));
    assert.equal(b.code, 'failed');
    assert.match(b.message, /^参数错误：token: is not an APNs device token$/);
    const down = createPush({ url: (p) => p, fetch: () => Promise.reject(new TypeError('Failed to fetch')), token: () => 't', appId: () => 'x-app', container: () => 'web' });
    const c = await failure(down.subscribe());
    assert.equal(c.code, 'failed');
    assert.match(c.message, /网络/);
  });
});
