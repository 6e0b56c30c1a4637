import { KeyValueStore } from './state';
import { FetchLike, SigningKey, UpdateResponse } from './update';
import { Limits } from './verify';
/** LoaderConfig is what the server injects as window.__GOVAPP_LOADER__. */
export interface LoaderConfig {
    /** server is the platform origin for API calls ("" = this page's origin). */
    server: string;
    appId: string;
    channel?: string;
    /** device is the device id (the govapp_did cookie). */
    device: string;
    /** offer is the update answer for this device's cohort, or null when nothing is released for it. */
    offer: UpdateResponse | null;
    /** keys are the trusted keys; when absent, the offer's keys are used. */
    keys?: SigningKey[];
    limits?: Partial<Limits>;
}
/** LoaderEnv is the page as the loader sees it. */
export interface LoaderEnv {
    storage: KeyValueStore;
    /** navigate replaces the current page (location.replace). */
    navigate(url: string): void;
    /** showError renders the Chinese error page; its 重试 button calls onRetry (if any) and reloads. */
    showError(title: string, message: string, onRetry?: () => void): void;
    fetch: FetchLike;
    /** reportWaitMs bounds how long reports may delay a navigation (default 1500). */
    reportWaitMs?: number;
}
/** LoaderOutcome says what the loader did (returned for tests and logs). */
export type LoaderOutcome = {
    action: 'navigate';
    url: string;
    bundle_id: string;
    via: 'update' | 'good';
} | {
    action: 'error';
    title: string;
    message: string;
};
/**
 * bootLoader runs the loader's state machine:
 *
 *  1. If the bundle it started last time (pending) recorded a failure, or
 *     never called ready() (booting still set), report `failed` with the
 *     reason and never try that bundle again on this device.
 *  2. If the offer names a bundle other than the last good one (and not one
 *     that failed here), verify the envelope and every file; on success
 *     remember it as pending, mark it booting and open it; on a verdict
 *     report `verify_failed` and open the last good bundle.
 *  3. Otherwise open the last good bundle, or show the error page when there
 *     is none.
 */
export declare function bootLoader(config: LoaderConfig, env: LoaderEnv): Promise<LoaderOutcome>;
