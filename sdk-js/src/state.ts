// What the loader and the in-app runtime remember per app, in localStorage
// (or anything with the same three methods), under "govapp:<appId>:<name>".

/** KeyValueStore is the part of the Web Storage API the SDK uses. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** BundleRef names a bundle and how to open it. */
export interface BundleRef {
  bundle_id: string;
  release_id: string;
  entry: string;
}

/** Failure is a start-up failure the runtime recorded for the loader to report. */
export interface Failure {
  bundle_id: string;
  reason: string;
}

/** Context is what the runtime needs to report: the platform origin and the device id. */
export interface Context {
  server: string;
  device: string;
}

const MAX_BAD = 20;

/** MemoryStore is a KeyValueStore in memory (tests, or pages where localStorage throws). */
export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, string>();
  getItem(key: string): string | null {
    const v = this.data.get(key);
    return v === undefined ? null : v;
  }
  setItem(key: string, value: string): void {
    this.data.set(key, String(value));
  }
  removeItem(key: string): void {
    this.data.delete(key);
  }
}

/** AppState reads and writes one app's keys; a broken value reads as absent. */
export class AppState {
  constructor(private readonly store: KeyValueStore, readonly appId: string) {}

  /** key returns the storage key of name: "govapp:<appId>:<name>". */
  key(name: string): string {
    return 'govapp:' + this.appId + ':' + name;
  }

  private get<T>(name: string, valid: (v: any) => boolean): T | null {
    try {
      const s = this.store.getItem(this.key(name));
      if (s === null) return null;
      const v = JSON.parse(s);
      return valid(v) ? (v as T) : null;
    } catch (_) {
      return null;
    }
  }

  private set(name: string, v: unknown): void {
    try {
      this.store.setItem(this.key(name), JSON.stringify(v));
    } catch (_) {
      // Storage full or refused: the next launch simply knows less.
    }
  }

  private del(name: string): void {
    try {
      this.store.removeItem(this.key(name));
    } catch (_) {
      /* ignore */
    }
  }

  good(): BundleRef | null {
    return this.get<BundleRef>('good', isRef);
  }
  setGood(r: BundleRef): void {
    this.set('good', { bundle_id: r.bundle_id, release_id: r.release_id, entry: r.entry });
  }
  clearGood(): void {
    this.del('good');
  }

  pending(): BundleRef | null {
    return this.get<BundleRef>('pending', isRef);
  }
  setPending(r: BundleRef): void {
    this.set('pending', { bundle_id: r.bundle_id, release_id: r.release_id, entry: r.entry });
  }

  /** booting is the bundle id the loader navigated to and that has not called ready() yet. */
  booting(): string | null {
    return this.get<string>('booting', (v) => typeof v === 'string');
  }
  setBooting(bundleId: string): void {
    this.set('booting', bundleId);
  }

  failed(): Failure | null {
    return this.get<Failure>('failed', (v) => v && typeof v.bundle_id === 'string' && typeof v.reason === 'string');
  }
  setFailed(f: Failure): void {
    this.set('failed', { bundle_id: f.bundle_id, reason: f.reason });
  }

  /** clearTrial forgets pending, booting and failed together. */
  clearTrial(): void {
    this.del('pending');
    this.del('booting');
    this.del('failed');
  }

  /** bad lists the bundles that failed to start here, newest last; they are not tried again. */
  bad(): string[] {
    return this.get<string[]>('bad', (v) => Array.isArray(v) && v.every((x: unknown) => typeof x === 'string')) || [];
  }
  isBad(bundleId: string): boolean {
    return this.bad().indexOf(bundleId) >= 0;
  }
  addBad(bundleId: string): void {
    const b = this.bad().filter((x) => x !== bundleId);
    b.push(bundleId);
    this.set('bad', b.slice(-MAX_BAD));
  }
  removeBad(bundleId: string): void {
    const b = this.bad();
    if (b.indexOf(bundleId) >= 0) this.set('bad', b.filter((x) => x !== bundleId));
  }

  context(): Context | null {
    return this.get<Context>('ctx', (v) => v && typeof v.server === 'string' && typeof v.device === 'string');
  }
  setContext(c: Context): void {
    this.set('ctx', { server: c.server, device: c.device });
  }
}

function isRef(v: any): boolean {
  return !!v && typeof v.bundle_id === 'string' && typeof v.release_id === 'string' && typeof v.entry === 'string';
}

/** bundleUrl returns the page-relative URL of a bundle's file: /a/{appId}/b/{bundleId}/{path}. */
export function bundleUrl(appId: string, bundleId: string, path: string): string {
  return '/a/' + encodeURIComponent(appId) + '/b/' + encodeURIComponent(bundleId) + '/' + path.split('/').map(encodeURIComponent).join('/');
}

/** loaderUrl returns the URL of an app's loader page: /a/{appId}/. */
export function loaderUrl(appId: string): string {
  return '/a/' + encodeURIComponent(appId) + '/';
}
