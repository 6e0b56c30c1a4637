import { Adapter, Ctx } from '../adapter';
import { Fault } from '../errors';
/** zlbFault maps a ZWJSBridge rejection ({errorCode, errorMessage}) to a Fault by what its message says. */
export declare function zlbFault(err: any): Fault;
/** zlbAdapter implements the API with ZWJSBridge. */
export declare function zlbAdapter(ctx: Ctx): Adapter;
