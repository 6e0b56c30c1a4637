// govapp.login(): the container's credential, exchanged at the platform for
// a one-time code (POST /v1/auth/container-login).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { failure, kit } from './bridgekit';

describe('login', () => {
  for (const [c, credential] of [
    ['alipay', 'sim-alipay-credential'],
    ['govapp', 'sim-govapp-credential'],
    ['zlb', 'sim-zlb-credential'],
  ] as const) {
    test(`${c}: the container's credential is exchanged for a one-time code`, async () => {
      const k = kit(c);
      assert.deepEqual(await k.api.login(), { code: 'one-time-' + c, expiresIn: 300 });
      assert.deepEqual(k.logins, [{ app_id: 'housing-fund', container: c, credential }]);
      const post = k.server.calls.filter((x) => x.url === 'https://gov.example/v1/auth/container-login')[0];
      assert.equal(post.init!.method, 'POST');
      assert.equal((post.init!.headers as any)['Content-Type'], 'application/json');
    });
    test(`${c}: cancelling the container's consent is cancelled and nothing is exchanged`, async () => {
      const k = kit(c);
      k.sim!.setMock('login', { error: 'cancelled' });
      assert.equal((await failure(k.api.login({ scope: 'openid profile' }))).code, 'cancelled');
      assert.deepEqual(k.logins, []);
    });
  }

  test('alipay: silent auth_base by default, auth_user when profile or phone is asked', async () => {
    const k = kit('alipay', { config: { alipay: { appId: '2021000000000001' } } });
    await k.api.login();
    await k.api.login({ scope: 'openid phone' });
    const calls = k.sim!.calls.filter((x) => x.api === 'getAuthCode').map((x) => x.params);
    assert.deepEqual(calls[0], { scopeNicks: ['auth_base'], showErrorTip: false, appId: '2021000000000001' });
    assert.deepEqual(calls[1].scopeNicks, ['auth_user']);
    assert.deepEqual(Object.keys(k.logins[1]).sort(), ['app_id', 'container', 'credential'], 'the platform takes exactly these');
  });

  test('zlb: a ?ticket= from 浙里办 single sign-on is used once and removed from the address', async () => {
    const k = kit('zlb', { page: { url: 'https://gov.example/a/housing-fund/b/x/index.html?ticket=zlb-ticket-1&q=2' } });
    await k.api.login();
    assert.equal(k.logins[0].credential, 'zlb-ticket-1');
    assert.equal(k.page.href, 'https://gov.example/a/housing-fund/b/x/index.html?q=2');
    await k.api.login();
    assert.equal(k.logins[1].credential, 'sim-zlb-credential', 'then ssoTicket');
  });

  test('web: no container to sign in with', async () => {
    const e = await failure(kit('web').api.login());
    assert.equal(e.code, 'unsupported');
    assert.match(e.message, /微信/);
  });

  describe('WeChat OAuth', () => {
    const PAGE = 'https://gov.example/a/housing-fund/b/x/index.html?q=1';
    test('first call goes to the authorize page with a state; back with code and state it completes', async () => {
      const k = kit('wechat', { page: { url: PAGE + '#/home' }, config: { wechat: { oauthUrl: 'https://sandbox.example/connect/oauth2/authorize' } } });
      const first = k.api.login();
      let settled = false;
      first.then(() => (settled = true), () => (settled = true));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(settled, false, 'the page is leaving');
      assert.equal(k.page.navigations.length, 1);
      const to = new URL(k.page.navigations[0]);
      assert.equal(to.origin + to.pathname, 'https://sandbox.example/connect/oauth2/authorize');
      assert.equal(to.hash, '#wechat_redirect');
      assert.equal(to.searchParams.get('appid'), 'wx-sim-app', 'from the signature answer');
      assert.equal(to.searchParams.get('redirect_uri'), PAGE);
      assert.equal(to.searchParams.get('response_type'), 'code');
      assert.equal(to.searchParams.get('scope'), 'snsapi_base');
      const state = to.searchParams.get('state')!;
      assert.match(state, /^govapp\.[0-9a-f]{32}$/);

      // WeChat redirects back: same tab, so sessionStorage still holds the state.
      k.page.go(PAGE + '&code=wx-code-1&state=' + state);
      assert.deepEqual(await k.api.login(), { code: 'one-time-wechat', expiresIn: 300 });
      assert.deepEqual(k.logins, [{ app_id: 'housing-fund', container: 'wechat', credential: 'wx-code-1' }]);
      assert.equal(k.page.href, PAGE, 'code and state are removed from the address');
    });
    test('profile asks for snsapi_userinfo; the configured official account is used', async () => {
      const k = kit('wechat', { config: { wechat: { appId: 'wx-dept' } } });
      k.api.login({ scope: 'openid profile' });
      await new Promise((r) => setTimeout(r, 20));
      const to = new URL(k.page.navigations[0]);
      assert.equal(to.origin, 'https://open.weixin.qq.com');
      assert.equal(to.searchParams.get('scope'), 'snsapi_userinfo');
      assert.equal(to.searchParams.get('appid'), 'wx-dept');
      assert.equal(k.server.calls.length, 0, 'no signature needed');
    });
    test('a forged or replayed state is refused and nothing is exchanged', async () => {
      const k = kit('wechat', { page: { url: PAGE + '&code=stolen&state=govapp.0000' } });
      const e = await failure(k.api.login());
      assert.equal(e.code, 'failed');
      assert.match(e.message, /state/);
      assert.deepEqual(k.logins, []);
      assert.equal(k.page.href, PAGE);
    });
    test('back without a code: the citizen declined consent', async () => {
      const k = kit('wechat', { config: { wechat: { appId: 'wx1' } } });
      k.api.login({ scope: 'profile' });
      await new Promise((r) => setTimeout(r, 20));
      const state = new URL(k.page.navigations[0]).searchParams.get('state')!;
      k.page.go(PAGE + '&state=' + state);
      assert.equal((await failure(k.api.login())).code, 'cancelled');
    });
    test('a state that is not ours leaves the page alone', async () => {
      const k = kit('wechat', { page: { url: PAGE + '&state=open' }, config: { wechat: { appId: 'wx1' } } });
      k.api.login();
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(k.page.navigations.length, 1, 'went to authorize instead');
    });
  });

  describe('the exchange', () => {
    const cases: Array<[string, () => Response | Promise<Response>, string, RegExp]> = [
      ['403 with the platform message', () => new Response(JSON.stringify({ code: 40301, http: 403, error: '该应用未开通微信登录' }), { status: 403 }), 'denied', /该应用未开通微信登录/],
      ['401', () => new Response('{}', { status: 401 }), 'denied', /平台拒绝登录/],
      ['400 expired credential', () => new Response(JSON.stringify({ code: 40001, http: 400, error: 'credential expired or used' }), { status: 400 }), 'failed', /credential expired/],
      ['429', () => new Response('', { status: 429 }), 'failed', /频繁/],
      ['500 without a body', () => new Response('oops', { status: 500 }), 'failed', /500/],
      ['200 without a code', () => Response.json({ expires_in: 300 }), 'failed', /格式错误/],
      ['a network error', () => Promise.reject(new TypeError('Failed to fetch')), 'failed', /无法连接/],
    ];
    for (const [name, answer, code, re] of cases) {
      test(name + ' → ' + code, async () => {
        const k = kit('govapp', { route: (url) => (url.indexOf('container-login') >= 0 ? (answer() as any) : null) });
        const e = await failure(k.api.login());
        assert.equal(e.code, code);
        assert.equal(e.method, 'login');
        assert.match(e.message, re);
      });
    }
  });
});
