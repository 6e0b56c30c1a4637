// Statically linked verifiers, for the ESM build, Node and tests.

import { CryptoBackends } from './backends';
import { ed25519VerifyNacl } from './ed25519-nacl';
import { sm2Verify } from './sm2';

/** staticBackends links TweetNaCl and sm-crypto into the bundle. */
export const staticBackends: CryptoBackends = {
  ed25519: () => Promise.resolve(ed25519VerifyNacl),
  sm2: () => Promise.resolve(sm2Verify),
};
