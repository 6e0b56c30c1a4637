// The one error set of the JS API: whatever the container, a call rejects
// with a GovappError whose code is one of ERROR_CODES and whose message is
// Chinese, for people.

/** Container names a kind of page host: WeChat, Alipay, the province's gov app, a 浙里办-style ZWJSBridge, a plain browser. */
export type Container = 'wechat' | 'alipay' | 'govapp' | 'zlb' | 'web';

/** ErrorCode is the stable, switchable part of a GovappError. */
export type ErrorCode =
  | 'cancelled' // the user closed the scanner, picker, share sheet or consent page
  | 'denied' // the user or the container refused the permission (location off, API not granted to the account)
  | 'unsupported' // this container cannot do it (a plain browser cannot scan; an old client lacks the API)
  | 'not_declared' // govapp.json does not declare the permission (jsapi_permissions): refused before touching the container
  | 'failed' // anything else: bad parameters, network, the platform refused the sign-in
  | 'timeout' // the call got no answer in time
  | 'not_ready'; // the container's bridge never became usable (wx.config refused, no ready event)

/** ERROR_CODES lists every ErrorCode. */
export const ERROR_CODES: ErrorCode[] = ['cancelled', 'denied', 'unsupported', 'not_declared', 'failed', 'timeout', 'not_ready'];

const HOST: { [c in Container]: string } = { wechat: '微信', alipay: '支付宝', govapp: 'App', zlb: '浙里办', web: '浏览器' };

const WHAT: { [method: string]: string } = {
  login: '登录',
  scan: '扫码',
  getLocation: '定位',
  chooseImage: '选择图片',
  previewImage: '预览图片',
  share: '分享',
  phoneCall: '拨打电话',
  openLink: '打开链接',
  setTitle: '设置标题',
  close: '关闭页面',
  getSystemInfo: '获取系统信息',
  getUiStyle: '获取界面模式',
};

/** defaultMessage returns the Chinese message of code for method in container, when the adapter gave none. */
export function defaultMessage(code: ErrorCode, method = '', container: Container = 'web'): string {
  const what = WHAT[method] || '操作';
  const host = HOST[container];
  switch (code) {
    case 'cancelled':
      return '已取消' + what;
    case 'denied':
      return '没有' + what + '的权限，请在' + host + '设置中允许后重试';
    case 'unsupported':
      return '当前' + host + '不支持' + what;
    case 'not_declared':
      return '应用未声明' + what + '权限，请在 govapp.json 的 jsapi_permissions 中声明';
    case 'timeout':
      return what + '超时，请重试';
    case 'not_ready':
      return host + '尚未就绪，请稍后重试';
    default:
      return what + '失败，请稍后重试';
  }
}

/** GovappError is the one error type of the JS API. */
export class GovappError extends Error {
  /** code is one of ERROR_CODES. */
  readonly code: ErrorCode;
  /** container is where the call ran. */
  readonly container: Container;
  /** method is the API method that failed ("scan", "login", …). */
  readonly method: string;
  /** detail is the container's own answer (e.g. {errMsg: "scanQRCode:cancel"}), for logs only. */
  readonly detail?: unknown;

  constructor(code: ErrorCode, message: string, container: Container, method: string, detail?: unknown) {
    super(message || defaultMessage(code, method, container));
    this.name = 'GovappError';
    this.code = code;
    this.container = container;
    this.method = method;
    if (detail !== undefined) this.detail = detail;
    // ES2017 output with a native class keeps the prototype; set it anyway for transpiled copies.
    Object.setPrototypeOf(this, GovappError.prototype);
  }

  toJSON(): { name: string; code: ErrorCode; message: string; container: Container; method: string } {
    return { name: this.name, code: this.code, message: this.message, container: this.container, method: this.method };
  }
}

/** isGovappError tells a GovappError from other errors (also across copies of the SDK). */
export function isGovappError(e: unknown): e is GovappError {
  return !!e && typeof e === 'object' && (e as any).name === 'GovappError' && ERROR_CODES.indexOf((e as any).code) >= 0;
}

/**
 * Fault is what adapters throw: a code and a message, without the container
 * and method, which the API adds. A plain Error thrown by an adapter becomes
 * `failed`.
 */
export class Fault {
  constructor(readonly code: ErrorCode, readonly message?: string, readonly detail?: unknown) {}
}

/** fault returns a Fault (for `throw fault('cancelled')` in adapters). */
export function fault(code: ErrorCode, message?: string, detail?: unknown): Fault {
  return new Fault(code, message, detail);
}
