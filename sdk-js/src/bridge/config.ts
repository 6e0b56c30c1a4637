// window.__GOVAPP__: what the platform tells the in-app runtime about the
// app, injected as an inline script before /sdk/govapp.js in a bundle's
// entry HTML. Only appId and jsapi matter to most pages.

import type { Container } from './errors';
import type { ImageSource, Method, UiStyle } from './types';

/** GovappConfig is window.__GOVAPP__. Unknown members are ignored. */
export interface GovappConfig {
  /** appId is the light app (the loader's /a/{appId}/ path gives it too). */
  appId?: string;
  bundleId?: string;
  /** server is the platform origin for API calls; "" or absent = the page's origin. */
  server?: string;
  /** jsapi is the app's jsapi_permissions from govapp.json: location, camera, scan, album, share, phone_call, … */
  jsapi?: string[];
  /** container forces the container instead of detecting it (govapp dev, the sandbox phone). */
  container?: Container;
  /** uiStyle is the portal's display mode, used where the container has none of its own. */
  uiStyle?: UiStyle;
  /** readyTimeoutMs bounds the wait for the container's bridge (default 10 000). */
  readyTimeoutMs?: number;
  /** version is the running release's version (the manifest's), sent with usage events. */
  version?: string;
  /** stats: false turns usage statistics off; true turns them on where they are off by default (govapp dev). */
  stats?: boolean;
  wechat?: {
    /** appId of the official account; default: the one the signature endpoint answers. */
    appId?: string;
    /** oauthUrl is WeChat's authorize page (the sandbox's in dev). */
    oauthUrl?: string;
    /** jsUrl is the JS-SDK loaded when the page did not include it. */
    jsUrl?: string;
  };
  alipay?: {
    /** appId of the Alipay open-platform app, for getAuthCode. */
    appId?: string;
  };
  zlb?: {
    /** jsUrl is the ZWJSBridge script loaded when the page did not include it. */
    jsUrl?: string;
  };
}

/** JSAPI_PERMISSIONS are the permission names of govapp.json's jsapi_permissions (as the platform validates them). */
export const JSAPI_PERMISSIONS = ['location', 'camera', 'scan', 'album', 'share', 'phone_call', 'contacts', 'record', 'bluetooth', 'nfc', 'biometric', 'file'];

/** PERMISSION_OF tells which permission a method needs; chooseImage needs camera and/or album (see imageSources). */
export const PERMISSION_OF: { [m in Method]?: string } = {
  scan: 'scan',
  getLocation: 'location',
  share: 'share',
  phoneCall: 'phone_call',
};

export const DEFAULT_WECHAT_OAUTH_URL = 'https://open.weixin.qq.com/connect/oauth2/authorize';
export const DEFAULT_WECHAT_JS_URL = 'https://res.wx.qq.com/open/js/jweixin-1.6.0.js';
export const DEFAULT_ZLB_JS_URL = 'https://assets.zjzwfw.gov.cn/assets/ZWJSBridge/1.1.0/zwjsbridge.js';
export const DEFAULT_READY_TIMEOUT_MS = 10000;

/** normalizeConfig copies the members of a raw __GOVAPP__ value that have the right types. */
export function normalizeConfig(raw: unknown): GovappConfig {
  const r: any = raw && typeof raw === 'object' ? raw : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const obj = (v: unknown): any => (v && typeof v === 'object' ? v : {});
  const c: GovappConfig = {};
  if (str(r.appId)) c.appId = r.appId;
  if (str(r.bundleId)) c.bundleId = r.bundleId;
  if (str(r.server) !== undefined) c.server = r.server;
  if (Array.isArray(r.jsapi)) c.jsapi = r.jsapi.filter((x: unknown) => typeof x === 'string');
  if (['wechat', 'alipay', 'govapp', 'zlb', 'web'].indexOf(r.container) >= 0) c.container = r.container;
  if (r.uiStyle === 'normal' || r.uiStyle === 'elder') c.uiStyle = r.uiStyle;
  if (typeof r.readyTimeoutMs === 'number' && r.readyTimeoutMs > 0) c.readyTimeoutMs = r.readyTimeoutMs;
  if (typeof r.version === 'string' && /^[A-Za-z0-9._+-]{1,32}$/.test(r.version)) c.version = r.version;
  if (typeof r.stats === 'boolean') c.stats = r.stats;
  else if (r.stats && typeof r.stats === 'object' && typeof r.stats.enabled === 'boolean') c.stats = r.stats.enabled;
  const w = obj(r.wechat);
  c.wechat = { appId: str(w.appId), oauthUrl: str(w.oauthUrl), jsUrl: str(w.jsUrl) };
  c.alipay = { appId: str(obj(r.alipay).appId) };
  c.zlb = { jsUrl: str(obj(r.zlb).jsUrl) };
  return c;
}

/** declared reports whether the config declares permission p. */
export function declared(c: GovappConfig, p: string): boolean {
  return !!c.jsapi && c.jsapi.indexOf(p) >= 0;
}

/**
 * imageSources returns the sources chooseImage may use: the asked ones (all
 * of which must be declared) or, by default, the declared ones. An empty
 * answer names the first missing permission.
 */
export function imageSources(c: GovappConfig, asked: ImageSource[] | undefined): { ok: ImageSource[]; missing?: string } {
  if (asked && asked.length) {
    for (const s of asked) if (!declared(c, s)) return { ok: [], missing: s };
    return { ok: asked.slice() };
  }
  const ok = (['album', 'camera'] as ImageSource[]).filter((s) => declared(c, s));
  return ok.length ? { ok } : { ok: [], missing: 'album' };
}
