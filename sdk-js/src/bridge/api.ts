// The one JS API: checks what the app declared, validates parameters,
// picks the adapter of the detected container, bounds the call with a
// timeout and turns every failure into a GovappError.

import type { Adapter, Ctx } from './adapter';
import { alipayAdapter } from './adapters/alipay';
import { nativeAdapter } from './adapters/native';
import { webAdapter } from './adapters/web';
import { wechatAdapter } from './adapters/wechat';
import { zlbAdapter } from './adapters/zlb';
import { DEFAULT_READY_TIMEOUT_MS, declared, GovappConfig, imageSources, normalizeConfig, PERMISSION_OF } from './config';
import { Container, Fault, fault, GovappError, isGovappError } from './errors';
import { exchangeCredential } from './platform';
import { BridgeApi, DEFAULT_TIMEOUTS, Method, METHODS } from './types';
import { detectContainer, httpUrl, pageUrl, PHONE, withTimeout } from './util';

/** BridgeOptions configure createBridge. */
export interface BridgeOptions {
  /** win is the global object: window in a page, a fake in tests. */
  win: any;
  sdkVersion: string;
  /** appId is used when __GOVAPP__ has none (the runtime reads it from /a/{appId}/b/…). */
  appId?: string | null;
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /** config replaces window.__GOVAPP__ (read on every call otherwise). */
  config?: GovappConfig;
  /** onCall is told how every call settled (the statistics' jsapi_call); it never affects the call. */
  onCall?: (method: Method, ok: boolean, code: string, ms: number) => void;
}

const ADAPTERS: { [c in Container]: (ctx: Ctx) => Adapter } = {
  wechat: wechatAdapter,
  alipay: alipayAdapter,
  govapp: nativeAdapter,
  zlb: zlbAdapter,
  web: webAdapter,
};

/** toGovappError turns anything an adapter threw into a GovappError. */
export function toGovappError(e: unknown, container: Container, method: string): GovappError {
  if (isGovappError(e)) return e;
  if (e instanceof Fault) return new GovappError(e.code, e.message || '', container, method, e.detail);
  return new GovappError('failed', '', container, method, e instanceof Error ? e.message : e);
}

const PERMISSION_TEXT: { [p: string]: string } = {
  scan: '扫码（scan）',
  location: '定位（location）',
  camera: '拍照（camera）',
  album: '相册（album）',
  share: '分享（share）',
  phone_call: '拨打电话（phone_call）',
};

function notDeclared(c: GovappConfig, permission: string): Fault {
  const what = PERMISSION_TEXT[permission] || permission;
  return fault(
    'not_declared',
    c.jsapi
      ? '应用未声明' + what + '权限，请在 govapp.json 的 jsapi_permissions 中加入 "' + permission + '" 并重新发布'
      : '页面没有应用配置（window.__GOVAPP__），无法确认已声明' + what + '权限',
  );
}

function str(v: unknown, name: string, required: boolean): string {
  if (v === undefined || v === null || v === '') {
    if (required) throw fault('failed', '参数错误：缺少 ' + name);
    return '';
  }
  if (typeof v !== 'string') throw fault('failed', '参数错误：' + name + ' 应为字符串');
  return v;
}

function link(win: any, v: unknown, name: string): string {
  const u = httpUrl(win, v);
  if (!u) throw fault('failed', '参数错误：' + name + ' 应为 http(s) 地址');
  return u;
}

/**
 * prepare checks the declaration and the parameters of one call and returns
 * the adapter's parameters (defaults filled in, URLs made absolute).
 */
function prepare(method: Method, p: any, c: GovappConfig, win: any): any {
  const perm = PERMISSION_OF[method];
  if (perm && !declared(c, perm)) throw notDeclared(c, perm);
  switch (method) {
    case 'login': {
      const scope = str(p.scope, 'scope', false) || 'openid';
      if (!/^[\w.:-]+( [\w.:-]+)*$/.test(scope)) throw fault('failed', '参数错误：scope 应为空格分隔的权限名');
      return { scope };
    }
    case 'scan': {
      const type = p.type === undefined ? 'any' : p.type;
      if (['qr', 'bar', 'any'].indexOf(type) < 0) throw fault('failed', '参数错误：type 应为 qr、bar 或 any');
      return { type };
    }
    case 'getLocation': {
      const type = p.type === undefined ? 'wgs84' : p.type;
      if (type !== 'wgs84' && type !== 'gcj02') throw fault('failed', '参数错误：type 应为 wgs84 或 gcj02');
      return { type };
    }
    case 'chooseImage': {
      const count = p.count === undefined ? 9 : p.count;
      if (typeof count !== 'number' || count !== Math.floor(count) || count < 1 || count > 9) throw fault('failed', '参数错误：count 应为 1 到 9');
      if (p.sourceType !== undefined && (!Array.isArray(p.sourceType) || p.sourceType.some((s: unknown) => s !== 'album' && s !== 'camera'))) {
        throw fault('failed', '参数错误：sourceType 应为 ["album", "camera"] 的子集');
      }
      const src = imageSources(c, p.sourceType);
      if (src.missing) throw notDeclared(c, src.missing);
      return { count, sourceType: src.ok };
    }
    case 'previewImage': {
      if (!Array.isArray(p.urls) || !p.urls.length) throw fault('failed', '参数错误：urls 应为非空的图片地址列表');
      const urls = p.urls.map((u: unknown) => link(win, u, 'urls'));
      const current = p.current === undefined ? urls[0] : link(win, p.current, 'current');
      return { urls, current };
    }
    case 'share':
      return {
        title: str(p.title, 'title', true),
        desc: str(p.desc, 'desc', false),
        link: p.link === undefined ? pageUrl(win) : link(win, p.link, 'link'),
        imageUrl: p.imageUrl === undefined || p.imageUrl === '' ? '' : link(win, p.imageUrl, 'imageUrl'),
      };
    case 'phoneCall': {
      const number = str(p.number, 'number', true);
      if (!PHONE.test(number)) throw fault('failed', '参数错误：number 不是电话号码');
      return { number };
    }
    case 'openLink':
      return { url: link(win, p.url, 'url') };
    case 'setTitle':
      return { title: p.title === '' ? '' : str(p.title, 'title', true) };
    default:
      return {};
  }
}

/** createBridge returns the JS API for the page in o.win. */
export function createBridge(o: BridgeOptions): BridgeApi {
  const win = o.win;
  const config = (): GovappConfig => normalizeConfig(o.config !== undefined ? o.config : win && win.__GOVAPP__);
  const ctx: Ctx = {
    win,
    config,
    appId: () => config().appId || o.appId || '',
    fetch: o.fetch || ((url, init) => win.fetch(url, init)),
    sdkVersion: o.sdkVersion,
    readyTimeoutMs: () => config().readyTimeoutMs || DEFAULT_READY_TIMEOUT_MS,
  };
  let adapter: Adapter | null = null;
  const current = (): Adapter => {
    if (!adapter) adapter = ADAPTERS[detectContainer(win, config())](ctx);
    return adapter;
  };

  const told = (method: Method, ok: boolean, code: string, start: number) => {
    try {
      if (o.onCall) o.onCall(method, ok, code, Date.now() - start);
    } catch (_) {
      /* statistics never fail a call */
    }
  };

  async function run(method: Method, params: any): Promise<any> {
    const start = Date.now();
    try {
      const r = await dispatch(method, params);
      told(method, true, '', start);
      return r;
    } catch (e) {
      told(method, false, (e as GovappError).code, start);
      throw e;
    }
  }

  async function dispatch(method: Method, params: any): Promise<any> {
    const p = params && typeof params === 'object' ? params : {};
    const c = config();
    const a = current();
    try {
      const q = prepare(method, p, c, win);
      const ms = typeof p.timeout === 'number' && p.timeout >= 0 ? p.timeout : DEFAULT_TIMEOUTS[method];
      if (method === 'login') {
        const credential = await withTimeout(a.credential(q.scope), ms);
        return await withTimeout(exchangeCredential(ctx, a.container, credential), ms || 15000);
      }
      const fn = (a as any)[method] as (q: any) => Promise<any>;
      return await withTimeout(fn(q), ms);
    } catch (e) {
      throw toGovappError(e, a.container, method);
    }
  }

  const api: any = {};
  for (const m of METHODS) api[m] = (params?: any) => run(m, params);
  Object.defineProperty(api, 'container', { enumerable: true, get: () => current().container });
  return api as BridgeApi;
}
