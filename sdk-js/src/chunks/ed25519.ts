// Entry of dist/ed25519.js: TweetNaCl's Ed25519 verifier, loaded by govapp.js
// only where WebCrypto has no Ed25519.
import { globalObject } from '../bytes';
import { ed25519VerifyNacl } from '../crypto/ed25519-nacl';

const g = globalObject();
(g.__govappChunks || (g.__govappChunks = {})).ed25519 = ed25519VerifyNacl;
