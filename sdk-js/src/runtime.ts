// The in-app runtime of plain H5 containers: /sdk/govapp.js is injected into
// a bundle's entry HTML. While the bundle is on trial (the loader just
// verified and opened it), an error before govapp.ready() or no ready()
// within 10 s records a failure and goes back to the loader, which reports
// it and opens the last good bundle. ready() makes the bundle the good one.

import { AppState, BundleRef, KeyValueStore, loaderUrl } from './state';
import { FetchLike, report } from './update';

/** RuntimeEnv is the page as the runtime sees it. */
export interface RuntimeEnv {
  storage: KeyValueStore;
  /** pathname is location.pathname: /a/{appId}/b/{bundleId}/... */
  pathname: string;
  navigate(url: string): void;
  /** onError subscribes to uncaught errors and unhandled rejections (message only). */
  onError(cb: (message: string) => void): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  fetch: FetchLike;
}

/** RuntimeOptions tune the runtime; timeoutMs defaults to 10 000. */
export interface RuntimeOptions {
  timeoutMs?: number;
}

/** RuntimeState is where the running bundle stands. */
export type RuntimeState =
  | 'inert' // not a bundle page (/a/{appId}/b/{bundleId}/…), or not opened by the loader
  | 'trial' // opened by the loader, waiting for ready()
  | 'good' // the last good bundle, or ready() was called
  | 'failed'; // failed during its trial; going back to the loader

/** Runtime is window.govapp as far as hot update is concerned. */
export interface Runtime {
  readonly appId: string | null;
  readonly bundleId: string | null;
  /** state tells where the running bundle stands. */
  state(): RuntimeState;
  /**
   * ready tells the platform the app started: call it once the first screen
   * works. During a trial it makes this bundle the good one and reports
   * `ready`; otherwise it does nothing.
   */
  ready(): Promise<void>;
}

/** DEFAULT_TIMEOUT_MS is how long a bundle on trial has to call ready(). */
export const DEFAULT_TIMEOUT_MS = 10000;

const BUNDLE_PATH = /^\/a\/([^/]+)\/b\/([^/]+)\//;

/** parseBundlePath returns the app and bundle of a bundle page's path, or null. */
export function parseBundlePath(pathname: string): { appId: string; bundleId: string } | null {
  const m = BUNDLE_PATH.exec(pathname || '');
  if (!m) return null;
  try {
    return { appId: decodeURIComponent(m[1]), bundleId: decodeURIComponent(m[2]) };
  } catch (_) {
    return null;
  }
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}

/** createRuntime starts the runtime for the page in env and returns window.govapp's hot-update part. */
export function createRuntime(env: RuntimeEnv, opts?: RuntimeOptions): Runtime {
  const where = parseBundlePath(env.pathname);
  if (!where) {
    return { appId: null, bundleId: null, state: () => 'inert', ready: () => Promise.resolve() };
  }
  const { appId, bundleId } = where;
  const st = new AppState(env.storage, appId);
  const pending = st.pending();
  const good = st.good();
  let trial: BundleRef | null = pending && pending.bundle_id === bundleId ? pending : null;
  let state: RuntimeState = trial ? 'trial' : good && good.bundle_id === bundleId ? 'good' : 'inert';
  let timer: unknown = null;

  const fail = (reason: string) => {
    if (state !== 'trial') return;
    state = 'failed';
    if (timer !== null) env.clearTimeout(timer);
    st.setFailed({ bundle_id: bundleId, reason: clip(reason, 300) });
    env.navigate(loaderUrl(appId));
  };

  if (trial) {
    env.onError((message) => fail('error: ' + (message || 'unknown error')));
    timer = env.setTimeout(() => fail('timeout'), opts && opts.timeoutMs ? opts.timeoutMs : DEFAULT_TIMEOUT_MS);
  }

  return {
    appId,
    bundleId,
    state: () => state,
    ready: async () => {
      if (state !== 'trial' || !trial) return;
      const ref = trial;
      trial = null;
      state = 'good';
      if (timer !== null) env.clearTimeout(timer);
      st.setGood(ref);
      st.clearTrial();
      st.removeBad(ref.bundle_id);
      const ctx = st.context();
      if (ctx) {
        await report(
          ctx.server,
          { app_id: appId, release_id: ref.release_id, bundle_id: ref.bundle_id, device: ctx.device, event: 'ready' },
          { fetch: env.fetch },
        );
      }
    },
  };
}
