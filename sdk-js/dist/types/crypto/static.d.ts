import { CryptoBackends } from './backends';
/** staticBackends links TweetNaCl and sm-crypto into the bundle. */
export declare const staticBackends: CryptoBackends;
