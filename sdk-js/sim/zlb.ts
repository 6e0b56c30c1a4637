// A fake 浙里办-style ZWJSBridge: onReady(cb) once the bridge is up; every
// method takes one object and returns a promise that rejects with
// {errorCode, errorMessage} ("用户取消", "无权限", …), as the public
// ZWJSBridge does.

import { baseSim, later, setUserAgent, Sim, SimOptions } from './core';

const API_METHOD: { [api: string]: string } = {
  ssoTicket: 'login',
  scan: 'scan',
  getLocation: 'getLocation',
  chooseImage: 'chooseImage',
  previewImage: 'previewImage',
  share: 'share',
  phoneCall: 'phoneCall',
  openLink: 'openLink',
  setTitle: 'setTitle',
  close: 'close',
  getUiStyle: 'getUiStyle',
};

function zlbError(code: string): any {
  switch (code) {
    case 'cancelled':
      return { errorCode: '1001', errorMessage: '用户取消' };
    case 'denied':
      return { errorCode: '1002', errorMessage: '无权限，用户拒绝授权' };
    case 'unsupported':
      return { errorCode: '1003', errorMessage: '当前版本不支持该功能' };
    case 'timeout':
      return { errorCode: '1004', errorMessage: '请求超时' };
    default:
      return { errorCode: '1000', errorMessage: '系统繁忙' };
  }
}

function answer(api: string, r: any): any {
  switch (api) {
    case 'ssoTicket':
      return { ticketId: r.credential };
    case 'scan':
      return { text: r.text };
    case 'getLocation':
      return { latitude: r.latitude, longitude: r.longitude, city: '杭州市', region: '西湖区', townCode: '330106', detailAddress: '浙江省杭州市西湖区' };
    case 'chooseImage':
      return { result: true, picPath: (r.images || []).map((i: any) => 'https://sim.zlb.example/pic/' + i.id + '.jpg') };
    case 'getUiStyle':
      return { uiStyle: r.uiStyle };
    default:
      return { result: true };
  }
}

/** installZlb puts a fake ZWJSBridge on win. */
export function installZlb(win: any, opts: SimOptions): Sim {
  const sim = baseSim('zlb', opts);
  setUserAgent(win, 'zlb', opts);
  let up = false;
  const waiting: Array<() => void> = [];
  const z: any = {
    onReady(fn: () => void) {
      if (up) later(win, 0, fn);
      else waiting.push(fn);
    },
  };
  for (const api of Object.keys(API_METHOD)) {
    z[api] = (params?: any) =>
      new Promise((resolve, reject) => {
        sim.calls.push({ api, params: params || {} });
        const m = sim.mock(API_METHOD[api]);
        if (m.kind === 'hang') return;
        later(win, m.delay, () => {
          if (m.kind === 'error') reject(zlbError(m.code));
          else if (m.kind === 'raw') (m.value && m.value.errorMessage ? reject : resolve)(m.value);
          else resolve(answer(api, m.value || {}));
        });
      });
  }
  win.ZWJSBridge = z;
  if (sim.mock('ready').kind !== 'hang') {
    later(win, opts.readyDelay === undefined ? 10 : opts.readyDelay, () => {
      up = true;
      waiting.splice(0).forEach((fn) => fn());
    });
  }
  return sim;
}
