// Parameters and results of the JS API: the same in every container.

import type { Push } from '../push';
import type { Stats, StatsProps } from '../stats';
import type { Container, GovappError, isGovappError } from './errors';

/** CallOptions may be given to every call. */
export interface CallOptions {
  /** timeout in milliseconds; 0 waits for ever. Defaults: see DEFAULT_TIMEOUTS. */
  timeout?: number;
}

export interface LoginParams extends CallOptions {
  /** scope is space-separated platform scopes (default "openid"); "profile" or "phone" asks the container for consent instead of a silent sign-in. */
  scope?: string;
}
/** LoginResult carries a one-time code that the app's own backend exchanges with the platform. */
export interface LoginResult {
  code: string;
  /** expiresIn is the code's lifetime in seconds. */
  expiresIn: number;
}

export interface ScanParams extends CallOptions {
  /** type of code to scan; default "any". */
  type?: 'qr' | 'bar' | 'any';
}
export interface ScanResult {
  text: string;
  /** format is the kind of code when the container says ("qr" or "bar"). */
  format?: 'qr' | 'bar';
}

export interface LocationParams extends CallOptions {
  /** type is the coordinate system asked for; containers that only have one answer in theirs (see coordType). Default "wgs84". */
  type?: 'wgs84' | 'gcj02';
}
export interface LocationResult {
  latitude: number;
  longitude: number;
  /** accuracy in metres, when known. */
  accuracy?: number;
  /** coordType is the coordinate system of latitude/longitude: GPS (wgs84) or the Chinese map datum (gcj02). */
  coordType: 'wgs84' | 'gcj02';
}

export type ImageSource = 'album' | 'camera';
export interface ChooseImageParams extends CallOptions {
  /** count is the most images to pick (1–9, default 9). */
  count?: number;
  /** sourceType defaults to the declared ones among album and camera. */
  sourceType?: ImageSource[];
}
export interface ChosenImage {
  /** src can be put in an <img src>. */
  src: string;
  /** id is the container's handle (WeChat localId, Alipay apFilePath, native path, file name). */
  id: string;
  /** file is there in a plain browser. */
  file?: File;
}
export interface ChooseImageResult {
  images: ChosenImage[];
}

export interface PreviewImageParams extends CallOptions {
  urls: string[];
  /** current is the URL shown first (default urls[0]). */
  current?: string;
}

export interface ShareParams extends CallOptions {
  title: string;
  desc?: string;
  /** link defaults to the page's URL. */
  link?: string;
  imageUrl?: string;
}
export interface ShareResult {
  /**
   * via says what happened: "sheet" — a share sheet was shown and the user
   * picked a target; "menu" — the content is set for the container's own
   * share menu, which only the user can open (WeChat).
   */
  via: 'sheet' | 'menu';
  /** channel is the target the user picked, when the container says. */
  channel?: string;
}

export interface PhoneCallParams extends CallOptions {
  number: string;
}
export interface OpenLinkParams extends CallOptions {
  /** url is an http(s) URL, absolute or relative to the page. */
  url: string;
}
export interface SetTitleParams extends CallOptions {
  title: string;
}

export interface SystemInfo {
  container: Container;
  /** containerVersion is the host app's version (WeChat 8.0.47, the gov app's 3.2.0, …), "" when unknown. */
  containerVersion: string;
  platform: 'ios' | 'android' | 'harmony' | 'other';
  /** osVersion is e.g. "17.4" or "14", "" when unknown. */
  osVersion: string;
  /** model is the device model, when the container tells it. */
  model?: string;
  language: string;
  screenWidth: number;
  screenHeight: number;
  pixelRatio: number;
  sdkVersion: string;
}

export type UiStyle = 'normal' | 'elder';
export interface UiStyleResult {
  /** uiStyle is "elder" when the citizen uses the large-print mode (长辈版/适老化). */
  uiStyle: UiStyle;
}

/** Empty is the result of calls that only succeed or fail. */
export interface Empty {}

/** Methods maps each API method to its parameters and result. */
export interface Methods {
  login: [LoginParams, LoginResult];
  scan: [ScanParams, ScanResult];
  getLocation: [LocationParams, LocationResult];
  chooseImage: [ChooseImageParams, ChooseImageResult];
  previewImage: [PreviewImageParams, Empty];
  share: [ShareParams, ShareResult];
  phoneCall: [PhoneCallParams, Empty];
  openLink: [OpenLinkParams, Empty];
  setTitle: [SetTitleParams, Empty];
  close: [CallOptions, Empty];
  getSystemInfo: [CallOptions, SystemInfo];
  getUiStyle: [CallOptions, UiStyleResult];
}

/** Method is the name of an API method. */
export type Method = keyof Methods;

/** METHODS lists the API methods in a stable order. */
export const METHODS: Method[] = [
  'login',
  'scan',
  'getLocation',
  'chooseImage',
  'previewImage',
  'share',
  'phoneCall',
  'openLink',
  'setTitle',
  'close',
  'getSystemInfo',
  'getUiStyle',
];

/** DEFAULT_TIMEOUTS are per-method timeouts in ms; 0 = none (the user is busy with the container's UI). */
export const DEFAULT_TIMEOUTS: { [m in Method]: number } = {
  login: 0,
  scan: 0,
  getLocation: 30000,
  chooseImage: 0,
  previewImage: 0,
  share: 0,
  phoneCall: 10000,
  openLink: 10000,
  setTitle: 10000,
  close: 10000,
  getSystemInfo: 10000,
  getUiStyle: 10000,
};

/** BridgeApi is the JS API on window.govapp (besides the hot-update part). */
export type BridgeApi = {
  [M in Method]: (...args: {} extends Methods[M][0] ? [params?: Methods[M][0]] : [params: Methods[M][0]]) => Promise<Methods[M][1]>;
} & {
  /** container is where the page runs. */
  readonly container: Container;
};

/** GovappGlobal is window.govapp as /sdk/govapp.js installs it: the JS API plus the hot-update runtime. */
export type GovappGlobal = BridgeApi & {
  readonly version: string;
  readonly appId: string | null;
  readonly bundleId: string | null;
  /** ready tells the platform the app started (hot update: the bundle becomes the good one). */
  ready(): Promise<void>;
  state(): 'inert' | 'trial' | 'good' | 'failed';
  GovappError: typeof GovappError;
  isGovappError: typeof isGovappError;
  /** setAccessToken gives the SDK the signed-in citizen's access token (or a function returning it); null signs out. */
  setAccessToken(token: string | (() => string) | null): void;
  /** stats is usage statistics (issue 7): auto-tracked events, custom events, the opt-out. */
  stats: Pick<Stats, 'track' | 'flush' | 'disable' | 'enable' | 'enabled' | 'deviceId' | 'pending'>;
  /** track records a custom event (govapp.stats.track). */
  track(name: string, props?: StatsProps): void;
  /** push is the citizen's side of unified push (issue 6). */
  push: Push;
};

declare global {
  interface Window {
    /** govapp is installed by /sdk/govapp.js. */
    govapp: GovappGlobal;
  }
}
