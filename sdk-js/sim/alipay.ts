// A fake AlipayJSBridge: call(name, params, callback) answering
// asynchronously; failures are {error: N, errorMessage} — 1 no such API,
// 2 bad parameters, 3 unknown error, 4 not authorised, 10/11 per API
// (the user cancelled). With `late`, the bridge appears only after
// readyDelay and announces itself with the AlipayJSBridgeReady event.

import { baseSim, dispatch, later, setUserAgent, Sim, SimOptions } from './core';

/** The APIs the fake knows, with the JS API method whose mock answers them. */
const API_METHOD: { [api: string]: string } = {
  getAuthCode: 'login',
  scan: 'scan',
  getLocation: 'getLocation',
  chooseImage: 'chooseImage',
  imageViewer: 'previewImage',
  startShare: 'share',
  shareToChannel: 'share',
  pushWindow: 'openLink',
  setTitle: 'setTitle',
  popWindow: 'close',
  getSystemInfo: 'getSystemInfo',
};

const CANCEL: { [api: string]: number } = { scan: 10, chooseImage: 11, getAuthCode: 11, startShare: 10, shareToChannel: 10 };

function alipayError(api: string, code: string): any {
  switch (code) {
    case 'cancelled':
      return { error: CANCEL[api] || 11, errorMessage: '用户取消操作' };
    case 'denied':
      return api === 'getLocation' ? { error: 11, errorMessage: '请确认定位相关权限已开启' } : { error: 4, errorMessage: '无权调用该接口' };
    case 'unsupported':
      return { error: 1, errorMessage: '接口不存在' };
    case 'timeout':
      return api === 'getLocation' ? { error: 14, errorMessage: '业务定位超时' } : { error: 3, errorMessage: '未知错误' };
    default:
      return { error: 3, errorMessage: '未知错误' };
  }
}

function answer(api: string, r: any, params: any): any {
  switch (api) {
    case 'getAuthCode':
      return { authcode: r.credential };
    case 'scan':
      return r.format === 'bar' ? { barCode: r.text, codeContent: r.text } : { qrCode: r.text, codeContent: r.text };
    case 'getLocation':
      // Alipay answers strings for the coordinates on some clients.
      return { latitude: String(r.latitude), longitude: String(r.longitude), accuracy: r.accuracy, city: '杭州市', cityAdcode: '330100' };
    case 'chooseImage':
      return { apFilePaths: (r.images || []).slice(0, params.count || 9).map((i: any) => 'https://resource/' + i.id + '.image') };
    case 'startShare':
      return { channelName: r.channel || 'Weixin' };
    case 'getSystemInfo':
      return { model: r.model, version: '10.5.36.8000', platform: 'Android', system: '13', pixelRatio: 2.625, language: 'zh-Hans' };
    default:
      return {};
  }
}

/** installAlipay puts a fake AlipayJSBridge on win (at once, or after readyDelay with `late`). */
export function installAlipay(win: any, opts: SimOptions): Sim {
  const sim = baseSim('alipay', opts);
  setUserAgent(win, 'alipay', opts);
  const bridge = {
    call(api: string, params?: any, cb?: (res: any) => void) {
      if (typeof params === 'function') {
        cb = params;
        params = {};
      }
      params = params || {};
      sim.calls.push({ api, params });
      const method = API_METHOD[api];
      const m = method ? sim.mock(method) : { kind: 'raw' as const, value: { error: 1, errorMessage: '接口不存在' }, delay: 0 };
      if (m.kind === 'hang' || !cb) return;
      const res = m.kind === 'raw' ? m.value : m.kind === 'error' ? alipayError(api, m.code) : answer(api, m.value || {}, params);
      const done = cb;
      later(win, m.delay, () => done(res));
    },
  };
  const ready = sim.mock('ready');
  if (!opts.late) win.AlipayJSBridge = bridge;
  if (ready.kind !== 'hang') {
    later(win, opts.readyDelay === undefined ? 10 : opts.readyDelay, () => {
      win.AlipayJSBridge = bridge;
      dispatch(win, 'AlipayJSBridgeReady');
    });
  }
  return sim;
}
