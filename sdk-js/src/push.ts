// Unified push (issue 6), the runtime side: register this device or channel
// identity, read the in-app inbox, report opens, subscribe to an app's
// notices. Every call carries the signed-in citizen's access token
// (Authorization: Bearer) to the routes of platform/internal/httpapi
// (handlers_push.go); failures are GovappErrors like the rest of the JS API.

import type { Container } from './bridge/errors';
import { GovappError } from './bridge/errors';
import type { FetchLike } from './update';

/** DeviceKind is what a registration names: an APNs or FCM token, the gov-app container id, a WeChat openid, an Alipay user id. */
export type DeviceKind = 'apns' | 'fcm' | 'govapp' | 'wechat' | 'alipay';

/** RegisterParams are govapp.push.register's parameters. */
export interface RegisterParams {
  kind: DeviceKind;
  /** token is the provider's token: APNs hex, FCM registration token, container id, openid, Alipay user id. */
  token: string;
  /** topic: the iOS bundle id (APNs), the official account's appid (WeChat), the Alipay app id (Alipay). */
  topic?: string;
  /** environment is "production" (default) or "development", for APNs. */
  environment?: 'production' | 'development';
  /** appId subscribes the citizen to this app's notices; default: the current app, "" for none. */
  appId?: string;
}

/** PushDevice is the stored registration (the platform's push.Device). */
export interface PushDevice {
  user_id: string;
  kind: DeviceKind;
  token: string;
  topic?: string;
  environment?: string;
  app_id?: string;
  registered_at: string;
  unregistered_at?: string;
}

/** InboxItem is one notice of the citizen's inbox (the platform's push.InboxItem). */
export interface InboxItem {
  notice: string;
  title: string;
  body: string;
  app_id?: string;
  link?: string;
  /** sensitive notices were pushed content-free; the inbox is where their content is. */
  sensitive?: boolean;
  at: string;
  opened_at?: string;
}

/** Push is govapp.push. */
export interface Push {
  register(p: RegisterParams): Promise<PushDevice>;
  /** inbox lists the citizen's notices, newest first (limit 1–200, default the platform's 50). */
  inbox(p?: { limit?: number }): Promise<{ items: InboxItem[] }>;
  /** opened reports that the citizen opened a notice, and records a notice_opened event. */
  opened(noticeId: string): Promise<{ status: string }>;
  subscribe(appId?: string): Promise<{ status: string }>;
  unsubscribe(appId?: string): Promise<{ status: string }>;
}

/** PushEnv is what the push client needs. */
export interface PushEnv {
  url(path: string): string;
  fetch: FetchLike;
  /** token is the citizen's access token ("" when signed out). */
  token(): string;
  appId(): string;
  container(): Container;
  /** opened is told before a notice's open is reported (the statistics record notice_opened). */
  opened?(noticeId: string): void;
}

const KINDS = ['apns', 'fcm', 'govapp', 'wechat', 'alipay'];

/** createPush returns govapp.push. */
export function createPush(env: PushEnv): Push {
  const fail = (method: string, code: 'denied' | 'failed', message: string, detail?: unknown) =>
    new GovappError(code, message, env.container(), 'push.' + method, detail);

  const call = async (method: string, verb: string, path: string, body?: unknown): Promise<any> => {
    const token = env.token();
    if (!token) throw fail(method, 'denied', '请先登录：需要市民的访问令牌（govapp.setAccessToken）');
    const headers: { [k: string]: string } = { Accept: 'application/json', Authorization: 'Bearer ' + token };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await env.fetch(env.url(path), { method: verb, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    } catch (e) {
      throw fail(method, 'failed', '无法连接平台，请检查网络后重试', String(e));
    }
    let b: any = null;
    try {
      b = await res.json();
    } catch (_) {
      /* no JSON */
    }
    if (res.status >= 200 && res.status < 300) return b || {};
    const why = b && typeof b.error === 'string' ? '：' + b.error : '（平台返回 ' + res.status + '）';
    if (res.status === 401 || res.status === 403) throw fail(method, 'denied', '平台拒绝了请求' + why, b);
    if (res.status === 404) throw fail(method, 'failed', '找不到' + (method === 'opened' ? '该通知' : '') + why, b);
    if (res.status === 429) throw fail(method, 'failed', '请求过于频繁，请稍后重试', b);
    throw fail(method, 'failed', (res.status === 400 ? '参数错误' : '请求失败') + why, b);
  };

  const id = (method: string, v: unknown, name: string): string => {
    if (typeof v !== 'string' || !v) throw fail(method, 'failed', '参数错误：缺少 ' + name);
    return encodeURIComponent(v);
  };
  const app = (method: string, v: unknown) => id(method, v === undefined ? env.appId() : v, 'appId');

  return {
    async register(p: RegisterParams) {
      const q: any = p && typeof p === 'object' ? p : {};
      if (KINDS.indexOf(q.kind) < 0) throw fail('register', 'failed', '参数错误：kind 应为 apns、fcm、govapp、wechat 或 alipay');
      if (typeof q.token !== 'string' || !q.token) throw fail('register', 'failed', '参数错误：缺少 token');
      const body: any = { kind: q.kind, token: q.token };
      if (q.topic) body.topic = String(q.topic);
      if (q.environment) body.environment = String(q.environment);
      const a = q.appId === undefined ? env.appId() : q.appId;
      if (a) body.app_id = String(a);
      return call('register', 'POST', '/v1/runtime/push/devices', body);
    },
    async inbox(p?: { limit?: number }) {
      const limit = p && typeof p.limit === 'number' && p.limit > 0 ? '?limit=' + Math.floor(p.limit) : '';
      const b = await call('inbox', 'GET', '/v1/runtime/push/inbox' + limit);
      return { items: Array.isArray(b.items) ? b.items : [] };
    },
    async opened(noticeId: string) {
      const n = id('opened', noticeId, 'noticeId');
      if (env.opened) {
        try {
          env.opened(noticeId);
        } catch (_) {
          /* statistics never fail a call */
        }
      }
      return call('opened', 'POST', '/v1/runtime/push/inbox/' + n + '/opened');
    },
    async subscribe(appId?: string) {
      return call('subscribe', 'PUT', '/v1/runtime/push/subscriptions/' + app('subscribe', appId));
    },
    async unsubscribe(appId?: string) {
      return call('unsubscribe', 'DELETE', '/v1/runtime/push/subscriptions/' + app('unsubscribe', appId));
    },
  };
}
