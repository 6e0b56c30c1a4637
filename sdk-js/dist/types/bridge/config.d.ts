import type { Container } from './errors';
import type { ImageSource, Method, UiStyle } from './types';
/** GovappConfig is window.__GOVAPP__. Unknown members are ignored. */
export interface GovappConfig {
    /** appId is the light app (the loader's /a/{appId}/ path gives it too). */
    appId?: string;
    bundleId?: string;
    /** server is the platform origin for API calls; "" or absent = the page's origin. */
    server?: string;
    /** jsapi is the app's jsapi_permissions from govapp.json: location, camera, scan, album, share, phone_call, … */
    jsapi?: string[];
    /** container forces the container instead of detecting it (govapp dev, the sandbox phone). */
    container?: Container;
    /** uiStyle is the portal's display mode, used where the container has none of its own. */
    uiStyle?: UiStyle;
    /** readyTimeoutMs bounds the wait for the container's bridge (default 10 000). */
    readyTimeoutMs?: number;
    /** version is the running release's version (the manifest's), sent with usage events. */
    version?: string;
    /** stats: false turns usage statistics off; true turns them on where they are off by default (govapp dev). */
    stats?: boolean;
    wechat?: {
        /** appId of the official account; default: the one the signature endpoint answers. */
        appId?: string;
        /** oauthUrl is WeChat's authorize page (the sandbox's in dev). */
        oauthUrl?: string;
        /** jsUrl is the JS-SDK loaded when the page did not include it. */
        jsUrl?: string;
    };
    alipay?: {
        /** appId of the Alipay open-platform app, for getAuthCode. */
        appId?: string;
    };
    zlb?: {
        /** jsUrl is the ZWJSBridge script loaded when the page did not include it. */
        jsUrl?: string;
    };
}
/** JSAPI_PERMISSIONS are the permission names of govapp.json's jsapi_permissions (as the platform validates them). */
export declare const JSAPI_PERMISSIONS: string[];
/** PERMISSION_OF tells which permission a method needs; chooseImage needs camera and/or album (see imageSources). */
export declare const PERMISSION_OF: {
    [m in Method]?: string;
};
export declare const DEFAULT_WECHAT_OAUTH_URL = "https://open.weixin.qq.com/connect/oauth2/authorize";
export declare const DEFAULT_WECHAT_JS_URL = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js";
export declare const DEFAULT_ZLB_JS_URL = "https://assets.zjzwfw.gov.cn/assets/ZWJSBridge/1.1.0/zwjsbridge.js";
export declare const DEFAULT_READY_TIMEOUT_MS = 10000;
/** normalizeConfig copies the members of a raw __GOVAPP__ value that have the right types. */
export declare function normalizeConfig(raw: unknown): GovappConfig;
/** declared reports whether the config declares permission p. */
export declare function declared(c: GovappConfig, p: string): boolean;
/**
 * imageSources returns the sources chooseImage may use: the asked ones (all
 * of which must be declared) or, by default, the declared ones. An empty
 * answer names the first missing permission.
 */
export declare function imageSources(c: GovappConfig, asked: ImageSource[] | undefined): {
    ok: ImageSource[];
    missing?: string;
};
