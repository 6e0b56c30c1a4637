/** Container names a kind of page host: WeChat, Alipay, the province's gov app, a 浙里办-style ZWJSBridge, a plain browser. */
export type Container = 'wechat' | 'alipay' | 'govapp' | 'zlb' | 'web';
/** ErrorCode is the stable, switchable part of a GovappError. */
export type ErrorCode = 'cancelled' | 'denied' | 'unsupported' | 'not_declared' | 'failed' | 'timeout' | 'not_ready';
/** ERROR_CODES lists every ErrorCode. */
export declare const ERROR_CODES: ErrorCode[];
/** defaultMessage returns the Chinese message of code for method in container, when the adapter gave none. */
export declare function defaultMessage(code: ErrorCode, method?: string, container?: Container): string;
/** GovappError is the one error type of the JS API. */
export declare class GovappError extends Error {
    /** code is one of ERROR_CODES. */
    readonly code: ErrorCode;
    /** container is where the call ran. */
    readonly container: Container;
    /** method is the API method that failed ("scan", "login", …). */
    readonly method: string;
    /** detail is the container's own answer (e.g. {errMsg: "scanQRCode:cancel"}), for logs only. */
    readonly detail?: unknown;
    constructor(code: ErrorCode, message: string, container: Container, method: string, detail?: unknown);
    toJSON(): {
        name: string;
        code: ErrorCode;
        message: string;
        container: Container;
        method: string;
    };
}
/** isGovappError tells a GovappError from other errors (also across copies of the SDK). */
export declare function isGovappError(e: unknown): e is GovappError;
/**
 * Fault is what adapters throw: a code and a message, without the container
 * and method, which the API adds. A plain Error thrown by an adapter becomes
 * `failed`.
 */
export declare class Fault {
    readonly code: ErrorCode;
    readonly message?: string | undefined;
    readonly detail?: unknown | undefined;
    constructor(code: ErrorCode, message?: string | undefined, detail?: unknown | undefined);
}
/** fault returns a Fault (for `throw fault('cancelled')` in adapters). */
export declare function fault(code: ErrorCode, message?: string, detail?: unknown): Fault;
