// WeChat (微信内置浏览器): the JS-SDK (wx.*) after wx.config with a signature
// from the platform; sign-in through WeChat's web OAuth (the code comes back
// on the page's URL). Type-checked against weixin-js-sdk's typings.

import type wxSdk from 'weixin-js-sdk';
import { Adapter, consentScope, Ctx, once } from '../adapter';
import { DEFAULT_WECHAT_JS_URL, DEFAULT_WECHAT_OAUTH_URL } from '../config';
import { fault, Fault } from '../errors';
import type { ChosenImage } from '../types';
import { dropParams, isIos, loadScript, pageUrl, queryParam, randomId, systemInfoFromUa, withoutParams, withTimeout } from '../util';
import { platformError, platformUrl } from '../platform';
import { webAdapter } from './web';

type Wx = typeof wxSdk;

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
export const WECHAT_JSAPIS_OF: { [permission: string]: string[] } = {
  '': ['previewImage', 'closeWindow'],
  scan: ['scanQRCode'],
  location: ['getLocation', 'openLocation'],
  camera: ['chooseImage', 'previewImage', 'getLocalImgData', 'uploadImage'],
  album: ['chooseImage', 'previewImage', 'getLocalImgData', 'uploadImage'],
  share: ['updateAppMessageShareData', 'updateTimelineShareData'],
  record: ['startRecord', 'stopRecord', 'translateVoice'],
};

const BARCODE_PREFIX = /^(EAN_13|EAN_8|UPC_A|UPC_E|CODE_128|CODE_39|CODE_93|CODABAR|ITF|ITF_14|RSS_14|RSS_EXPANDED|PDF_417|DATA_MATRIX|AZTEC),/;

/**
 * wxFault maps a WeChat answer ({errMsg: "scanQRCode:cancel"}) to a Fault:
 * cancel; "permission denied" (the account lacks the API or jsApiList does
 * not list it) and "auth deny" (the user refused) are denied; "offline
 * verifying" (wx.config not verified yet) is not_ready; "function not exist"
 * (an old client) is unsupported; anything else failed.
 */
export function wxFault(res: any): Fault {
  const msg: string = (res && (res.errMsg || res.err_msg)) || '';
  const tail = msg.slice(msg.indexOf(':') + 1).toLowerCase();
  return fault(
    tail === 'cancel'
      ? 'cancelled'
      : /offline verifying/.test(tail)
        ? 'not_ready'
        : /permission denied|no permission|access denied|auth den|authorize no response|user deny/.test(tail)
          ? 'denied'
          : /function.not.exist|not support/.test(tail)
            ? 'unsupported'
            : 'failed',
    '',
    res,
  );
}

/** notReady rethrows a timeout while waiting for the bridge as not_ready. */
function notReady(e: unknown): never {
  throw e instanceof Fault && e.code === 'timeout' ? fault('not_ready') : e;
}

/** wxCall runs one wx API with callbacks and settles with success or a Fault. */
function wxCall<R>(run: (cb: { success: (r: R) => void; fail: (r?: any) => void; cancel: (r?: any) => void }) => void): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const no = (r?: any) => reject(wxFault(r));
    run({ success: resolve, fail: no, cancel: no });
  });
}

/** wechatAdapter implements the API with the WeChat JS-SDK. */
export function wechatAdapter(ctx: Ctx): Adapter {
  const win = ctx.win;
  const base = webAdapter(ctx);
  let signedUrl = '';
  let sig: WechatSignature | null = null;
  let broken: any = null; // wx.error's answer when a re-config failed

  async function loadWx(): Promise<Wx> {
    if (win.wx && typeof win.wx.config === 'function') return win.wx as Wx;
    const url = ctx.config().wechat!.jsUrl || DEFAULT_WECHAT_JS_URL;
    await loadScript(win, url).catch(() => null);
    if (!win.wx || typeof win.wx.config !== 'function') throw fault('not_ready', '无法加载微信 JS-SDK，请检查网络后重试', url);
    return win.wx as Wx;
  }

  async function fetchSignature(url: string): Promise<WechatSignature> {
    let res: Response;
    try {
      res = await ctx.fetch(platformUrl(ctx, '/v1/bridge/wechat/signature', { app_id: ctx.appId(), url }), {
        method: 'GET',
        headers: { Accept: 'application/json' },
      });
    } catch (e) {
      throw fault('not_ready', '无法获取微信签名，请检查网络后重试', String(e));
    }
    if (res.status !== 200) {
      const pe = await platformError(res);
      throw fault('not_ready', '平台拒绝了微信签名请求：' + (pe.message || res.status), pe);
    }
    const b: any = await res.json().catch(() => null);
    const ts = b && Number(b.timestamp);
    if (!b || typeof b.appId !== 'string' || !ts || typeof b.nonceStr !== 'string' || typeof b.signature !== 'string' || !Array.isArray(b.jsApiList)) {
      throw fault('not_ready', '平台拒绝了微信签名请求：格式错误', b);
    }
    return { appId: b.appId, timestamp: ts, nonceStr: b.nonceStr, signature: b.signature, jsApiList: b.jsApiList };
  }

  let configs = 0;

  /**
   * configure runs wx.config and waits for WeChat's verdict. WeChat runs the
   * ready callbacks after the first verification (even a failed one, right
   * after the one error handler) and at once ever after, so a later config
   * (a retry, a new URL) is awaited by asking checkJsApi until it no longer
   * answers "offline verifying".
   */
  function configure(wx: Wx, s: WechatSignature): Promise<void> {
    const first = configs++ === 0;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (res: any) => {
        broken = res;
        if (!settled) {
          settled = true;
          reject(fault('not_ready', '微信 JS-SDK 配置失败（' + ((res && res.errMsg) || 'config:fail') + '）', res));
        }
      };
      const ok = () => {
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      wx.error(fail);
      broken = null;
      wx.config({
        debug: false,
        appId: s.appId,
        timestamp: s.timestamp,
        nonceStr: s.nonceStr,
        signature: s.signature,
        jsApiList: s.jsApiList as wxSdk.jsApiList,
      });
      if (first) {
        wx.ready(ok);
        return;
      }
      const probe = () =>
        wx.checkJsApi({
          jsApiList: ['closeWindow'],
          success: ok,
          fail: (res: any) => (/offline verifying/.test((res && res.errMsg) || '') ? setTimeout(probe, 50) : fail(res)),
        });
      probe();
    });
  }

  const init = once(async () => {
    const wx = await loadWx();
    const url = pageUrl(win);
    const s = await fetchSignature(url);
    await configure(wx, s);
    sig = s;
    signedUrl = url;
    return wx;
  });

  /** ready returns wx once configured for the page's URL; api is checked against the signed jsApiList. */
  async function ready(api: string): Promise<Wx> {
    const wx = await readyWx();
    // Android signs the current URL; a single-page app that changed it needs a new signature (iOS keeps the landing URL).
    const now = pageUrl(win);
    if (now !== signedUrl && !isIos(win)) {
      const s = await fetchSignature(now);
      await withTimeout(configure(wx, s), ctx.readyTimeoutMs()).catch(notReady);
      sig = s;
      signedUrl = now;
    }
    if (broken) throw fault('not_ready', '微信 JS-SDK 配置失败（' + (broken.errMsg || 'config:fail') + '）', broken);
    if (sig && sig.jsApiList.indexOf(api) < 0) throw fault('denied', '', { api, jsApiList: sig.jsApiList });
    return wx;
  }

  function readyWx(): Promise<Wx> {
    return withTimeout(init(), ctx.readyTimeoutMs()).catch(notReady);
  }

  /** signed reports whether the page's signature lists api (after ready()). */
  const signed = (api: string) => !!sig && sig.jsApiList.indexOf(api) >= 0;

  const stateKey = () => 'govapp:' + ctx.appId() + ':wx_oauth_state';

  return {
    ...base,
    container: 'wechat',

    async credential(scope) {
      const store = sessionStore(win);
      const st = queryParam(win, 'state');
      if (st !== null && st.indexOf('govapp.') === 0) {
        // Back from WeChat's authorize page.
        const saved = store.get(stateKey());
        store.remove(stateKey());
        const code = queryParam(win, 'code');
        dropParams(win, ['code', 'state']);
        if (!saved || saved !== st) throw fault('failed', '登录校验失败（state 不符，链接可能被伪造或已用过），请重新登录', { state: st });
        if (!code) throw fault('cancelled');
        return code;
      }
      const appId = ctx.config().wechat!.appId || (await readyWx(), sig!.appId);
      const state = 'govapp.' + randomId(win);
      if (!store.set(stateKey(), state)) throw fault('failed', '无法保存登录状态（会话存储不可用）');
      const redirect = withoutParams(pageUrl(win), ['code', 'state']);
      const oauth = ctx.config().wechat!.oauthUrl || DEFAULT_WECHAT_OAUTH_URL;
      win.location.href =
        oauth +
        '?appid=' + encodeURIComponent(appId) +
        '&redirect_uri=' + encodeURIComponent(redirect) +
        '&response_type=code&scope=' + (consentScope(scope) ? 'snsapi_userinfo' : 'snsapi_base') +
        '&state=' + encodeURIComponent(state) +
        '#wechat_redirect';
      return new Promise<string>(() => {}); // the page is leaving for WeChat's authorize page
    },

    async scan(p) {
      const wx = await ready('scanQRCode');
      const scanType: Array<'qrCode' | 'barCode'> = p.type === 'qr' ? ['qrCode'] : p.type === 'bar' ? ['barCode'] : ['qrCode', 'barCode'];
      const res = await wxCall<{ resultStr: string }>((cb) => wx.scanQRCode({ needResult: 1, scanType, ...cb }));
      const raw = String(res.resultStr || '');
      const m = BARCODE_PREFIX.exec(raw);
      if (m) return { text: raw.slice(m[0].length), format: 'bar' };
      return p.type === 'any' ? { text: raw } : { text: raw, format: p.type };
    },

    async getLocation(p) {
      const wx = await ready('getLocation');
      const res = await wxCall<{ latitude: number; longitude: number; accuracy: number }>((cb) => wx.getLocation({ type: p.type, ...cb }));
      return { latitude: Number(res.latitude), longitude: Number(res.longitude), accuracy: Number(res.accuracy) || undefined, coordType: p.type };
    },

    async chooseImage(p) {
      const wx = await ready('chooseImage');
      const res = await wxCall<{ localIds: string[] }>((cb) =>
        wx.chooseImage({ count: p.count, sizeType: ['original', 'compressed'], sourceType: p.sourceType, ...cb }),
      );
      const ids: string[] = res.localIds || [];
      // iOS's WKWebView cannot show a localId; getLocalImgData gives the image as base64.
      const images: ChosenImage[] = [];
      for (const id of ids) {
        let src = id;
        if (win.__wxjs_is_wkwebview && signed('getLocalImgData')) {
          const d = await wxCall<{ localData: string }>((cb) => wx.getLocalImgData({ localId: id, ...cb }));
          src = /^data:/.test(d.localData) ? d.localData : 'data:image/jpeg;base64,' + d.localData;
        }
        images.push({ src, id });
      }
      return { images };
    },

    async previewImage(p) {
      await readyWx();
      if (!signed('previewImage')) return base.previewImage(p);
      const wx = await ready('previewImage');
      await wxCall<unknown>((cb) => wx.previewImage({ current: p.current, urls: p.urls, ...cb }));
      return {};
    },

    async share(p) {
      const wx = await ready('updateAppMessageShareData');
      await wxCall<void>((cb) => wx.updateAppMessageShareData({ title: p.title, desc: p.desc, link: p.link, imgUrl: p.imageUrl, ...cb }));
      if (sig && sig.jsApiList.indexOf('updateTimelineShareData') >= 0) {
        await wxCall<void>((cb) => wx.updateTimelineShareData({ title: p.title, link: p.link, imgUrl: p.imageUrl, ...cb }));
      }
      return { via: 'menu' };
    },

    async close() {
      await readyWx();
      if (!signed('closeWindow')) {
        if (!win.WeixinJSBridge) throw fault('unsupported', '', 'closeWindow is not in jsApiList');
        win.WeixinJSBridge.call('closeWindow');
        return {};
      }
      const wx = await ready('closeWindow');
      wx.closeWindow();
      return {};
    },

    getSystemInfo: () => Promise.resolve(systemInfoFromUa(win, 'wechat', ctx.sdkVersion)),
  };
}

/** sessionStore wraps sessionStorage; set reports whether it stored. */
export function sessionStore(win: any): { get(k: string): string | null; set(k: string, v: string): boolean; remove(k: string): void } {
  const ss = (() => {
    try {
      return win.sessionStorage || null;
    } catch (_) {
      return null;
    }
  })();
  return {
    get: (k) => {
      try {
        return ss ? ss.getItem(k) : null;
      } catch (_) {
        return null;
      }
    },
    set: (k, v) => {
      try {
        if (!ss) return false;
        ss.setItem(k, v);
        return true;
      } catch (_) {
        return false;
      }
    },
    remove: (k) => {
      try {
        if (ss) ss.removeItem(k);
      } catch (_) {
        /* ignore */
      }
    },
  };
}
