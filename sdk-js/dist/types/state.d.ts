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
/** MemoryStore is a KeyValueStore in memory (tests, or pages where localStorage throws). */
export declare class MemoryStore implements KeyValueStore {
    readonly data: Map<string, string>;
    getItem(key: string): string | null;
    setItem(key: string, value: string): void;
    removeItem(key: string): void;
}
/** AppState reads and writes one app's keys; a broken value reads as absent. */
export declare class AppState {
    private readonly store;
    readonly appId: string;
    constructor(store: KeyValueStore, appId: string);
    /** key returns the storage key of name: "govapp:<appId>:<name>". */
    key(name: string): string;
    private get;
    private set;
    private del;
    good(): BundleRef | null;
    setGood(r: BundleRef): void;
    clearGood(): void;
    pending(): BundleRef | null;
    setPending(r: BundleRef): void;
    /** booting is the bundle id the loader navigated to and that has not called ready() yet. */
    booting(): string | null;
    setBooting(bundleId: string): void;
    failed(): Failure | null;
    setFailed(f: Failure): void;
    /** clearTrial forgets pending, booting and failed together. */
    clearTrial(): void;
    /** bad lists the bundles that failed to start here, newest last; they are not tried again. */
    bad(): string[];
    isBad(bundleId: string): boolean;
    addBad(bundleId: string): void;
    removeBad(bundleId: string): void;
    context(): Context | null;
    setContext(c: Context): void;
}
/** bundleUrl returns the page-relative URL of a bundle's file: /a/{appId}/b/{bundleId}/{path}. */
export declare function bundleUrl(appId: string, bundleId: string, path: string): string;
/** loaderUrl returns the URL of an app's loader page: /a/{appId}/. */
export declare function loaderUrl(appId: string): string;
