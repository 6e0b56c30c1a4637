// The gov-app native container (sdk-native): JSON messages {v, id, method,
// params} posted to window.GovAppNative.postMessage(string) (Android) or
// window.webkit.messageHandlers.govapp.postMessage(object) (iOS); replies
// come back through window.__govappNativeReply(json). The protocol is
// specified in sdk-native/PROTOCOL.md.

import { Adapter, Ctx, once } from '../adapter';
import { ERROR_CODES, ErrorCode, fault, Fault } from '../errors';
import type { SystemInfo } from '../types';
import { hasNativeBridge, systemInfoFromUa, withTimeout } from '../util';
import { webAdapter } from './web';

/** NATIVE_PROTOCOL is the protocol version this SDK speaks. */
export const NATIVE_PROTOCOL = 1;
/** NATIVE_READY_EVENT is dispatched on document by a container that injects its bridge after the page's scripts started. */
export const NATIVE_READY_EVENT = 'GovAppNativeReady';

/** Hello is the native side's answer to the hello handshake. */
export interface Hello {
  protocol: number;
  container: string;
  version: string;
  platform: string;
  methods: string[];
}

interface Pending {
  resolve(v: any): void;
  reject(e: Fault): void;
}

/** nativeFault maps a native {code, message} error to a Fault; the container's Chinese message is kept. */
export function nativeFault(err: any): Fault {
  const code: ErrorCode = err && ERROR_CODES.indexOf(err.code) >= 0 && err.code !== 'not_ready' ? err.code : 'failed';
  return fault(code, err && typeof err.message === 'string' ? err.message : '', err);
}

/** nativeAdapter implements the API over the gov-app message bridge. */
export function nativeAdapter(ctx: Ctx): Adapter {
  const win = ctx.win;
  const base = webAdapter(ctx);
  const pending: { [id: string]: Pending } = {};
  let seq = 0;
  let hello: Hello | null = null;

  function receive(json: unknown): void {
    let m: any = json;
    if (typeof json === 'string') {
      try {
        m = JSON.parse(json);
      } catch (_) {
        return;
      }
    }
    if (!m || typeof m !== 'object' || typeof m.id !== 'string') return; // events (no id) are not defined in v1
    const p = pending[m.id];
    if (!p) return; // late (timed out) or foreign
    delete pending[m.id];
    if (m.ok === true) p.resolve(m.result && typeof m.result === 'object' ? m.result : {});
    else p.reject(nativeFault(m.error));
  }

  function post(method: string, params: any): Promise<any> {
    const id = String(++seq);
    const msg = { v: NATIVE_PROTOCOL, id, method, params };
    return new Promise<any>((resolve, reject) => {
      pending[id] = { resolve, reject };
      try {
        if (win.GovAppNative && typeof win.GovAppNative.postMessage === 'function') {
          win.GovAppNative.postMessage(JSON.stringify(msg));
        } else {
          win.webkit.messageHandlers.govapp.postMessage(msg);
        }
      } catch (e) {
        delete pending[id];
        reject(fault('failed', '', String(e)));
      }
    });
  }

  let hooked = false;
  const init = once(async () => {
    if (!hooked) {
      hooked = true;
      const prev = win.__govappNativeReply;
      win.__govappNativeReply = (json: unknown) => {
        receive(json);
        if (typeof prev === 'function') prev(json);
      };
    }
    if (!hasNativeBridge(win)) {
      await new Promise<void>((resolve) => {
        const doc = win.document;
        const on = () => {
          doc.removeEventListener(NATIVE_READY_EVENT, on, false);
          resolve();
        };
        doc.addEventListener(NATIVE_READY_EVENT, on, false);
      });
    }
    const h = await post('hello', { sdk: ctx.sdkVersion, protocols: [NATIVE_PROTOCOL], appId: ctx.appId() });
    if (h.protocol !== NATIVE_PROTOCOL) throw fault('not_ready', '原生容器的协议版本（' + h.protocol + '）与 SDK 不兼容，请升级', h);
    hello = {
      protocol: h.protocol,
      container: String(h.container || 'govapp'),
      version: String(h.version || ''),
      platform: String(h.platform || ''),
      methods: Array.isArray(h.methods) ? h.methods : [],
    };
    return hello;
  });

  async function call(method: string, params: any): Promise<any> {
    const h = await withTimeout(init(), ctx.readyTimeoutMs()).catch((e) => {
      throw e instanceof Fault && e.code === 'not_ready' ? e : fault('not_ready', '', e instanceof Fault ? e.detail : String(e));
    });
    if (h.methods.indexOf(method) < 0) throw fault('unsupported', '', method);
    return post(method, params);
  }

  return {
    ...base,
    container: 'govapp',

    async credential(scope) {
      const res = await call('login', { appId: ctx.appId(), scope });
      if (typeof res.ticket !== 'string' || !res.ticket) throw fault('failed', '', res);
      return res.ticket;
    },

    async scan(p) {
      const res = await call('scan', { type: p.type });
      if (typeof res.text !== 'string') throw fault('failed', '', res);
      return res.format === 'qr' || res.format === 'bar' ? { text: res.text, format: res.format } : { text: res.text };
    },

    async getLocation(p) {
      const res = await call('getLocation', { type: p.type });
      const lat = Number(res.latitude);
      const lng = Number(res.longitude);
      if (isNaN(lat) || isNaN(lng)) throw fault('failed', '', res);
      return {
        latitude: lat,
        longitude: lng,
        accuracy: typeof res.accuracy === 'number' ? res.accuracy : undefined,
        coordType: res.coordType === 'gcj02' ? 'gcj02' : res.coordType === 'wgs84' ? 'wgs84' : p.type,
      };
    },

    async chooseImage(p) {
      const res = await call('chooseImage', { count: p.count, sourceType: p.sourceType });
      const list: any[] = Array.isArray(res.images) ? res.images : [];
      return { images: list.filter((i) => i && typeof i.src === 'string').map((i) => ({ src: i.src, id: String(i.id || i.src) })) };
    },

    async previewImage(p) {
      await call('previewImage', { urls: p.urls, current: p.current });
      return {};
    },

    async share(p) {
      const res = await call('share', { title: p.title, desc: p.desc, link: p.link, imageUrl: p.imageUrl });
      return typeof res.channel === 'string' ? { via: 'sheet', channel: res.channel } : { via: 'sheet' };
    },

    async phoneCall(p) {
      await call('phoneCall', { number: p.number });
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

    async getSystemInfo() {
      const info: SystemInfo = systemInfoFromUa(win, 'govapp', ctx.sdkVersion);
      const res = await call('getSystemInfo', {});
      if (typeof res.containerVersion === 'string') info.containerVersion = res.containerVersion;
      else if (hello && hello.version) info.containerVersion = hello.version;
      if (res.platform === 'ios' || res.platform === 'android' || res.platform === 'harmony') info.platform = res.platform;
      if (typeof res.osVersion === 'string') info.osVersion = res.osVersion;
      if (typeof res.model === 'string') info.model = res.model;
      if (typeof res.language === 'string') info.language = res.language;
      for (const k of ['screenWidth', 'screenHeight', 'pixelRatio'] as const) if (typeof res[k] === 'number') info[k] = res[k];
      return info;
    },

    async getUiStyle() {
      const res = await call('getUiStyle', {});
      return { uiStyle: res.uiStyle === 'elder' ? 'elder' : 'normal' };
    },
  };
}
