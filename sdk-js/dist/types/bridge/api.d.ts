import { GovappConfig } from './config';
import { Container, GovappError } from './errors';
import { BridgeApi, Method } from './types';
/** BridgeOptions configure createBridge. */
export interface BridgeOptions {
    /** win is the global object: window in a page, a fake in tests. */
    win: any;
    sdkVersion: string;
    /** appId is used when __GOVAPP__ has none (the runtime reads it from /a/{appId}/b/…). */
    appId?: string | null;
    fetch?: (url: string, init?: RequestInit) => Promise<Response>;
    /** config replaces window.__GOVAPP__ (read on every call otherwise). */
    config?: GovappConfig;
    /** onCall is told how every call settled (the statistics' jsapi_call); it never affects the call. */
    onCall?: (method: Method, ok: boolean, code: string, ms: number) => void;
}
/** toGovappError turns anything an adapter threw into a GovappError. */
export declare function toGovappError(e: unknown, container: Container, method: string): GovappError;
/** createBridge returns the JS API for the page in o.win. */
export declare function createBridge(o: BridgeOptions): BridgeApi;
