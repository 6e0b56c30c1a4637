// The container simulation: fake wx, AlipayJSBridge, ZWJSBridge and gov-app
// native bridge objects that behave like the real ones (ready events,
// permission errors, cancel answers) and answer with editable mock data.
// Tests load it in front of govapp.js; `govapp dev` offers it on the desktop.
//
// Mocks are keyed by the JS API's method names and written in the API's own
// result shapes; each fake translates them into its container's native
// answer, so the adapters' translations back are what gets tested.

import type { Container, ErrorCode } from '../src/bridge/errors';

/** SimContainer is every container with a bridge to fake (a plain browser needs none). */
export type SimContainer = Exclude<Container, 'web'>;

/**
 * Mock is one answer:
 * - a result in the JS API's shape: {text: "…"} for scan (or {result: …, delay});
 * - {error: "cancelled" | "denied" | "unsupported" | "failed" | "timeout", delay?}: the container's own way of saying it;
 * - {raw: …, delay?}: a native answer passed through as is ({errMsg: "scanQRCode:fail"}, {error: 3});
 * - {hang: true}: never answer.
 * Special keys: "ready" (the bridge's ready event; {hang: true} or {delay}), "config" (wx.config),
 * "hello" (the native handshake's result).
 */
export type Mock = { result: any; delay?: number } | { error: ErrorCode; message?: string; delay?: number } | { raw: any; delay?: number } | { hang: true } | { [k: string]: any };

export interface SimOptions {
  /** platform of the simulated phone (default android). */
  platform?: 'android' | 'ios';
  /** ua replaces the simulated user agent. */
  ua?: string;
  /** readyDelay is how long the bridge takes to become ready, in ms (default 10). */
  readyDelay?: number;
  /** late: the bridge objects appear only after readyDelay (Alipay's AlipayJSBridgeReady, the native GovAppNativeReady). */
  late?: boolean;
  /** wkwebview: WeChat on iOS's WKWebView (localIds need getLocalImgData). */
  wkwebview?: boolean;
  mocks?: { [method: string]: Mock };
}

/** Call records one call that reached the fake container. */
export interface Call {
  api: string;
  params: any;
}

export interface Sim {
  readonly container: SimContainer;
  /** calls lists what reached the container, oldest first. */
  readonly calls: Call[];
  setMock(method: string, mock: Mock): void;
  clearMocks(): void;
  /** mock returns the answer the fake will give for method now. */
  mock(method: string): Normalised;
}

/** Normalised is a Mock in one of its four explicit forms. */
export type Normalised =
  | { kind: 'result'; value: any; delay: number }
  | { kind: 'error'; code: ErrorCode; message: string; delay: number }
  | { kind: 'raw'; value: any; delay: number }
  | { kind: 'hang'; delay: number };

const PIXEL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** DEFAULT_MOCKS are the answers of a fresh sim (Hangzhou, a QR code, one picture). */
export function defaultMocks(container: SimContainer): { [method: string]: Mock } {
  return {
    ready: { result: {} },
    config: { result: {} },
    login: { result: { credential: 'sim-' + container + '-credential' } },
    scan: { result: { text: 'https://gov.example/qr/330106-0001', format: 'qr' } },
    getLocation: { result: { latitude: 30.274084, longitude: 120.15507, accuracy: 35 } },
    chooseImage: { result: { images: [{ src: PIXEL, id: 'sim-image-1' }] } },
    previewImage: { result: {} },
    share: { result: { channel: 'Weixin' } },
    phoneCall: { result: {} },
    openLink: { result: {} },
    setTitle: { result: {} },
    close: { result: {} },
    getSystemInfo: { result: { model: 'Sim Phone', containerVersion: '3.2.0', language: 'zh-CN' } },
    getUiStyle: { result: { uiStyle: 'normal' } },
  };
}

export function normalise(m: Mock | undefined): Normalised {
  const x: any = m || {};
  const delay = typeof x.delay === 'number' ? x.delay : 0;
  if (x.hang) return { kind: 'hang', delay };
  if (typeof x.error === 'string') return { kind: 'error', code: x.error, message: x.message || '', delay };
  if ('raw' in x) return { kind: 'raw', value: x.raw, delay };
  if ('result' in x) return { kind: 'result', value: x.result, delay };
  return { kind: 'result', value: x, delay };
}

/** later runs fn after ms on the page's clock (a mocked answer's delay; 0 still answers asynchronously, like a real bridge). */
export function later(win: any, ms: number, fn: () => void): void {
  (win.setTimeout || setTimeout)(fn, ms || 0);
}

export function baseSim(container: SimContainer, opts: SimOptions): Sim & { mocks: { [k: string]: Mock } } {
  const mocks: { [k: string]: Mock } = defaultMocks(container);
  const extra = opts.mocks || {};
  for (const k of Object.keys(extra)) mocks[k] = extra[k];
  const calls: Call[] = [];
  return {
    container,
    calls,
    mocks,
    setMock(method, mock) {
      mocks[method] = mock;
    },
    clearMocks() {
      const d = defaultMocks(container);
      for (const k of Object.keys(mocks)) delete mocks[k];
      for (const k of Object.keys(d)) mocks[k] = d[k];
    },
    mock(method) {
      return normalise(mocks[method]);
    },
  };
}

const UAS: { [c in SimContainer]: { android: string; ios: string } } = {
  wechat: {
    android:
      'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64',
    ios:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN',
  },
  alipay: {
    android:
      'Mozilla/5.0 (Linux; U; Android 13; zh-CN; Pixel 7 Build/TQ3A.230901.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.59 Mobile Safari/537.36 UCBS/3.22.2.59_230817173011 ChannelId(0) NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:412|0|2.625) AliApp(AP/10.5.36.8000) AlipayClient/10.5.36.8000 Language/zh-Hans useStatusBar/true isConcaveScreen/true Region/CNAriver/1.0.0',
    ios:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Ariver/1.1.0 AliApp(AP/10.5.36.6000) Nebula WK RVKType(0) AlipayDefined(nt:WIFI,ws:390|844|3.0) AlipayClient/10.5.36.6000 Language/zh-Hans Region/CN NebulaX/1.0.0',
  },
  zlb: {
    android:
      'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 dtdreamweb/7.13.0',
    ios: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 dtdreamweb/7.13.0',
  },
  govapp: {
    android:
      'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 GovApp/3.2.0',
    ios: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 GovApp/3.2.0',
  },
};

/** setUserAgent makes navigator.userAgent say ua (the SDK detects containers by it). */
export function setUserAgent(win: any, container: SimContainer, opts: SimOptions): void {
  const ua = opts.ua || UAS[container][opts.platform === 'ios' ? 'ios' : 'android'];
  try {
    Object.defineProperty(win.navigator, 'userAgent', { configurable: true, get: () => ua });
  } catch (_) {
    /* a frozen navigator: detection falls back to the bridge objects */
  }
}

/** dispatch fires a plain event on the document. */
export function dispatch(win: any, type: string): void {
  const doc = win.document;
  let e: any;
  if (typeof win.Event === 'function') e = new win.Event(type);
  else {
    e = doc.createEvent('Event');
    e.initEvent(type, false, false);
  }
  doc.dispatchEvent(e);
}
