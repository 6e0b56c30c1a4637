// Small helpers of the bridge: container detection, user-agent parsing,
// timeouts, URLs. They take the window as a parameter, so tests pass fakes.

import type { Container } from './errors';
import { fault } from './errors';
import type { GovappConfig } from './config';
import type { SystemInfo } from './types';

/**
 * detectContainer tells where the page runs, first match wins:
 * config.container (govapp dev, the sandbox phone); the gov-app native bridge
 * (window.GovAppNative, webkit.messageHandlers.govapp, or "GovApp/x.y" in the
 * user agent); 浙里办 (window.ZWJSBridge, or "dtdreamweb" in the user agent);
 * Alipay ("AlipayClient", or window.AlipayJSBridge); WeChat ("MicroMessenger");
 * otherwise a plain browser.
 */
export function detectContainer(win: any, config?: GovappConfig): Container {
  if (config && config.container) return config.container;
  const ua = userAgent(win);
  if (hasNativeBridge(win) || /\bGovApp\/\d/.test(ua)) return 'govapp';
  if ((win && win.ZWJSBridge) || /dtdreamweb/i.test(ua)) return 'zlb';
  if ((win && win.AlipayJSBridge) || /AlipayClient/i.test(ua)) return 'alipay';
  if (/MicroMessenger/i.test(ua)) return 'wechat';
  return 'web';
}

/** hasNativeBridge reports whether the gov-app container injected its message bridge. */
export function hasNativeBridge(win: any): boolean {
  if (!win) return false;
  if (win.GovAppNative && typeof win.GovAppNative.postMessage === 'function') return true;
  const h = win.webkit && win.webkit.messageHandlers && win.webkit.messageHandlers.govapp;
  return !!h && typeof h.postMessage === 'function';
}

export function userAgent(win: any): string {
  return (win && win.navigator && typeof win.navigator.userAgent === 'string' && win.navigator.userAgent) || '';
}

const CONTAINER_VERSION: { [c in Container]: RegExp | null } = {
  wechat: /MicroMessenger\/([\d.]+)/i,
  alipay: /AlipayClient\/([\d.]+)/i,
  govapp: /GovApp\/([\d.]+)/,
  zlb: /dtdreamweb\/?([\d.]*)/i,
  web: null,
};

/** systemInfoFromUa builds SystemInfo from the user agent and the screen. */
export function systemInfoFromUa(win: any, container: Container, sdkVersion: string): SystemInfo {
  const ua = userAgent(win);
  let platform: SystemInfo['platform'] = 'other';
  let osVersion = '';
  let m: RegExpExecArray | null;
  if ((m = /OpenHarmony\s*([\d.]*)|HarmonyOS[;/\s]*([\d.]*)/i.exec(ua))) {
    platform = 'harmony';
    osVersion = m[1] || m[2] || '';
  } else if ((m = /Android[\s/]*([\d.]*)/i.exec(ua))) {
    platform = 'android';
    osVersion = m[1] || '';
  } else if ((m = /(?:iPhone|iPad|iPod)[^)]*?OS ([\d_]+)/i.exec(ua))) {
    platform = 'ios';
    osVersion = m[1].replace(/_/g, '.');
  }
  const re = CONTAINER_VERSION[container];
  const cv = re ? re.exec(ua) : null;
  const scr = (win && win.screen) || {};
  const nav = (win && win.navigator) || {};
  return {
    container,
    containerVersion: (cv && cv[1]) || '',
    platform,
    osVersion,
    language: nav.language || 'zh-CN',
    screenWidth: scr.width || 0,
    screenHeight: scr.height || 0,
    pixelRatio: (win && win.devicePixelRatio) || 1,
    sdkVersion,
  };
}

/** isIos reports an iPhone/iPad user agent (WeChat signs the landing URL there). */
export function isIos(win: any): boolean {
  return /iPhone|iPad|iPod/i.test(userAgent(win));
}

/** withTimeout settles with p, or rejects with a timeout fault after ms (0 = never). */
export function withTimeout<T>(p: Promise<T>, ms: number, message?: string): Promise<T> {
  if (!ms || ms <= 0) return p;
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(fault('timeout', message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** loadScript adds a <script src> and resolves when it ran. */
export function loadScript(win: any, url: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const doc = win && win.document;
    if (!doc) {
      reject(new Error('no document'));
      return;
    }
    const s = doc.createElement('script');
    s.src = url;
    s.async = true;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error('could not load ' + url));
    (doc.head || doc.documentElement).appendChild(s);
  });
}

/** pageUrl is location.href without its #fragment (what WeChat signs). */
export function pageUrl(win: any): string {
  const href: string = (win && win.location && win.location.href) || '';
  const i = href.indexOf('#');
  return i >= 0 ? href.slice(0, i) : href;
}

/** queryParam returns the first value of name in the page's query, or null. */
export function queryParam(win: any, name: string): string | null {
  const search: string = (win && win.location && win.location.search) || '';
  for (const part of search.replace(/^\?/, '').split('&')) {
    const eq = part.indexOf('=');
    const k = eq >= 0 ? part.slice(0, eq) : part;
    if (safeDecode(k) === name) return eq >= 0 ? safeDecode(part.slice(eq + 1)) : '';
  }
  return null;
}

/** withoutParams returns url with the query parameters in names removed. */
export function withoutParams(url: string, names: string[]): string {
  const hashAt = url.indexOf('#');
  const hash = hashAt >= 0 ? url.slice(hashAt) : '';
  const base = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const q = base.indexOf('?');
  if (q < 0) return url;
  const kept = base
    .slice(q + 1)
    .split('&')
    .filter((part) => part !== '' && names.indexOf(safeDecode(part.split('=')[0])) < 0);
  return base.slice(0, q) + (kept.length ? '?' + kept.join('&') : '') + hash;
}

/** dropParams removes query parameters from the address bar without reloading (a used OAuth code must not be bookmarked). */
export function dropParams(win: any, names: string[]): void {
  try {
    const next = withoutParams(win.location.href, names);
    if (next !== win.location.href && win.history && typeof win.history.replaceState === 'function') {
      win.history.replaceState(win.history.state, '', next);
    }
  } catch (_) {
    /* a sandboxed page may refuse; the code is one-time anyway */
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch (_) {
    return s;
  }
}

/** httpUrl resolves u against the page and returns it when it is http(s), else null. */
export function httpUrl(win: any, u: unknown): string | null {
  if (typeof u !== 'string' || !u) return null;
  try {
    const base = (win && win.location && win.location.href) || undefined;
    const url = new URL(u, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch (_) {
    return null;
  }
}

/** PHONE is what phoneCall accepts: digits with + - * # ( ) and spaces, up to 32 characters. */
export const PHONE = /^[0-9+\-*#() ]{1,32}$/;

/** followLink clicks a temporary <a href> (tel: links, which location changes may not open). */
export function followLink(win: any, href: string): void {
  const doc = win.document;
  const a = doc.createElement('a');
  a.href = href;
  a.style.display = 'none';
  a.setAttribute('data-govapp-link', '');
  (doc.body || doc.documentElement).appendChild(a);
  try {
    a.click();
  } finally {
    if (a.parentNode) a.parentNode.removeChild(a);
  }
}

/** randomId returns a URL-safe random string (OAuth state, nonces). */
export function randomId(win: any, bytes = 16): string {
  const a = new Uint8Array(bytes);
  const c = win && win.crypto;
  if (c && typeof c.getRandomValues === 'function') c.getRandomValues(a);
  else for (let i = 0; i < a.length; i++) a[i] = Math.floor(Math.random() * 256);
  let s = '';
  for (let i = 0; i < a.length; i++) s += (a[i] < 16 ? '0' : '') + a[i].toString(16);
  return s;
}
