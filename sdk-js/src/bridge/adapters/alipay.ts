// Alipay (支付宝内置浏览器): AlipayJSBridge.call(name, params, callback)
// after the AlipayJSBridgeReady event. Answers carry {error: N,
// errorMessage} on failure: 1 no such API, 2 bad parameters, 3 unknown
// error, 4 not authorised; 10/11 are per-API (mostly the user cancelled).

import { Adapter, consentScope, Ctx, once } from '../adapter';
import { ErrorCode, fault, Fault } from '../errors';
import { systemInfoFromUa, withTimeout } from '../util';
import { webAdapter } from './web';

const COMMON: { [error: number]: ErrorCode } = { 1: 'unsupported', 2: 'failed', 3: 'failed', 4: 'denied' };

/** ALIPAY_ERRORS maps per-API error numbers (10 and up) to error codes. */
export const ALIPAY_ERRORS: { [api: string]: { [error: number]: ErrorCode } } = {
  scan: { 10: 'cancelled', 11: 'failed' },
  chooseImage: { 10: 'cancelled', 11: 'cancelled' },
  getLocation: { 11: 'denied', 12: 'failed', 13: 'failed', 14: 'timeout' },
  getAuthCode: { 10: 'cancelled', 11: 'cancelled', 15: 'denied' },
  startShare: { 10: 'cancelled', 11: 'cancelled' },
  shareToChannel: { 10: 'cancelled', 11: 'cancelled' },
};

/** alipayFault maps an Alipay answer with a non-zero error to a Fault. */
export function alipayFault(api: string, res: any): Fault {
  const n = Number(res && res.error);
  return fault((ALIPAY_ERRORS[api] && ALIPAY_ERRORS[api][n]) || COMMON[n] || 'failed', '', res);
}

function failed(res: any): boolean {
  if (!res || typeof res !== 'object' || !('error' in res)) return false;
  const n = Number(res.error);
  return n !== 0 && !isNaN(n);
}

/** alipayAdapter implements the API with AlipayJSBridge. */
export function alipayAdapter(ctx: Ctx): Adapter {
  const win = ctx.win;
  const base = webAdapter(ctx);

  const init = once(
    () =>
      new Promise<any>((resolve) => {
        if (win.AlipayJSBridge) {
          resolve(win.AlipayJSBridge);
          return;
        }
        const doc = win.document;
        const onReady = () => {
          doc.removeEventListener('AlipayJSBridgeReady', onReady, false);
          resolve(win.AlipayJSBridge);
        };
        doc.addEventListener('AlipayJSBridgeReady', onReady, false);
      }),
  );

  async function call(api: string, params: any, wait = true): Promise<any> {
    const bridge = await withTimeout(init(), ctx.readyTimeoutMs()).catch(() => {
      throw fault('not_ready', '支付宝 JSAPI 未就绪（没有收到 AlipayJSBridgeReady），请稍后重试');
    });
    return new Promise<any>((resolve, reject) => {
      if (!wait) {
        bridge.call(api, params);
        resolve({});
        return;
      }
      bridge.call(api, params, (res: any) => (failed(res) ? reject(alipayFault(api, res)) : resolve(res || {})));
    });
  }

  return {
    ...base,
    container: 'alipay',

    async credential(scope) {
      const params: any = { scopeNicks: [consentScope(scope) ? 'auth_user' : 'auth_base'], showErrorTip: false };
      const appId = ctx.config().alipay!.appId;
      if (appId) params.appId = appId;
      const res = await call('getAuthCode', params);
      const code = res.authcode || res.authCode;
      if (typeof code !== 'string' || !code) throw fault('failed', '', res);
      return code;
    },

    async scan(p) {
      const res = await call('scan', { type: p.type === 'bar' ? 'bar' : 'qr' });
      const text = res.codeContent || res.qrCode || res.barCode;
      if (typeof text !== 'string') throw fault('failed', '', res);
      return { text, format: res.barCode ? 'bar' : res.qrCode ? 'qr' : p.type === 'any' ? undefined : p.type };
    },

    async getLocation() {
      const res = await call('getLocation', {});
      const lat = Number(res.latitude);
      const lng = Number(res.longitude);
      if (isNaN(lat) || isNaN(lng)) throw fault('failed', '', res);
      // Alipay locates with AMap: GCJ-02.
      return { latitude: lat, longitude: lng, accuracy: Number(res.accuracy) || undefined, coordType: 'gcj02' };
    },

    async chooseImage(p) {
      const res = await call('chooseImage', { count: p.count, sourceType: p.sourceType });
      let paths: any = res.apFilePaths || res.tempFilePaths || res.filePaths || [];
      if (typeof paths === 'string') {
        try {
          paths = JSON.parse(paths); // some Android versions answer a JSON string
        } catch (_) {
          paths = [paths];
        }
      }
      return { images: (paths as string[]).map((s) => ({ src: s, id: s })) };
    },

    async previewImage(p) {
      await call('imageViewer', { images: p.urls.map((u) => ({ u })), init: Math.max(0, p.urls.indexOf(p.current)) });
      return {};
    },

    async share(p) {
      const picked = await call('startShare', {});
      const channel: string = picked.channelName || picked.name || '';
      await call('shareToChannel', { name: channel, param: { title: p.title, content: p.desc, url: p.link, imageUrl: p.imageUrl } });
      return channel ? { via: 'sheet', channel } : { via: 'sheet' };
    },

    async openLink(p) {
      await call('pushWindow', { url: p.url }, false);
      return {};
    },

    async setTitle(p) {
      await call('setTitle', { title: p.title });
      return {};
    },

    async close() {
      await call('popWindow', {}, false);
      return {};
    },

    async getSystemInfo() {
      const info = systemInfoFromUa(win, 'alipay', ctx.sdkVersion);
      const res = await call('getSystemInfo', {}).catch(() => ({}));
      if (typeof res.model === 'string') info.model = res.model;
      if (!info.containerVersion && typeof res.version === 'string') info.containerVersion = res.version;
      if (typeof res.pixelRatio === 'number') info.pixelRatio = res.pixelRatio;
      return info;
    },
  };
}
