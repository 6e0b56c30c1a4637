// Entry of dist/govapp.js, the one browser file (IIFE, ES2017) that the
// platform serves at /sdk/govapp.js. It installs:
//   window.govapp            the in-app runtime (ready(), state(), …) and the
//                            one JS API (login(), scan(), getLocation(), …)
//   window.govappBootLoader  the loader of /a/{appId}/ (reads window.__GOVAPP_LOADER__)
//   govapp.stats, .track     usage statistics (auto-tracked launches, pages, JSAPI calls, errors)
//   govapp.push              the citizen's push registrations, inbox and subscriptions
// Verifiers that are not always needed load on first use from the same
// folder: ed25519.js (only where WebCrypto lacks Ed25519) and sm2.js (only
// for sm2-sm3 bundles).

import { createBridge } from './bridge/api';
import { normalizeConfig } from './bridge/config';
import { GovappError, isGovappError } from './bridge/errors';
import { METHODS } from './bridge/types';
import { detectContainer, systemInfoFromUa } from './bridge/util';
import { createPush } from './push';
import { autoTrack, Channel, createStats } from './stats';
import { globalObject } from './bytes';
import { setCryptoBackends, SignatureVerifier } from './crypto/backends';
import { bootLoader, LoaderConfig, LoaderEnv, LoaderOutcome } from './loader';
import { createRuntime, Runtime, RuntimeEnv } from './runtime';
import { KeyValueStore, MemoryStore } from './state';
import { SDK_VERSION } from './version';

const g = globalObject();
const doc: Document | undefined = typeof document !== 'undefined' ? document : undefined;
const scriptSrc: string = doc && doc.currentScript && (doc.currentScript as HTMLScriptElement).src ? (doc.currentScript as HTMLScriptElement).src : '';

/** chunkUrl returns the URL of a lazily loaded file next to govapp.js. */
function chunkUrl(name: string): string {
  const base = scriptSrc ? scriptSrc.replace(/[?#].*$/, '').replace(/[^/]*$/, '') : '/sdk/';
  return base + name + '.js';
}

const loading: { [name: string]: Promise<SignatureVerifier> } = {};

function loadChunk(name: 'sm2' | 'ed25519'): Promise<SignatureVerifier> {
  const reg = g.__govappChunks || (g.__govappChunks = {});
  if (typeof reg[name] === 'function') return Promise.resolve(reg[name]);
  if (!loading[name]) {
    loading[name] = new Promise<SignatureVerifier>((resolve, reject) => {
      if (!doc) {
        reject(new Error('govapp: cannot load ' + name + '.js without a document'));
        return;
      }
      const s = doc.createElement('script');
      s.src = chunkUrl(name);
      s.async = true;
      s.onload = () => {
        if (typeof reg[name] === 'function') resolve(reg[name]);
        else reject(new Error('govapp: ' + s.src + ' did not register ' + name));
      };
      s.onerror = () => reject(new Error('govapp: could not load ' + s.src));
      (doc.head || doc.documentElement).appendChild(s);
    });
    loading[name].catch(() => {
      delete loading[name]; // let a later verification try again
    });
  }
  return loading[name];
}

setCryptoBackends({ ed25519: () => loadChunk('ed25519'), sm2: () => loadChunk('sm2') });

function browserStorage(): KeyValueStore {
  try {
    const ls = g.localStorage as Storage;
    const probe = '__govapp_probe__';
    ls.setItem(probe, '1');
    ls.removeItem(probe);
    return ls;
  } catch (_) {
    return new MemoryStore(); // private mode or storage disabled: remember nothing
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' } as { [k: string]: string })[c]);
}

function showError(title: string, message: string, onRetry?: () => void): void {
  if (!doc) return;
  doc.title = title;
  const body = doc.body || doc.documentElement.appendChild(doc.createElement('body'));
  body.innerHTML =
    '<div style="font-family:-apple-system,BlinkMacSystemFont,\'PingFang SC\',\'Microsoft YaHei\',sans-serif;' +
    'max-width:32em;margin:20vh auto 0;padding:0 1.5em;text-align:center;color:#333">' +
    '<h1 style="font-size:1.25em;font-weight:600">' + escapeHtml(title) + '</h1>' +
    '<p style="color:#666;line-height:1.6">' + escapeHtml(message) + '</p>' +
    '<button type="button" style="margin-top:1em;padding:.6em 2.4em;font-size:1em;border:0;border-radius:4px;background:#1677ff;color:#fff">重试</button>' +
    '</div>';
  const btn = body.querySelector('button');
  if (btn) {
    btn.addEventListener('click', () => {
      if (onRetry) onRetry();
      g.location.reload();
    });
  }
}

function fetchFn(url: string, init?: RequestInit): Promise<Response> {
  return g.fetch(url, init);
}

function navigate(url: string): void {
  g.location.replace(url);
}

function messageOf(x: any): string {
  if (x && typeof x.message === 'string') return x.message;
  try {
    return String(x);
  } catch (_) {
    return 'unknown error';
  }
}

const storage = browserStorage();

const runtimeEnv: RuntimeEnv = {
  storage,
  pathname: g.location ? g.location.pathname : '',
  navigate,
  onError(cb) {
    if (typeof g.addEventListener !== 'function') return;
    g.addEventListener('error', (e: ErrorEvent) => cb(e && (e.message || messageOf(e.error))));
    g.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => cb(messageOf(e && e.reason)));
  },
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  fetch: fetchFn,
};

const runtime: Runtime = createRuntime(runtimeEnv);

const api = g.govapp && typeof g.govapp === 'object' ? g.govapp : {};
const config = () => normalizeConfig(g.__GOVAPP__);
const startConfig = config();
const appId = startConfig.appId || runtime.appId || '';
const platformUrl = (path: string) => (config().server || '').replace(/\/+$/, '') + path;
// The container of events, detected on every use (a late bridge is not missed),
// without fixing the JS API's own choice of adapter.
const container = () => detectContainer(g, config());

// The citizen's access token, for push and for statistics of signed-in users:
// login() gives the app's backend a code, the backend gives the page a token.
let tokenSource: string | (() => string) = '';
let rejected = '';
const token = (): string => {
  let t = '';
  try {
    t = typeof tokenSource === 'function' ? tokenSource() : tokenSource;
  } catch (_) {
    /* a provider that throws: signed out */
  }
  return typeof t === 'string' && t !== rejected ? t : '';
};
api.setAccessToken = (t: string | (() => string) | null) => {
  tokenSource = typeof t === 'function' || typeof t === 'string' ? t : '';
  rejected = '';
};

const nav = g.navigator || {};
const sameOrigin = (() => {
  const server = startConfig.server || '';
  return !server || (!!g.location && server.replace(/\/+$/, '') === g.location.origin);
})();
const stats = createStats({
  storage,
  appId,
  url: platformUrl,
  fetch: fetchFn,
  sendBeacon: typeof nav.sendBeacon === 'function' ? (u: string, d: any) => nav.sendBeacon(u, d) : undefined,
  // A cross-origin beacon must be a CORS-safelisted type: text/plain.
  blob: sameOrigin && typeof g.Blob === 'function' ? (b: string) => new g.Blob([b], { type: 'application/json' }) : undefined,
  keepalive: typeof g.Request === 'function' && 'keepalive' in g.Request.prototype,
  now: () => Date.now(),
  random: (n: number) => {
    const b = new Uint8Array(n);
    if (g.crypto && typeof g.crypto.getRandomValues === 'function') g.crypto.getRandomValues(b);
    else for (let i = 0; i < n; i++) b[i] = Math.floor(Math.random() * 256);
    return b;
  },
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  channel: (): Channel => {
    const c = container();
    return c === 'zlb' ? 'govapp' : c; // 浙里办 is the province's gov app: one channel
  },
  containerVersion: () => systemInfoFromUa(g, container(), SDK_VERSION).containerVersion,
  version: () => config().version || '',
  token,
  tokenRejected: () => {
    rejected = token();
  },
  // Off when the platform says so, and under govapp dev unless asked for (no events endpoint there).
  enabled: startConfig.stats !== false && (!g.__GOVAPP_DEV__ || startConfig.stats === true),
});
if (appId && startConfig.stats !== false && typeof g.addEventListener === 'function') {
  let session: KeyValueStore | undefined;
  try {
    session = g.sessionStorage || undefined;
  } catch (_) {
    session = undefined;
  }
  const info = systemInfoFromUa(g, container(), SDK_VERSION);
  autoTrack(stats, { win: g, appId, session, launchProps: { platform: info.platform, sdk: SDK_VERSION } });
}

api.version = SDK_VERSION;
api.appId = runtime.appId;
api.bundleId = runtime.bundleId;
api.ready = async () => {
  const trial = runtime.state() === 'trial';
  await runtime.ready();
  if (trial && runtime.state() === 'good') stats.record('update_installed', { bundle: runtime.bundleId });
};
api.state = runtime.state;
const bridge = createBridge({
  win: g,
  sdkVersion: SDK_VERSION,
  appId: runtime.appId,
  fetch: fetchFn,
  onCall: (method, ok, code, ms) => {
    const p: { [k: string]: string | number | boolean } = { api: method, ok, ms };
    if (code) p.code = code;
    stats.record('jsapi_call', p);
  },
});
for (const m of METHODS) api[m] = bridge[m];
Object.defineProperty(api, 'container', { enumerable: true, configurable: true, get: () => bridge.container });
api.GovappError = GovappError;
api.isGovappError = isGovappError;
api.stats = {
  track: stats.track,
  flush: stats.flush,
  disable: stats.disable,
  enable: stats.enable,
  enabled: stats.enabled,
  deviceId: stats.deviceId,
  pending: stats.pending,
};
api.track = stats.track;
api.push = createPush({
  url: platformUrl,
  fetch: fetchFn,
  token,
  appId: () => appId,
  container,
  opened: (notice) => stats.record('notice_opened', { notice }),
});
g.govapp = api;

g.govappBootLoader = (config?: LoaderConfig): Promise<LoaderOutcome> => {
  const env: LoaderEnv = { storage, navigate, showError, fetch: fetchFn };
  return bootLoader(config || g.__GOVAPP_LOADER__, env);
};
