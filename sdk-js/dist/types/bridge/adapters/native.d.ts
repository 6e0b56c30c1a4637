import { Adapter, Ctx } from '../adapter';
import { Fault } from '../errors';
/** NATIVE_PROTOCOL is the protocol version this SDK speaks. */
export declare const NATIVE_PROTOCOL = 1;
/** NATIVE_READY_EVENT is dispatched on document by a container that injects its bridge after the page's scripts started. */
export declare const NATIVE_READY_EVENT = "GovAppNativeReady";
/** Hello is the native side's answer to the hello handshake. */
export interface Hello {
    protocol: number;
    container: string;
    version: string;
    platform: string;
    methods: string[];
}
/** nativeFault maps a native {code, message} error to a Fault; the container's Chinese message is kept. */
export declare function nativeFault(err: any): Fault;
/** nativeAdapter implements the API over the gov-app message bridge. */
export declare function nativeAdapter(ctx: Ctx): Adapter;
