// A fake gov-app native container speaking sdk-native/PROTOCOL.md v1:
// Android's window.GovAppNative.postMessage(string) or iOS's
// window.webkit.messageHandlers.govapp.postMessage(object); replies through
// window.__govappNativeReply(jsonString). With `late`, the objects appear
// after readyDelay and the GovAppNativeReady event is dispatched.

import { baseSim, dispatch, later, setUserAgent, Sim, SimOptions } from './core';

/** NATIVE_METHODS are the v1 methods the fake container offers. */
export const NATIVE_METHODS = [
  'login',
  'scan',
  'getLocation',
  'chooseImage',
  'previewImage',
  'share',
  'phoneCall',
  'openLink',
  'setTitle',
  'close',
  'getSystemInfo',
  'getUiStyle',
];

const MESSAGES: { [code: string]: string } = {
  cancelled: '用户取消',
  denied: '用户拒绝了权限',
  unsupported: '此版本不支持该功能',
  not_declared: '应用未声明该权限',
  timeout: '操作超时',
  failed: '操作失败',
};

function answer(method: string, r: any, params: any): any {
  switch (method) {
    case 'login':
      return { ticket: r.credential };
    case 'getLocation':
      return { latitude: r.latitude, longitude: r.longitude, accuracy: r.accuracy, coordType: params.type === 'gcj02' ? 'gcj02' : 'wgs84' };
    case 'chooseImage':
      return { images: (r.images || []).slice(0, params.count || 9) };
    case 'share':
      return r.channel ? { channel: r.channel } : {};
    case 'getSystemInfo':
      return { containerVersion: r.containerVersion, model: r.model, language: r.language, platform: params.__platform };
    default:
      return r;
  }
}

/** installNative puts a fake gov-app bridge on win. */
export function installNative(win: any, opts: SimOptions): Sim {
  const sim = baseSim('govapp', opts);
  setUserAgent(win, 'govapp', opts);
  const platform = opts.platform === 'ios' ? 'ios' : 'android';

  const reply = (msg: any) => {
    const fn = win.__govappNativeReply;
    // Native code evaluates `window.__govappNativeReply("<json>")`; a page without the SDK has no such function.
    if (typeof fn === 'function') fn(JSON.stringify(msg));
  };

  function receive(msg: any): void {
    if (!msg || typeof msg !== 'object' || typeof msg.id !== 'string' || typeof msg.method !== 'string') return; // unparseable: no id to answer
    sim.calls.push({ api: msg.method, params: msg.params || {} });
    const fail = (code: string, message?: string) => ({ v: 1, id: msg.id, ok: false, error: { code, message: message || MESSAGES[code] } });
    if (msg.v !== 1) {
      later(win, 0, () => reply(fail('unsupported', '不支持的协议版本 ' + msg.v)));
      return;
    }
    if (msg.method === 'hello') {
      const m = sim.mock('hello');
      const h = { protocol: 1, container: 'govapp', version: '3.2.0', platform, methods: NATIVE_METHODS.slice() };
      const extra = m.kind === 'result' ? m.value : {};
      later(win, m.delay, () => reply({ v: 1, id: msg.id, ok: true, result: Object.assign(h, extra) }));
      return;
    }
    if (NATIVE_METHODS.indexOf(msg.method) < 0) {
      later(win, 0, () => reply(fail('unsupported')));
      return;
    }
    const m = sim.mock(msg.method);
    if (m.kind === 'hang') return;
    later(win, m.delay, () => {
      if (m.kind === 'raw') reply(Object.assign({ v: 1, id: msg.id }, m.value));
      else if (m.kind === 'error') reply(fail(m.code, m.message));
      else reply({ v: 1, id: msg.id, ok: true, result: answer(msg.method, m.value || {}, Object.assign({ __platform: platform }, msg.params)) });
    });
  }

  const inject = () => {
    if (platform === 'ios') {
      const handlers = (win.webkit = win.webkit || {}).messageHandlers || (win.webkit.messageHandlers = {});
      // WKWebView hands native a copy of the object (structured clone).
      handlers.govapp = { postMessage: (o: any) => receive(JSON.parse(JSON.stringify(o))) };
    } else {
      win.GovAppNative = {
        postMessage(s: unknown) {
          if (typeof s !== 'string') return; // @JavascriptInterface takes a String; an object arrives as "[object Object]"
          let m: any;
          try {
            m = JSON.parse(s);
          } catch (_) {
            return;
          }
          receive(m);
        },
      };
    }
  };

  if (!opts.late) inject();
  else if (sim.mock('ready').kind !== 'hang') {
    later(win, opts.readyDelay === undefined ? 10 : opts.readyDelay, () => {
      inject();
      dispatch(win, 'GovAppNativeReady');
    });
  }
  return sim;
}
