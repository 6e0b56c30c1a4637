// Test kit of the bridge: a fake page with a simulated container, the JS API
// on it, and a fake platform (signature and sign-in endpoints).
import { createBridge, GovappError, SDK_VERSION, WECHAT_JSAPIS_OF } from '../src/index';
import type { BridgeApi, GovappConfig } from '../src/index';
import { installSim, Sim, SimContainer, SimOptions } from '../sim/index';
import { FakePage, FakePageOptions } from './fakewin';
import { FakeServer } from './helpers';

export const ALL_JSAPI = ['location', 'camera', 'scan', 'album', 'share', 'phone_call'];

/** allWxApis is the jsApiList the platform signs for an app that declared permissions. */
export function wxApisFor(perms: string[]): string[] {
  const out: string[] = [];
  for (const p of [''].concat(perms)) for (const a of WECHAT_JSAPIS_OF[p] || []) if (out.indexOf(a) < 0) out.push(a);
  return out;
}

export interface Kit {
  page: FakePage;
  sim: Sim | null;
  api: BridgeApi;
  server: FakeServer;
  /** login answers of the fake platform, by credential. */
  logins: any[];
}

export interface KitOptions {
  config?: GovappConfig;
  sim?: SimOptions;
  page?: FakePageOptions;
  /** route overrides the fake platform. */
  route?: (url: string, init?: RequestInit) => Response | Promise<Response> | null;
}

export function kit(container: SimContainer | 'web', o: KitOptions = {}): Kit {
  const config: GovappConfig = Object.assign({ appId: 'housing-fund', server: 'https://gov.example', jsapi: ALL_JSAPI, readyTimeoutMs: 300 }, o.config || {});
  const page = new FakePage(Object.assign({ config }, o.page || {}));
  const sim = container === 'web' ? null : installSim(page.win, container, o.sim);
  const logins: any[] = [];
  const server = new FakeServer((url, init) => {
    const custom = o.route && o.route(url, init);
    if (custom) return custom;
    const u = new URL(url);
    if (u.pathname === '/v1/bridge/wechat/signature') {
      return Response.json({ appId: 'wx-sim-app', timestamp: 1700000000, nonceStr: 'nonce-1', signature: 'sig-' + u.searchParams.get('url'), jsApiList: wxApisFor(config.jsapi || []) });
    }
    if (u.pathname === '/v1/auth/container-login') {
      const body = JSON.parse(String(init && init.body));
      logins.push(body);
      return Response.json({ code: 'one-time-' + body.container, expires_in: 300 });
    }
    return new Response('{"code":40401,"http":404,"error":"no such route"}', { status: 404 });
  });
  const api = createBridge({ win: page.win, sdkVersion: SDK_VERSION, fetch: server.fetch });
  return { page, sim, api, server, logins };
}

/** failure runs p and returns its GovappError (failing the test when p resolves). */
export async function failure(p: Promise<unknown>): Promise<GovappError> {
  try {
    const v = await p;
    throw new Error('expected a rejection, got ' + JSON.stringify(v));
  } catch (e) {
    if (!(e instanceof GovappError)) throw e;
    return e;
  }
}
