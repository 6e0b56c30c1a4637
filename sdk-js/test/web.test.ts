// The plain-browser adapter in a fake page: Geolocation, file input, Web
// Share, tel: links; what cannot work is unsupported.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { failure, kit } from './bridgekit';

describe('plain browser', () => {
  test('scan is unsupported', async () => {
    const e = await failure(kit('web').api.scan());
    assert.equal(e.code, 'unsupported');
    assert.equal(e.container, 'web');
    assert.equal(e.message, '当前浏览器不支持扫码');
  });

  describe('getLocation', () => {
    const geo = (answer: (ok: any, fail: any) => void) => ({ getCurrentPosition: answer });
    test('answers WGS-84 from the Geolocation API', async () => {
      const k = kit('web');
      k.page.win.navigator.geolocation = geo((ok) => ok({ coords: { latitude: 30.27, longitude: 120.15, accuracy: 12 } }));
      assert.deepEqual(await k.api.getLocation({ type: 'gcj02' }), { latitude: 30.27, longitude: 120.15, accuracy: 12, coordType: 'wgs84' });
    });
    for (const [code, want] of [
      [1, 'denied'],
      [2, 'failed'],
      [3, 'timeout'],
    ] as const) {
      test(`GeolocationPositionError ${code} is ${want}`, async () => {
        const k = kit('web');
        k.page.win.navigator.geolocation = geo((_ok, fail) => fail({ code, message: 'x' }));
        assert.equal((await failure(k.api.getLocation())).code, want);
      });
    }
    test('no Geolocation API, or a plain-http page, is unsupported', async () => {
      assert.equal((await failure(kit('web').api.getLocation())).code, 'unsupported');
      const k = kit('web', { page: { secure: false } });
      k.page.win.navigator.geolocation = geo((ok) => ok({ coords: {} }));
      const e = await failure(k.api.getLocation());
      assert.equal(e.code, 'unsupported');
      assert.match(e.message, /HTTPS/);
    });
  });

  describe('chooseImage', () => {
    test('a file input; picked files come back with object URLs', async () => {
      const k = kit('web');
      k.page.win.URL = { createObjectURL: (f: any) => 'blob:https://gov.example/' + f.name };
      const p = k.api.chooseImage({ count: 2, sourceType: ['camera'] });
      const input = k.page.clicks[0];
      assert.equal(input.tagName, 'INPUT');
      assert.equal(input.type, 'file');
      assert.equal(input.accept, 'image/*');
      assert.equal(input.multiple, true);
      assert.equal(input.getAttribute('capture'), 'environment');
      input.files = [{ name: 'a.jpg' }, { name: 'b.jpg' }, { name: 'c.jpg' }];
      input.fire('change');
      const r = await p;
      assert.deepEqual(r.images.map((i) => [i.src, i.id]), [
        ['blob:https://gov.example/a.jpg', 'a.jpg'],
        ['blob:https://gov.example/b.jpg', 'b.jpg'],
      ]);
      assert.equal(r.images[0].file!.name, 'a.jpg');
      assert.equal(input.parentNode, null, 'the input is removed');
    });
    test('the cancel event is cancelled', async () => {
      const k = kit('web');
      const p = k.api.chooseImage();
      k.page.clicks[0].fire('cancel');
      assert.equal((await failure(p)).code, 'cancelled');
    });
  });

  describe('share', () => {
    test('Web Share opens the system sheet', async () => {
      const k = kit('web');
      const shared: any[] = [];
      k.page.win.navigator.share = async (d: any) => void shared.push(d);
      assert.deepEqual(await k.api.share({ title: '住房公积金', desc: '查询', link: 'https://gov.example/s' }), { via: 'sheet' });
      assert.deepEqual(shared, [{ title: '住房公积金', text: '查询', url: 'https://gov.example/s' }]);
    });
    for (const [name, want] of [
      ['AbortError', 'cancelled'],
      ['NotAllowedError', 'denied'],
      ['DataError', 'failed'],
    ] as const) {
      test(`${name} is ${want}`, async () => {
        const k = kit('web');
        k.page.win.navigator.share = async () => {
          const e = new Error('x');
          e.name = name;
          throw e;
        };
        assert.equal((await failure(k.api.share({ title: 't' }))).code, want);
      });
    }
    test('no Web Share is unsupported', async () => {
      assert.equal((await failure(kit('web').api.share({ title: 't' }))).code, 'unsupported');
    });
  });

  test('phoneCall clicks a tel: link; openLink navigates; setTitle sets document.title', async () => {
    const k = kit('web');
    await k.api.phoneCall({ number: '+86 571 1234' });
    assert.equal(k.page.clicks[0].href, 'tel:+865711234');
    await k.api.openLink({ url: '/a/other/' });
    assert.deepEqual(k.page.navigations, ['https://gov.example/a/other/']);
    await k.api.setTitle({ title: '办事指南' });
    assert.equal(k.page.doc.title, '办事指南');
  });

  test('close works only for windows a script opened', async () => {
    const k = kit('web');
    assert.equal((await failure(k.api.close())).code, 'unsupported');
    let closed = false;
    k.page.win.opener = {};
    k.page.win.close = () => (closed = true);
    await k.api.close();
    assert.ok(closed);
  });

  test('previewImage shows an overlay that a tap closes', async () => {
    const k = kit('web');
    await k.api.previewImage({ urls: ['https://gov.example/1.png'] });
    const box = k.page.doc.body.children.filter((e: any) => e.getAttribute('data-govapp-preview') !== null)[0];
    assert.ok(box);
    assert.equal(box.children[0].src, 'https://gov.example/1.png');
    box.fire('click');
    assert.equal(box.parentNode, null);
  });

  test('getUiStyle: __GOVAPP__.uiStyle, else ?ui_style= from the portal, else normal', async () => {
    assert.deepEqual(await kit('web').api.getUiStyle(), { uiStyle: 'normal' });
    assert.deepEqual(await kit('web', { config: { uiStyle: 'elder' } }).api.getUiStyle(), { uiStyle: 'elder' });
    assert.deepEqual(await kit('web', { page: { url: 'https://gov.example/?ui_style=elder' } }).api.getUiStyle(), { uiStyle: 'elder' });
  });
});
