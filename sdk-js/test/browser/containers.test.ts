// dist/govapp.js in headless Chromium, on a bundle page in each simulated
// container (dist/sim.js): every API call, the one result shape, cancels and
// permission errors mapped to the one error set; then a plain browser with
// Chromium's own Geolocation, file chooser and tel: links; then WeChat
// sign-in through a redirect to the authorize page and back.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, chromiumPath, clickCall, Session } from './harness';

const exe = chromiumPath();
const s = new Session();
const QR = 'https://gov.example/qr/330106-0001';

describe('govapp.js in Chromium', { skip: exe ? false : 'no Chromium (apt-get install chromium)' }, () => {
  before(() => s.start(exe!));
  after(() => s.stop());

  const WANT_IMAGE: { [c: string]: RegExp } = {
    wechat: /^wxLocalResource:\/\/sim-image-1$/,
    alipay: /^https:\/\/resource\/sim-image-1\.image$/,
    zlb: /^https:\/\/sim\.zlb\.example\/pic\/sim-image-1\.jpg$/,
    govapp: /^data:image\/png;base64,/,
  };
  const WANT_SHARE: { [c: string]: any } = {
    wechat: { via: 'menu' },
    alipay: { via: 'sheet', channel: 'Weixin' },
    zlb: { via: 'sheet' },
    govapp: { via: 'sheet', channel: 'Weixin' },
  };

  for (const container of ['wechat', 'alipay', 'zlb', 'govapp'] as const) {
    test(`${container}: every API, then cancels and permission errors`, async () => {
      // The bridges come late where the real ones may (Alipay's ready event, a native bridge injected after load).
      const late = container === 'alipay' || container === 'govapp';
      const page = await s.open({ container, sim: { late, readyDelay: 30 } });
      assert.equal(await page.evaluate(() => (window as any).govapp.container), container);

      const ok = async (method: string, params?: any) => {
        const o = await call(page, method, params);
        assert.ok(o.ok, `${container}.${method}: ${JSON.stringify(o)}`);
        return (o as any).r;
      };
      assert.equal((await ok('scan')).text, QR);
      const loc = await ok('getLocation');
      assert.deepEqual([loc.latitude, loc.longitude], [30.274084, 120.15507]);
      assert.equal(loc.coordType, container === 'alipay' || container === 'zlb' ? 'gcj02' : 'wgs84');
      const img = await ok('chooseImage', { count: 1 });
      assert.match(img.images[0].src, WANT_IMAGE[container]);
      assert.deepEqual(await ok('previewImage', { urls: ['/img/1.png', '/img/2.png'], current: '/img/2.png' }), {});
      assert.deepEqual(await ok('share', { title: '住房公积金', desc: '查询余额' }), WANT_SHARE[container]);
      assert.deepEqual(await ok('phoneCall', { number: '12345' }), {});
      assert.deepEqual(await ok('setTitle', { title: '住房公积金查询' }), {});
      const info = await ok('getSystemInfo');
      assert.equal(info.container, container);
      assert.equal(info.platform, 'android');
      assert.ok(info.screenWidth > 0);
      assert.deepEqual(await ok('getUiStyle'), { uiStyle: 'normal' });
      // WeChat's login() leaves for the authorize page: its own test below.
      if (container !== 'wechat') assert.match((await ok('login')).code, new RegExp('^one-time-' + container + '-'));
      assert.deepEqual(await ok('close'), {});

      const calls: Array<{ api: string; params: any }> = await page.evaluate(() => (window as any).govappSim.calls);
      const apis = calls.map((c) => c.api);
      const expected: { [c: string]: string[] } = {
        wechat: ['config', 'scanQRCode', 'getLocation', 'chooseImage', 'previewImage', 'updateAppMessageShareData', 'updateTimelineShareData', 'closeWindow'],
        alipay: ['scan', 'getLocation', 'chooseImage', 'imageViewer', 'startShare', 'shareToChannel', 'setTitle', 'getSystemInfo', 'getAuthCode', 'popWindow'],
        zlb: ['scan', 'getLocation', 'chooseImage', 'previewImage', 'share', 'phoneCall', 'setTitle', 'getUiStyle', 'ssoTicket', 'close'],
        govapp: ['hello', 'scan', 'getLocation', 'chooseImage', 'previewImage', 'share', 'phoneCall', 'setTitle', 'getSystemInfo', 'getUiStyle', 'login', 'close'],
      };
      if (container !== 'wechat') assert.deepEqual(apis, expected[container]);
      else for (const a of expected.wechat) assert.ok(apis.indexOf(a) >= 0, a + ' in ' + apis);
      if (container === 'wechat' || container === 'alipay') {
        assert.deepEqual(await page.evaluate(() => (window as any).__tel), ['tel:12345'], 'phoneCall follows a tel: link');
      }
      if (container === 'wechat') assert.equal(await page.title(), '住房公积金查询');

      // Cancels and refusals, said the container's way, come back as the one error set.
      const cases: Array<[string, any, string, string]> = [
        ['scan', {}, 'cancelled', 'cancelled'],
        ['scan', {}, 'denied', 'denied'],
        ['getLocation', {}, 'denied', 'denied'],
        ['chooseImage', {}, 'cancelled', 'cancelled'],
        ['share', { title: 't' }, 'cancelled', 'cancelled'],
        ['scan', {}, 'unsupported', 'unsupported'],
      ];
      if (container !== 'wechat') cases.push(['login', {}, 'cancelled', 'cancelled']);
      for (const [method, params, answer, want] of cases) {
        await page.evaluate(([m, a]) => (window as any).govappSim.setMock(m, { error: a }), [method, answer] as const);
        const o = await call(page, method, params);
        assert.ok(!o.ok, `${container}.${method} should fail`);
        assert.equal(o.e.name, 'GovappError');
        assert.equal(o.e.code, want, `${container}.${method} answered ${answer}: ${o.e.message}`);
        assert.equal(o.e.container, container);
        assert.equal(o.e.method, method);
        assert.match(o.e.message, /[\u4e00-\u9fff]/);
      }
      // Declared permissions are checked before the container: nothing new reaches it.
      const before = (await page.evaluate(() => (window as any).govappSim.calls.length)) as number;
      await page.evaluate(() => ((window as any).__GOVAPP__.jsapi = ['album']));
      for (const m of ['scan', 'getLocation', 'share', 'phoneCall']) {
        const o = await call(page, m, m === 'share' ? { title: 't' } : m === 'phoneCall' ? { number: '1' } : {});
        assert.equal(!o.ok && o.e.code, 'not_declared', m);
      }
      assert.equal(await page.evaluate(() => (window as any).govappSim.calls.length), before);
      assert.deepEqual((page as any).__errors, []);
    });
  }

  test('wechat: a refused signature and a failed wx.config are not_ready', async () => {
    s.platform.signatureStatus = 403;
    try {
      const page = await s.open({ container: 'wechat' });
      const o = await call(page, 'scan');
      assert.ok(!o.ok && o.e.code === 'not_ready' && /域名未登记/.test(o.e.message), JSON.stringify(o));
    } finally {
      s.platform.signatureStatus = 0;
    }
    const page = await s.open({ container: 'wechat', sim: { mocks: { config: { error: 'failed' } } } });
    const o = await call(page, 'getLocation');
    assert.ok(!o.ok && o.e.code === 'not_ready' && /invalid signature/.test(o.e.message), JSON.stringify(o));
  });

  test('native bridge on iOS (webkit.messageHandlers) and a slow reply that times out', async () => {
    const page = await s.open({ container: 'govapp', sim: { platform: 'ios' } });
    assert.equal((await call(page, 'scan')).ok, true);
    assert.equal(await page.evaluate(() => typeof (window as any).GovAppNative), 'undefined');
    await page.evaluate(() => (window as any).govappSim.setMock('getLocation', { hang: true }));
    const o = await call(page, 'getLocation', { timeout: 50 });
    assert.ok(!o.ok && o.e.code === 'timeout', JSON.stringify(o));
  });

  test('wechat sign-in: to the authorize page and back, then the exchange', async () => {
    const page = await s.open({ container: 'wechat', query: 'q=1' });
    const start = s.platform.exchanges.length;
    // The first login() leaves for the authorize page, which sends the browser back with ?code&state.
    await Promise.all([page.waitForURL(/[?&]code=wx-code-snsapi_base/), page.evaluate(() => void (window as any).govapp.login())]);
    const o = await call(page, 'login');
    assert.ok(o.ok, JSON.stringify(o));
    assert.match(o.r.code, /^one-time-wechat-/);
    assert.equal(o.r.expiresIn, 300);
    assert.deepEqual(s.platform.exchanges.slice(start), [{ app_id: 'housing-fund', container: 'wechat', credential: 'wx-code-snsapi_base' }]);
    assert.ok(!/[?&](code|state)=/.test(page.url()), 'the code left the address bar: ' + page.url());
    assert.match(page.url(), /[?&]q=1/);
    // Reloading the page does not sign in again with the used code.
    await page.reload();
    await Promise.all([page.waitForURL(/[?&]code=/), page.evaluate(() => void (window as any).govapp.login())]);
  });

  describe('plain browser', () => {
    test('Geolocation granted and refused, scan unsupported, tel: links, close unsupported', async () => {
      const page = await s.open(
        { container: 'web' },
        { permissions: ['geolocation'], geolocation: { latitude: 30.25, longitude: 120.16, accuracy: 20 } },
      );
      assert.equal(await page.evaluate(() => (window as any).govapp.container), 'web');
      const loc = await call(page, 'getLocation');
      assert.ok(loc.ok, JSON.stringify(loc));
      assert.deepEqual(loc.r, { latitude: 30.25, longitude: 120.16, accuracy: 20, coordType: 'wgs84' });
      for (const [m, params] of [
        ['scan', {}],
        ['close', {}],
        ['login', {}],
      ] as const) {
        const o = await call(page, m, params);
        assert.ok(!o.ok && o.e.code === 'unsupported', m + ' ' + JSON.stringify(o));
      }
      const share = await call(page, 'share', { title: 't' });
      const hasShare = await page.evaluate(() => typeof navigator.share === 'function');
      if (!hasShare) assert.ok(!share.ok && share.e.code === 'unsupported');
      assert.ok((await call(page, 'phoneCall', { number: '0571-12345' })).ok);
      assert.deepEqual(await page.evaluate(() => (window as any).__tel), ['tel:0571-12345']);
      assert.ok((await call(page, 'setTitle', { title: '办事' })).ok);
      assert.equal(await page.title(), '办事');
      assert.ok((await call(page, 'previewImage', { urls: ['/x.png'] })).ok);
      assert.equal(await page.locator('[data-govapp-preview]').count(), 1);

      const refused = await s.open({ container: 'web' }, { permissions: [] });
      const d = await call(refused, 'getLocation', { timeout: 5000 });
      assert.ok(!d.ok && d.e.code === 'denied', JSON.stringify(d));
    });

    test('chooseImage: Chromium file chooser picked and cancelled', async () => {
      const page = await s.open({ container: 'web' });
      const picked = await clickCall(page, 'chooseImage', { count: 2 }, async () => {
        const chooser = await page.waitForEvent('filechooser');
        assert.equal(chooser.isMultiple(), true);
        await chooser.setFiles([
          { name: 'a.png', mimeType: 'image/png', buffer: Buffer.from('iVBORw0KGgo=', 'base64') },
          { name: 'b.png', mimeType: 'image/png', buffer: Buffer.from('iVBORw0KGgo=', 'base64') },
        ]);
      });
      assert.ok(picked.ok, JSON.stringify(picked));
      assert.deepEqual(picked.r.images.map((i: any) => i.id), ['a.png', 'b.png']);
      assert.match(picked.r.images[0].src, /^blob:http:\/\/127\.0\.0\.1:/);

      const cancelled = await clickCall(page, 'chooseImage', {}, async () => {
        await page.waitForEvent('filechooser');
        await page.evaluate(() => {
          const input = document.querySelector('input[data-govapp-file]')!;
          input.dispatchEvent(new Event('cancel'));
        });
      });
      assert.ok(!cancelled.ok && cancelled.e.code === 'cancelled', JSON.stringify(cancelled));
    });
  });
});
