import type { KeyValueStore } from './state';
import type { FetchLike } from './update';
/** Limits of a batch, as platform/internal/stats/model.go sets them. */
export declare const STATS_MAX_BATCH_EVENTS = 50;
export declare const STATS_MAX_BATCH_BYTES: number;
/** STATS_MAX_QUEUE bounds the localStorage queue; the oldest events are dropped past it. */
export declare const STATS_MAX_QUEUE = 500;
/** STATS_MAX_AGE_MS: the platform refuses events older than 7 days (too_old), so they are not sent. */
export declare const STATS_MAX_AGE_MS: number;
/** STATS_FLUSH_MS is how often the queue is sent while the page is open. */
export declare const STATS_FLUSH_MS = 5000;
/** Channel is an event's container as the platform counts it (浙里办 counts as the gov app). */
export type Channel = 'wechat' | 'alipay' | 'govapp' | 'web';
/** StatsProps are an event's properties: a flat object of short scalars. */
export type StatsProps = {
    [key: string]: string | number | boolean | null;
};
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
export declare const BUILTIN_EVENTS: string[];
/** utf8Length is the UTF-8 size of s in bytes (a lone surrogate counts as U+FFFD, 3 bytes). */
export declare function utf8Length(s: string): number;
/** clipUtf8 cuts s to at most max UTF-8 bytes, never inside a character. */
export declare function clipUtf8(s: string, max: number): string;
/** randomId returns n random bytes as base64url without padding (16 bytes: 22 characters). */
export declare function randomId(random: (n: number) => Uint8Array, n?: number): string;
/**
 * checkProps returns props as the platform accepts them. strict: a bad key,
 * a nested value or an oversized string throws (track(), the app's own
 * call); otherwise strings are clipped and bad members dropped.
 */
export declare function checkProps(props: unknown, strict: boolean): StatsProps | undefined;
/**
 * pageOf turns a location into the page of an event: the path without the
 * /a/{appId}/b/{bundleId} prefix of bundle pages (so pages compare across
 * releases) and without the query; a hash route (#/x, #!/x) is kept, also
 * without its query. At most 256 bytes.
 */
export declare function pageOf(pathname: string, hash?: string): string;
/** createStats starts the statistics client of one app. */
export declare function createStats(env: StatsEnv): Stats;
/** AutoTrackEnv is the page the auto-tracking listens to. */
export interface AutoTrackEnv {
    win: any;
    appId: string;
    /** session is sessionStorage: one app_launch per browser session (a WebView opening the app). */
    session?: KeyValueStore;
    /** launchProps are the app_launch properties (platform, sdk version). */
    launchProps?: StatsProps;
}
/**
 * autoTrack records app_launch once per session, page_view for the first
 * page and every route change (history.pushState/replaceState, popstate,
 * hashchange), uncaught errors and unhandled rejections (at most 20 per page,
 * repeats of one message once), and sends the queue when the page is hidden
 * or left. It returns a function that removes the listeners.
 */
export declare function autoTrack(stats: Stats, o: AutoTrackEnv): () => void;
