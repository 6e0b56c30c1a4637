// A small fake page for the bridge's unit tests: enough window, document and
// location for the adapters and the container sim, with navigations,
// clicked links and added elements recorded.
import { MemoryStore } from '../src/index';

export class FakeElement {
  tagName: string;
  attrs: { [k: string]: string } = {};
  style: any = {};
  children: FakeElement[] = [];
  parentNode: FakeElement | null = null;
  listeners: { [t: string]: Array<(e: any) => void> } = {};
  [k: string]: any;
  constructor(tag: string, private page: FakePage) {
    this.tagName = tag.toUpperCase();
  }
  setAttribute(k: string, v: string) {
    this.attrs[k] = String(v);
  }
  getAttribute(k: string) {
    return k in this.attrs ? this.attrs[k] : null;
  }
  appendChild(c: FakeElement) {
    c.parentNode = this;
    this.children.push(c);
    if (c.tagName === 'SCRIPT') this.page.scripts.push(c);
    return c;
  }
  removeChild(c: FakeElement) {
    this.children = this.children.filter((x) => x !== c);
    c.parentNode = null;
    return c;
  }
  addEventListener(t: string, fn: (e: any) => void) {
    (this.listeners[t] = this.listeners[t] || []).push(fn);
  }
  removeEventListener(t: string, fn: (e: any) => void) {
    this.listeners[t] = (this.listeners[t] || []).filter((f) => f !== fn);
  }
  fire(t: string, e: any = {}) {
    (this.listeners[t] || []).slice().forEach((fn) => fn(e));
  }
  click() {
    this.page.clicks.push(this);
    this.fire('click', {});
  }
}

export interface FakePageOptions {
  url?: string;
  ua?: string;
  config?: any;
  secure?: boolean;
}

/** FakePage is a window: pass page.win to createBridge and installSim. */
export class FakePage {
  navigations: string[] = [];
  clicks: FakeElement[] = [];
  scripts: FakeElement[] = [];
  win: any;
  doc: any;
  constructor(o: FakePageOptions = {}) {
    const page = this;
    let href = o.url || 'https://gov.example/a/housing-fund/b/' + 'b'.repeat(64) + '/index.html';
    const docTarget = new EventTarget();
    const body = new FakeElement('body', this);
    const head = new FakeElement('head', this);
    this.doc = {
      title: '',
      body,
      head,
      documentElement: new FakeElement('html', this),
      createElement: (t: string) => {
        const el = new FakeElement(t, page);
        if (t === 'input') el.oncancel = null;
        return el;
      },
      addEventListener: docTarget.addEventListener.bind(docTarget),
      removeEventListener: docTarget.removeEventListener.bind(docTarget),
      dispatchEvent: docTarget.dispatchEvent.bind(docTarget),
    };
    const location: any = {
      get href() {
        return href;
      },
      set href(v: string) {
        page.navigations.push(v);
      },
      get search() {
        const u = new URL(href);
        return u.search;
      },
      get pathname() {
        return new URL(href).pathname;
      },
      replace: (u: string) => page.navigations.push(u),
      assign: (u: string) => page.navigations.push(u),
    };
    const winTarget = new EventTarget();
    this.win = {
      navigator: { userAgent: o.ua || 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36', language: 'zh-CN' },
      document: this.doc,
      location,
      history: {
        state: null,
        replaceState: (_s: any, _t: string, url: string) => {
          href = new URL(url, href).href;
        },
      },
      sessionStorage: new MemoryStore(),
      localStorage: new MemoryStore(),
      screen: { width: 412, height: 915 },
      devicePixelRatio: 2.625,
      isSecureContext: o.secure !== false,
      crypto: globalThis.crypto,
      URL,
      Event,
      setTimeout,
      clearTimeout,
      addEventListener: winTarget.addEventListener.bind(winTarget),
      removeEventListener: winTarget.removeEventListener.bind(winTarget),
      __GOVAPP__: o.config,
    };
    this.win.window = this.win;
  }
  /** go changes the page's URL as a same-document navigation would (pushState). */
  go(url: string) {
    this.win.history.replaceState(null, '', url);
  }
  get href(): string {
    return this.win.location.href;
  }
}
