// The update client of containers without native code (WeChat, Alipay, a
// browser): ask the platform which bundle this device should run, download
// and verify it, and report what happened.

import { checkFiles, Envelope, Limits, TrustedKey, verifyEnvelope, VerifyResult } from './verify';

/** FetchLike is the subset of fetch the client uses (window.fetch, node's fetch, a test double). */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** SigningKey is a trusted public key as the platform serves it. */
export interface SigningKey extends TrustedKey {
  node_id?: string;
  name?: string;
  created_at?: string;
  retired_at?: string;
}

/** UpdateResponse is the 200 answer of the update check. */
export interface UpdateResponse {
  release_id: string;
  bundle_id: string;
  mandatory: boolean;
  rollback: boolean;
  /** manifest is the signed envelope, or null when there is nothing to run (rollback to the embedded bundle). */
  manifest: Envelope | null;
  keys: SigningKey[];
}

/** CheckParams are the query of the update check. */
export interface CheckParams {
  /** server is the platform's origin ("" for the page's own origin). */
  server: string;
  appId: string;
  channel?: string;
  /** bundle is the bundle id the device runs now ("" for none). */
  bundle?: string;
  container?: string;
  containerVersion?: string;
  device: string;
  region?: string;
  fetch?: FetchLike;
  /** cache keeps ETags and bodies between checks; defaults to one shared in-memory cache. */
  cache?: UpdateCache;
}

/** UpdateError is an unexpected answer of the platform (not 200, 204 or 304). */
export class UpdateError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'UpdateError';
  }
}

/** UpdateCache remembers the last 200 answer per URL, for If-None-Match. */
export class UpdateCache {
  private entries = new Map<string, { etag: string; body: UpdateResponse }>();
  get(url: string): { etag: string; body: UpdateResponse } | undefined {
    return this.entries.get(url);
  }
  set(url: string, etag: string, body: UpdateResponse): void {
    this.entries.set(url, { etag, body });
  }
  delete(url: string): void {
    this.entries.delete(url);
  }
}

const sharedCache = new UpdateCache();

function defaultFetch(): FetchLike {
  if (typeof fetch !== 'function') throw new Error('govapp: fetch is not available; pass one in');
  return (url, init) => fetch(url, init);
}

/** joinUrl joins the server origin and an absolute path. */
export function joinUrl(server: string, path: string): string {
  return (server || '').replace(/\/+$/, '') + path;
}

/** updateUrl returns the URL of the update check for p. */
export function updateUrl(p: CheckParams): string {
  const q: string[] = [];
  const add = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== null) q.push(k + '=' + encodeURIComponent(v));
  };
  add('channel', p.channel || 'production');
  add('bundle', p.bundle || '');
  add('container', p.container);
  add('container_version', p.containerVersion);
  add('device', p.device);
  add('region', p.region);
  return joinUrl(p.server, '/v1/runtime/apps/' + encodeURIComponent(p.appId) + '/update?' + q.join('&'));
}

/**
 * checkForUpdate asks GET /v1/runtime/apps/{appId}/update. It returns null on
 * 204 (the device already runs the answer) and the parsed answer on 200; a
 * 304 answers the cached body of the last 200 with the same URL.
 */
export async function checkForUpdate(p: CheckParams): Promise<UpdateResponse | null> {
  const f = p.fetch || defaultFetch();
  const cache = p.cache || sharedCache;
  const url = updateUrl(p);
  const cached = cache.get(url);
  const headers: { [k: string]: string } = { Accept: 'application/json' };
  if (cached) headers['If-None-Match'] = cached.etag;
  const res = await f(url, { method: 'GET', headers, credentials: 'same-origin' });
  if (res.status === 204) return null;
  if (res.status === 304 && cached) return cached.body;
  if (res.status !== 200) {
    throw new UpdateError('update check answered ' + res.status, res.status);
  }
  const body = (await res.json()) as UpdateResponse;
  if (!body || typeof body !== 'object') throw new UpdateError('update check answered a non-object', 200);
  const etag = res.headers.get('ETag');
  if (etag) cache.set(url, etag, body);
  else cache.delete(url);
  return body;
}

/** DownloadOptions say where to fetch files from and how. */
export interface DownloadOptions {
  server: string;
  fetch?: FetchLike;
  limits?: Partial<Limits>;
  /** keys overrides the response's keys as the trusted keys. */
  keys?: TrustedKey[];
  /** concurrency bounds parallel downloads (default 4). */
  concurrency?: number;
}

/** DownloadError is a failed download that is not a verdict (network, 5xx): try again later. */
export class DownloadError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = 'DownloadError';
  }
}

function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= n || queue.length === 0) return;
    active++;
    (queue.shift() as () => void)();
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task().then(resolve, reject).then(() => {
          active--;
          next();
        });
      });
      next();
    });
}

/**
 * downloadAndVerify verifies the response's envelope with its keys (checks
 * 1–12, before downloading anything), then fetches every file from
 * GET /v1/runtime/files/{sha256} — each distinct hash once — and runs checks
 * 13–15. A 404 is missing_file; any other failure to download throws
 * DownloadError, which is not a verdict on the bundle.
 */
export async function downloadAndVerify(response: UpdateResponse, opts: DownloadOptions): Promise<VerifyResult> {
  if (!response || !response.manifest) throw new Error('govapp: the update response has no manifest to download');
  const keys = opts.keys || response.keys || [];
  const f = opts.fetch || defaultFetch();
  const head = await verifyEnvelope(response.manifest, { keys, limits: opts.limits });
  if (!head.ok) return head;
  const run = limiter(opts.concurrency && opts.concurrency > 0 ? opts.concurrency : 4);
  const byHash = new Map<string, Promise<Uint8Array | null>>();
  const get = (sha: string): Promise<Uint8Array | null> => {
    let p = byHash.get(sha);
    if (!p) {
      p = run(async () => {
        let res: Response;
        try {
          res = await f(joinUrl(opts.server, '/v1/runtime/files/' + sha), { method: 'GET' });
        } catch (e) {
          throw new DownloadError('downloading ' + sha + ': ' + (e instanceof Error ? e.message : String(e)), 0);
        }
        if (res.status === 404) return null;
        if (res.status !== 200) throw new DownloadError('downloading ' + sha + ' answered ' + res.status, res.status);
        return new Uint8Array(await res.arrayBuffer());
      });
      byHash.set(sha, p);
    }
    return p;
  };
  const files = await checkFiles(head.envelope.manifest, (file) => get(file.sha256));
  if (!(files instanceof Map)) return files;
  return { ok: true, envelope: head.envelope, files };
}

/** ReportEvent is an outcome a device reports. */
export type ReportEvent = 'downloaded' | 'ready' | 'failed' | 'verify_failed' | 'rolled_back';

/** Report is the body of POST /v1/runtime/reports. */
export interface Report {
  app_id: string;
  release_id: string;
  bundle_id: string;
  device: string;
  event: ReportEvent;
  reason?: string;
}

/**
 * report sends POST /v1/runtime/reports and resolves true on 202. It never
 * throws: a lost report is not worth failing a launch for. keepalive lets it
 * finish while the page navigates away.
 */
export async function report(server: string, body: Report, opts?: { fetch?: FetchLike }): Promise<boolean> {
  try {
    const f = (opts && opts.fetch) || defaultFetch();
    const clean: { [k: string]: string } = {};
    for (const k of ['app_id', 'release_id', 'bundle_id', 'device', 'event', 'reason'] as const) {
      const v = body[k];
      if (v !== undefined && v !== null && !(k === 'reason' && v === '')) clean[k] = String(v);
    }
    const res = await f(joinUrl(server, '/v1/runtime/reports'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(clean),
      keepalive: true,
      credentials: 'same-origin',
    });
    return res.status === 202;
  } catch (_) {
    return false;
  }
}
