// 浙里办-style ZWJSBridge: ZWJSBridge.onReady(cb), then methods that take
// one object and return promises (ZWJSBridge.scan({type: "qrCode"}) →
// {text}). Failures reject with {errorCode, errorMessage}; the message says
// what happened ("用户取消"), so that is what the mapping reads.

import { Adapter, Ctx, once } from '../adapter';
import { DEFAULT_ZLB_JS_URL } from '../config';
import { ErrorCode, fault, Fault } from '../errors';
import { dropParams, loadScript, queryParam, systemInfoFromUa, withTimeout } from '../util';
import { webAdapter } from './web';

/** zlbFault maps a ZWJSBridge rejection ({errorCode, errorMessage}) to a Fault by what its message says. */
export function zlbFault(err: any): Fault {
  const text = String((err && (err.errorMessage || err.message || err.msg)) || err || '');
  const code: ErrorCode = /取消|cancel/i.test(text)
    ? 'cancelled'
    : /权限|拒绝|未授权|denied|permission/i.test(text)
      ? 'denied'
      : /不支持|未实现|not support|not exist/i.test(text)
        ? 'unsupported'
        : /超时|timeout/i.test(text)
          ? 'timeout'
          : 'failed';
  return fault(code, '', err);
}

/** zlbAdapter implements the API with ZWJSBridge. */
export function zlbAdapter(ctx: Ctx): Adapter {
  const win = ctx.win;
  const base = webAdapter(ctx);

  const init = once(async () => {
    if (!win.ZWJSBridge) {
      const url = ctx.config().zlb!.jsUrl || DEFAULT_ZLB_JS_URL;
      await loadScript(win, url).catch(() => null);
      if (!win.ZWJSBridge) throw fault('not_ready', '无法加载 ZWJSBridge，请检查网络后重试', url);
    }
    const z = win.ZWJSBridge;
    await new Promise<void>((resolve) => z.onReady(() => resolve()));
    return z;
  });

  function bridge(): Promise<any> {
    return withTimeout(init(), ctx.readyTimeoutMs()).catch((e) => {
      throw e instanceof Fault && e.code !== 'timeout' ? e : fault('not_ready');
    });
  }

  async function call(name: string, params: any): Promise<any> {
    const z = await bridge();
    if (typeof z[name] !== 'function') throw fault('unsupported', '', name);
    try {
      return (await z[name](params)) || {};
    } catch (e) {
      throw zlbFault(e);
    }
  }

  return {
    ...base,
    container: 'zlb',

    async credential() {
      // 浙里办 single sign-on comes back with ?ticket=…; its mini-program shells answer ssoTicket.
      const t = queryParam(win, 'ticket');
      if (t) {
        dropParams(win, ['ticket']);
        return t;
      }
      const res = await call('ssoTicket', {});
      const id = res.ticketId || res.ticket;
      if (typeof id !== 'string' || !id) throw fault('failed', '', res);
      return id;
    },

    async scan(p) {
      const res = await call('scan', { type: p.type === 'bar' ? 'barCode' : 'qrCode' });
      if (typeof res.text !== 'string') throw fault('failed', '', res);
      return p.type === 'any' ? { text: res.text } : { text: res.text, format: p.type };
    },

    async getLocation() {
      const res = await call('getLocation', {});
      const lat = Number(res.latitude);
      const lng = Number(res.longitude);
      if (isNaN(lat) || isNaN(lng)) throw fault('failed', '', res);
      return { latitude: lat, longitude: lng, accuracy: Number(res.accuracy) || undefined, coordType: 'gcj02' };
    },

    async chooseImage(p) {
      // upload: true puts the pictures on 浙里办's server and answers their URLs.
      const res = await call('chooseImage', { upload: true });
      const paths: string[] = Array.isArray(res.picPath) ? res.picPath : [];
      if (!paths.length) throw fault('cancelled', '', res);
      return { images: paths.slice(0, p.count).map((s) => ({ src: s, id: s })) };
    },

    async previewImage(p) {
      const z = await bridge();
      if (typeof z.previewImage !== 'function') return base.previewImage(p);
      await call('previewImage', { urls: p.urls, current: p.current });
      return {};
    },

    async share(p) {
      await call('share', { title: p.title, desc: p.desc, url: p.link, image: p.imageUrl });
      return { via: 'sheet' };
    },

    async phoneCall(p) {
      await call('phoneCall', { corpId: p.number.replace(/\s+/g, '') });
      return {};
    },

    async openLink(p) {
      await call('openLink', { url: p.url });
      return {};
    },

    async setTitle(p) {
      await call('setTitle', { title: p.title });
      return {};
    },

    async close() {
      await call('close', {});
      return {};
    },

    getSystemInfo: () => Promise.resolve(systemInfoFromUa(win, 'zlb', ctx.sdkVersion)),

    async getUiStyle() {
      const res = await call('getUiStyle', {});
      return { uiStyle: res.uiStyle === 'elder' ? 'elder' : 'normal' };
    },
  };
}
