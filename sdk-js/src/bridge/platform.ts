// The platform endpoints the bridge calls: the WeChat signature (in the
// WeChat adapter) and the container sign-in exchange.

import type { Ctx } from './adapter';
import type { Container } from './errors';
import { fault } from './errors';
import type { LoginResult } from './types';

/** platformUrl joins __GOVAPP__.server and path, with a query. */
export function platformUrl(ctx: Ctx, path: string, query?: { [k: string]: string }): string {
  const server = (ctx.config().server || '').replace(/\/+$/, '');
  const q = query
    ? Object.keys(query)
        .map((k) => encodeURIComponent(k) + '=' + encodeURIComponent(query[k]))
        .join('&')
    : '';
  return server + path + (q ? '?' + q : '');
}

/** PlatformError is the platform's error body ({code, http, error}) as far as it could be read. */
export interface PlatformError {
  status: number;
  code?: number;
  message?: string;
}

/** platformError reads the platform's error shape from a failed response. */
export async function platformError(res: Response): Promise<PlatformError> {
  const out: PlatformError = { status: res.status };
  try {
    const b: any = await res.json();
    if (b && typeof b.code === 'number') out.code = b.code;
    if (b && typeof b.error === 'string') out.message = b.error;
  } catch (_) {
    /* not JSON */
  }
  return out;
}

/**
 * exchangeCredential turns the container's credential into the platform's
 * one-time code: POST /v1/auth/container-login {app_id, container,
 * credential} → 200 {code, expires_in}. (The scope went to the container:
 * a consent credential carries it.)
 */
export async function exchangeCredential(ctx: Ctx, container: Container, credential: string): Promise<LoginResult> {
  let res: Response;
  try {
    res = await ctx.fetch(platformUrl(ctx, '/v1/auth/container-login'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ app_id: ctx.appId(), container, credential }),
    });
  } catch (e) {
    throw fault('failed', '登录失败：无法连接平台，请检查网络后重试', String(e));
  }
  if (res.status !== 200) {
    const pe = await platformError(res);
    const why = pe.message ? '：' + pe.message : '';
    if (res.status === 401 || res.status === 403) throw fault('denied', '平台拒绝登录' + why, pe);
    if (res.status === 429) throw fault('failed', '登录请求过于频繁，请稍后重试', pe);
    throw fault('failed', '登录失败' + (why || '（平台返回 ' + res.status + '）'), pe);
  }
  const b: any = await res.json().catch(() => null);
  if (!b || typeof b.code !== 'string' || !b.code) throw fault('failed', '登录失败：平台返回格式错误', b);
  return { code: b.code, expiresIn: typeof b.expires_in === 'number' ? b.expires_in : 0 };
}
