import { Adapter, Ctx } from '../adapter';
import { Fault } from '../errors';
/** WechatSignature is the answer of GET /v1/bridge/wechat/signature: the arguments of wx.config. */
export interface WechatSignature {
    appId: string;
    timestamp: number;
    nonceStr: string;
    signature: string;
    jsApiList: string[];
}
/**
 * WECHAT_JSAPIS_OF maps a jsapi permission to the wx APIs the SDK uses, which
 * the platform should put in jsApiList; "" is what every app needs. Without
 * previewImage or closeWindow the SDK falls back (an in-page viewer,
 * WeixinJSBridge's closeWindow); without getLocalImgData, pictures on iOS
 * come back as bare localIds.
 */
export declare const WECHAT_JSAPIS_OF: {
    [permission: string]: string[];
};
/**
 * wxFault maps a WeChat answer ({errMsg: "scanQRCode:cancel"}) to a Fault:
 * cancel; "permission denied" (the account lacks the API or jsApiList does
 * not list it) and "auth deny" (the user refused) are denied; "offline
 * verifying" (wx.config not verified yet) is not_ready; "function not exist"
 * (an old client) is unsupported; anything else failed.
 */
export declare function wxFault(res: any): Fault;
/** wechatAdapter implements the API with the WeChat JS-SDK. */
export declare function wechatAdapter(ctx: Ctx): Adapter;
/** sessionStore wraps sessionStorage; set reports whether it stored. */
export declare function sessionStore(win: any): {
    get(k: string): string | null;
    set(k: string, v: string): boolean;
    remove(k: string): void;
};
