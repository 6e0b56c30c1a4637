import { Envelope, Limits, TrustedKey, VerifyResult } from './verify';
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
export declare class UpdateError extends Error {
    readonly status: number;
    constructor(message: string, status: number);
}
/** UpdateCache remembers the last 200 answer per URL, for If-None-Match. */
export declare class UpdateCache {
    private entries;
    get(url: string): {
        etag: string;
        body: UpdateResponse;
    } | undefined;
    set(url: string, etag: string, body: UpdateResponse): void;
    delete(url: string): void;
}
/** joinUrl joins the server origin and an absolute path. */
export declare function joinUrl(server: string, path: string): string;
/** updateUrl returns the URL of the update check for p. */
export declare function updateUrl(p: CheckParams): string;
/**
 * checkForUpdate asks GET /v1/runtime/apps/{appId}/update. It returns null on
 * 204 (the device already runs the answer) and the parsed answer on 200; a
 * 304 answers the cached body of the last 200 with the same URL.
 */
export declare function checkForUpdate(p: CheckParams): Promise<UpdateResponse | null>;
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
export declare class DownloadError extends Error {
    readonly status: number;
    constructor(message: string, status: number);
}
/**
 * downloadAndVerify verifies the response's envelope with its keys (checks
 * 1–12, before downloading anything), then fetches every file from
 * GET /v1/runtime/files/{sha256} — each distinct hash once — and runs checks
 * 13–15. A 404 is missing_file; any other failure to download throws
 * DownloadError, which is not a verdict on the bundle.
 */
export declare function downloadAndVerify(response: UpdateResponse, opts: DownloadOptions): Promise<VerifyResult>;
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
export declare function report(server: string, body: Report, opts?: {
    fetch?: FetchLike;
}): Promise<boolean>;
