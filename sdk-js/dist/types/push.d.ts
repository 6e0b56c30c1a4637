import type { Container } from './bridge/errors';
import type { FetchLike } from './update';
/** DeviceKind is what a registration names: an APNs or FCM token, the gov-app container id, a WeChat openid, an Alipay user id. */
export type DeviceKind = 'apns' | 'fcm' | 'govapp' | 'wechat' | 'alipay';
/** RegisterParams are govapp.push.register's parameters. */
export interface RegisterParams {
    kind: DeviceKind;
    /** token is the provider's token: APNs hex, FCM registration token, container id, openid, Alipay user id. */
    token: string;
    /** topic: the iOS bundle id (APNs), the official account's appid (WeChat), the Alipay app id (Alipay). */
    topic?: string;
    /** environment is "production" (default) or "development", for APNs. */
    environment?: 'production' | 'development';
    /** appId subscribes the citizen to this app's notices; default: the current app, "" for none. */
    appId?: string;
}
/** PushDevice is the stored registration (the platform's push.Device). */
export interface PushDevice {
    user_id: string;
    kind: DeviceKind;
    token: string;
    topic?: string;
    environment?: string;
    app_id?: string;
    registered_at: string;
    unregistered_at?: string;
}
/** InboxItem is one notice of the citizen's inbox (the platform's push.InboxItem). */
export interface InboxItem {
    notice: string;
    title: string;
    body: string;
    app_id?: string;
    link?: string;
    /** sensitive notices were pushed content-free; the inbox is where their content is. */
    sensitive?: boolean;
    at: string;
    opened_at?: string;
}
/** Push is govapp.push. */
export interface Push {
    register(p: RegisterParams): Promise<PushDevice>;
    /** inbox lists the citizen's notices, newest first (limit 1–200, default the platform's 50). */
    inbox(p?: {
        limit?: number;
    }): Promise<{
        items: InboxItem[];
    }>;
    /** opened reports that the citizen opened a notice, and records a notice_opened event. */
    opened(noticeId: string): Promise<{
        status: string;
    }>;
    subscribe(appId?: string): Promise<{
        status: string;
    }>;
    unsubscribe(appId?: string): Promise<{
        status: string;
    }>;
}
/** PushEnv is what the push client needs. */
export interface PushEnv {
    url(path: string): string;
    fetch: FetchLike;
    /** token is the citizen's access token ("" when signed out). */
    token(): string;
    appId(): string;
    container(): Container;
    /** opened is told before a notice's open is reported (the statistics record notice_opened). */
    opened?(noticeId: string): void;
}
/** createPush returns govapp.push. */
export declare function createPush(env: PushEnv): Push;
