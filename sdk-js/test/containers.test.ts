// Every adapter against its simulated container in a fake page: results in
// the one shape, cancels and permission errors mapped to the one error set,
// ready failures, container quirks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SimContainer } from '../sim/index';
import { failure, kit } from './bridgekit';

const CONTAINERS: SimContainer[] = ['wechat', 'alipay', 'zlb', 'govapp'];
const QR = 'https://gov.example/qr/330106-0001';
const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const IMAGE_SRC: { [c in SimContainer]: string } = {
  wechat: 'wxLocalResource://sim-image-1',
  alipay: 'https://resource/sim-image-1.image',
  zlb: 'https://sim.zlb.example/pic/sim-image-1.jpg',
  govapp: PIXEL,
};

describe('results in the one shape', () => {
  for (const c of CONTAINERS) {
    describe(c, () => {
      test('scan', async () => {
        const r = await kit(c).api.scan();
        assert.equal(r.text, QR);
        assert.ok(r.format === undefined || r.format === 'qr', JSON.stringify(r));
        const bar = kit(c);
        bar.sim!.setMock('scan', { text: '6901234567892', format: 'bar' });
        assert.deepEqual(await bar.api.scan({ type: 'bar' }), { text: '6901234567892', format: 'bar' });
      });
      test('getLocation', async () => {
        const r = await kit(c).api.getLocation();
        assert.equal(r.latitude, 30.274084);
        assert.equal(r.longitude, 120.15507);
        assert.equal(r.coordType, c === 'alipay' || c === 'zlb' ? 'gcj02' : 'wgs84');
        if (c !== 'zlb') assert.equal(r.accuracy, 35);
      });
      test('chooseImage', async () => {
        const r = await kit(c).api.chooseImage({ count: 1 });
        assert.equal(r.images.length, 1);
        assert.equal(r.images[0].src, IMAGE_SRC[c]);
        assert.equal(typeof r.images[0].id, 'string');
      });
      test('previewImage, setTitle, close', async () => {
        const k = kit(c);
        assert.deepEqual(await k.api.previewImage({ urls: ['https://gov.example/1.png', 'https://gov.example/2.png'], current: 'https://gov.example/2.png' }), {});
        assert.deepEqual(await k.api.setTitle({ title: '住房公积金' }), {});
        assert.deepEqual(await k.api.close(), {});
        const apis = k.sim!.calls.map((x) => x.api);
        const want: { [c in SimContainer]: string[] } = {
          wechat: ['previewImage', 'closeWindow'],
          alipay: ['imageViewer', 'setTitle', 'popWindow'],
          zlb: ['previewImage', 'setTitle', 'close'],
          govapp: ['previewImage', 'setTitle', 'close'],
        };
        for (const a of want[c]) assert.ok(apis.indexOf(a) >= 0, `${a} in ${apis}`);
        if (c === 'wechat') assert.equal(k.page.doc.title, '住房公积金');
        if (c === 'alipay') assert.deepEqual(k.sim!.calls.filter((x) => x.api === 'imageViewer')[0].params, { images: [{ u: 'https://gov.example/1.png' }, { u: 'https://gov.example/2.png' }], init: 1 });
      });
      test('share', async () => {
        const r = await kit(c).api.share({ title: '住房公积金', desc: '查询余额', link: 'https://gov.example/a/housing-fund/' });
        const want: { [c in SimContainer]: any } = {
          wechat: { via: 'menu' },
          alipay: { via: 'sheet', channel: 'Weixin' },
          zlb: { via: 'sheet' },
          govapp: { via: 'sheet', channel: 'Weixin' },
        };
        assert.deepEqual(r, want[c]);
      });
      test('phoneCall and openLink', async () => {
        const k = kit(c);
        await k.api.phoneCall({ number: '0571 12345' });
        await k.api.openLink({ url: 'https://www.zjzwfw.gov.cn/' });
        const tel = k.page.clicks.filter((e) => e.href === 'tel:057112345');
        if (c === 'wechat' || c === 'alipay') assert.equal(tel.length, 1, 'a tel: link was clicked');
        else assert.equal(k.sim!.calls.filter((x) => x.api === 'phoneCall').length, 1);
        if (c === 'wechat') assert.deepEqual(k.page.navigations, ['https://www.zjzwfw.gov.cn/']);
        else assert.equal(k.sim!.calls.filter((x) => x.api === (c === 'alipay' ? 'pushWindow' : 'openLink'))[0].params.url, 'https://www.zjzwfw.gov.cn/');
      });
      test('getSystemInfo', async () => {
        const r = await kit(c).api.getSystemInfo();
        assert.equal(r.container, c);
        assert.equal(r.platform, 'android');
        assert.equal(r.osVersion, '13');
        assert.match(r.containerVersion, /^\d+(\.\d+)+$/);
        if (c === 'alipay' || c === 'govapp') assert.equal(r.model, 'Sim Phone');
      });
      test('getUiStyle', async () => {
        const k = kit(c);
        assert.deepEqual(await k.api.getUiStyle(), { uiStyle: 'normal' });
        k.sim!.setMock('getUiStyle', { uiStyle: 'elder' });
        const elderByContainer = c === 'zlb' || c === 'govapp';
        assert.deepEqual(await k.api.getUiStyle(), { uiStyle: elderByContainer ? 'elder' : 'normal' });
        if (!elderByContainer) {
          const portal = kit(c, { page: { url: 'https://gov.example/a/x/b/y/index.html?ui_style=elder' } });
          assert.deepEqual(await portal.api.getUiStyle(), { uiStyle: 'elder' });
        }
      });
    });
  }
});

describe('errors mapped to the one set', () => {
  const cases: Array<[string, any, string, { [c in SimContainer]?: string }]> = [
    ['scan', {}, 'cancelled', {}],
    ['scan', {}, 'denied', {}],
    ['scan', {}, 'unsupported', {}],
    ['scan', {}, 'failed', {}],
    ['getLocation', {}, 'denied', {}],
    ['getLocation', {}, 'timeout', { wechat: 'failed' }],
    ['chooseImage', {}, 'cancelled', {}],
    ['chooseImage', {}, 'denied', {}],
    ['share', { title: 't' }, 'cancelled', {}],
    ['previewImage', { urls: ['https://gov.example/1.png'] }, 'failed', {}],
  ];
  for (const c of CONTAINERS) {
    for (const [method, params, code, except] of cases) {
      const want = except[c] || code;
      test(`${c}: ${method} answered "${code}" rejects with ${want}`, async () => {
        const k = kit(c);
        k.sim!.setMock(method, { error: code as any });
        const e = await failure((k.api as any)[method](params));
        assert.equal(e.code, want);
        assert.equal(e.container, c);
        assert.equal(e.method, method);
        assert.match(e.message, /[\u4e00-\u9fff]/);
        assert.notEqual(e.detail, undefined, 'the native answer is kept for logs');
      });
    }
  }
  const raw: Array<[SimContainer, string, any, string]> = [
    ['wechat', 'scan', { errMsg: 'scanQRCode:cancel' }, 'cancelled'],
    ['wechat', 'scan', { errMsg: 'scanQRCode:fail' }, 'failed'],
    ['wechat', 'getLocation', { errMsg: 'getLocation:fail auth deny' }, 'denied'],
    ['wechat', 'getLocation', { errMsg: 'getLocation:fail authorize no response' }, 'denied'],
    ['wechat', 'scan', { errMsg: 'scanQRCode:the permission value is offline verifying' }, 'not_ready'],
    ['wechat', 'scan', { errMsg: 'scanQRCode:function not exist' }, 'unsupported'],
    ['alipay', 'scan', { error: 10, errorMessage: '用户取消' }, 'cancelled'],
    ['alipay', 'scan', { error: '10' }, 'cancelled'],
    ['alipay', 'scan', { error: 11 }, 'failed'],
    ['alipay', 'chooseImage', { error: 11, errorMessage: '用户取消操作' }, 'cancelled'],
    ['alipay', 'getLocation', { error: 11 }, 'denied'],
    ['alipay', 'getLocation', { error: 12 }, 'failed'],
    ['alipay', 'getLocation', { error: 14 }, 'timeout'],
    ['alipay', 'scan', { error: 1 }, 'unsupported'],
    ['alipay', 'scan', { error: 2 }, 'failed'],
    ['alipay', 'scan', { error: 4 }, 'denied'],
    ['alipay', 'scan', { error: 0, codeContent: 'ok', qrCode: 'ok' }, 'ok'],
    ['zlb', 'scan', { errorCode: 'x', errorMessage: '用户取消' }, 'cancelled'],
    ['zlb', 'getLocation', { errorCode: 'x', errorMessage: '定位权限被拒绝' }, 'denied'],
    ['zlb', 'scan', { errorCode: 'x', errorMessage: '网络异常' }, 'failed'],
    ['govapp', 'scan', { ok: false, error: { code: 'cancelled', message: '用户取消了扫码' } }, 'cancelled'],
    ['govapp', 'scan', { ok: false, error: { code: 'weird' } }, 'failed'],
    ['govapp', 'scan', { ok: false, error: { code: 'not_declared', message: 'App 未授权 scan' } }, 'not_declared'],
    ['govapp', 'scan', { ok: false }, 'failed'],
  ];
  for (const [c, method, answer, want] of raw) {
    test(`${c}: native answer ${JSON.stringify(answer)} to ${method} is ${want}`, async () => {
      const k = kit(c);
      k.sim!.setMock(method, { raw: answer });
      const p = (k.api as any)[method]({});
      if (want === 'ok') {
        assert.equal((await p).text, 'ok');
        return;
      }
      const e = await failure(p);
      assert.equal(e.code, want);
      if (c === 'govapp' && answer.error && answer.error.message) assert.equal(e.message, answer.error.message, 'the container\'s own Chinese message is kept');
    });
  }
});

describe('WeChat', () => {
  test('wx.config gets the platform signature for the page URL and the signed jsApiList', async () => {
    const k = kit('wechat', { page: { url: 'https://gov.example/a/housing-fund/b/x/index.html?q=1#/route' } });
    await k.api.scan();
    const sigCall = k.server.calls.filter((x) => x.url.indexOf('/v1/bridge/wechat/signature') >= 0);
    assert.equal(sigCall.length, 1);
    const u = new URL(sigCall[0].url);
    assert.equal(u.origin, 'https://gov.example');
    assert.equal(u.searchParams.get('app_id'), 'housing-fund');
    assert.equal(u.searchParams.get('url'), 'https://gov.example/a/housing-fund/b/x/index.html?q=1', 'without the #fragment');
    const config = k.sim!.calls.filter((x) => x.api === 'config')[0].params;
    assert.equal(config.appId, 'wx-sim-app');
    assert.equal(config.timestamp, 1700000000);
    assert.equal(config.nonceStr, 'nonce-1');
    assert.equal(config.debug, false);
    assert.ok(config.jsApiList.indexOf('scanQRCode') >= 0);
    await k.api.getLocation();
    assert.equal(k.sim!.calls.filter((x) => x.api === 'config').length, 1, 'configured once');
  });
  test('a failed wx.config is not_ready with WeChat\'s errMsg; the next call tries again', async () => {
    const k = kit('wechat');
    k.sim!.setMock('config', { error: 'failed' });
    const e = await failure(k.api.scan());
    assert.equal(e.code, 'not_ready');
    assert.match(e.message, /config:invalid signature/);
    k.sim!.setMock('config', { result: {} });
    assert.equal((await k.api.scan()).text, QR);
  });
  test('the platform refusing the signature is not_ready with its message', async () => {
    const k = kit('wechat', {
      route: (url) =>
        url.indexOf('/signature') >= 0 ? new Response(JSON.stringify({ code: 40303, http: 403, error: '该域名未登记为应用的 JS 安全域名' }), { status: 403 }) : null,
    });
    const e = await failure(k.api.scan());
    assert.equal(e.code, 'not_ready');
    assert.match(e.message, /该域名未登记/);
    assert.equal(k.sim!.calls.length, 0);
  });
  test('an API the platform did not sign is denied without calling wx', async () => {
    const k = kit('wechat', {
      route: (url) => (url.indexOf('/signature') >= 0 ? Response.json({ appId: 'wx1', timestamp: 1, nonceStr: 'n', signature: 's', jsApiList: ['previewImage'] }) : null),
    });
    const e = await failure(k.api.scan());
    assert.equal(e.code, 'denied');
    assert.equal(k.sim!.calls.filter((x) => x.api === 'scanQRCode').length, 0);
  });
  test('without previewImage and closeWindow in jsApiList: the in-page viewer and WeixinJSBridge', async () => {
    const k = kit('wechat', {
      route: (url) => (url.indexOf('/signature') >= 0 ? Response.json({ appId: 'wx1', timestamp: 1, nonceStr: 'n', signature: 's', jsApiList: ['scanQRCode'] }) : null),
    });
    assert.deepEqual(await k.api.previewImage({ urls: ['https://gov.example/1.png'] }), {});
    assert.equal(k.page.doc.body.children.filter((e: any) => e.getAttribute('data-govapp-preview') !== null).length, 1);
    assert.deepEqual(await k.api.close(), {});
    const apis = k.sim!.calls.map((x) => x.api);
    assert.ok(apis.indexOf('WeixinJSBridge.closeWindow') >= 0 && apis.indexOf('previewImage') < 0, String(apis));
  });
  test('iOS without getLocalImgData in jsApiList: bare localIds', async () => {
    const k = kit('wechat', {
      sim: { platform: 'ios' },
      route: (url) => (url.indexOf('/signature') >= 0 ? Response.json({ appId: 'wx1', timestamp: 1, nonceStr: 'n', signature: 's', jsApiList: ['chooseImage'] }) : null),
    });
    assert.equal((await k.api.chooseImage({ count: 1 })).images[0].src, 'wxLocalResource://sim-image-1');
  });
  test('wx never ready is not_ready after readyTimeoutMs', async () => {
    const k = kit('wechat', { config: { readyTimeoutMs: 50 } });
    k.sim!.setMock('config', { hang: true });
    const e = await failure(k.api.scan());
    assert.equal(e.code, 'not_ready');
  });
  test('barcodes lose WeChat\'s "EAN_13," prefix; a QR code with a comma keeps it', async () => {
    const k = kit('wechat');
    k.sim!.setMock('scan', { text: '6901234567892', format: 'bar' });
    assert.deepEqual(await k.api.scan(), { text: '6901234567892', format: 'bar' });
    k.sim!.setMock('scan', { text: 'A,B,C', format: 'qr' });
    assert.deepEqual(await k.api.scan(), { text: 'A,B,C' });
    const calls = k.sim!.calls.filter((x) => x.api === 'scanQRCode');
    assert.deepEqual(calls[0].params, { needResult: 1, scanType: ['qrCode', 'barCode'] });
  });
  test('iOS WKWebView: pictures come as data URLs through getLocalImgData', async () => {
    const k = kit('wechat', { sim: { platform: 'ios' } });
    const r = await k.api.chooseImage({ count: 1 });
    assert.equal(r.images[0].src, PIXEL);
    assert.equal(r.images[0].id, 'wxLocalResource://sim-image-1');
  });
  test('Android: a single-page app that changed its URL is signed again; iOS keeps the landing URL', async () => {
    const a = kit('wechat');
    await a.api.scan();
    a.page.go('/a/housing-fund/b/x/other.html');
    await a.api.scan();
    assert.equal(a.server.calls.filter((x) => x.url.indexOf('/signature') >= 0).length, 2);
    const i = kit('wechat', { sim: { platform: 'ios' } });
    await i.api.scan();
    i.page.go('/a/housing-fund/b/x/other.html');
    await i.api.scan();
    assert.equal(i.server.calls.filter((x) => x.url.indexOf('/signature') >= 0).length, 1);
  });
  test('share sets the content of WeChat\'s own share menu', async () => {
    const k = kit('wechat');
    await k.api.share({ title: '住房公积金', desc: '查询余额', link: 'https://gov.example/s', imageUrl: 'https://gov.example/i.png' });
    const apis = k.sim!.calls.map((x) => x.api);
    assert.ok(apis.indexOf('updateAppMessageShareData') >= 0 && apis.indexOf('updateTimelineShareData') >= 0);
    assert.deepEqual(k.sim!.calls.filter((x) => x.api === 'updateAppMessageShareData')[0].params, {
      title: '住房公积金',
      desc: '查询余额',
      link: 'https://gov.example/s',
      imgUrl: 'https://gov.example/i.png',
    });
  });
});

describe('Alipay', () => {
  test('waits for AlipayJSBridgeReady when the bridge comes late', async () => {
    const k = kit('alipay', { sim: { late: true, readyDelay: 30 } });
    assert.equal(k.page.win.AlipayJSBridge, undefined);
    assert.equal((await k.api.scan()).text, QR);
  });
  test('no AlipayJSBridgeReady is not_ready', async () => {
    const k = kit('alipay', { sim: { late: true, mocks: { ready: { hang: true } } }, config: { readyTimeoutMs: 50 } });
    const e = await failure(k.api.scan());
    assert.equal(e.code, 'not_ready');
    assert.match(e.message, /AlipayJSBridgeReady/);
  });
  test('apFilePaths as a JSON string (some Android clients)', async () => {
    const k = kit('alipay');
    k.sim!.setMock('chooseImage', { raw: { apFilePaths: '["https://resource/a.image","https://resource/b.image"]' } });
    assert.deepEqual((await k.api.chooseImage()).images.map((i) => i.src), ['https://resource/a.image', 'https://resource/b.image']);
  });
  test('an unknown API answers error 1, which is unsupported', async () => {
    const k = kit('alipay');
    const res: any = await new Promise((r) => k.page.win.AlipayJSBridge.call('noSuchApi', {}, r));
    assert.equal(res.error, 1);
  });
});

describe('ZWJSBridge', () => {
  test('waits for onReady', async () => {
    const k = kit('zlb', { sim: { readyDelay: 30 } });
    assert.equal((await k.api.scan({ type: 'qr' })).text, QR);
    assert.deepEqual(k.sim!.calls[0], { api: 'scan', params: { type: 'qrCode' } });
  });
  test('never ready is not_ready', async () => {
    const k = kit('zlb', { sim: { mocks: { ready: { hang: true } } }, config: { readyTimeoutMs: 50 } });
    assert.equal((await failure(k.api.scan())).code, 'not_ready');
  });
  test('an API this ZWJSBridge lacks is unsupported', async () => {
    const k = kit('zlb');
    delete k.page.win.ZWJSBridge.share;
    assert.equal((await failure(k.api.share({ title: 't' }))).code, 'unsupported');
  });
  test('phoneCall passes the number as corpId', async () => {
    const k = kit('zlb');
    await k.api.phoneCall({ number: '0571-12345' });
    assert.deepEqual(k.sim!.calls[0], { api: 'phoneCall', params: { corpId: '0571-12345' } });
  });
});

describe('gov-app native bridge', () => {
  for (const platform of ['android', 'ios'] as const) {
    test(`${platform}: hello first, then {v, id, method, params} messages`, async () => {
      const k = kit('govapp', { sim: { platform } });
      await k.api.scan({ type: 'qr' });
      assert.deepEqual(
        k.sim!.calls.map((x) => x.api),
        ['hello', 'scan'],
      );
      assert.deepEqual(k.sim!.calls[0].params, { sdk: (await import('../src/index')).SDK_VERSION, protocols: [1], appId: 'housing-fund' });
      assert.deepEqual(k.sim!.calls[1].params, { type: 'qr' });
    });
  }
  test('a bridge injected late announces itself with GovAppNativeReady', async () => {
    const k = kit('govapp', { sim: { late: true, readyDelay: 30 } });
    assert.equal(k.page.win.GovAppNative, undefined);
    assert.equal((await k.api.scan()).text, QR);
  });
  test('no bridge and no event is not_ready', async () => {
    const k = kit('govapp', { sim: { late: true, mocks: { ready: { hang: true } } }, config: { readyTimeoutMs: 50 } });
    assert.equal((await failure(k.api.scan())).code, 'not_ready');
  });
  test('another protocol version is not_ready', async () => {
    const k = kit('govapp', { sim: { mocks: { hello: { protocol: 2 } } } });
    const e = await failure(k.api.scan());
    assert.equal(e.code, 'not_ready');
    assert.match(e.message, /协议版本/);
  });
  test('a method the container does not list is unsupported without being sent', async () => {
    const k = kit('govapp', { sim: { mocks: { hello: { methods: ['getUiStyle'] } } } });
    assert.equal((await failure(k.api.scan())).code, 'unsupported');
    assert.deepEqual(k.sim!.calls.map((x) => x.api), ['hello']);
  });
  test('a reply after the timeout is ignored', async () => {
    const k = kit('govapp');
    k.sim!.setMock('scan', { result: { text: 'late' }, delay: 80 });
    assert.equal((await failure(k.api.scan({ timeout: 20 }))).code, 'timeout');
    await new Promise((r) => setTimeout(r, 100));
    k.sim!.setMock('scan', { result: { text: 'now' } });
    assert.equal((await k.api.scan()).text, 'now');
  });
  test('replies may come as objects or JSON strings; garbage is ignored', async () => {
    const k = kit('govapp');
    await k.api.getUiStyle();
    const reply = k.page.win.__govappNativeReply;
    reply('not json');
    reply({ nope: true });
    reply(null);
    k.sim!.setMock('getUiStyle', { result: { uiStyle: 'elder' }, delay: 5 });
    assert.deepEqual(await k.api.getUiStyle(), { uiStyle: 'elder' });
  });
  test('getLocation honours the coordinate system the container reports', async () => {
    const k = kit('govapp');
    assert.equal((await k.api.getLocation({ type: 'gcj02' })).coordType, 'gcj02');
  });
});
