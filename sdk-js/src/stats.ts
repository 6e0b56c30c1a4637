// Usage statistics (issue 7), the device side: events are queued in
// localStorage and sent in batches to POST {server}/v1/runtime/events, the
// format of platform/internal/stats (ParseBatch): {sent_at, app, device_id,
// events: [{id, name, ts, container, container_version?, version?, page?,
// props?}]}, at most 50 events and 64 KB (what sendBeacon can carry).
//
// Delivery is at least once and idempotent: every event gets a random id
// when it is recorded and keeps it on every resend, so the platform stores it
// once (a resend answers "duplicate"). An event leaves the queue when the
// platform answered it (accepted, duplicate, or rejected: a rejected event
// would be rejected again); network failures, 5xx and 429 keep it for later.
// Everything here goes through StatsEnv, so tests drive it with fakes.

import type { KeyValueStore } from './state';
import type { FetchLike } from './update';

/** Limits of a batch, as platform/internal/stats/model.go sets them. */
export const STATS_MAX_BATCH_EVENTS = 50;
export const STATS_MAX_BATCH_BYTES = 64 * 1024;
/** STATS_MAX_QUEUE bounds the localStorage queue; the oldest events are dropped past it. */
export const STATS_MAX_QUEUE = 500;
/** STATS_MAX_AGE_MS: the platform refuses events older than 7 days (too_old), so they are not sent. */
export const STATS_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** STATS_FLUSH_MS is how often the queue is sent while the page is open. */
export const STATS_FLUSH_MS = 5000;
const MAX_BACKOFF_MS = 5 * 60 * 1000;
const MAX_STRING = 256; // bytes of a property value, and of page
const MAX_PROPS_BYTES = 2048;
const MAX_PROP_KEYS = 20;

/** Channel is an event's container as the platform counts it (浙里办 counts as the gov app). */
export type Channel = 'wechat' | 'alipay' | 'govapp' | 'web';

/** StatsProps are an event's properties: a flat object of short scalars. */
export type StatsProps = { [key: string]: string | number | boolean | null };

/** StatsEvent is one queued event, in the platform's wire format. */
export interface StatsEvent {
  id: string;
  name: string;
  ts: number;
  container: Channel;
  container_version?: string;
  version?: string;
  page?: string;
  props?: StatsProps;
}

/** StatsEnv is what the statistics client needs from the page. */
export interface StatsEnv {
  storage: KeyValueStore;
  /** appId must be a platform app id (a-z, 0-9, -); without one the client records nothing. */
  appId: string;
  /** url returns the absolute or page-relative URL of a platform path. */
  url(path: string): string;
  fetch: FetchLike;
  /** sendBeacon is navigator.sendBeacon (bound), when the page has it. */
  sendBeacon?: (url: string, data: any) => boolean;
  /** blob makes the beacon's body (a Blob in a page); absent: the string is sent as text/plain. */
  blob?: (body: string) => any;
  /** keepalive says fetch supports {keepalive: true}. */
  keepalive?: boolean;
  now(): number;
  /** random fills n random bytes (crypto.getRandomValues). */
  random(n: number): Uint8Array;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  channel(): Channel;
  containerVersion(): string;
  /** version is the running release's version ("" when unknown). */
  version(): string;
  /** token is the citizen's access token ("" when signed out). */
  token(): string;
  /** tokenRejected is told when the platform answered 401 to the token. */
  tokenRejected?(): void;
  /** enabled is the configuration's switch (false: record and send nothing). */
  enabled?: boolean;
  flushMs?: number;
  maxQueue?: number;
}

/** Stats is govapp.stats. */
export interface Stats {
  /** track records a custom event: name "apply_submit" is sent as "custom_apply_submit". */
  track(name: string, props?: StatsProps): void;
  /** record records a built-in event (the auto-tracking uses it). */
  record(name: string, props?: StatsProps | null, page?: string): void;
  /** page records a page_view when page differs from the last one. */
  page(page: string): void;
  /** flush sends the queue now (batch after batch) and settles when done or when a send failed. */
  flush(): Promise<void>;
  /** flushOnHide sends one batch without waiting (sendBeacon or fetch keepalive): the page is going away. */
  flushOnHide(): void;
  /** disable stops recording and sending on this device for this app, forgets the queue and device id (remembered). */
  disable(): void;
  /** enable undoes disable(). */
  enable(): void;
  enabled(): boolean;
  /** pending lists the queued events (oldest first). */
  pending(): StatsEvent[];
  /** deviceId is the app-scoped random id that names a signed-out user ("" while disabled). */
  deviceId(): string;
}

/** BUILTIN_EVENTS are the platform's built-in event names. */
export const BUILTIN_EVENTS = ['app_launch', 'page_view', 'jsapi_call', 'error', 'update_installed', 'notice_opened'];
const RE_APP = /^[a-z][a-z0-9-]{2,39}$/;
const RE_CUSTOM = /^custom_[a-z0-9_]{1,40}$/;
const RE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;
const RE_VERSION = /^[A-Za-z0-9._+-]{1,32}$/;

/** utf8Length is the UTF-8 size of s in bytes (a lone surrogate counts as U+FFFD, 3 bytes). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** clipUtf8 cuts s to at most max UTF-8 bytes, never inside a character. */
export function clipUtf8(s: string, max: number): string {
  if (utf8Length(s) <= max) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    const k = utf8Length(ch);
    if (n + k > max) break;
    out += ch;
    n += k;
  }
  return out;
}

/** randomId returns n random bytes as base64url without padding (16 bytes: 22 characters). */
export function randomId(random: (n: number) => Uint8Array, n = 16): string {
  const b = random(n);
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const v = (b[i] << 16) | ((b[i + 1] || 0) << 8) | (b[i + 2] || 0);
    s += A[(v >> 18) & 63] + A[(v >> 12) & 63] + (i + 1 < b.length ? A[(v >> 6) & 63] : '') + (i + 2 < b.length ? A[v & 63] : '');
  }
  return s;
}

/**
 * checkProps returns props as the platform accepts them. strict: a bad key,
 * a nested value or an oversized string throws (track(), the app's own
 * call); otherwise strings are clipped and bad members dropped.
 */
export function checkProps(props: unknown, strict: boolean): StatsProps | undefined {
  if (props === undefined || props === null) return undefined;
  const bad = (why: string): undefined => {
    if (strict) throw new TypeError('参数错误：' + why);
    return undefined;
  };
  if (typeof props !== 'object' || Array.isArray(props)) return bad('props 应为对象');
  const out: StatsProps = {};
  let n = 0;
  for (const k of Object.keys(props as object)) {
    let v = (props as any)[k];
    if (!RE_KEY.test(k)) {
      bad('属性名 ' + k + ' 只能含字母、数字和下划线（最多 40 个）');
      continue;
    }
    if (typeof v === 'string') {
      if (utf8Length(v) > MAX_STRING) {
        if (strict) bad('属性 ' + k + ' 超过 ' + MAX_STRING + ' 字节');
        v = clipUtf8(v, MAX_STRING);
      }
    } else if (typeof v === 'number') {
      if (!isFinite(v)) v = null;
    } else if (typeof v !== 'boolean' && v !== null) {
      bad('属性 ' + k + ' 应为字符串、数字或布尔值');
      continue;
    }
    if (++n > MAX_PROP_KEYS) {
      bad('属性最多 ' + MAX_PROP_KEYS + ' 个');
      break;
    }
    out[k] = v;
  }
  if (utf8Length(JSON.stringify(out)) > MAX_PROPS_BYTES) return bad('属性合计超过 ' + MAX_PROPS_BYTES + ' 字节');
  return n ? out : undefined;
}

/**
 * pageOf turns a location into the page of an event: the path without the
 * /a/{appId}/b/{bundleId} prefix of bundle pages (so pages compare across
 * releases) and without the query; a hash route (#/x, #!/x) is kept, also
 * without its query. At most 256 bytes.
 */
export function pageOf(pathname: string, hash?: string): string {
  let p = (pathname || '/').replace(/^\/a\/[^/]+\/b\/[^/]+(?=\/)/, '');
  if (hash && /^#!?\//.test(hash)) p += hash.replace(/\?.*$/, '');
  return clipUtf8(p, MAX_STRING);
}

/** createStats starts the statistics client of one app. */
export function createStats(env: StatsEnv): Stats {
  const app = RE_APP.test(env.appId || '') ? env.appId : '';
  const key = (name: string) => 'govapp:' + app + ':stats:' + name;
  const maxQueue = env.maxQueue || STATS_MAX_QUEUE;
  const every = env.flushMs || STATS_FLUSH_MS;
  let timer: unknown = null;
  let dueAt = 0;
  let failures = 0;
  let limit = STATS_MAX_BATCH_EVENTS; // halved after a 400/413, until one event is found out
  let inflight: Promise<void> | null = null;
  let lastPage: string | null = null;
  let lastHide = '';

  const get = (k: string): string | null => {
    try {
      return env.storage.getItem(key(k));
    } catch (_) {
      return null;
    }
  };
  const set = (k: string, v: string | null) => {
    try {
      if (v === null) env.storage.removeItem(key(k));
      else env.storage.setItem(key(k), v);
    } catch (_) {
      /* full or disabled storage: the queue lives on in memory only */
    }
  };
  const on = () => !!app && env.enabled !== false && get('off') !== '1';

  let memory: StatsEvent[] = [];
  const read = (): StatsEvent[] => {
    const s = get('queue');
    if (s === null) return memory;
    try {
      const q = JSON.parse(s);
      return Array.isArray(q) ? q.filter((e) => e && typeof e.id === 'string' && typeof e.name === 'string' && typeof e.ts === 'number') : [];
    } catch (_) {
      return [];
    }
  };
  const write = (q: StatsEvent[]) => {
    if (q.length > maxQueue) q = q.slice(q.length - maxQueue);
    memory = q;
    if (!q.length) return set('queue', null);
    try {
      env.storage.setItem(key('queue'), JSON.stringify(q));
    } catch (_) {
      // Quota: keep the newer half in storage, all of it in memory.
      set('queue', JSON.stringify(q.slice(q.length >> 1)));
    }
  };
  const fresh = (q: StatsEvent[]) => {
    const oldest = env.now() - STATS_MAX_AGE_MS;
    return q.filter((e) => e.ts > oldest);
  };
  const remove = (ids: { [id: string]: boolean }) => write(read().filter((e) => !ids[e.id]));

  const deviceId = (): string => {
    if (!on()) return '';
    let d = get('did');
    if (!d || !/^[A-Za-z0-9_-]{8,128}$/.test(d)) {
      d = randomId(env.random);
      set('did', d);
    }
    return d;
  };

  const schedule = (ms: number) => {
    const at = env.now() + ms;
    if (timer !== null && dueAt <= at) return;
    if (timer !== null) env.clearTimeout(timer);
    dueAt = at;
    timer = env.setTimeout(() => {
      timer = null;
      flush();
    }, ms);
  };
  const stop = () => {
    if (timer !== null) env.clearTimeout(timer);
    timer = null;
  };

  /** batch takes the first events of q that fit in one request; body is the request's JSON. */
  const batch = (q: StatsEvent[], max: number): { events: StatsEvent[]; body: string } => {
    const head = { sent_at: env.now(), app, device_id: deviceId(), events: [] as StatsEvent[] };
    let size = utf8Length(JSON.stringify(head));
    const events: StatsEvent[] = [];
    const parts: string[] = [];
    for (const e of q) {
      if (events.length >= max) break;
      const s = JSON.stringify(e);
      const n = utf8Length(s) + (events.length ? 1 : 0);
      if (size + n > STATS_MAX_BATCH_BYTES) {
        if (!events.length) events.push(e); // cannot fit alone: sent anyway, refused, dropped
        break;
      }
      size += n;
      events.push(e);
      parts.push(s);
    }
    const body = JSON.stringify(head).replace(/\[\]\}$/, '[' + parts.join(',') + ']}');
    return { events, body };
  };

  const headers = (token: string): { [k: string]: string } => {
    const h: { [k: string]: string } = { 'Content-Type': 'application/json' };
    if (token) h.Authorization = 'Bearer ' + token;
    return h;
  };

  /**
   * answered applies the platform's reply to a sent batch: "next" when the
   * queue may go on, "wait" to try again at the next interval, "fail" to back off.
   */
  const answered = async (res: Response, events: StatsEvent[], token: string): Promise<'next' | 'wait' | 'fail'> => {
    const s = res.status;
    if (s >= 200 && s < 300) {
      let items: any[] | null = null;
      try {
        const b: any = await res.json();
        if (b && Array.isArray(b.items)) items = b.items;
      } catch (_) {
        /* no body: taken as all delivered */
      }
      const done: { [id: string]: boolean } = {};
      let left = 0;
      events.forEach((e, i) => {
        const it = items ? items.filter((x) => x && x.index === i && (!x.id || x.id === e.id))[0] : { status: 'accepted' };
        // accepted and duplicate are delivered; rejected would be rejected again: drop it.
        if (it && (it.status === 'accepted' || it.status === 'duplicate' || it.status === 'rejected')) done[e.id] = true;
        else left++;
      });
      remove(done);
      failures = 0;
      return left ? 'wait' : 'next';
    }
    if (s === 401 && token) {
      if (env.tokenRejected) env.tokenRejected(); // a stale token: the device id names the user instead
      return 'next';
    }
    if (s === 400 || s === 413) {
      // A whole-batch refusal: halve the batch until the one bad event is alone, then drop it.
      if (events.length > 1) limit = Math.max(1, events.length >> 1);
      else {
        remove({ [events[0].id]: true });
        limit = STATS_MAX_BATCH_EVENTS;
      }
      return 'next';
    }
    return 'fail'; // 404 (not deployed yet), 429, 5xx: keep and retry later
  };

  const backoff = () => {
    failures++;
    // every × 2^failures, ±25 % so that phones which failed together do not come back together.
    const ms = Math.min(MAX_BACKOFF_MS, every * Math.pow(2, failures)) * (0.75 + env.random(1)[0] / 510);
    schedule(Math.round(ms));
  };

  const flush = (): Promise<void> => {
    if (inflight) return inflight;
    inflight = (async () => {
      let rounds = 0;
      while (on() && rounds++ < 40) {
        const all = read();
        const q = fresh(all);
        if (q.length < all.length) write(q);
        if (!q.length) return;
        const token = env.token();
        const b = batch(q, limit);
        let res: Response;
        try {
          res = await env.fetch(env.url('/v1/runtime/events'), { method: 'POST', headers: headers(token), body: b.body, credentials: 'same-origin' });
        } catch (_) {
          return backoff();
        }
        const next = await answered(res, b.events, token);
        if (next === 'fail') return backoff();
        if (next === 'wait') return;
      }
    })().then(
      () => {
        inflight = null;
        if (!read().length) limit = STATS_MAX_BATCH_EVENTS;
        if (on() && read().length && timer === null) schedule(every);
      },
      () => {
        inflight = null;
      },
    );
    return inflight;
  };

  const flushOnHide = () => {
    if (!on()) return;
    const q = fresh(read());
    if (!q.length) return;
    const b = batch(q, STATS_MAX_BATCH_EVENTS);
    const mark = b.events[0].id + b.events.length + '/' + Math.floor(env.now() / 1000);
    if (mark === lastHide) return; // visibilitychange and pagehide of one departure
    lastHide = mark;
    const url = env.url('/v1/runtime/events');
    const token = env.token();
    const viaFetch = (tok: string) => {
      env
        .fetch(url, { method: 'POST', headers: headers(tok), body: b.body, keepalive: true, credentials: 'same-origin' })
        .then((res) => answered(res, b.events, tok))
        .then(
          () => undefined,
          () => undefined,
        );
    };
    // Signed in: fetch keepalive carries the token; sendBeacon cannot carry
    // headers, so a beacon would count the events under the device id.
    // The events stay queued until a reply says otherwise; a resend of what a
    // beacon delivered answers "duplicate".
    try {
      if (token && env.keepalive) return viaFetch(token);
      if (env.sendBeacon && env.sendBeacon(url, env.blob ? env.blob(b.body) : b.body)) return;
      if (env.keepalive) viaFetch('');
    } catch (_) {
      /* the page is going away; the queue is resent next launch */
    }
  };

  const record = (name: string, props?: StatsProps | null, page?: string) => {
    if (!on()) return;
    const e: StatsEvent = { id: randomId(env.random), name, ts: env.now(), container: env.channel() };
    const cv = env.containerVersion();
    if (cv && RE_VERSION.test(cv)) e.container_version = cv;
    const v = env.version();
    if (v && RE_VERSION.test(v)) e.version = v;
    const p = page !== undefined ? page : lastPage;
    if (p) e.page = clipUtf8(p, MAX_STRING);
    const pr = checkProps(props, false);
    if (pr) e.props = pr;
    const q = read();
    q.push(e);
    write(q);
    schedule(q.length >= STATS_MAX_BATCH_EVENTS ? 0 : every);
  };

  return {
    track(name: string, props?: StatsProps) {
      const n = typeof name === 'string' && name.indexOf('custom_') !== 0 ? 'custom_' + name : name;
      if (typeof n !== 'string' || !RE_CUSTOM.test(n)) {
        throw new TypeError('参数错误：事件名应为小写字母、数字和下划线（最多 40 个），如 apply_submit');
      }
      const pr = checkProps(props, true);
      record(n, pr);
    },
    record,
    page(page: string) {
      if (page === lastPage) return;
      lastPage = page;
      record('page_view', null, page);
    },
    flush,
    flushOnHide,
    disable() {
      set('off', '1');
      stop();
      memory = [];
      set('queue', null);
      set('did', null);
    },
    enable() {
      set('off', null);
    },
    enabled: on,
    pending: () => read().slice(),
    deviceId,
  };
}

/** AutoTrackEnv is the page the auto-tracking listens to. */
export interface AutoTrackEnv {
  win: any;
  appId: string;
  /** session is sessionStorage: one app_launch per browser session (a WebView opening the app). */
  session?: KeyValueStore;
  /** launchProps are the app_launch properties (platform, sdk version). */
  launchProps?: StatsProps;
}

const MAX_ERRORS = 20;

/**
 * autoTrack records app_launch once per session, page_view for the first
 * page and every route change (history.pushState/replaceState, popstate,
 * hashchange), uncaught errors and unhandled rejections (at most 20 per page,
 * repeats of one message once), and sends the queue when the page is hidden
 * or left. It returns a function that removes the listeners.
 */
export function autoTrack(stats: Stats, o: AutoTrackEnv): () => void {
  const win = o.win;
  const doc = win.document;
  const undo: Array<() => void> = [];
  const listen = (target: any, type: string, fn: (e: any) => void) => {
    if (!target || typeof target.addEventListener !== 'function') return;
    target.addEventListener(type, fn);
    undo.push(() => target.removeEventListener(type, fn));
  };
  const here = () => {
    const l = win.location || {};
    return pageOf(l.pathname || '/', l.hash || '');
  };

  const appKey = 'govapp:' + o.appId + ':stats:launched';
  let first = true;
  try {
    first = !o.session || o.session.getItem(appKey) !== '1';
    if (o.session) o.session.setItem(appKey, '1');
  } catch (_) {
    /* no sessionStorage: every page load is a launch */
  }
  if (first) stats.record('app_launch', o.launchProps || null, here());
  stats.page(here());

  const changed = () => stats.page(here());
  const h = win.history;
  for (const m of ['pushState', 'replaceState']) {
    const orig = h && h[m];
    if (typeof orig !== 'function') continue;
    const wrapped = function (this: any) {
      const r = orig.apply(this, arguments as any);
      changed();
      return r;
    };
    h[m] = wrapped;
    undo.push(() => {
      if (h[m] === wrapped) h[m] = orig;
    });
  }
  listen(win, 'popstate', changed);
  listen(win, 'hashchange', changed);

  let errors = 0;
  const seen: { [m: string]: boolean } = {};
  const error = (kind: string, message: string, source?: string, line?: number) => {
    const m = clipUtf8(String(message || 'unknown error'), MAX_STRING);
    if (seen[m] || errors >= MAX_ERRORS) return;
    seen[m] = true;
    errors++;
    const p: StatsProps = { kind, message: m };
    if (source) p.source = String(source).replace(/[?#].*$/, '');
    if (typeof line === 'number') p.line = line;
    stats.record('error', p);
  };
  listen(win, 'error', (e: any) => {
    if (!e || (e.target && e.target !== win && e.target.tagName)) return; // a resource that failed to load
    error('error', e.message || (e.error && e.error.message), e.filename, e.lineno);
  });
  listen(win, 'unhandledrejection', (e: any) => {
    const r = e && e.reason;
    error('rejection', r && typeof r.message === 'string' ? r.message : String(r));
  });

  listen(doc, 'visibilitychange', () => {
    if (doc.visibilityState === 'hidden') stats.flushOnHide();
  });
  listen(win, 'pagehide', () => stats.flushOnHide());
  return () => undo.splice(0).forEach((f) => f());
}
