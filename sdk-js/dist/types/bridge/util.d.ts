import type { Container } from './errors';
import type { GovappConfig } from './config';
import type { SystemInfo } from './types';
/**
 * detectContainer tells where the page runs, first match wins:
 * config.container (govapp dev, the sandbox phone); the gov-app native bridge
 * (window.GovAppNative, webkit.messageHandlers.govapp, or "GovApp/x.y" in the
 * user agent); 浙里办 (window.ZWJSBridge, or "dtdreamweb" in the user agent);
 * Alipay ("AlipayClient", or window.AlipayJSBridge); WeChat ("MicroMessenger");
 * otherwise a plain browser.
 */
export declare function detectContainer(win: any, config?: GovappConfig): Container;
/** hasNativeBridge reports whether the gov-app container injected its message bridge. */
export declare function hasNativeBridge(win: any): boolean;
export declare function userAgent(win: any): string;
/** systemInfoFromUa builds SystemInfo from the user agent and the screen. */
export declare function systemInfoFromUa(win: any, container: Container, sdkVersion: string): SystemInfo;
/** isIos reports an iPhone/iPad user agent (WeChat signs the landing URL there). */
export declare function isIos(win: any): boolean;
/** withTimeout settles with p, or rejects with a timeout fault after ms (0 = never). */
export declare function withTimeout<T>(p: Promise<T>, ms: number, message?: string): Promise<T>;
/** loadScript adds a <script src> and resolves when it ran. */
export declare function loadScript(win: any, url: string): Promise<void>;
/** pageUrl is location.href without its #fragment (what WeChat signs). */
export declare function pageUrl(win: any): string;
/** queryParam returns the first value of name in the page's query, or null. */
export declare function queryParam(win: any, name: string): string | null;
/** withoutParams returns url with the query parameters in names removed. */
export declare function withoutParams(url: string, names: string[]): string;
/** dropParams removes query parameters from the address bar without reloading (a used OAuth code must not be bookmarked). */
export declare function dropParams(win: any, names: string[]): void;
/** httpUrl resolves u against the page and returns it when it is http(s), else null. */
export declare function httpUrl(win: any, u: unknown): string | null;
/** PHONE is what phoneCall accepts: digits with + - * # ( ) and spaces, up to 32 characters. */
export declare const PHONE: RegExp;
/** followLink clicks a temporary <a href> (tel: links, which location changes may not open). */
export declare function followLink(win: any, href: string): void;
/** randomId returns a URL-safe random string (OAuth state, nonces). */
export declare function randomId(win: any, bytes?: number): string;
