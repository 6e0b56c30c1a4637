// A plain mobile browser: Geolocation API, <input type=file>, Web Share,
// tel: links. What a browser cannot do rejects with `unsupported`. The other
// adapters start from this one and replace what their container does better.

import type { Adapter, Ctx } from '../adapter';
import { fault } from '../errors';
import type { ChosenImage, UiStyle } from '../types';
import { followLink, queryParam, systemInfoFromUa } from '../util';

/** uiStyleOfPage is the display mode where the container has none: __GOVAPP__.uiStyle, else ?ui_style=elder from the portal. */
export function uiStyleOfPage(ctx: Ctx): UiStyle {
  const c = ctx.config().uiStyle;
  if (c) return c;
  return queryParam(ctx.win, 'ui_style') === 'elder' ? 'elder' : 'normal';
}

function hidden(el: any): void {
  el.style.position = 'fixed';
  el.style.left = '-9999px';
  el.style.width = '1px';
  el.style.height = '1px';
  el.style.opacity = '0';
}

/** webAdapter implements the API with web platform features only. */
export function webAdapter(ctx: Ctx): Adapter {
  const win = ctx.win;
  return {
    container: 'web',

    credential: () => Promise.reject(fault('unsupported', '请在微信、支付宝、浙里办或政务 App 中打开后登录')),

    scan: () => Promise.reject(fault('unsupported')),

    getLocation: () =>
      new Promise((resolve, reject) => {
        const geo = win.navigator && win.navigator.geolocation;
        if (win.isSecureContext === false) {
          reject(fault('unsupported', '浏览器只在 HTTPS 页面提供定位'));
          return;
        }
        if (!geo || typeof geo.getCurrentPosition !== 'function') {
          reject(fault('unsupported'));
          return;
        }
        geo.getCurrentPosition(
          (pos: any) =>
            resolve({
              latitude: pos.coords.latitude,
              longitude: pos.coords.longitude,
              accuracy: pos.coords.accuracy,
              coordType: 'wgs84',
            }),
          (err: any) => {
            const code = err && err.code;
            reject(fault(code === 1 ? 'denied' : code === 3 ? 'timeout' : 'failed', '', err && err.message));
          },
          { enableHighAccuracy: true, timeout: 25000, maximumAge: 30000 },
        );
      }),

    chooseImage: (p) =>
      new Promise((resolve, reject) => {
        const doc = win.document;
        const input = doc.createElement('input');
        input.type = 'file';
        input.accept = 'image/*';
        if (p.count > 1) input.multiple = true;
        if (p.sourceType.length === 1 && p.sourceType[0] === 'camera') input.setAttribute('capture', 'environment');
        input.setAttribute('data-govapp-file', '');
        hidden(input);
        (doc.body || doc.documentElement).appendChild(input);
        let done = false;
        const onFocus = () => setTimeout(() => finish(null), 1500);
        const finish = (files: any[] | null) => {
          if (done) return;
          done = true;
          win.removeEventListener('focus', onFocus);
          if (input.parentNode) input.parentNode.removeChild(input);
          if (!files || !files.length) {
            reject(fault('cancelled'));
            return;
          }
          const images: ChosenImage[] = files.slice(0, p.count).map((f: any) => ({
            src: win.URL && win.URL.createObjectURL ? win.URL.createObjectURL(f) : '',
            id: f.name,
            file: f,
          }));
          resolve({ images });
        };
        input.addEventListener('change', () => finish(Array.prototype.slice.call(input.files || [])));
        // The cancel event (Chrome 113+, Safari 16.4+); older browsers: focus comes back without a change.
        if ('oncancel' in input) input.addEventListener('cancel', () => finish(null));
        else win.addEventListener('focus', onFocus);
        input.click();
      }),

    previewImage: (p) => {
      const doc = win.document;
      const box = doc.createElement('div');
      box.setAttribute('data-govapp-preview', '');
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-label', '图片预览，点击关闭');
      box.style.cssText =
        'position:fixed;left:0;top:0;right:0;bottom:0;z-index:2147483647;background:#000;display:flex;align-items:center;justify-content:center';
      const img = doc.createElement('img');
      img.src = p.current;
      img.alt = '';
      img.style.cssText = 'max-width:100%;max-height:100%;object-fit:contain';
      box.appendChild(img);
      box.addEventListener('click', () => {
        if (box.parentNode) box.parentNode.removeChild(box);
      });
      (doc.body || doc.documentElement).appendChild(box);
      return Promise.resolve({});
    },

    share: (p) => {
      const nav = win.navigator;
      if (!nav || typeof nav.share !== 'function') {
        return Promise.reject(fault('unsupported'));
      }
      const data: any = { title: p.title, url: p.link };
      if (p.desc) data.text = p.desc;
      return Promise.resolve(nav.share(data)).then(
        () => ({ via: 'sheet' as const }),
        (e: any) => {
          const name = e && e.name;
          throw fault(name === 'AbortError' ? 'cancelled' : name === 'NotAllowedError' ? 'denied' : 'failed', '', name || String(e));
        },
      );
    },

    phoneCall: (p) => {
      followLink(win, 'tel:' + p.number.replace(/\s+/g, ''));
      return Promise.resolve({});
    },

    openLink: (p) => {
      win.location.href = p.url;
      return Promise.resolve({});
    },

    setTitle: (p) => {
      win.document.title = p.title;
      return Promise.resolve({});
    },

    close: () => {
      // Browsers close only windows that a script opened.
      if (!win.opener) return Promise.reject(fault('unsupported'));
      win.close();
      return Promise.resolve({});
    },

    getSystemInfo: () => Promise.resolve(systemInfoFromUa(win, 'web', ctx.sdkVersion)),

    getUiStyle: () => Promise.resolve({ uiStyle: uiStyleOfPage(ctx) }),
  };
}
