declare module 'sm-crypto/src/sm2/index.js' {
  export function doVerifySignature(
    msg: string | ArrayLike<number>,
    signHex: string,
    publicKey: string,
    options?: { der?: boolean; hash?: boolean; userId?: string },
  ): boolean;
  export function doSignature(
    msg: string | ArrayLike<number>,
    privateKey: string,
    options?: { der?: boolean; hash?: boolean; userId?: string; publicKey?: string },
  ): string;
  export function getPublicKeyFromPrivateKey(privateKey: string): string;
}

declare module 'tweetnacl/nacl.js' {
  import nacl from 'tweetnacl';
  export default nacl;
}
