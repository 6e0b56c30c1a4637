// The JS API itself: the error type, container detection, the config, the
// declared-permission check (before the container is touched), parameter
// validation and timeouts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBridge, detectContainer, ERROR_CODES, GovappError, isGovappError, METHODS, normalizeConfig, SDK_VERSION, toGovappError } from '../src/index';
import { defaultMessage, fault } from '../src/bridge/errors';
import { systemInfoFromUa, withoutParams } from '../src/bridge/util';
import { ALL_JSAPI, failure, kit } from './bridgekit';
import { FakePage } from './fakewin';

describe('GovappError', () => {
  test('carries code, Chinese message, container and method', () => {
    const e = new GovappError('cancelled', '', 'wechat', 'scan', { errMsg: 'scanQRCode:cancel' });
    assert.ok(e instanceof Error);
    assert.ok(e instanceof GovappError);
    assert.equal(e.name, 'GovappError');
    assert.equal(e.code, 'cancelled');
    assert.equal(e.message, '已取消扫码');
    assert.equal(e.container, 'wechat');
    assert.equal(e.method, 'scan');
    assert.deepEqual(e.detail, { errMsg: 'scanQRCode:cancel' });
    assert.deepEqual(JSON.parse(JSON.stringify(e)), { name: 'GovappError', code: 'cancelled', message: '已取消扫码', container: 'wechat', method: 'scan' });
    assert.ok(isGovappError(e));
    assert.ok(isGovappError({ name: 'GovappError', code: 'denied' }), 'a copy from another SDK instance');
    assert.ok(!isGovappError(new Error('x')));
    assert.ok(!isGovappError({ name: 'GovappError', code: 'nope' }));
  });

  test('every code has a Chinese default message naming the action and the host', () => {
    assert.deepEqual(ERROR_CODES, ['cancelled', 'denied', 'unsupported', 'not_declared', 'failed', 'timeout', 'not_ready']);
    for (const c of ERROR_CODES) assert.match(defaultMessage(c, 'getLocation', 'alipay'), /[\u4e00-\u9fff]/, c);
    assert.equal(defaultMessage('denied', 'getLocation', 'alipay'), '没有定位的权限，请在支付宝设置中允许后重试');
    assert.equal(defaultMessage('unsupported', 'scan', 'web'), '当前浏览器不支持扫码');
    assert.equal(defaultMessage('not_ready', 'scan', 'wechat'), '微信尚未就绪，请稍后重试');
  });

  test('toGovappError: faults keep their code, anything else is failed', () => {
    assert.equal(toGovappError(fault('denied', '不行'), 'govapp', 'scan').message, '不行');
    const e = toGovappError(new TypeError('boom'), 'zlb', 'share');
    assert.equal(e.code, 'failed');
    assert.equal(e.detail, 'boom');
    assert.equal(e.message, '分享失败，请稍后重试');
    const same = new GovappError('timeout', '', 'web', 'scan');
    assert.equal(toGovappError(same, 'wechat', 'x'), same);
  });
});

describe('detectContainer', () => {
  const UA = {
    wechat: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN',
    wecom: 'Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/116 Mobile Safari/537.36 wxwork/4.1.16 MicroMessenger/7.0.1 Language/zh',
    alipay: 'Mozilla/5.0 (Linux; U; Android 13; zh-CN) AppleWebKit/537.36 Nebula AlipayDefined(nt:WIFI) AliApp(AP/10.5.36.8000) AlipayClient/10.5.36.8000 Language/zh-Hans',
    zlb: 'Mozilla/5.0 (Linux; Android 13; wv) AppleWebKit/537.36 Chrome/116 Mobile Safari/537.36 dtdreamweb/7.13.0',
    govapp: 'Mozilla/5.0 (Linux; Android 13; wv) AppleWebKit/537.36 Chrome/116 Mobile Safari/537.36 GovApp/3.2.0',
    web: 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36',
  };
  const cases: Array<[string, string, any, string]> = [
    ['WeChat', UA.wechat, {}, 'wechat'],
    ['WeCom (企业微信) speaks wx too', UA.wecom, {}, 'wechat'],
    ['Alipay by user agent', UA.alipay, {}, 'alipay'],
    ['Alipay by its bridge', UA.web, { AlipayJSBridge: { call() {} } }, 'alipay'],
    ['浙里办 by user agent', UA.zlb, {}, 'zlb'],
    ['ZWJSBridge loaded by the page, inside WeChat', UA.wechat, { ZWJSBridge: { onReady() {} } }, 'zlb'],
    ['gov app by user agent', UA.govapp, {}, 'govapp'],
    ['gov app by its Android bridge', UA.web, { GovAppNative: { postMessage() {} } }, 'govapp'],
    ['gov app by its iOS handler', UA.web, { webkit: { messageHandlers: { govapp: { postMessage() {} } } } }, 'govapp'],
    ['an unrelated iOS handler is not the gov app', UA.web, { webkit: { messageHandlers: { other: { postMessage() {} } } } }, 'web'],
    ['a plain browser', UA.web, {}, 'web'],
    ['no navigator at all', '', {}, 'web'],
  ];
  for (const [name, ua, extra, want] of cases) {
    test(name, () => {
      const win = Object.assign({ navigator: { userAgent: ua } }, extra);
      assert.equal(detectContainer(win), want);
    });
  }
  test('__GOVAPP__.container wins (govapp dev, the sandbox phone)', () => {
    assert.equal(detectContainer({ navigator: { userAgent: UA.wechat } }, { container: 'alipay' }), 'alipay');
  });
  test('system info from the user agent', () => {
    const info = systemInfoFromUa({ navigator: { userAgent: UA.wechat, language: 'zh-CN' }, screen: { width: 390, height: 844 }, devicePixelRatio: 3 }, 'wechat', '1.2.3');
    assert.deepEqual(info, { container: 'wechat', containerVersion: '8.0.47', platform: 'ios', osVersion: '17.4', language: 'zh-CN', screenWidth: 390, screenHeight: 844, pixelRatio: 3, sdkVersion: '1.2.3' });
    assert.equal(systemInfoFromUa({ navigator: { userAgent: UA.alipay } }, 'alipay', '').containerVersion, '10.5.36.8000');
    assert.equal(systemInfoFromUa({ navigator: { userAgent: UA.govapp } }, 'govapp', '').platform, 'android');
  });
});

describe('config', () => {
  test('normalizeConfig keeps well-typed members only', () => {
    const c = normalizeConfig({ appId: 'a', server: '', jsapi: ['scan', 3, 'location'], container: 'nope', uiStyle: 'elder', readyTimeoutMs: -1, wechat: { appId: 7 } });
    assert.equal(c.appId, 'a');
    assert.equal(c.server, '');
    assert.deepEqual(c.jsapi, ['scan', 'location']);
    assert.equal(c.container, undefined);
    assert.equal(c.uiStyle, 'elder');
    assert.equal(c.readyTimeoutMs, undefined);
    assert.equal(c.wechat!.appId, undefined);
    assert.deepEqual(normalizeConfig(null).jsapi, undefined);
  });
  test('withoutParams drops only the named parameters', () => {
    assert.equal(withoutParams('https://x/a?code=1&q=2&state=s#h', ['code', 'state']), 'https://x/a?q=2#h');
    assert.equal(withoutParams('https://x/a?code=1', ['code']), 'https://x/a');
    assert.equal(withoutParams('https://x/a', ['code']), 'https://x/a');
  });
});

describe('declared permissions', () => {
  const cases: Array<[string, any, string]> = [
    ['scan', {}, 'scan'],
    ['getLocation', {}, 'location'],
    ['share', { title: 't' }, 'share'],
    ['phoneCall', { number: '12345' }, 'phone_call'],
  ];
  for (const [method, params, perm] of cases) {
    test(`${method} needs "${perm}" and is refused before the container is touched`, async () => {
      const k = kit('govapp', { config: { jsapi: ALL_JSAPI.filter((p) => p !== perm) } });
      const e = await failure((k.api as any)[method](params));
      assert.equal(e.code, 'not_declared');
      assert.equal(e.method, method);
      assert.equal(e.container, 'govapp');
      assert.ok(e.message.indexOf('"' + perm + '"') >= 0, e.message);
      assert.deepEqual(k.sim!.calls, [], 'nothing reached the container');
    });
  }
  test('chooseImage: default sources are the declared ones; an undeclared source is refused', async () => {
    const k = kit('govapp', { config: { jsapi: ['camera'] } });
    await k.api.chooseImage({});
    assert.deepEqual(k.sim!.calls.filter((c) => c.api === 'chooseImage')[0].params.sourceType, ['camera']);
    const e = await failure(k.api.chooseImage({ sourceType: ['album'] }));
    assert.equal(e.code, 'not_declared');
    const none = kit('govapp', { config: { jsapi: ['scan'] } });
    assert.equal((await failure(none.api.chooseImage())).code, 'not_declared');
    assert.deepEqual(none.sim!.calls, []);
  });
  test('a page without __GOVAPP__ declares nothing and says so', async () => {
    const page = new FakePage({ ua: 'Mozilla/5.0 GovApp/3.2.0' });
    const api = createBridge({ win: page.win, sdkVersion: SDK_VERSION, fetch: async () => new Response(null, { status: 500 }) });
    const e = await failure(api.scan());
    assert.equal(e.code, 'not_declared');
    assert.match(e.message, /__GOVAPP__/);
  });
  test('methods without a permission need no declaration', async () => {
    const k = kit('govapp', { config: { jsapi: [] } });
    await k.api.setTitle({ title: '公积金' });
    await k.api.previewImage({ urls: ['https://gov.example/a.png'] });
    assert.deepEqual((await k.api.getUiStyle()).uiStyle, 'normal');
  });
});

describe('parameters', () => {
  const bad: Array<[string, any, RegExp]> = [
    ['scan', { type: 'datamatrix' }, /type/],
    ['getLocation', { type: 'bd09' }, /type/],
    ['chooseImage', { count: 10 }, /count/],
    ['chooseImage', { count: 1.5 }, /count/],
    ['chooseImage', { sourceType: ['video'] }, /sourceType/],
    ['previewImage', { urls: [] }, /urls/],
    ['previewImage', { urls: ['javascript:alert(1)'] }, /urls/],
    ['share', {}, /title/],
    ['share', { title: 't', link: 'data:text/html,x' }, /link/],
    ['phoneCall', { number: '12345; rm' }, /number/],
    ['phoneCall', {}, /number/],
    ['openLink', { url: 'javascript:alert(1)' }, /url/],
    ['openLink', {}, /url/],
    ['setTitle', { title: 3 }, /title/],
    ['login', { scope: 'openid;drop' }, /scope/],
  ];
  for (const [method, params, re] of bad) {
    test(`${method}(${JSON.stringify(params)}) is failed with a message`, async () => {
      const k = kit('govapp');
      const e = await failure((k.api as any)[method](params));
      assert.equal(e.code, 'failed');
      assert.match(e.message, /参数错误/);
      assert.match(e.message, re);
      assert.deepEqual(k.sim!.calls, []);
    });
  }
  test('relative URLs are made absolute against the page', async () => {
    const k = kit('govapp');
    await k.api.previewImage({ urls: ['img/1.png', '/img/2.png'], current: '/img/2.png' });
    const call = k.sim!.calls.filter((c) => c.api === 'previewImage')[0];
    assert.deepEqual(call.params.urls, ['https://gov.example/a/housing-fund/b/' + 'b'.repeat(64) + '/img/1.png', 'https://gov.example/img/2.png']);
    assert.equal(call.params.current, 'https://gov.example/img/2.png');
  });
  test('share links default to the page', async () => {
    const k = kit('govapp');
    await k.api.share({ title: '住房公积金' });
    assert.equal(k.sim!.calls.filter((c) => c.api === 'share')[0].params.link, k.page.href);
  });
});

describe('timeouts', () => {
  test('a call with no answer rejects with timeout after its timeout', async () => {
    const k = kit('govapp');
    k.sim!.setMock('scan', { hang: true });
    const e = await failure(k.api.scan({ timeout: 30 }));
    assert.equal(e.code, 'timeout');
    assert.equal(e.message, '扫码超时，请重试');
  });
  test('defaults: none for what the user is busy with, bounded for the rest', async () => {
    const { DEFAULT_TIMEOUTS } = await import('../src/index');
    assert.equal(DEFAULT_TIMEOUTS.scan, 0);
    assert.equal(DEFAULT_TIMEOUTS.chooseImage, 0);
    assert.equal(DEFAULT_TIMEOUTS.getLocation, 30000);
    assert.equal(DEFAULT_TIMEOUTS.getSystemInfo, 10000);
    assert.deepEqual(Object.keys(DEFAULT_TIMEOUTS).sort(), METHODS.slice().sort());
  });
});

describe('API surface', () => {
  test('every method is a function that works detached; container is detected on first use', async () => {
    const k = kit('govapp');
    for (const m of METHODS) assert.equal(typeof (k.api as any)[m], 'function', m);
    const { getUiStyle } = k.api;
    assert.deepEqual(await getUiStyle(), { uiStyle: 'normal' });
    assert.equal(k.api.container, 'govapp');
  });
});
