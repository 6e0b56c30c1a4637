import type { GovappConfig } from './config';
import type { Container } from './errors';
import type { ChooseImageResult, Empty, ImageSource, LocationResult, ScanResult, ShareResult, SystemInfo, UiStyleResult } from './types';
/** Ctx is what every adapter gets. */
export interface Ctx {
    /** win is the global object (window, or a fake in tests). */
    win: any;
    /** config returns window.__GOVAPP__ as normalised now. */
    config(): GovappConfig;
    /** appId is the light app's id ("" when unknown). */
    appId(): string;
    fetch(url: string, init?: RequestInit): Promise<Response>;
    sdkVersion: string;
    readyTimeoutMs(): number;
}
/** Adapter is one container's implementation of the API. */
export interface Adapter {
    container: Container;
    /** credential returns what the container gives for sign-in (WeChat OAuth code, Alipay authCode, a gov-app or 浙里办 ticket). It may navigate away and never settle. */
    credential(scope: string): Promise<string>;
    scan(p: {
        type: 'qr' | 'bar' | 'any';
    }): Promise<ScanResult>;
    getLocation(p: {
        type: 'wgs84' | 'gcj02';
    }): Promise<LocationResult>;
    chooseImage(p: {
        count: number;
        sourceType: ImageSource[];
    }): Promise<ChooseImageResult>;
    previewImage(p: {
        urls: string[];
        current: string;
    }): Promise<Empty>;
    share(p: {
        title: string;
        desc: string;
        link: string;
        imageUrl: string;
    }): Promise<ShareResult>;
    phoneCall(p: {
        number: string;
    }): Promise<Empty>;
    openLink(p: {
        url: string;
    }): Promise<Empty>;
    setTitle(p: {
        title: string;
    }): Promise<Empty>;
    close(): Promise<Empty>;
    getSystemInfo(): Promise<SystemInfo>;
    getUiStyle(): Promise<UiStyleResult>;
}
/** consentScope reports whether scope asks for more than a silent sign-in (profile or phone). */
export declare function consentScope(scope: string): boolean;
/** once memoises an async init; a failure is forgotten so the next call tries again. */
export declare function once<T>(fn: () => Promise<T>): () => Promise<T>;
