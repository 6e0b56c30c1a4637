import { KeyValueStore } from './state';
import { FetchLike } from './update';
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
export type RuntimeState = 'inert' | 'trial' | 'good' | 'failed';
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
export declare const DEFAULT_TIMEOUT_MS = 10000;
/** parseBundlePath returns the app and bundle of a bundle page's path, or null. */
export declare function parseBundlePath(pathname: string): {
    appId: string;
    bundleId: string;
} | null;
/** createRuntime starts the runtime for the page in env and returns window.govapp's hot-update part. */
export declare function createRuntime(env: RuntimeEnv, opts?: RuntimeOptions): Runtime;
