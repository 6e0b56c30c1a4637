import type { Ctx } from './adapter';
import type { Container } from './errors';
import type { LoginResult } from './types';
/** platformUrl joins __GOVAPP__.server and path, with a query. */
export declare function platformUrl(ctx: Ctx, path: string, query?: {
    [k: string]: string;
}): string;
/** PlatformError is the platform's error body ({code, http, error}) as far as it could be read. */
export interface PlatformError {
    status: number;
    code?: number;
    message?: string;
}
/** platformError reads the platform's error shape from a failed response. */
export declare function platformError(res: Response): Promise<PlatformError>;
/**
 * exchangeCredential turns the container's credential into the platform's
 * one-time code: POST /v1/auth/container-login {app_id, container,
 * credential} → 200 {code, expires_in}. (The scope went to the container:
 * a consent credential carries it.)
 */
export declare function exchangeCredential(ctx: Ctx, container: Container, credential: string): Promise<LoginResult>;
