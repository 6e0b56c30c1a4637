// Harness of the Chromium tests: a small platform (static bundle pages with
// the sim and govapp.js, the WeChat signature, the sign-in exchange, a
// WeChat authorize page) and one headless Chromium driven by playwright-core.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Browser, BrowserContext, BrowserContextOptions, chromium, Page } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = join(ROOT, 'dist');

/** chromiumPath finds Debian's chromium (CI installs it); none → the tests skip, or fail when GOVAPP_TEST_REQUIRE_BROWSER/CI is set. */
export function chromiumPath(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (p && existsSync(p)) return p;
  }
  if (process.env.GOVAPP_TEST_REQUIRE_BROWSER || process.env.CI) {
    throw new Error('no Chromium found: apt-get install chromium, or set CHROMIUM_PATH');
  }
  return null;
}

/** PageSpec says what the bundle page holds. */
export interface PageSpec {
  container: 'wechat' | 'alipay' | 'zlb' | 'govapp' | 'web';
  /** sim options (window.__GOVAPP_SIM__), without the container. */
  sim?: any;
  /** config merged over the default __GOVAPP__. */
  config?: any;
  /** query appended to the page URL. */
  query?: string;
}

export interface Exchange {
  app_id: string;
  container: string;
  credential: string;
}

/** Platform is the test server. */
export class Platform {
  server: Server;
  origin = '';
  exchanges: Exchange[] = [];
  signatures: string[] = [];
  /** signatureStatus, when set, is answered instead of a signature. */
  signatureStatus = 0;
  /** batches are the usage-event batches received at /v1/runtime/events, with how they came. */
  batches: Array<{ body: any; bytes: number; contentType: string; authorization: string }> = [];
  /** push are the /v1/runtime/push/* requests: method, path, authorization, body. */
  push: Array<{ method: string; path: string; authorization: string; body: string }> = [];

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.origin = 'http://127.0.0.1:' + (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  /** pageUrl is the URL of a bundle page for spec. */
  pageUrl(spec: PageSpec): string {
    const opts = Buffer.from(JSON.stringify(spec)).toString('base64url');
    return this.origin + '/a/housing-fund/b/' + spec.container + '-bundle/index.html?spec=' + opts + (spec.query ? '&' + spec.query : '');
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const u = new URL(req.url || '/', this.origin);
    const send = (status: number, type: string, body: string | Buffer, headers: { [k: string]: string } = {}) => {
      res.writeHead(status, Object.assign({ 'Content-Type': type, 'Cache-Control': 'no-store' }, headers));
      res.end(body);
    };
    const json = (status: number, v: unknown) => send(status, 'application/json', JSON.stringify(v));
    if (u.pathname === '/sdk/govapp.js' || u.pathname === '/sdk/sim.js') {
      send(200, 'text/javascript; charset=utf-8', readFileSync(join(DIST, u.pathname.slice(5))));
      return;
    }
    if (u.pathname === '/v1/bridge/wechat/signature') {
      this.signatures.push(u.searchParams.get('url') || '');
      if (this.signatureStatus) {
        json(this.signatureStatus, { code: 40303, http: this.signatureStatus, error: '该页面的域名未登记为应用的 JS 安全域名' });
        return;
      }
      json(200, {
        appId: 'wx-sim-app',
        timestamp: 1700000000,
        nonceStr: 'nonce',
        signature: 'sig',
        jsApiList: ['previewImage', 'closeWindow', 'scanQRCode', 'getLocation', 'openLocation', 'chooseImage', 'getLocalImgData', 'uploadImage', 'updateAppMessageShareData', 'updateTimelineShareData'],
      });
      return;
    }
    if (u.pathname === '/v1/auth/container-login' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const b = JSON.parse(body) as Exchange;
        // Like the platform: exactly these members (it refuses unknown ones).
        if (Object.keys(b).sort().join() !== 'app_id,container,credential') {
          json(400, { code: 40003, http: 400, error: 'unknown field' });
          return;
        }
        this.exchanges.push(b);
        if (b.credential === 'expired') json(400, { code: 40001, http: 400, error: '凭证已过期，请重新登录' });
        else json(200, { code: 'one-time-' + b.container + '-' + this.exchanges.length, expires_in: 300 });
      });
      return;
    }
    if (u.pathname === '/v1/runtime/events' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        // Whole-batch checks of platform/internal/stats.ParseBatch, then an answer per item.
        let b: any;
        try {
          b = JSON.parse(raw.toString('utf8'));
        } catch (_) {
          json(400, { code: 40001, http: 400, error: 'body: is not a JSON batch' });
          return;
        }
        const ok =
          raw.length <= 64 * 1024 &&
          Array.isArray(b.events) && b.events.length >= 1 && b.events.length <= 50 &&
          typeof b.sent_at === 'number' && b.sent_at > 0 &&
          (!!req.headers.authorization || /^[A-Za-z0-9_-]{8,128}$/.test(b.device_id || ''));
        if (!ok) {
          json(400, { code: 40001, http: 400, error: 'not a batch' });
          return;
        }
        this.batches.push({ body: b, bytes: raw.length, contentType: String(req.headers['content-type'] || ''), authorization: String(req.headers.authorization || '') });
        const items = b.events.map((e: any, index: number) => {
          const good = /^[A-Za-z0-9_-]{8,64}$/.test(e.id) && /^(app_launch|page_view|jsapi_call|error|update_installed|notice_opened|custom_[a-z0-9_]{1,40})$/.test(e.name) &&
            typeof e.ts === 'number' && ['wechat', 'alipay', 'govapp', 'web'].indexOf(e.container) >= 0;
          return good ? { index, id: e.id, status: 'accepted' } : { index, id: e.id, status: 'rejected', code: 'invalid' };
        });
        json(200, { accepted: items.filter((i: any) => i.status === 'accepted').length, duplicates: 0, rejected: 0, items });
      });
      return;
    }
    if (u.pathname.indexOf('/v1/runtime/push/') === 0) {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const authorization = String(req.headers.authorization || '');
        this.push.push({ method: req.method || '', path: u.pathname + u.search, authorization, body });
        if (authorization !== 'Bearer citizen-token') json(401, { code: 40101, http: 401, error: '访问令牌无效' });
        else if (u.pathname === '/v1/runtime/push/inbox') json(200, { items: [{ notice: 'n_1', title: '养老金资格认证', body: '已开放', app_id: 'housing-fund', at: '2025-06-01T02:00:00Z' }] });
        else if (u.pathname === '/v1/runtime/push/devices') json(201, Object.assign({ user_id: 'u_1', registered_at: '2025-06-01T02:00:00Z' }, JSON.parse(body)));
        else json(200, { status: 'ok' });
      });
      return;
    }
    if (u.pathname === '/sandbox/connect/oauth2/authorize') {
      // WeChat's authorize page, silent (snsapi_base): straight back with a code.
      const back = new URL(u.searchParams.get('redirect_uri') || '/');
      back.searchParams.set('code', 'wx-code-' + u.searchParams.get('scope'));
      back.searchParams.set('state', u.searchParams.get('state') || '');
      send(302, 'text/plain', '', { Location: back.href });
      return;
    }
    const m = /^\/a\/housing-fund\/b\/[a-z]+-bundle\/index\.html$/.exec(u.pathname);
    if (m) {
      const spec = JSON.parse(Buffer.from(u.searchParams.get('spec') || '', 'base64url').toString('utf8')) as PageSpec;
      const config = Object.assign(
        { appId: 'housing-fund', bundleId: spec.container + '-bundle', server: '', jsapi: ['location', 'camera', 'scan', 'album', 'share', 'phone_call'] },
        { wechat: { oauthUrl: this.origin + '/sandbox/connect/oauth2/authorize' } },
        spec.config || {},
      );
      const sim = spec.container === 'web' ? '' : '<script>window.__GOVAPP_SIM__=' + JSON.stringify(Object.assign({ container: spec.container }, spec.sim || {})) + ';</script><script src="/sdk/sim.js"></script>';
      send(
        200,
        'text/html; charset=utf-8',
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">' +
          sim +
          '<script>window.__GOVAPP__=' + JSON.stringify(config) + ';</script><script src="/sdk/govapp.js"></script>' +
          '<title>公积金</title></head><body><button id="go" style="width:200px;height:60px">go</button>' +
          '<script>document.getElementById("go").onclick=function(){window.__result=window.__action().then(function(r){return{ok:true,r:r}},function(e){return{ok:false,e:{name:e.name,code:e.code,message:e.message,container:e.container,method:e.method}}})};' +
          'document.addEventListener("click",function(e){var a=e.target&&e.target.closest&&e.target.closest("a[href^=\'tel:\']");if(a){e.preventDefault();(window.__tel=window.__tel||[]).push(a.getAttribute("href"))}},true);</script>' +
          '</body></html>',
      );
      return;
    }
    send(404, 'text/plain', 'not found');
  }
}

/** Outcome is a call's settlement as seen from the page. */
export type Outcome = { ok: true; r: any } | { ok: false; e: { name: string; code: string; message: string; container: string; method: string } };

/** call runs govapp[method](params) in the page. */
export function call(page: Page, method: string, params?: any): Promise<Outcome> {
  return page.evaluate(
    ([m, p]) =>
      (window as any).govapp[m as string](p).then(
        (r: any) => ({ ok: true, r }),
        (e: any) => ({ ok: false, e: { name: e.name, code: e.code, message: e.message, container: e.container, method: e.method } }),
      ),
    [method, params] as const,
  ) as Promise<Outcome>;
}

/** clickCall runs govapp[method](params) from a real tap (file choosers need user activation). */
export async function clickCall(page: Page, method: string, params: any, during?: () => Promise<void>): Promise<Outcome> {
  await page.evaluate(([m, p]) => ((window as any).__action = () => (window as any).govapp[m as string](p)), [method, params] as const);
  await Promise.all([during ? during() : Promise.resolve(), page.click('#go')]);
  return page.evaluate(() => (window as any).__result) as Promise<Outcome>;
}

/** Browser session shared by a test file. */
export class Session {
  browser!: Browser;
  platform = new Platform();
  contexts: BrowserContext[] = [];

  async start(executablePath: string): Promise<void> {
    await this.platform.start();
    this.browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }

  async stop(): Promise<void> {
    if (this.browser) await this.browser.close();
    await this.platform.stop();
  }

  /** open loads a bundle page for spec in a fresh context. */
  async open(spec: PageSpec, ctx?: BrowserContextOptions): Promise<Page> {
    const context = await this.browser.newContext(ctx);
    this.contexts.push(context);
    // Nothing may leave the machine: everything but the test platform is refused.
    await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => route.abort());
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    (page as any).__errors = errors;
    await page.goto(this.platform.pageUrl(spec));
    return page;
  }
}
