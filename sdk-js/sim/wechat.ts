// A fake WeChat JS-SDK (window.wx) with jweixin-1.6.0's observable
// behaviour: config verifies asynchronously; ready callbacks run once
// verification finished — also after a failure, right after the single
// error handler; a call before verification answers "…:the permission value
// is offline verifying", an API missing from jsApiList "…:permission denied";
// answers come through success / cancel / fail with errMsg "api:ok",
// "api:cancel", "api:fail…". Typed against weixin-js-sdk's declarations.

import type wxSdk from 'weixin-js-sdk';
import { baseSim, later, Normalised, setUserAgent, Sim, SimOptions } from './core';

type Wx = typeof wxSdk;
type SimWx = Pick<
  Wx,
  | 'config'
  | 'ready'
  | 'error'
  | 'checkJsApi'
  | 'scanQRCode'
  | 'getLocation'
  | 'chooseImage'
  | 'getLocalImgData'
  | 'previewImage'
  | 'updateAppMessageShareData'
  | 'updateTimelineShareData'
  | 'closeWindow'
>;

const PIXEL_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** wxError is WeChat's answer for an error code of the JS API. */
function wxError(api: string, code: string): any {
  switch (code) {
    case 'cancelled':
      return { errMsg: api + ':cancel' };
    case 'denied':
      return { errMsg: api + (api === 'getLocation' ? ':fail auth deny' : ':permission denied') };
    case 'unsupported':
      return { errMsg: api + ':function not exist' };
    case 'timeout':
      return { errMsg: api + ':fail timeout' };
    default:
      return { errMsg: api + ':fail' };
  }
}

/** installWechat puts a fake wx on win. */
export function installWechat(win: any, opts: SimOptions): Sim {
  const sim = baseSim('wechat', opts);
  setUserAgent(win, 'wechat', opts);
  if (opts.wkwebview || opts.platform === 'ios') win.__wxjs_is_wkwebview = !!opts.wkwebview || opts.platform === 'ios';
  // jweixin's own state: 0 before the first verification finished, 1 after,
  // -1 after a failure that no error handler took; it is never reset.
  const st = {
    state: 0 as 0 | 1 | -1,
    data: null as any,
    readies: [] as Array<() => void>,
    onError: null as null | ((res: any) => void),
    conf: null as any,
    // what the client thinks of the latest config: its permission check for invoke
    verdict: 'none' as 'none' | 'pending' | 'ok' | 'fail',
  };

  /** deliver answers one call through its callbacks, like jweixin's V(). */
  function deliver(o: any, res: any): void {
    const tail = String(res.errMsg || '').slice(String(res.errMsg || '').indexOf(':') + 1);
    if (tail === 'ok') o.success && o.success(res);
    else if (tail === 'cancel') o.cancel && o.cancel(res);
    else o.fail && o.fail(res);
    o.complete && o.complete(res);
  }

  /** invoke answers api from the mock of method; ok builds the success answer from the mocked result. */
  function invoke(api: string, method: string, o: any, ok: (result: any) => any): void {
    const params: any = {};
    for (const k of Object.keys(o || {})) if (typeof o[k] !== 'function') params[k] = o[k];
    sim.calls.push({ api, params });
    let m: Normalised = sim.mock(method);
    if (st.verdict === 'pending') m = { kind: 'raw', value: { errMsg: api + ':the permission value is offline verifying' }, delay: 0 };
    else if (st.verdict !== 'ok' || (api !== 'checkJsApi' && (st.conf.jsApiList || []).indexOf(api) < 0)) m = { kind: 'raw', value: { errMsg: api + ':permission denied' }, delay: 0 };
    if (m.kind === 'hang') return;
    const res = m.kind === 'raw' ? m.value : m.kind === 'error' ? wxError(api, m.code) : Object.assign({ errMsg: api + ':ok' }, ok(m.value || {}));
    later(win, m.delay, () => deliver(o, res));
  }

  const images = (): Array<{ src: string; id: string }> => {
    const m = sim.mock('chooseImage');
    return m.kind === 'result' && m.value && Array.isArray(m.value.images) ? m.value.images : [];
  };

  const wx: SimWx = {
    config(conf) {
      sim.calls.push({ api: 'config', params: conf });
      st.conf = conf;
      st.verdict = 'pending';
      const m = sim.mock('config');
      if (m.kind === 'hang') return;
      const complete = !!(conf && conf.appId && conf.timestamp && conf.nonceStr && conf.signature && Array.isArray(conf.jsApiList));
      later(win, m.delay || 5, () => {
        let fail: any = null;
        if (!complete) fail = { errMsg: 'config:invalid signature' };
        else if (m.kind === 'error') fail = { errMsg: m.code === 'denied' ? 'config:invalid url domain' : 'config:invalid signature' };
        else if (m.kind === 'raw' && m.value && !/:ok$/.test(m.value.errMsg || '')) fail = m.value;
        st.state = 1;
        st.data = fail || { errMsg: 'config:ok' };
        st.verdict = fail ? 'fail' : 'ok';
        if (fail) {
          if (st.onError) st.onError(fail);
          else st.state = -1;
        }
        const r = st.readies;
        st.readies = [];
        r.forEach((fn) => fn());
      });
    },
    ready(fn) {
      if (st.state !== 0) fn();
      else st.readies.push(fn);
    },
    error(fn) {
      if (st.state === -1) fn(st.data);
      else st.onError = fn;
    },
    checkJsApi(o) {
      const result: { [k: string]: boolean } = {};
      for (const a of o.jsApiList) result[a] = true;
      invoke('checkJsApi', 'checkJsApi', o, () => ({ checkResult: result }));
    },
    scanQRCode(o) {
      invoke('scanQRCode', 'scan', o, (r) => ({ resultStr: (r.format === 'bar' ? (r.barcodeType || 'EAN_13') + ',' : '') + r.text }));
    },
    getLocation(o) {
      invoke('getLocation', 'getLocation', o, (r) => ({ latitude: r.latitude, longitude: r.longitude, speed: 0, accuracy: r.accuracy }));
    },
    chooseImage(o) {
      invoke('chooseImage', 'chooseImage', o, (r) => ({
        sourceType: 'album',
        localIds: (r.images || []).slice(0, o.count || 9).map((i: any) => 'wxLocalResource://' + i.id),
      }));
    },
    getLocalImgData(o) {
      const id = String(o.localId).replace('wxLocalResource://', '');
      const img = images().filter((i) => i.id === id)[0];
      const b64 = img && /^data:[^,]*;base64,/.test(img.src) ? img.src.slice(img.src.indexOf(',') + 1) : PIXEL_B64;
      // iOS answers with the data: prefix, Android without.
      invoke('getLocalImgData', 'getLocalImgData', o, () => ({ localData: (win.__wxjs_is_wkwebview ? 'data:image/png;base64,' : '') + b64 }));
    },
    previewImage(o) {
      invoke('previewImage', 'previewImage', o, () => ({}));
    },
    updateAppMessageShareData(o) {
      invoke('updateAppMessageShareData', 'share', o, () => ({}));
    },
    updateTimelineShareData(o) {
      invoke('updateTimelineShareData', 'share', o, () => ({}));
    },
    closeWindow() {
      sim.calls.push({ api: 'closeWindow', params: {} });
    },
  };
  win.wx = win.jWeixin = wx;
  // The client's own bridge under jweixin; closeWindow works on it without wx.config.
  win.WeixinJSBridge = {
    call(name: string) {
      sim.calls.push({ api: 'WeixinJSBridge.' + name, params: {} });
    },
    invoke(name: string, params: any, cb?: (res: any) => void) {
      sim.calls.push({ api: 'WeixinJSBridge.' + name, params: params || {} });
      if (cb) later(win, 0, () => cb({ err_msg: name + ':fail' }));
    },
    on() {},
  };
  return sim;
}
