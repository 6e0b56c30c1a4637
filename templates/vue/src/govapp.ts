// The unified JS API (sdk-js) on window.govapp. Device features go through it only: the same
// call works in WeChat, Alipay, 浙里办, the province's gov app and a plain browser.
//
// The platform puts <script src="/sdk/govapp.js"> at the top of a published page, so
// window.govapp is there before this script runs. When it is not (a plain static server),
// loadSDK adds the script once; the page must never include it twice.

export interface GovappError {
  code: 'cancelled' | 'denied' | 'unsupported' | 'not_declared' | 'failed' | 'timeout' | 'not_ready';
  message: string;
}

export interface Govapp {
  ready(): void;
  container?: string;
  scan(opts?: { type?: 'qr' | 'bar' | 'any' }): Promise<{ text: string; format?: string }>;
  getLocation(opts?: { type?: 'wgs84' | 'gcj02' }): Promise<{ latitude: number; longitude: number; accuracy?: number; coordType: string }>;
  chooseImage(opts?: { count?: number; sourceType?: string[] }): Promise<{ images: { src: string; id: string }[] }>;
  share(opts: { title: string; desc?: string; link?: string; imageUrl?: string }): Promise<{ via: string; channel?: string }>;
  phoneCall(opts: { number: string }): Promise<object>;
  setTitle(opts: { title: string }): Promise<object>;
  getUiStyle(): Promise<{ uiStyle: 'normal' | 'elder' }>;
}

declare global {
  interface Window {
    govapp?: Govapp;
  }
}

/** SDK_URL is where the platform (and `govapp dev`) serve sdk-js. */
const SDK_URL = '/sdk/govapp.js';

let loading: Promise<Govapp | undefined> | undefined;

/** loadSDK resolves to window.govapp, loading /sdk/govapp.js only when nobody did. */
export function loadSDK(): Promise<Govapp | undefined> {
  if (window.govapp && typeof window.govapp.ready === 'function') return Promise.resolve(window.govapp);
  if (!loading) {
    loading = new Promise((resolve) => {
      const s = document.createElement('script');
      s.src = SDK_URL;
      s.onload = () => resolve(window.govapp);
      s.onerror = () => resolve(undefined); // without the SDK the page still works, minus device features
      document.head.appendChild(s);
    });
  }
  return loading;
}

/** errorText turns a rejection of the JS API into a sentence for the citizen. */
export function errorText(e: unknown): string {
  const err = e as Partial<GovappError> | undefined;
  if (err && err.code === 'cancelled') return '已取消。';
  if (err && err.code === 'unsupported') return '当前环境不支持此功能，请在政务 App、微信或支付宝中打开。';
  if (err && typeof err.message === 'string' && err.message) return err.message;
  return '操作失败，请稍后重试。';
}

/** ready tells the platform the first screen works (hot update keeps this version). */
export function ready(govapp: Govapp | undefined): void {
  try {
    if (govapp) govapp.ready();
  } catch (_) {
    // an old SDK without ready(): nothing to confirm
  }
}
