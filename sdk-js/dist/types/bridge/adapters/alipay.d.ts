import { Adapter, Ctx } from '../adapter';
import { ErrorCode, Fault } from '../errors';
/** ALIPAY_ERRORS maps per-API error numbers (10 and up) to error codes. */
export declare const ALIPAY_ERRORS: {
    [api: string]: {
        [error: number]: ErrorCode;
    };
};
/** alipayFault maps an Alipay answer with a non-zero error to a Fault. */
export declare function alipayFault(api: string, res: any): Fault;
/** alipayAdapter implements the API with AlipayJSBridge. */
export declare function alipayAdapter(ctx: Ctx): Adapter;
