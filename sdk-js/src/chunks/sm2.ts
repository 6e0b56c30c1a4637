// Entry of dist/sm2.js: sm-crypto's SM2 verifier, loaded by govapp.js only for sm2-sm3 bundles.
import { globalObject } from '../bytes';
import { sm2Verify } from '../crypto/sm2';

const g = globalObject();
(g.__govappChunks || (g.__govappChunks = {})).sm2 = sm2Verify;
