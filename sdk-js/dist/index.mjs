/*! @govapp/sdk 0.1.0 */
var __defProp = Object.defineProperty;
var __defProps = Object.defineProperties;
var __getOwnPropDescs = Object.getOwnPropertyDescriptors;
var __getOwnPropSymbols = Object.getOwnPropertySymbols;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __propIsEnum = Object.prototype.propertyIsEnumerable;
var __defNormalProp = (obj, key, value) => key in obj ? __defProp(obj, key, { enumerable: true, configurable: true, writable: true, value }) : obj[key] = value;
var __spreadValues = (a, b) => {
  for (var prop in b || (b = {}))
    if (__hasOwnProp.call(b, prop))
      __defNormalProp(a, prop, b[prop]);
  if (__getOwnPropSymbols)
    for (var prop of __getOwnPropSymbols(b)) {
      if (__propIsEnum.call(b, prop))
        __defNormalProp(a, prop, b[prop]);
    }
  return a;
};
var __spreadProps = (a, b) => __defProps(a, __getOwnPropDescs(b));

// src/crypto/backends.ts
var current = null;
function setCryptoBackends(b) {
  current = b;
}
function cryptoBackends() {
  if (!current) throw new Error("govapp: no crypto backends installed (import from the package entry point)");
  return current;
}

// src/crypto/ed25519-nacl.ts
import nacl from "tweetnacl/nacl.js";
var L = [
  237,
  211,
  245,
  92,
  26,
  99,
  18,
  88,
  214,
  156,
  247,
  162,
  222,
  249,
  222,
  20,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  16
];
function scalarIsCanonical(s) {
  for (let i = 31; i >= 0; i--) {
    if (s[i] < L[i]) return true;
    if (s[i] > L[i]) return false;
  }
  return false;
}
function ed25519VerifyNacl(msg, sig, publicKey) {
  if (sig.length !== 64 || publicKey.length !== 32) return false;
  if (!scalarIsCanonical(sig.subarray(32))) return false;
  return nacl.sign.detached.verify(msg, sig, publicKey);
}

// src/crypto/sm2.ts
import { doVerifySignature } from "sm-crypto/src/sm2/index.js";

// src/bytes.ts
function utf8(s) {
  return new TextEncoder().encode(s);
}
function decodeUtf8Strict(b) {
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(b);
}
function hasLoneSurrogate(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 55296 && c <= 56319) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d < 56320 || d > 57343) return true;
      i++;
    } else if (c >= 56320 && c <= 57343) {
      return true;
    }
  }
  return false;
}
function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}
function compareUtf8(a, b) {
  return compareBytes(utf8(a), utf8(b));
}
var HEX = "0123456789abcdef";
function toHex(b) {
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15];
  return s;
}
var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
var B64_INDEX = {};
for (let i = 0; i < B64.length; i++) B64_INDEX[B64[i]] = i;
function fromBase64(s) {
  if (typeof s !== "string" || s.length % 4 !== 0) return null;
  let pad = 0;
  if (s.length > 0 && s[s.length - 1] === "=") pad = s[s.length - 2] === "=" ? 2 : 1;
  const n = s.length / 4 * 3 - pad;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const last = i + 4 === s.length;
    const q = [0, 0, 0, 0];
    for (let j = 0; j < 4; j++) {
      const ch = s[i + j];
      if (ch === "=") {
        if (!last || j < 4 - pad) return null;
        continue;
      }
      const v = B64_INDEX[ch];
      if (v === void 0) return null;
      q[j] = v;
    }
    const w = q[0] << 18 | q[1] << 12 | q[2] << 6 | q[3];
    if (o < n) out[o++] = w >> 16 & 255;
    if (o < n) out[o++] = w >> 8 & 255;
    if (o < n) out[o++] = w & 255;
  }
  return toBase64(out) === s ? out : null;
}
function toBase64(b) {
  let s = "";
  for (let i = 0; i < b.length; i += 3) {
    const w = b[i] << 16 | (i + 1 < b.length ? b[i + 1] : 0) << 8 | (i + 2 < b.length ? b[i + 2] : 0);
    s += B64[w >> 18 & 63] + B64[w >> 12 & 63];
    s += i + 1 < b.length ? B64[w >> 6 & 63] : "=";
    s += i + 2 < b.length ? B64[w & 63] : "=";
  }
  return s;
}
function globalObject() {
  if (typeof self !== "undefined") return self;
  if (typeof window !== "undefined") return window;
  return Function("return this")();
}

// src/crypto/sm2.ts
function sm2Verify(msg, sig, publicKey) {
  if (publicKey.length !== 65 || publicKey[0] !== 4) return false;
  if (sig.length < 8 || sig.length > 80) return false;
  try {
    return doVerifySignature(Array.prototype.slice.call(msg), toHex(sig), toHex(publicKey), {
      der: true,
      hash: true,
      userId: "1234567812345678"
    }) === true;
  } catch (_) {
    return false;
  }
}

// src/crypto/static.ts
var staticBackends = {
  ed25519: () => Promise.resolve(ed25519VerifyNacl),
  sm2: () => Promise.resolve(sm2Verify)
};

// src/canonical.ts
var MAX_SAFE = 9007199254740991;
var CanonicalError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "CanonicalError";
  }
};
function canonicalize(v) {
  if (typeof v === "string") {
    if (hasLoneSurrogate(v)) throw new CanonicalError("string is not valid Unicode (lone surrogate)");
    return JSON.stringify(v);
  }
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0 || v > MAX_SAFE || Object.is(v, -0)) {
      throw new CanonicalError("number " + String(v) + " is not an integer in 0..2^53-1");
    }
    return String(v);
  }
  if (Array.isArray(v)) {
    let s = "[";
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ",";
      s += canonicalize(v[i]);
    }
    return s + "]";
  }
  if (isPlainObject(v)) {
    const o = v;
    const keys = Object.keys(o).sort();
    let s = "{";
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) s += ",";
      s += canonicalize(keys[i]) + ":" + canonicalize(o[keys[i]]);
    }
    return s + "}";
  }
  throw new CanonicalError("value of type " + (v === null ? "null" : typeof v) + " has no canonical form");
}
function isPlainObject(v) {
  if (v === null || typeof v !== "object") return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}
function canonicalBytes(v) {
  return utf8(canonicalize(v));
}

// src/json.ts
var NonInteger = class {
  constructor(text) {
    this.text = text;
  }
};
var JsonSyntaxError = class extends Error {
  constructor(message, offset) {
    super(message + " at offset " + offset);
    this.offset = offset;
    this.name = "JsonSyntaxError";
  }
};
var MAX_DEPTH = 32;
function parseStrictJson(text) {
  let i = 0;
  const n = text.length;
  function fail2(msg) {
    throw new JsonSyntaxError(msg, i);
  }
  function ws() {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  }
  function value(depth) {
    if (depth > MAX_DEPTH) fail2("nesting too deep");
    ws();
    if (i >= n) fail2("unexpected end of input");
    const c = text[i];
    if (c === "{") return object(depth);
    if (c === "[") return array(depth);
    if (c === '"') return string();
    if (c === "-" || c >= "0" && c <= "9") return number();
    if (text.startsWith("true", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("false", i)) {
      i += 5;
      return false;
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return null;
    }
    return fail2("unexpected character " + JSON.stringify(c));
  }
  function object(depth) {
    i++;
    const o = /* @__PURE__ */ Object.create(null);
    ws();
    if (text[i] === "}") {
      i++;
      return o;
    }
    for (; ; ) {
      ws();
      if (text[i] !== '"') fail2("expected member name");
      const k = string();
      if (Object.prototype.hasOwnProperty.call(o, k)) fail2("duplicate member " + JSON.stringify(k));
      ws();
      if (text[i] !== ":") fail2("expected ':'");
      i++;
      o[k] = value(depth + 1);
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return o;
      }
      fail2("expected ',' or '}'");
    }
  }
  function array(depth) {
    i++;
    const a = [];
    ws();
    if (text[i] === "]") {
      i++;
      return a;
    }
    for (; ; ) {
      a.push(value(depth + 1));
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return a;
      }
      fail2("expected ',' or ']'");
    }
  }
  function hex4() {
    const h = text.substr(i, 4);
    if (!/^[0-9A-Fa-f]{4}$/.test(h)) fail2("bad \\u escape");
    i += 4;
    return parseInt(h, 16);
  }
  function string() {
    i++;
    let s = "";
    let start = i;
    for (; ; ) {
      if (i >= n) fail2("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 34) {
        s += text.slice(start, i);
        i++;
        return s;
      }
      if (c < 32) fail2("control character in string");
      if (c >= 55296 && c <= 56319) {
        const d = text.charCodeAt(i + 1);
        if (!(d >= 56320 && d <= 57343)) fail2("lone surrogate in string");
        i += 2;
        continue;
      }
      if (c >= 56320 && c <= 57343) fail2("lone surrogate in string");
      if (c !== 92) {
        i++;
        continue;
      }
      s += text.slice(start, i);
      i++;
      const e = text[i++];
      switch (e) {
        case '"':
          s += '"';
          break;
        case "\\":
          s += "\\";
          break;
        case "/":
          s += "/";
          break;
        case "b":
          s += "\b";
          break;
        case "f":
          s += "\f";
          break;
        case "n":
          s += "\n";
          break;
        case "r":
          s += "\r";
          break;
        case "t":
          s += "	";
          break;
        case "u": {
          const u = hex4();
          if (u >= 55296 && u <= 56319) {
            if (text[i] !== "\\" || text[i + 1] !== "u") fail2("lone surrogate escape");
            i += 2;
            const l = hex4();
            if (l < 56320 || l > 57343) fail2("lone surrogate escape");
            s += String.fromCharCode(u, l);
          } else if (u >= 56320 && u <= 57343) {
            fail2("lone surrogate escape");
          } else {
            s += String.fromCharCode(u);
          }
          break;
        }
        default:
          fail2("bad escape");
      }
      start = i;
    }
  }
  function number() {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail2("bad number");
    i += m[0].length;
    const t = m[0];
    if (/^(0|[1-9][0-9]*)$/.test(t) && t.length <= 16) {
      const v2 = Number(t);
      if (v2 <= MAX_SAFE) return v2;
    }
    return new NonInteger(t);
  }
  const v = value(0);
  ws();
  if (i !== n) fail2("trailing characters after JSON value");
  return v;
}

// src/foldtable.ts
var FOLD_RUNS = [
  97,
  122,
  1,
  -32,
  224,
  246,
  1,
  -32,
  248,
  254,
  1,
  -32,
  257,
  303,
  2,
  -1,
  307,
  311,
  2,
  -1,
  314,
  328,
  2,
  -1,
  331,
  375,
  2,
  -1,
  376,
  376,
  1,
  -121,
  378,
  382,
  2,
  -1,
  383,
  383,
  1,
  -300,
  387,
  389,
  2,
  -1,
  392,
  392,
  1,
  -1,
  396,
  396,
  1,
  -1,
  402,
  402,
  1,
  -1,
  409,
  409,
  1,
  -1,
  417,
  421,
  2,
  -1,
  424,
  424,
  1,
  -1,
  429,
  429,
  1,
  -1,
  432,
  432,
  1,
  -1,
  436,
  438,
  2,
  -1,
  441,
  441,
  1,
  -1,
  445,
  445,
  1,
  -1,
  453,
  453,
  1,
  -1,
  454,
  454,
  1,
  -2,
  456,
  456,
  1,
  -1,
  457,
  457,
  1,
  -2,
  459,
  459,
  1,
  -1,
  460,
  460,
  1,
  -2,
  462,
  476,
  2,
  -1,
  477,
  477,
  1,
  -79,
  479,
  495,
  2,
  -1,
  498,
  498,
  1,
  -1,
  499,
  499,
  1,
  -2,
  501,
  501,
  1,
  -1,
  502,
  502,
  1,
  -97,
  503,
  503,
  1,
  -56,
  505,
  543,
  2,
  -1,
  544,
  544,
  1,
  -130,
  547,
  563,
  2,
  -1,
  572,
  572,
  1,
  -1,
  573,
  573,
  1,
  -163,
  578,
  578,
  1,
  -1,
  579,
  579,
  1,
  -195,
  583,
  591,
  2,
  -1,
  595,
  595,
  1,
  -210,
  596,
  596,
  1,
  -206,
  598,
  599,
  1,
  -205,
  601,
  601,
  1,
  -202,
  603,
  603,
  1,
  -203,
  608,
  608,
  1,
  -205,
  611,
  611,
  1,
  -207,
  616,
  616,
  1,
  -209,
  617,
  617,
  1,
  -211,
  623,
  623,
  1,
  -211,
  626,
  626,
  1,
  -213,
  629,
  629,
  1,
  -214,
  640,
  640,
  1,
  -218,
  643,
  643,
  1,
  -218,
  648,
  648,
  1,
  -218,
  649,
  649,
  1,
  -69,
  650,
  651,
  1,
  -217,
  652,
  652,
  1,
  -71,
  658,
  658,
  1,
  -219,
  881,
  883,
  2,
  -1,
  887,
  887,
  1,
  -1,
  921,
  921,
  1,
  -84,
  924,
  924,
  1,
  -743,
  940,
  940,
  1,
  -38,
  941,
  943,
  1,
  -37,
  945,
  952,
  1,
  -32,
  953,
  953,
  1,
  -116,
  954,
  955,
  1,
  -32,
  956,
  956,
  1,
  -775,
  957,
  961,
  1,
  -32,
  962,
  962,
  1,
  -31,
  963,
  971,
  1,
  -32,
  972,
  972,
  1,
  -64,
  973,
  974,
  1,
  -63,
  976,
  976,
  1,
  -62,
  977,
  977,
  1,
  -57,
  981,
  981,
  1,
  -47,
  982,
  982,
  1,
  -54,
  983,
  983,
  1,
  -8,
  985,
  1007,
  2,
  -1,
  1008,
  1008,
  1,
  -86,
  1009,
  1009,
  1,
  -80,
  1011,
  1011,
  1,
  -116,
  1012,
  1012,
  1,
  -92,
  1013,
  1013,
  1,
  -96,
  1016,
  1016,
  1,
  -1,
  1017,
  1017,
  1,
  -7,
  1019,
  1019,
  1,
  -1,
  1021,
  1023,
  1,
  -130,
  1072,
  1103,
  1,
  -32,
  1104,
  1119,
  1,
  -80,
  1121,
  1153,
  2,
  -1,
  1163,
  1215,
  2,
  -1,
  1218,
  1230,
  2,
  -1,
  1231,
  1231,
  1,
  -15,
  1233,
  1327,
  2,
  -1,
  1377,
  1414,
  1,
  -48,
  5112,
  5117,
  1,
  -8,
  7296,
  7296,
  1,
  -6254,
  7297,
  7297,
  1,
  -6253,
  7298,
  7298,
  1,
  -6244,
  7299,
  7300,
  1,
  -6242,
  7301,
  7301,
  1,
  -6243,
  7302,
  7302,
  1,
  -6236,
  7303,
  7303,
  1,
  -6181,
  7312,
  7354,
  1,
  -3008,
  7357,
  7359,
  1,
  -3008,
  7681,
  7829,
  2,
  -1,
  7835,
  7835,
  1,
  -59,
  7838,
  7838,
  1,
  -7615,
  7841,
  7935,
  2,
  -1,
  7944,
  7951,
  1,
  -8,
  7960,
  7965,
  1,
  -8,
  7976,
  7983,
  1,
  -8,
  7992,
  7999,
  1,
  -8,
  8008,
  8013,
  1,
  -8,
  8025,
  8031,
  2,
  -8,
  8040,
  8047,
  1,
  -8,
  8072,
  8079,
  1,
  -8,
  8088,
  8095,
  1,
  -8,
  8104,
  8111,
  1,
  -8,
  8120,
  8121,
  1,
  -8,
  8122,
  8123,
  1,
  -74,
  8124,
  8124,
  1,
  -9,
  8126,
  8126,
  1,
  -7289,
  8136,
  8139,
  1,
  -86,
  8140,
  8140,
  1,
  -9,
  8152,
  8153,
  1,
  -8,
  8154,
  8155,
  1,
  -100,
  8168,
  8169,
  1,
  -8,
  8170,
  8171,
  1,
  -112,
  8172,
  8172,
  1,
  -7,
  8184,
  8185,
  1,
  -128,
  8186,
  8187,
  1,
  -126,
  8188,
  8188,
  1,
  -9,
  8486,
  8486,
  1,
  -7549,
  8490,
  8490,
  1,
  -8415,
  8491,
  8491,
  1,
  -8294,
  8526,
  8526,
  1,
  -28,
  8560,
  8575,
  1,
  -16,
  8580,
  8580,
  1,
  -1,
  9424,
  9449,
  1,
  -26,
  11312,
  11359,
  1,
  -48,
  11361,
  11361,
  1,
  -1,
  11362,
  11362,
  1,
  -10743,
  11363,
  11363,
  1,
  -3814,
  11364,
  11364,
  1,
  -10727,
  11365,
  11365,
  1,
  -10795,
  11366,
  11366,
  1,
  -10792,
  11368,
  11372,
  2,
  -1,
  11373,
  11373,
  1,
  -10780,
  11374,
  11374,
  1,
  -10749,
  11375,
  11375,
  1,
  -10783,
  11376,
  11376,
  1,
  -10782,
  11379,
  11379,
  1,
  -1,
  11382,
  11382,
  1,
  -1,
  11390,
  11391,
  1,
  -10815,
  11393,
  11491,
  2,
  -1,
  11500,
  11502,
  2,
  -1,
  11507,
  11507,
  1,
  -1,
  11520,
  11557,
  1,
  -7264,
  11559,
  11559,
  1,
  -7264,
  11565,
  11565,
  1,
  -7264,
  42561,
  42569,
  2,
  -1,
  42570,
  42570,
  1,
  -35266,
  42571,
  42571,
  1,
  -35267,
  42573,
  42605,
  2,
  -1,
  42625,
  42651,
  2,
  -1,
  42787,
  42799,
  2,
  -1,
  42803,
  42863,
  2,
  -1,
  42874,
  42876,
  2,
  -1,
  42877,
  42877,
  1,
  -35332,
  42879,
  42887,
  2,
  -1,
  42892,
  42892,
  1,
  -1,
  42893,
  42893,
  1,
  -42280,
  42897,
  42899,
  2,
  -1,
  42903,
  42921,
  2,
  -1,
  42922,
  42922,
  1,
  -42308,
  42923,
  42923,
  1,
  -42319,
  42924,
  42924,
  1,
  -42315,
  42925,
  42925,
  1,
  -42305,
  42926,
  42926,
  1,
  -42308,
  42928,
  42928,
  1,
  -42258,
  42929,
  42929,
  1,
  -42282,
  42930,
  42930,
  1,
  -42261,
  42933,
  42947,
  2,
  -1,
  42948,
  42948,
  1,
  -48,
  42949,
  42949,
  1,
  -42307,
  42950,
  42950,
  1,
  -35384,
  42952,
  42954,
  2,
  -1,
  42961,
  42961,
  1,
  -1,
  42967,
  42969,
  2,
  -1,
  42998,
  42998,
  1,
  -1,
  43859,
  43859,
  1,
  -928,
  43888,
  43967,
  1,
  -38864,
  65345,
  65370,
  1,
  -32,
  66600,
  66639,
  1,
  -40,
  66776,
  66811,
  1,
  -40,
  66967,
  66977,
  1,
  -39,
  66979,
  66993,
  1,
  -39,
  66995,
  67001,
  1,
  -39,
  67003,
  67004,
  1,
  -39,
  68800,
  68850,
  1,
  -64,
  71872,
  71903,
  1,
  -32,
  93792,
  93823,
  1,
  -32,
  125218,
  125251,
  1,
  -34
];

// src/crypto/ed25519.ts
var PROBE_KEY = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
var PROBE_SIG = hex(
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
);
function hex(s) {
  const b = new Uint8Array(s.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(s.substr(i * 2, 2), 16);
  return b;
}
var probe = null;
async function subtleVerify(subtle2, msg, sig, key) {
  const k = await subtle2.importKey("raw", key, { name: "Ed25519" }, false, ["verify"]);
  return subtle2.verify({ name: "Ed25519" }, k, sig, msg);
}
function webCryptoEd25519() {
  if (!probe) {
    const c = globalObject().crypto;
    const subtle2 = c && c.subtle;
    probe = !subtle2 ? Promise.resolve(false) : subtleVerify(subtle2, new Uint8Array(0), PROBE_SIG, PROBE_KEY).then(
      (ok) => ok === true,
      () => false
    );
  }
  return probe;
}
async function ed25519Mode() {
  return await webCryptoEd25519() ? "webcrypto" : "fallback";
}
async function ed25519Verify(msg, sig, publicKey) {
  if (sig.length !== 64 || publicKey.length !== 32) return false;
  if (await webCryptoEd25519()) {
    try {
      return await subtleVerify(globalObject().crypto.subtle, msg, sig, publicKey);
    } catch (_) {
      return false;
    }
  }
  const verify = await cryptoBackends().ed25519();
  return verify(msg, sig, publicKey);
}

// src/crypto/sha256.ts
function subtle() {
  const c = globalObject().crypto;
  return c && c.subtle && typeof c.subtle.digest === "function" ? c.subtle : null;
}
async function sha256(data) {
  const s = subtle();
  if (s) {
    try {
      return new Uint8Array(await s.digest("SHA-256", data));
    } catch (_) {
    }
  }
  return sha256Js(data);
}
async function sha256Hex(data) {
  return toHex(await sha256(data));
}
var K = new Uint32Array([
  1116352408,
  1899447441,
  3049323471,
  3921009573,
  961987163,
  1508970993,
  2453635748,
  2870763221,
  3624381080,
  310598401,
  607225278,
  1426881987,
  1925078388,
  2162078206,
  2614888103,
  3248222580,
  3835390401,
  4022224774,
  264347078,
  604807628,
  770255983,
  1249150122,
  1555081692,
  1996064986,
  2554220882,
  2821834349,
  2952996808,
  3210313671,
  3336571891,
  3584528711,
  113926993,
  338241895,
  666307205,
  773529912,
  1294757372,
  1396182291,
  1695183700,
  1986661051,
  2177026350,
  2456956037,
  2730485921,
  2820302411,
  3259730800,
  3345764771,
  3516065817,
  3600352804,
  4094571909,
  275423344,
  430227734,
  506948616,
  659060556,
  883997877,
  958139571,
  1322822218,
  1537002063,
  1747873779,
  1955562222,
  2024104815,
  2227730452,
  2361852424,
  2428436474,
  2756734187,
  3204031479,
  3329325298
]);
function sha256Js(data) {
  const h = new Uint32Array([
    1779033703,
    3144134277,
    1013904242,
    2773480762,
    1359893119,
    2600822924,
    528734635,
    1541459225
  ]);
  const len = data.length;
  const blocks = Math.ceil((len + 9) / 64);
  const buf = new Uint8Array(blocks * 64);
  buf.set(data);
  buf[len] = 128;
  const bits = len * 8;
  const dv = new DataView(buf.buffer);
  dv.setUint32(buf.length - 8, Math.floor(bits / 4294967296));
  dv.setUint32(buf.length - 4, bits >>> 0);
  const w = new Uint32Array(64);
  for (let b = 0; b < blocks; b++) {
    for (let t = 0; t < 16; t++) w[t] = dv.getUint32(b * 64 + t * 4);
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15];
      const y = w[t - 2];
      const s0 = (x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ x >>> 3;
      const s1 = (y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ y >>> 10;
      w[t] = w[t - 16] + s0 + w[t - 7] + s1 | 0;
    }
    let a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (let t = 0; t < 64; t++) {
      const S1 = (e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7);
      const ch = e & f ^ ~e & g;
      const t1 = hh + S1 + ch + K[t] + w[t] | 0;
      const S0 = (a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10);
      const maj = a & bb ^ a & c ^ bb & c;
      const t2 = S0 + maj | 0;
      hh = g;
      g = f;
      f = e;
      e = d + t1 | 0;
      d = c;
      c = bb;
      bb = a;
      a = t1 + t2 | 0;
    }
    h[0] += a;
    h[1] += bb;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  const out = new Uint8Array(32);
  const odv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) odv.setUint32(i * 4, h[i]);
  return out;
}

// src/verify.ts
var REASONS = [
  "malformed",
  "unknown_key",
  "alg_mismatch",
  "bad_signature",
  "bundle_id_mismatch",
  "too_many_files",
  "file_too_large",
  "bundle_too_large",
  "bad_path",
  "unsorted_files",
  "duplicate_path",
  "bad_entry",
  "missing_file",
  "size_mismatch",
  "hash_mismatch"
];
var ALG_ED25519 = "ed25519";
var ALG_SM2 = "sm2-sm3";
var DEFAULT_LIMITS = {
  max_files: 2e3,
  max_file_size: 20 * 1024 * 1024,
  max_total_size: 50 * 1024 * 1024
};
var KINDS = ["alipay", "govapp", "web", "wechat"];
var RE_APP_ID = /^[a-z][a-z0-9-]{2,39}$/;
var RE_VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$/;
var RE_CREATED = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/;
var RE_DOTTED = /^[0-9]+(\.[0-9]+){0,3}$/;
var RE_HEX64 = /^[0-9a-f]{64}$/;
var RE_HEX16 = /^[0-9a-f]{16}$/;
var RE_CONTENT_TYPE = /^[\x20-\x7e]{1,255}$/;
function fail(reason, detail) {
  return { ok: false, reason, detail };
}
var Malformed = class extends Error {
};
function bad(msg) {
  throw new Malformed(msg);
}
function isObject(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === null || p === Object.prototype;
}
function exactMembers(v, what, names) {
  if (!isObject(v)) bad(what + " is not an object");
  const keys = Object.keys(v);
  for (const k of keys) {
    if (names.indexOf(k) < 0) bad(what + " has unknown member " + JSON.stringify(k));
  }
  for (const n of names) {
    if (!Object.prototype.hasOwnProperty.call(v, n)) bad(what + " lacks member " + JSON.stringify(n));
  }
  return v;
}
function str(v, what, re) {
  if (typeof v !== "string") bad(what + " is not a string");
  if (hasLoneSurrogate(v)) bad(what + " is not valid Unicode");
  if (re && !re.test(v)) bad(what + " " + JSON.stringify(v) + " does not match " + String(re));
  return v;
}
function int(v, what) {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_SAFE || Object.is(v, -0)) {
    bad(what + " is not an integer in 0..2^53-1");
  }
  return v;
}
function daysIn(year, month) {
  if (month === 2) return year % 4 === 0 && year % 100 !== 0 || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].indexOf(month) >= 0 ? 30 : 31;
}
function createdAt(v) {
  const s = str(v, "manifest.created_at");
  const m = RE_CREATED.exec(s);
  if (!m) bad("manifest.created_at " + JSON.stringify(s) + " is not RFC 3339 UTC with Z and whole seconds");
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || se > 59) {
    bad("manifest.created_at " + JSON.stringify(s) + " is not a valid time");
  }
  return s;
}
function shape(v) {
  const env = exactMembers(v, "envelope", ["manifest", "signature"]);
  const m = exactMembers(env.manifest, "manifest", [
    "schema",
    "app_id",
    "bundle_id",
    "version",
    "created_at",
    "entry",
    "min_container",
    "files"
  ]);
  if (int(m.schema, "manifest.schema") !== 1) bad("manifest.schema is " + String(m.schema) + ", not 1");
  str(m.app_id, "manifest.app_id", RE_APP_ID);
  str(m.bundle_id, "manifest.bundle_id", RE_HEX64);
  str(m.version, "manifest.version", RE_VERSION);
  createdAt(m.created_at);
  str(m.entry, "manifest.entry");
  const mc = m.min_container;
  if (!isObject(mc)) bad("manifest.min_container is not an object");
  for (const k of Object.keys(mc)) {
    if (KINDS.indexOf(k) < 0) bad("manifest.min_container has unknown container kind " + JSON.stringify(k));
    str(mc[k], "manifest.min_container." + k, RE_DOTTED);
  }
  if (!Array.isArray(m.files)) bad("manifest.files is not an array");
  m.files.forEach((f, i) => {
    const w = "manifest.files[" + i + "]";
    const o = exactMembers(f, w, ["path", "size", "sha256", "content_type"]);
    str(o.path, w + ".path");
    int(o.size, w + ".size");
    str(o.sha256, w + ".sha256", RE_HEX64);
    str(o.content_type, w + ".content_type", RE_CONTENT_TYPE);
  });
  const sig = exactMembers(env.signature, "signature", ["alg", "key_id", "value"]);
  str(sig.alg, "signature.alg");
  str(sig.key_id, "signature.key_id", RE_HEX16);
  const value = fromBase64(str(sig.value, "signature.value"));
  if (value === null || value.length === 0) bad("signature.value is not non-empty standard base64 with padding");
  return env;
}
function parseEnvelope(input) {
  try {
    let v = input;
    if (input instanceof Uint8Array) {
      let text;
      try {
        text = decodeUtf8Strict(input);
      } catch (_) {
        return fail("malformed", "envelope is not valid UTF-8");
      }
      v = parseStrictJson(text);
    } else if (typeof input === "string") {
      v = parseStrictJson(input);
    }
    return { ok: true, envelope: shape(v) };
  } catch (e) {
    return fail("malformed", e instanceof Error ? e.message : String(e));
  }
}
function pathProblem(p) {
  if (hasLoneSurrogate(p)) return "not valid UTF-8";
  const n = utf8(p).length;
  if (n < 1 || n > 512) return "length " + n + " bytes is outside 1..512";
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c < 32 || c === 127) return "control character U+" + ("000" + c.toString(16).toUpperCase()).slice(-4);
    if (c === 92) return "backslash";
    if (c === 58) return "colon";
  }
  for (const seg of p.split("/")) {
    if (seg === "") return "empty segment";
    if (seg === "." || seg === "..") return "segment " + JSON.stringify(seg);
  }
  return null;
}
function foldCode(cp) {
  let lo = 0;
  let hi = FOLD_RUNS.length / 4;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (FOLD_RUNS[4 * mid] <= cp) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return cp;
  const r = 4 * (lo - 1);
  if (cp > FOLD_RUNS[r + 1] || (cp - FOLD_RUNS[r]) % FOLD_RUNS[r + 2] !== 0) return cp;
  return cp + FOLD_RUNS[r + 3];
}
function foldPath(p) {
  let out = "";
  for (const ch of Array.from(p)) out += String.fromCodePoint(foldCode(ch.codePointAt(0)));
  return out;
}
function effectiveLimits(l) {
  const pick = (v, d) => typeof v === "number" && v > 0 ? v : d;
  return {
    max_files: pick(l && l.max_files, DEFAULT_LIMITS.max_files),
    max_file_size: pick(l && l.max_file_size, DEFAULT_LIMITS.max_file_size),
    max_total_size: pick(l && l.max_total_size, DEFAULT_LIMITS.max_total_size)
  };
}
async function computeBundleId(m) {
  const copy = {};
  for (const k of Object.keys(m)) copy[k] = m[k];
  copy.bundle_id = "";
  return sha256Hex(canonicalBytes(copy));
}
async function keyIdFor(alg, publicKeyBase64) {
  return (await sha256Hex(utf8(alg + ":" + publicKeyBase64))).slice(0, 16);
}
async function signatureValid(alg, msg, sig, key) {
  if (alg === ALG_ED25519) return ed25519Verify(msg, sig, key);
  if (alg === ALG_SM2) {
    if (key.length !== 65 || key[0] !== 4) return false;
    const verify = await cryptoBackends().sm2();
    return verify(msg, sig, key);
  }
  return false;
}
function lookup(src, f) {
  if (typeof src === "function") return src(f);
  if (src instanceof Map) return Promise.resolve(src.get(f.path));
  return Promise.resolve(Object.prototype.hasOwnProperty.call(src, f.path) ? src[f.path] : void 0);
}
function checkManifest(m, limits) {
  const lim = effectiveLimits(limits);
  const files = m.files;
  if (files.length > lim.max_files) {
    return fail("too_many_files", files.length + " files, more than " + lim.max_files);
  }
  for (const f of files) {
    if (f.size > lim.max_file_size) {
      return fail("file_too_large", JSON.stringify(f.path) + " is " + f.size + " bytes, more than " + lim.max_file_size);
    }
  }
  let total = 0;
  for (const f of files) {
    total += f.size;
    if (total > lim.max_total_size) {
      return fail("bundle_too_large", "the files add up to more than " + lim.max_total_size + " bytes");
    }
  }
  for (const f of files) {
    const p = pathProblem(f.path);
    if (p) return fail("bad_path", JSON.stringify(f.path) + ": " + p);
  }
  for (let i = 1; i < files.length; i++) {
    if (compareUtf8(files[i - 1].path, files[i].path) > 0) {
      return fail("unsorted_files", JSON.stringify(files[i].path) + " does not sort after " + JSON.stringify(files[i - 1].path));
    }
  }
  const seen = /* @__PURE__ */ Object.create(null);
  for (const f of files) {
    const k = foldPath(f.path);
    const other = seen[k];
    if (other !== void 0) {
      return fail("duplicate_path", JSON.stringify(f.path) + " and " + JSON.stringify(other) + " are the same path on a case-insensitive file system");
    }
    seen[k] = f.path;
  }
  if (!files.some((f) => f.path === m.entry)) {
    return fail("bad_entry", "entry " + JSON.stringify(m.entry) + " is not one of the files");
  }
  return null;
}
async function checkFiles(m, src) {
  const got = await Promise.all(m.files.map((f) => lookup(src, f)));
  for (let i = 0; i < m.files.length; i++) {
    if (!got[i]) return fail("missing_file", JSON.stringify(m.files[i].path) + " is missing");
  }
  for (let i = 0; i < m.files.length; i++) {
    const b = got[i];
    if (b.length !== m.files[i].size) {
      return fail("size_mismatch", JSON.stringify(m.files[i].path) + " is " + b.length + " bytes, manifest says " + m.files[i].size);
    }
  }
  const out = /* @__PURE__ */ new Map();
  for (let i = 0; i < m.files.length; i++) {
    const b = got[i];
    const h = await sha256Hex(b);
    if (h !== m.files[i].sha256) {
      return fail("hash_mismatch", JSON.stringify(m.files[i].path) + " has SHA-256 " + h + ", manifest says " + m.files[i].sha256);
    }
    out.set(m.files[i].path, b);
  }
  return out;
}
async function verifyEnvelope(input, opts) {
  const parsed = parseEnvelope(input);
  if (!parsed.ok) return parsed;
  const env = parsed.envelope;
  const m = env.manifest;
  const sig = env.signature;
  let key;
  for (const k of opts.keys || []) {
    if (k && k.key_id === sig.key_id) {
      key = k;
      break;
    }
  }
  if (!key) return fail("unknown_key", "key " + sig.key_id + " is not trusted");
  if (key.alg !== sig.alg) {
    return fail("alg_mismatch", "key " + sig.key_id + " is " + JSON.stringify(key.alg) + ", signature says " + JSON.stringify(sig.alg));
  }
  const pub = fromBase64(key.public_key);
  const sigBytes = fromBase64(sig.value);
  if (!pub || !await signatureValid(sig.alg, canonicalBytes(m), sigBytes, pub)) {
    return fail("bad_signature", "the " + sig.alg + " signature does not verify with key " + sig.key_id);
  }
  const id = await computeBundleId(m);
  if (id !== m.bundle_id) return fail("bundle_id_mismatch", "bundle_id is " + m.bundle_id + ", the manifest hashes to " + id);
  const f = checkManifest(m, opts.limits);
  if (f) return f;
  if (!opts.files) return { ok: true, envelope: env };
  const files = await checkFiles(m, opts.files);
  if (!(files instanceof Map)) return files;
  return { ok: true, envelope: env, files };
}

// src/update.ts
var UpdateError = class extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
    this.name = "UpdateError";
  }
};
var UpdateCache = class {
  constructor() {
    this.entries = /* @__PURE__ */ new Map();
  }
  get(url) {
    return this.entries.get(url);
  }
  set(url, etag, body) {
    this.entries.set(url, { etag, body });
  }
  delete(url) {
    this.entries.delete(url);
  }
};
var sharedCache = new UpdateCache();
function defaultFetch() {
  if (typeof fetch !== "function") throw new Error("govapp: fetch is not available; pass one in");
  return (url, init) => fetch(url, init);
}
function joinUrl(server, path) {
  return (server || "").replace(/\/+$/, "") + path;
}
function updateUrl(p) {
  const q = [];
  const add = (k, v) => {
    if (v !== void 0 && v !== null) q.push(k + "=" + encodeURIComponent(v));
  };
  add("channel", p.channel || "production");
  add("bundle", p.bundle || "");
  add("container", p.container);
  add("container_version", p.containerVersion);
  add("device", p.device);
  add("region", p.region);
  return joinUrl(p.server, "/v1/runtime/apps/" + encodeURIComponent(p.appId) + "/update?" + q.join("&"));
}
async function checkForUpdate(p) {
  const f = p.fetch || defaultFetch();
  const cache = p.cache || sharedCache;
  const url = updateUrl(p);
  const cached = cache.get(url);
  const headers = { Accept: "application/json" };
  if (cached) headers["If-None-Match"] = cached.etag;
  const res = await f(url, { method: "GET", headers, credentials: "same-origin" });
  if (res.status === 204) return null;
  if (res.status === 304 && cached) return cached.body;
  if (res.status !== 200) {
    throw new UpdateError("update check answered " + res.status, res.status);
  }
  const body = await res.json();
  if (!body || typeof body !== "object") throw new UpdateError("update check answered a non-object", 200);
  const etag = res.headers.get("ETag");
  if (etag) cache.set(url, etag, body);
  else cache.delete(url);
  return body;
}
var DownloadError = class extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
    this.name = "DownloadError";
  }
};
function limiter(n) {
  let active = 0;
  const queue = [];
  const next = () => {
    if (active >= n || queue.length === 0) return;
    active++;
    queue.shift()();
  };
  return (task) => new Promise((resolve, reject) => {
    queue.push(() => {
      task().then(resolve, reject).then(() => {
        active--;
        next();
      });
    });
    next();
  });
}
async function downloadAndVerify(response, opts) {
  if (!response || !response.manifest) throw new Error("govapp: the update response has no manifest to download");
  const keys = opts.keys || response.keys || [];
  const f = opts.fetch || defaultFetch();
  const head = await verifyEnvelope(response.manifest, { keys, limits: opts.limits });
  if (!head.ok) return head;
  const run = limiter(opts.concurrency && opts.concurrency > 0 ? opts.concurrency : 4);
  const byHash = /* @__PURE__ */ new Map();
  const get = (sha) => {
    let p = byHash.get(sha);
    if (!p) {
      p = run(async () => {
        let res;
        try {
          res = await f(joinUrl(opts.server, "/v1/runtime/files/" + sha), { method: "GET" });
        } catch (e) {
          throw new DownloadError("downloading " + sha + ": " + (e instanceof Error ? e.message : String(e)), 0);
        }
        if (res.status === 404) return null;
        if (res.status !== 200) throw new DownloadError("downloading " + sha + " answered " + res.status, res.status);
        return new Uint8Array(await res.arrayBuffer());
      });
      byHash.set(sha, p);
    }
    return p;
  };
  const files = await checkFiles(head.envelope.manifest, (file) => get(file.sha256));
  if (!(files instanceof Map)) return files;
  return { ok: true, envelope: head.envelope, files };
}
async function report(server, body, opts) {
  try {
    const f = opts && opts.fetch || defaultFetch();
    const clean = {};
    for (const k of ["app_id", "release_id", "bundle_id", "device", "event", "reason"]) {
      const v = body[k];
      if (v !== void 0 && v !== null && !(k === "reason" && v === "")) clean[k] = String(v);
    }
    const res = await f(joinUrl(server, "/v1/runtime/reports"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(clean),
      keepalive: true,
      credentials: "same-origin"
    });
    return res.status === 202;
  } catch (_) {
    return false;
  }
}

// src/state.ts
var MAX_BAD = 20;
var MemoryStore = class {
  constructor() {
    this.data = /* @__PURE__ */ new Map();
  }
  getItem(key) {
    const v = this.data.get(key);
    return v === void 0 ? null : v;
  }
  setItem(key, value) {
    this.data.set(key, String(value));
  }
  removeItem(key) {
    this.data.delete(key);
  }
};
var AppState = class {
  constructor(store, appId) {
    this.store = store;
    this.appId = appId;
  }
  /** key returns the storage key of name: "govapp:<appId>:<name>". */
  key(name) {
    return "govapp:" + this.appId + ":" + name;
  }
  get(name, valid) {
    try {
      const s = this.store.getItem(this.key(name));
      if (s === null) return null;
      const v = JSON.parse(s);
      return valid(v) ? v : null;
    } catch (_) {
      return null;
    }
  }
  set(name, v) {
    try {
      this.store.setItem(this.key(name), JSON.stringify(v));
    } catch (_) {
    }
  }
  del(name) {
    try {
      this.store.removeItem(this.key(name));
    } catch (_) {
    }
  }
  good() {
    return this.get("good", isRef);
  }
  setGood(r) {
    this.set("good", { bundle_id: r.bundle_id, release_id: r.release_id, entry: r.entry });
  }
  clearGood() {
    this.del("good");
  }
  pending() {
    return this.get("pending", isRef);
  }
  setPending(r) {
    this.set("pending", { bundle_id: r.bundle_id, release_id: r.release_id, entry: r.entry });
  }
  /** booting is the bundle id the loader navigated to and that has not called ready() yet. */
  booting() {
    return this.get("booting", (v) => typeof v === "string");
  }
  setBooting(bundleId) {
    this.set("booting", bundleId);
  }
  failed() {
    return this.get("failed", (v) => v && typeof v.bundle_id === "string" && typeof v.reason === "string");
  }
  setFailed(f) {
    this.set("failed", { bundle_id: f.bundle_id, reason: f.reason });
  }
  /** clearTrial forgets pending, booting and failed together. */
  clearTrial() {
    this.del("pending");
    this.del("booting");
    this.del("failed");
  }
  /** bad lists the bundles that failed to start here, newest last; they are not tried again. */
  bad() {
    return this.get("bad", (v) => Array.isArray(v) && v.every((x) => typeof x === "string")) || [];
  }
  isBad(bundleId) {
    return this.bad().indexOf(bundleId) >= 0;
  }
  addBad(bundleId) {
    const b = this.bad().filter((x) => x !== bundleId);
    b.push(bundleId);
    this.set("bad", b.slice(-MAX_BAD));
  }
  removeBad(bundleId) {
    const b = this.bad();
    if (b.indexOf(bundleId) >= 0) this.set("bad", b.filter((x) => x !== bundleId));
  }
  context() {
    return this.get("ctx", (v) => v && typeof v.server === "string" && typeof v.device === "string");
  }
  setContext(c) {
    this.set("ctx", { server: c.server, device: c.device });
  }
};
function isRef(v) {
  return !!v && typeof v.bundle_id === "string" && typeof v.release_id === "string" && typeof v.entry === "string";
}
function bundleUrl(appId, bundleId, path) {
  return "/a/" + encodeURIComponent(appId) + "/b/" + encodeURIComponent(bundleId) + "/" + path.split("/").map(encodeURIComponent).join("/");
}
function loaderUrl(appId) {
  return "/a/" + encodeURIComponent(appId) + "/";
}

// src/loader.ts
var REASON_TEXT = {
  malformed: "更新包格式错误",
  unknown_key: "更新包的签名密钥不受信任",
  alg_mismatch: "更新包的签名算法与密钥不符",
  bad_signature: "更新包签名校验失败",
  bundle_id_mismatch: "更新包标识校验失败",
  too_many_files: "更新包文件过多",
  file_too_large: "更新包中有文件过大",
  bundle_too_large: "更新包过大",
  bad_path: "更新包中有不安全的文件路径",
  unsorted_files: "更新包文件清单未排序",
  duplicate_path: "更新包中有重复的文件路径",
  bad_entry: "更新包入口文件不存在",
  missing_file: "更新包文件缺失",
  size_mismatch: "更新包文件大小不符",
  hash_mismatch: "更新包文件内容校验失败"
};
function withTimeout(ps, ms) {
  if (ps.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    Promise.all(ps).then(
      () => {
        clearTimeout(t);
        resolve();
      },
      () => {
        clearTimeout(t);
        resolve();
      }
    );
  });
}
async function bootLoader(config, env) {
  if (!config || typeof config.appId !== "string" || !config.appId) {
    env.showError("应用无法打开", "页面缺少应用配置，请稍后重试。");
    return { action: "error", title: "应用无法打开", message: "页面缺少应用配置，请稍后重试。" };
  }
  const appId = config.appId;
  const server = config.server || "";
  const device = config.device || "";
  const st = new AppState(env.storage, appId);
  st.setContext({ server, device });
  const reports = [];
  const send = (r) => {
    reports.push(report(server, __spreadValues({ app_id: appId, device }, r), { fetch: env.fetch }));
  };
  const settle = () => withTimeout(reports, env.reportWaitMs === void 0 ? 1500 : env.reportWaitMs);
  const pending = st.pending();
  if (pending) {
    const failed2 = st.failed();
    let reason = null;
    if (failed2 && failed2.bundle_id === pending.bundle_id) reason = failed2.reason;
    else if (st.booting() === pending.bundle_id) reason = "interrupted";
    if (reason !== null) {
      send({ release_id: pending.release_id, bundle_id: pending.bundle_id, event: "failed", reason });
      st.addBad(pending.bundle_id);
    }
    st.clearTrial();
  }
  const good = st.good();
  const openGood = async (why, reason, onRetry) => {
    await settle();
    if (good) {
      const url2 = bundleUrl(appId, good.bundle_id, good.entry);
      env.navigate(url2);
      return { action: "navigate", url: url2, bundle_id: good.bundle_id, via: "good" };
    }
    const title = "应用暂时无法打开";
    const message = why + (reason ? "（" + reason + "）" : "") + "，请稍后重试。";
    env.showError(title, message, onRetry);
    return { action: "error", title, message };
  };
  const offer = config.offer;
  if (!offer || !offer.manifest || !offer.bundle_id) {
    if (offer && offer.rollback && good) {
      send({ release_id: good.release_id, bundle_id: good.bundle_id, event: "rolled_back" });
      st.clearGood();
      await settle();
      const message = "该应用的版本已撤回，暂无可用版本，请稍后重试。";
      env.showError("应用暂时无法打开", message);
      return { action: "error", title: "应用暂时无法打开", message };
    }
    return openGood("该应用暂无可用版本");
  }
  if (good && good.bundle_id === offer.bundle_id) return openGood("");
  if (st.isBad(offer.bundle_id)) {
    const badId = offer.bundle_id;
    return openGood("新版本在本机启动失败", void 0, () => st.removeBad(badId));
  }
  let result;
  try {
    result = await downloadAndVerify(offer, {
      server,
      fetch: env.fetch,
      keys: config.keys && config.keys.length ? config.keys : offer.keys,
      limits: config.limits
    });
  } catch (e) {
    const detail = e instanceof DownloadError ? "网络异常，无法下载新版本" : "无法下载新版本";
    return openGood(detail);
  }
  if (!result.ok) {
    send({ release_id: offer.release_id, bundle_id: offer.bundle_id, event: "verify_failed", reason: result.reason });
    return openGood(REASON_TEXT[result.reason] || "更新包校验失败", result.reason);
  }
  if (result.envelope.manifest.bundle_id !== offer.bundle_id) {
    send({ release_id: offer.release_id, bundle_id: offer.bundle_id, event: "verify_failed", reason: "bundle_id_mismatch" });
    return openGood(REASON_TEXT.bundle_id_mismatch, "bundle_id_mismatch");
  }
  const ref = { bundle_id: offer.bundle_id, release_id: offer.release_id, entry: result.envelope.manifest.entry };
  send({ release_id: offer.release_id, bundle_id: offer.bundle_id, event: "downloaded" });
  if (offer.rollback && good) {
    send({ release_id: offer.release_id, bundle_id: offer.bundle_id, event: "rolled_back" });
  }
  st.setPending(ref);
  st.setBooting(ref.bundle_id);
  await settle();
  const url = bundleUrl(appId, ref.bundle_id, ref.entry);
  env.navigate(url);
  return { action: "navigate", url, bundle_id: ref.bundle_id, via: "update" };
}

// src/runtime.ts
var DEFAULT_TIMEOUT_MS = 1e4;
var BUNDLE_PATH = /^\/a\/([^/]+)\/b\/([^/]+)\//;
function parseBundlePath(pathname) {
  const m = BUNDLE_PATH.exec(pathname || "");
  if (!m) return null;
  try {
    return { appId: decodeURIComponent(m[1]), bundleId: decodeURIComponent(m[2]) };
  } catch (_) {
    return null;
  }
}
function clip(s, n) {
  return s.length > n ? s.slice(0, n) : s;
}
function createRuntime(env, opts) {
  const where = parseBundlePath(env.pathname);
  if (!where) {
    return { appId: null, bundleId: null, state: () => "inert", ready: () => Promise.resolve() };
  }
  const { appId, bundleId } = where;
  const st = new AppState(env.storage, appId);
  const pending = st.pending();
  const good = st.good();
  let trial = pending && pending.bundle_id === bundleId ? pending : null;
  let state = trial ? "trial" : good && good.bundle_id === bundleId ? "good" : "inert";
  let timer = null;
  const fail2 = (reason) => {
    if (state !== "trial") return;
    state = "failed";
    if (timer !== null) env.clearTimeout(timer);
    st.setFailed({ bundle_id: bundleId, reason: clip(reason, 300) });
    env.navigate(loaderUrl(appId));
  };
  if (trial) {
    env.onError((message) => fail2("error: " + (message || "unknown error")));
    timer = env.setTimeout(() => fail2("timeout"), opts && opts.timeoutMs ? opts.timeoutMs : DEFAULT_TIMEOUT_MS);
  }
  return {
    appId,
    bundleId,
    state: () => state,
    ready: async () => {
      if (state !== "trial" || !trial) return;
      const ref = trial;
      trial = null;
      state = "good";
      if (timer !== null) env.clearTimeout(timer);
      st.setGood(ref);
      st.clearTrial();
      st.removeBad(ref.bundle_id);
      const ctx = st.context();
      if (ctx) {
        await report(
          ctx.server,
          { app_id: appId, release_id: ref.release_id, bundle_id: ref.bundle_id, device: ctx.device, event: "ready" },
          { fetch: env.fetch }
        );
      }
    }
  };
}

// src/version.ts
var SDK_VERSION = "0.1.0";

// src/stats.ts
var STATS_MAX_BATCH_EVENTS = 50;
var STATS_MAX_BATCH_BYTES = 64 * 1024;
var STATS_MAX_QUEUE = 500;
var STATS_MAX_AGE_MS = 7 * 24 * 3600 * 1e3;
var STATS_FLUSH_MS = 5e3;
var MAX_BACKOFF_MS = 5 * 60 * 1e3;
var MAX_STRING = 256;
var MAX_PROPS_BYTES = 2048;
var MAX_PROP_KEYS = 20;
var BUILTIN_EVENTS = ["app_launch", "page_view", "jsapi_call", "error", "update_installed", "notice_opened"];
var RE_APP = /^[a-z][a-z0-9-]{2,39}$/;
var RE_CUSTOM = /^custom_[a-z0-9_]{1,40}$/;
var RE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;
var RE_VERSION2 = /^[A-Za-z0-9._+-]{1,32}$/;
function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) n += 1;
    else if (c < 2048) n += 2;
    else if (c >= 55296 && c < 56320 && i + 1 < s.length && (s.charCodeAt(i + 1) & 64512) === 56320) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
function clipUtf8(s, max) {
  if (utf8Length(s) <= max) return s;
  let out = "";
  let n = 0;
  for (const ch of s) {
    const k = utf8Length(ch);
    if (n + k > max) break;
    out += ch;
    n += k;
  }
  return out;
}
function randomId(random, n = 16) {
  const b = random(n);
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let s = "";
  for (let i = 0; i < b.length; i += 3) {
    const v = b[i] << 16 | (b[i + 1] || 0) << 8 | (b[i + 2] || 0);
    s += A[v >> 18 & 63] + A[v >> 12 & 63] + (i + 1 < b.length ? A[v >> 6 & 63] : "") + (i + 2 < b.length ? A[v & 63] : "");
  }
  return s;
}
function checkProps(props, strict) {
  if (props === void 0 || props === null) return void 0;
  const bad2 = (why) => {
    if (strict) throw new TypeError("参数错误：" + why);
    return void 0;
  };
  if (typeof props !== "object" || Array.isArray(props)) return bad2("props 应为对象");
  const out = {};
  let n = 0;
  for (const k of Object.keys(props)) {
    let v = props[k];
    if (!RE_KEY.test(k)) {
      bad2("属性名 " + k + " 只能含字母、数字和下划线（最多 40 个）");
      continue;
    }
    if (typeof v === "string") {
      if (utf8Length(v) > MAX_STRING) {
        if (strict) bad2("属性 " + k + " 超过 " + MAX_STRING + " 字节");
        v = clipUtf8(v, MAX_STRING);
      }
    } else if (typeof v === "number") {
      if (!isFinite(v)) v = null;
    } else if (typeof v !== "boolean" && v !== null) {
      bad2("属性 " + k + " 应为字符串、数字或布尔值");
      continue;
    }
    if (++n > MAX_PROP_KEYS) {
      bad2("属性最多 " + MAX_PROP_KEYS + " 个");
      break;
    }
    out[k] = v;
  }
  if (utf8Length(JSON.stringify(out)) > MAX_PROPS_BYTES) return bad2("属性合计超过 " + MAX_PROPS_BYTES + " 字节");
  return n ? out : void 0;
}
function pageOf(pathname, hash) {
  let p = (pathname || "/").replace(/^\/a\/[^/]+\/b\/[^/]+(?=\/)/, "");
  if (hash && /^#!?\//.test(hash)) p += hash.replace(/\?.*$/, "");
  return clipUtf8(p, MAX_STRING);
}
function createStats(env) {
  const app = RE_APP.test(env.appId || "") ? env.appId : "";
  const key = (name) => "govapp:" + app + ":stats:" + name;
  const maxQueue = env.maxQueue || STATS_MAX_QUEUE;
  const every = env.flushMs || STATS_FLUSH_MS;
  let timer = null;
  let dueAt = 0;
  let failures = 0;
  let limit = STATS_MAX_BATCH_EVENTS;
  let inflight = null;
  let lastPage = null;
  let lastHide = "";
  const get = (k) => {
    try {
      return env.storage.getItem(key(k));
    } catch (_) {
      return null;
    }
  };
  const set = (k, v) => {
    try {
      if (v === null) env.storage.removeItem(key(k));
      else env.storage.setItem(key(k), v);
    } catch (_) {
    }
  };
  const on = () => !!app && env.enabled !== false && get("off") !== "1";
  let memory = [];
  const read = () => {
    const s = get("queue");
    if (s === null) return memory;
    try {
      const q = JSON.parse(s);
      return Array.isArray(q) ? q.filter((e) => e && typeof e.id === "string" && typeof e.name === "string" && typeof e.ts === "number") : [];
    } catch (_) {
      return [];
    }
  };
  const write = (q) => {
    if (q.length > maxQueue) q = q.slice(q.length - maxQueue);
    memory = q;
    if (!q.length) return set("queue", null);
    try {
      env.storage.setItem(key("queue"), JSON.stringify(q));
    } catch (_) {
      set("queue", JSON.stringify(q.slice(q.length >> 1)));
    }
  };
  const fresh = (q) => {
    const oldest = env.now() - STATS_MAX_AGE_MS;
    return q.filter((e) => e.ts > oldest);
  };
  const remove = (ids) => write(read().filter((e) => !ids[e.id]));
  const deviceId = () => {
    if (!on()) return "";
    let d = get("did");
    if (!d || !/^[A-Za-z0-9_-]{8,128}$/.test(d)) {
      d = randomId(env.random);
      set("did", d);
    }
    return d;
  };
  const schedule = (ms) => {
    const at = env.now() + ms;
    if (timer !== null && dueAt <= at) return;
    if (timer !== null) env.clearTimeout(timer);
    dueAt = at;
    timer = env.setTimeout(() => {
      timer = null;
      flush();
    }, ms);
  };
  const stop = () => {
    if (timer !== null) env.clearTimeout(timer);
    timer = null;
  };
  const batch = (q, max) => {
    const head = { sent_at: env.now(), app, device_id: deviceId(), events: [] };
    let size = utf8Length(JSON.stringify(head));
    const events = [];
    const parts = [];
    for (const e of q) {
      if (events.length >= max) break;
      const s = JSON.stringify(e);
      const n = utf8Length(s) + (events.length ? 1 : 0);
      if (size + n > STATS_MAX_BATCH_BYTES) {
        if (!events.length) events.push(e);
        break;
      }
      size += n;
      events.push(e);
      parts.push(s);
    }
    const body = JSON.stringify(head).replace(/\[\]\}$/, "[" + parts.join(",") + "]}");
    return { events, body };
  };
  const headers = (token) => {
    const h = { "Content-Type": "application/json" };
    if (token) h.Authorization = "Bearer " + token;
    return h;
  };
  const answered = async (res, events, token) => {
    const s = res.status;
    if (s >= 200 && s < 300) {
      let items = null;
      try {
        const b = await res.json();
        if (b && Array.isArray(b.items)) items = b.items;
      } catch (_) {
      }
      const done = {};
      let left = 0;
      events.forEach((e, i) => {
        const it = items ? items.filter((x) => x && x.index === i && (!x.id || x.id === e.id))[0] : { status: "accepted" };
        if (it && (it.status === "accepted" || it.status === "duplicate" || it.status === "rejected")) done[e.id] = true;
        else left++;
      });
      remove(done);
      failures = 0;
      return left ? "wait" : "next";
    }
    if (s === 401 && token) {
      if (env.tokenRejected) env.tokenRejected();
      return "next";
    }
    if (s === 400 || s === 413) {
      if (events.length > 1) limit = Math.max(1, events.length >> 1);
      else {
        remove({ [events[0].id]: true });
        limit = STATS_MAX_BATCH_EVENTS;
      }
      return "next";
    }
    return "fail";
  };
  const backoff = () => {
    failures++;
    const ms = Math.min(MAX_BACKOFF_MS, every * Math.pow(2, failures)) * (0.75 + env.random(1)[0] / 510);
    schedule(Math.round(ms));
  };
  const flush = () => {
    if (inflight) return inflight;
    inflight = (async () => {
      let rounds = 0;
      while (on() && rounds++ < 40) {
        const all = read();
        const q = fresh(all);
        if (q.length < all.length) write(q);
        if (!q.length) return;
        const token = env.token();
        const b = batch(q, limit);
        let res;
        try {
          res = await env.fetch(env.url("/v1/runtime/events"), { method: "POST", headers: headers(token), body: b.body, credentials: "same-origin" });
        } catch (_) {
          return backoff();
        }
        const next = await answered(res, b.events, token);
        if (next === "fail") return backoff();
        if (next === "wait") return;
      }
    })().then(
      () => {
        inflight = null;
        if (!read().length) limit = STATS_MAX_BATCH_EVENTS;
        if (on() && read().length && timer === null) schedule(every);
      },
      () => {
        inflight = null;
      }
    );
    return inflight;
  };
  const flushOnHide = () => {
    if (!on()) return;
    const q = fresh(read());
    if (!q.length) return;
    const b = batch(q, STATS_MAX_BATCH_EVENTS);
    const mark = b.events[0].id + b.events.length + "/" + Math.floor(env.now() / 1e3);
    if (mark === lastHide) return;
    lastHide = mark;
    const url = env.url("/v1/runtime/events");
    const token = env.token();
    const viaFetch = (tok) => {
      env.fetch(url, { method: "POST", headers: headers(tok), body: b.body, keepalive: true, credentials: "same-origin" }).then((res) => answered(res, b.events, tok)).then(
        () => void 0,
        () => void 0
      );
    };
    try {
      if (token && env.keepalive) return viaFetch(token);
      if (env.sendBeacon && env.sendBeacon(url, env.blob ? env.blob(b.body) : b.body)) return;
      if (env.keepalive) viaFetch("");
    } catch (_) {
    }
  };
  const record = (name, props, page) => {
    if (!on()) return;
    const e = { id: randomId(env.random), name, ts: env.now(), container: env.channel() };
    const cv = env.containerVersion();
    if (cv && RE_VERSION2.test(cv)) e.container_version = cv;
    const v = env.version();
    if (v && RE_VERSION2.test(v)) e.version = v;
    const p = page !== void 0 ? page : lastPage;
    if (p) e.page = clipUtf8(p, MAX_STRING);
    const pr = checkProps(props, false);
    if (pr) e.props = pr;
    const q = read();
    q.push(e);
    write(q);
    schedule(q.length >= STATS_MAX_BATCH_EVENTS ? 0 : every);
  };
  return {
    track(name, props) {
      const n = typeof name === "string" && name.indexOf("custom_") !== 0 ? "custom_" + name : name;
      if (typeof n !== "string" || !RE_CUSTOM.test(n)) {
        throw new TypeError("参数错误：事件名应为小写字母、数字和下划线（最多 40 个），如 apply_submit");
      }
      const pr = checkProps(props, true);
      record(n, pr);
    },
    record,
    page(page) {
      if (page === lastPage) return;
      lastPage = page;
      record("page_view", null, page);
    },
    flush,
    flushOnHide,
    disable() {
      set("off", "1");
      stop();
      memory = [];
      set("queue", null);
      set("did", null);
    },
    enable() {
      set("off", null);
    },
    enabled: on,
    pending: () => read().slice(),
    deviceId
  };
}
var MAX_ERRORS = 20;
function autoTrack(stats, o) {
  const win = o.win;
  const doc = win.document;
  const undo = [];
  const listen = (target, type, fn) => {
    if (!target || typeof target.addEventListener !== "function") return;
    target.addEventListener(type, fn);
    undo.push(() => target.removeEventListener(type, fn));
  };
  const here = () => {
    const l = win.location || {};
    return pageOf(l.pathname || "/", l.hash || "");
  };
  const appKey = "govapp:" + o.appId + ":stats:launched";
  let first = true;
  try {
    first = !o.session || o.session.getItem(appKey) !== "1";
    if (o.session) o.session.setItem(appKey, "1");
  } catch (_) {
  }
  if (first) stats.record("app_launch", o.launchProps || null, here());
  stats.page(here());
  const changed = () => stats.page(here());
  const h = win.history;
  for (const m of ["pushState", "replaceState"]) {
    const orig = h && h[m];
    if (typeof orig !== "function") continue;
    const wrapped = function() {
      const r = orig.apply(this, arguments);
      changed();
      return r;
    };
    h[m] = wrapped;
    undo.push(() => {
      if (h[m] === wrapped) h[m] = orig;
    });
  }
  listen(win, "popstate", changed);
  listen(win, "hashchange", changed);
  let errors = 0;
  const seen = {};
  const error = (kind, message, source, line) => {
    const m = clipUtf8(String(message || "unknown error"), MAX_STRING);
    if (seen[m] || errors >= MAX_ERRORS) return;
    seen[m] = true;
    errors++;
    const p = { kind, message: m };
    if (source) p.source = String(source).replace(/[?#].*$/, "");
    if (typeof line === "number") p.line = line;
    stats.record("error", p);
  };
  listen(win, "error", (e) => {
    if (!e || e.target && e.target !== win && e.target.tagName) return;
    error("error", e.message || e.error && e.error.message, e.filename, e.lineno);
  });
  listen(win, "unhandledrejection", (e) => {
    const r = e && e.reason;
    error("rejection", r && typeof r.message === "string" ? r.message : String(r));
  });
  listen(doc, "visibilitychange", () => {
    if (doc.visibilityState === "hidden") stats.flushOnHide();
  });
  listen(win, "pagehide", () => stats.flushOnHide());
  return () => undo.splice(0).forEach((f) => f());
}

// src/bridge/errors.ts
var ERROR_CODES = ["cancelled", "denied", "unsupported", "not_declared", "failed", "timeout", "not_ready"];
var HOST = { wechat: "微信", alipay: "支付宝", govapp: "App", zlb: "浙里办", web: "浏览器" };
var WHAT = {
  login: "登录",
  scan: "扫码",
  getLocation: "定位",
  chooseImage: "选择图片",
  previewImage: "预览图片",
  share: "分享",
  phoneCall: "拨打电话",
  openLink: "打开链接",
  setTitle: "设置标题",
  close: "关闭页面",
  getSystemInfo: "获取系统信息",
  getUiStyle: "获取界面模式"
};
function defaultMessage(code, method = "", container = "web") {
  const what = WHAT[method] || "操作";
  const host = HOST[container];
  switch (code) {
    case "cancelled":
      return "已取消" + what;
    case "denied":
      return "没有" + what + "的权限，请在" + host + "设置中允许后重试";
    case "unsupported":
      return "当前" + host + "不支持" + what;
    case "not_declared":
      return "应用未声明" + what + "权限，请在 govapp.json 的 jsapi_permissions 中声明";
    case "timeout":
      return what + "超时，请重试";
    case "not_ready":
      return host + "尚未就绪，请稍后重试";
    default:
      return what + "失败，请稍后重试";
  }
}
var GovappError = class _GovappError extends Error {
  constructor(code, message, container, method, detail) {
    super(message || defaultMessage(code, method, container));
    this.name = "GovappError";
    this.code = code;
    this.container = container;
    this.method = method;
    if (detail !== void 0) this.detail = detail;
    Object.setPrototypeOf(this, _GovappError.prototype);
  }
  toJSON() {
    return { name: this.name, code: this.code, message: this.message, container: this.container, method: this.method };
  }
};
function isGovappError(e) {
  return !!e && typeof e === "object" && e.name === "GovappError" && ERROR_CODES.indexOf(e.code) >= 0;
}
var Fault = class {
  constructor(code, message, detail) {
    this.code = code;
    this.message = message;
    this.detail = detail;
  }
};
function fault(code, message, detail) {
  return new Fault(code, message, detail);
}

// src/push.ts
var KINDS2 = ["apns", "fcm", "govapp", "wechat", "alipay"];
function createPush(env) {
  const fail2 = (method, code, message, detail) => new GovappError(code, message, env.container(), "push." + method, detail);
  const call = async (method, verb, path, body) => {
    const token = env.token();
    if (!token) throw fail2(method, "denied", "请先登录：需要市民的访问令牌（govapp.setAccessToken）");
    const headers = { Accept: "application/json", Authorization: "Bearer " + token };
    if (body !== void 0) headers["Content-Type"] = "application/json";
    let res;
    try {
      res = await env.fetch(env.url(path), { method: verb, headers, body: body === void 0 ? void 0 : JSON.stringify(body), credentials: "same-origin" });
    } catch (e) {
      throw fail2(method, "failed", "无法连接平台，请检查网络后重试", String(e));
    }
    let b = null;
    try {
      b = await res.json();
    } catch (_) {
    }
    if (res.status >= 200 && res.status < 300) return b || {};
    const why = b && typeof b.error === "string" ? "：" + b.error : "（平台返回 " + res.status + "）";
    if (res.status === 401 || res.status === 403) throw fail2(method, "denied", "平台拒绝了请求" + why, b);
    if (res.status === 404) throw fail2(method, "failed", "找不到" + (method === "opened" ? "该通知" : "") + why, b);
    if (res.status === 429) throw fail2(method, "failed", "请求过于频繁，请稍后重试", b);
    throw fail2(method, "failed", (res.status === 400 ? "参数错误" : "请求失败") + why, b);
  };
  const id = (method, v, name) => {
    if (typeof v !== "string" || !v) throw fail2(method, "failed", "参数错误：缺少 " + name);
    return encodeURIComponent(v);
  };
  const app = (method, v) => id(method, v === void 0 ? env.appId() : v, "appId");
  return {
    async register(p) {
      const q = p && typeof p === "object" ? p : {};
      if (KINDS2.indexOf(q.kind) < 0) throw fail2("register", "failed", "参数错误：kind 应为 apns、fcm、govapp、wechat 或 alipay");
      if (typeof q.token !== "string" || !q.token) throw fail2("register", "failed", "参数错误：缺少 token");
      const body = { kind: q.kind, token: q.token };
      if (q.topic) body.topic = String(q.topic);
      if (q.environment) body.environment = String(q.environment);
      const a = q.appId === void 0 ? env.appId() : q.appId;
      if (a) body.app_id = String(a);
      return call("register", "POST", "/v1/runtime/push/devices", body);
    },
    async inbox(p) {
      const limit = p && typeof p.limit === "number" && p.limit > 0 ? "?limit=" + Math.floor(p.limit) : "";
      const b = await call("inbox", "GET", "/v1/runtime/push/inbox" + limit);
      return { items: Array.isArray(b.items) ? b.items : [] };
    },
    async opened(noticeId) {
      const n = id("opened", noticeId, "noticeId");
      if (env.opened) {
        try {
          env.opened(noticeId);
        } catch (_) {
        }
      }
      return call("opened", "POST", "/v1/runtime/push/inbox/" + n + "/opened");
    },
    async subscribe(appId) {
      return call("subscribe", "PUT", "/v1/runtime/push/subscriptions/" + app("subscribe", appId));
    },
    async unsubscribe(appId) {
      return call("unsubscribe", "DELETE", "/v1/runtime/push/subscriptions/" + app("unsubscribe", appId));
    }
  };
}

// src/bridge/adapter.ts
function consentScope(scope) {
  return /(^|\s)(profile|phone)(\s|$)/.test(scope);
}
function once(fn) {
  let p = null;
  return () => {
    if (!p) {
      p = fn();
      p.catch(() => {
        p = null;
      });
    }
    return p;
  };
}

// src/bridge/util.ts
function detectContainer(win, config) {
  if (config && config.container) return config.container;
  const ua = userAgent(win);
  if (hasNativeBridge(win) || /\bGovApp\/\d/.test(ua)) return "govapp";
  if (win && win.ZWJSBridge || /dtdreamweb/i.test(ua)) return "zlb";
  if (win && win.AlipayJSBridge || /AlipayClient/i.test(ua)) return "alipay";
  if (/MicroMessenger/i.test(ua)) return "wechat";
  return "web";
}
function hasNativeBridge(win) {
  if (!win) return false;
  if (win.GovAppNative && typeof win.GovAppNative.postMessage === "function") return true;
  const h = win.webkit && win.webkit.messageHandlers && win.webkit.messageHandlers.govapp;
  return !!h && typeof h.postMessage === "function";
}
function userAgent(win) {
  return win && win.navigator && typeof win.navigator.userAgent === "string" && win.navigator.userAgent || "";
}
var CONTAINER_VERSION = {
  wechat: /MicroMessenger\/([\d.]+)/i,
  alipay: /AlipayClient\/([\d.]+)/i,
  govapp: /GovApp\/([\d.]+)/,
  zlb: /dtdreamweb\/?([\d.]*)/i,
  web: null
};
function systemInfoFromUa(win, container, sdkVersion) {
  const ua = userAgent(win);
  let platform = "other";
  let osVersion = "";
  let m;
  if (m = /OpenHarmony\s*([\d.]*)|HarmonyOS[;/\s]*([\d.]*)/i.exec(ua)) {
    platform = "harmony";
    osVersion = m[1] || m[2] || "";
  } else if (m = /Android[\s/]*([\d.]*)/i.exec(ua)) {
    platform = "android";
    osVersion = m[1] || "";
  } else if (m = /(?:iPhone|iPad|iPod)[^)]*?OS ([\d_]+)/i.exec(ua)) {
    platform = "ios";
    osVersion = m[1].replace(/_/g, ".");
  }
  const re = CONTAINER_VERSION[container];
  const cv = re ? re.exec(ua) : null;
  const scr = win && win.screen || {};
  const nav = win && win.navigator || {};
  return {
    container,
    containerVersion: cv && cv[1] || "",
    platform,
    osVersion,
    language: nav.language || "zh-CN",
    screenWidth: scr.width || 0,
    screenHeight: scr.height || 0,
    pixelRatio: win && win.devicePixelRatio || 1,
    sdkVersion
  };
}
function isIos(win) {
  return /iPhone|iPad|iPod/i.test(userAgent(win));
}
function withTimeout2(p, ms, message) {
  if (!ms || ms <= 0) return p;
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(fault("timeout", message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      }
    );
  });
}
function loadScript(win, url) {
  return new Promise((resolve, reject) => {
    const doc = win && win.document;
    if (!doc) {
      reject(new Error("no document"));
      return;
    }
    const s = doc.createElement("script");
    s.src = url;
    s.async = true;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error("could not load " + url));
    (doc.head || doc.documentElement).appendChild(s);
  });
}
function pageUrl(win) {
  const href = win && win.location && win.location.href || "";
  const i = href.indexOf("#");
  return i >= 0 ? href.slice(0, i) : href;
}
function queryParam(win, name) {
  const search = win && win.location && win.location.search || "";
  for (const part of search.replace(/^\?/, "").split("&")) {
    const eq = part.indexOf("=");
    const k = eq >= 0 ? part.slice(0, eq) : part;
    if (safeDecode(k) === name) return eq >= 0 ? safeDecode(part.slice(eq + 1)) : "";
  }
  return null;
}
function withoutParams(url, names) {
  const hashAt = url.indexOf("#");
  const hash = hashAt >= 0 ? url.slice(hashAt) : "";
  const base = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const q = base.indexOf("?");
  if (q < 0) return url;
  const kept = base.slice(q + 1).split("&").filter((part) => part !== "" && names.indexOf(safeDecode(part.split("=")[0])) < 0);
  return base.slice(0, q) + (kept.length ? "?" + kept.join("&") : "") + hash;
}
function dropParams(win, names) {
  try {
    const next = withoutParams(win.location.href, names);
    if (next !== win.location.href && win.history && typeof win.history.replaceState === "function") {
      win.history.replaceState(win.history.state, "", next);
    }
  } catch (_) {
  }
}
function safeDecode(s) {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch (_) {
    return s;
  }
}
function httpUrl(win, u) {
  if (typeof u !== "string" || !u) return null;
  try {
    const base = win && win.location && win.location.href || void 0;
    const url = new URL(u, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch (_) {
    return null;
  }
}
var PHONE = /^[0-9+\-*#() ]{1,32}$/;
function followLink(win, href) {
  const doc = win.document;
  const a = doc.createElement("a");
  a.href = href;
  a.style.display = "none";
  a.setAttribute("data-govapp-link", "");
  (doc.body || doc.documentElement).appendChild(a);
  try {
    a.click();
  } finally {
    if (a.parentNode) a.parentNode.removeChild(a);
  }
}
function randomId2(win, bytes = 16) {
  const a = new Uint8Array(bytes);
  const c = win && win.crypto;
  if (c && typeof c.getRandomValues === "function") c.getRandomValues(a);
  else for (let i = 0; i < a.length; i++) a[i] = Math.floor(Math.random() * 256);
  let s = "";
  for (let i = 0; i < a.length; i++) s += (a[i] < 16 ? "0" : "") + a[i].toString(16);
  return s;
}

// src/bridge/adapters/web.ts
function uiStyleOfPage(ctx) {
  const c = ctx.config().uiStyle;
  if (c) return c;
  return queryParam(ctx.win, "ui_style") === "elder" ? "elder" : "normal";
}
function hidden(el) {
  el.style.position = "fixed";
  el.style.left = "-9999px";
  el.style.width = "1px";
  el.style.height = "1px";
  el.style.opacity = "0";
}
function webAdapter(ctx) {
  const win = ctx.win;
  return {
    container: "web",
    credential: () => Promise.reject(fault("unsupported", "请在微信、支付宝、浙里办或政务 App 中打开后登录")),
    scan: () => Promise.reject(fault("unsupported")),
    getLocation: () => new Promise((resolve, reject) => {
      const geo = win.navigator && win.navigator.geolocation;
      if (win.isSecureContext === false) {
        reject(fault("unsupported", "浏览器只在 HTTPS 页面提供定位"));
        return;
      }
      if (!geo || typeof geo.getCurrentPosition !== "function") {
        reject(fault("unsupported"));
        return;
      }
      geo.getCurrentPosition(
        (pos) => resolve({
          latitude: pos.coords.latitude,
          longitude: pos.coords.longitude,
          accuracy: pos.coords.accuracy,
          coordType: "wgs84"
        }),
        (err) => {
          const code = err && err.code;
          reject(fault(code === 1 ? "denied" : code === 3 ? "timeout" : "failed", "", err && err.message));
        },
        { enableHighAccuracy: true, timeout: 25e3, maximumAge: 3e4 }
      );
    }),
    chooseImage: (p) => new Promise((resolve, reject) => {
      const doc = win.document;
      const input = doc.createElement("input");
      input.type = "file";
      input.accept = "image/*";
      if (p.count > 1) input.multiple = true;
      if (p.sourceType.length === 1 && p.sourceType[0] === "camera") input.setAttribute("capture", "environment");
      input.setAttribute("data-govapp-file", "");
      hidden(input);
      (doc.body || doc.documentElement).appendChild(input);
      let done = false;
      const onFocus = () => setTimeout(() => finish(null), 1500);
      const finish = (files) => {
        if (done) return;
        done = true;
        win.removeEventListener("focus", onFocus);
        if (input.parentNode) input.parentNode.removeChild(input);
        if (!files || !files.length) {
          reject(fault("cancelled"));
          return;
        }
        const images = files.slice(0, p.count).map((f) => ({
          src: win.URL && win.URL.createObjectURL ? win.URL.createObjectURL(f) : "",
          id: f.name,
          file: f
        }));
        resolve({ images });
      };
      input.addEventListener("change", () => finish(Array.prototype.slice.call(input.files || [])));
      if ("oncancel" in input) input.addEventListener("cancel", () => finish(null));
      else win.addEventListener("focus", onFocus);
      input.click();
    }),
    previewImage: (p) => {
      const doc = win.document;
      const box = doc.createElement("div");
      box.setAttribute("data-govapp-preview", "");
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-label", "图片预览，点击关闭");
      box.style.cssText = "position:fixed;left:0;top:0;right:0;bottom:0;z-index:2147483647;background:#000;display:flex;align-items:center;justify-content:center";
      const img = doc.createElement("img");
      img.src = p.current;
      img.alt = "";
      img.style.cssText = "max-width:100%;max-height:100%;object-fit:contain";
      box.appendChild(img);
      box.addEventListener("click", () => {
        if (box.parentNode) box.parentNode.removeChild(box);
      });
      (doc.body || doc.documentElement).appendChild(box);
      return Promise.resolve({});
    },
    share: (p) => {
      const nav = win.navigator;
      if (!nav || typeof nav.share !== "function") {
        return Promise.reject(fault("unsupported"));
      }
      const data = { title: p.title, url: p.link };
      if (p.desc) data.text = p.desc;
      return Promise.resolve(nav.share(data)).then(
        () => ({ via: "sheet" }),
        (e) => {
          const name = e && e.name;
          throw fault(name === "AbortError" ? "cancelled" : name === "NotAllowedError" ? "denied" : "failed", "", name || String(e));
        }
      );
    },
    phoneCall: (p) => {
      followLink(win, "tel:" + p.number.replace(/\s+/g, ""));
      return Promise.resolve({});
    },
    openLink: (p) => {
      win.location.href = p.url;
      return Promise.resolve({});
    },
    setTitle: (p) => {
      win.document.title = p.title;
      return Promise.resolve({});
    },
    close: () => {
      if (!win.opener) return Promise.reject(fault("unsupported"));
      win.close();
      return Promise.resolve({});
    },
    getSystemInfo: () => Promise.resolve(systemInfoFromUa(win, "web", ctx.sdkVersion)),
    getUiStyle: () => Promise.resolve({ uiStyle: uiStyleOfPage(ctx) })
  };
}

// src/bridge/adapters/alipay.ts
var COMMON = { 1: "unsupported", 2: "failed", 3: "failed", 4: "denied" };
var ALIPAY_ERRORS = {
  scan: { 10: "cancelled", 11: "failed" },
  chooseImage: { 10: "cancelled", 11: "cancelled" },
  getLocation: { 11: "denied", 12: "failed", 13: "failed", 14: "timeout" },
  getAuthCode: { 10: "cancelled", 11: "cancelled", 15: "denied" },
  startShare: { 10: "cancelled", 11: "cancelled" },
  shareToChannel: { 10: "cancelled", 11: "cancelled" }
};
function alipayFault(api, res) {
  const n = Number(res && res.error);
  return fault(ALIPAY_ERRORS[api] && ALIPAY_ERRORS[api][n] || COMMON[n] || "failed", "", res);
}
function failed(res) {
  if (!res || typeof res !== "object" || !("error" in res)) return false;
  const n = Number(res.error);
  return n !== 0 && !isNaN(n);
}
function alipayAdapter(ctx) {
  const win = ctx.win;
  const base = webAdapter(ctx);
  const init = once(
    () => new Promise((resolve) => {
      if (win.AlipayJSBridge) {
        resolve(win.AlipayJSBridge);
        return;
      }
      const doc = win.document;
      const onReady = () => {
        doc.removeEventListener("AlipayJSBridgeReady", onReady, false);
        resolve(win.AlipayJSBridge);
      };
      doc.addEventListener("AlipayJSBridgeReady", onReady, false);
    })
  );
  async function call(api, params, wait = true) {
    const bridge = await withTimeout2(init(), ctx.readyTimeoutMs()).catch(() => {
      throw fault("not_ready", "支付宝 JSAPI 未就绪（没有收到 AlipayJSBridgeReady），请稍后重试");
    });
    return new Promise((resolve, reject) => {
      if (!wait) {
        bridge.call(api, params);
        resolve({});
        return;
      }
      bridge.call(api, params, (res) => failed(res) ? reject(alipayFault(api, res)) : resolve(res || {}));
    });
  }
  return __spreadProps(__spreadValues({}, base), {
    container: "alipay",
    async credential(scope) {
      const params = { scopeNicks: [consentScope(scope) ? "auth_user" : "auth_base"], showErrorTip: false };
      const appId = ctx.config().alipay.appId;
      if (appId) params.appId = appId;
      const res = await call("getAuthCode", params);
      const code = res.authcode || res.authCode;
      if (typeof code !== "string" || !code) throw fault("failed", "", res);
      return code;
    },
    async scan(p) {
      const res = await call("scan", { type: p.type === "bar" ? "bar" : "qr" });
      const text = res.codeContent || res.qrCode || res.barCode;
      if (typeof text !== "string") throw fault("failed", "", res);
      return { text, format: res.barCode ? "bar" : res.qrCode ? "qr" : p.type === "any" ? void 0 : p.type };
    },
    async getLocation() {
      const res = await call("getLocation", {});
      const lat = Number(res.latitude);
      const lng = Number(res.longitude);
      if (isNaN(lat) || isNaN(lng)) throw fault("failed", "", res);
      return { latitude: lat, longitude: lng, accuracy: Number(res.accuracy) || void 0, coordType: "gcj02" };
    },
    async chooseImage(p) {
      const res = await call("chooseImage", { count: p.count, sourceType: p.sourceType });
      let paths = res.apFilePaths || res.tempFilePaths || res.filePaths || [];
      if (typeof paths === "string") {
        try {
          paths = JSON.parse(paths);
        } catch (_) {
          paths = [paths];
        }
      }
      return { images: paths.map((s) => ({ src: s, id: s })) };
    },
    async previewImage(p) {
      await call("imageViewer", { images: p.urls.map((u) => ({ u })), init: Math.max(0, p.urls.indexOf(p.current)) });
      return {};
    },
    async share(p) {
      const picked = await call("startShare", {});
      const channel = picked.channelName || picked.name || "";
      await call("shareToChannel", { name: channel, param: { title: p.title, content: p.desc, url: p.link, imageUrl: p.imageUrl } });
      return channel ? { via: "sheet", channel } : { via: "sheet" };
    },
    async openLink(p) {
      await call("pushWindow", { url: p.url }, false);
      return {};
    },
    async setTitle(p) {
      await call("setTitle", { title: p.title });
      return {};
    },
    async close() {
      await call("popWindow", {}, false);
      return {};
    },
    async getSystemInfo() {
      const info = systemInfoFromUa(win, "alipay", ctx.sdkVersion);
      const res = await call("getSystemInfo", {}).catch(() => ({}));
      if (typeof res.model === "string") info.model = res.model;
      if (!info.containerVersion && typeof res.version === "string") info.containerVersion = res.version;
      if (typeof res.pixelRatio === "number") info.pixelRatio = res.pixelRatio;
      return info;
    }
  });
}

// src/bridge/adapters/native.ts
var NATIVE_PROTOCOL = 1;
var NATIVE_READY_EVENT = "GovAppNativeReady";
function nativeFault(err) {
  const code = err && ERROR_CODES.indexOf(err.code) >= 0 && err.code !== "not_ready" ? err.code : "failed";
  return fault(code, err && typeof err.message === "string" ? err.message : "", err);
}
function nativeAdapter(ctx) {
  const win = ctx.win;
  const base = webAdapter(ctx);
  const pending = {};
  let seq = 0;
  let hello = null;
  function receive(json) {
    let m = json;
    if (typeof json === "string") {
      try {
        m = JSON.parse(json);
      } catch (_) {
        return;
      }
    }
    if (!m || typeof m !== "object" || typeof m.id !== "string") return;
    const p = pending[m.id];
    if (!p) return;
    delete pending[m.id];
    if (m.ok === true) p.resolve(m.result && typeof m.result === "object" ? m.result : {});
    else p.reject(nativeFault(m.error));
  }
  function post(method, params) {
    const id = String(++seq);
    const msg = { v: NATIVE_PROTOCOL, id, method, params };
    return new Promise((resolve, reject) => {
      pending[id] = { resolve, reject };
      try {
        if (win.GovAppNative && typeof win.GovAppNative.postMessage === "function") {
          win.GovAppNative.postMessage(JSON.stringify(msg));
        } else {
          win.webkit.messageHandlers.govapp.postMessage(msg);
        }
      } catch (e) {
        delete pending[id];
        reject(fault("failed", "", String(e)));
      }
    });
  }
  let hooked = false;
  const init = once(async () => {
    if (!hooked) {
      hooked = true;
      const prev = win.__govappNativeReply;
      win.__govappNativeReply = (json) => {
        receive(json);
        if (typeof prev === "function") prev(json);
      };
    }
    if (!hasNativeBridge(win)) {
      await new Promise((resolve) => {
        const doc = win.document;
        const on = () => {
          doc.removeEventListener(NATIVE_READY_EVENT, on, false);
          resolve();
        };
        doc.addEventListener(NATIVE_READY_EVENT, on, false);
      });
    }
    const h = await post("hello", { sdk: ctx.sdkVersion, protocols: [NATIVE_PROTOCOL], appId: ctx.appId() });
    if (h.protocol !== NATIVE_PROTOCOL) throw fault("not_ready", "原生容器的协议版本（" + h.protocol + "）与 SDK 不兼容，请升级", h);
    hello = {
      protocol: h.protocol,
      container: String(h.container || "govapp"),
      version: String(h.version || ""),
      platform: String(h.platform || ""),
      methods: Array.isArray(h.methods) ? h.methods : []
    };
    return hello;
  });
  async function call(method, params) {
    const h = await withTimeout2(init(), ctx.readyTimeoutMs()).catch((e) => {
      throw e instanceof Fault && e.code === "not_ready" ? e : fault("not_ready", "", e instanceof Fault ? e.detail : String(e));
    });
    if (h.methods.indexOf(method) < 0) throw fault("unsupported", "", method);
    return post(method, params);
  }
  return __spreadProps(__spreadValues({}, base), {
    container: "govapp",
    async credential(scope) {
      const res = await call("login", { appId: ctx.appId(), scope });
      if (typeof res.ticket !== "string" || !res.ticket) throw fault("failed", "", res);
      return res.ticket;
    },
    async scan(p) {
      const res = await call("scan", { type: p.type });
      if (typeof res.text !== "string") throw fault("failed", "", res);
      return res.format === "qr" || res.format === "bar" ? { text: res.text, format: res.format } : { text: res.text };
    },
    async getLocation(p) {
      const res = await call("getLocation", { type: p.type });
      const lat = Number(res.latitude);
      const lng = Number(res.longitude);
      if (isNaN(lat) || isNaN(lng)) throw fault("failed", "", res);
      return {
        latitude: lat,
        longitude: lng,
        accuracy: typeof res.accuracy === "number" ? res.accuracy : void 0,
        coordType: res.coordType === "gcj02" ? "gcj02" : res.coordType === "wgs84" ? "wgs84" : p.type
      };
    },
    async chooseImage(p) {
      const res = await call("chooseImage", { count: p.count, sourceType: p.sourceType });
      const list = Array.isArray(res.images) ? res.images : [];
      return { images: list.filter((i) => i && typeof i.src === "string").map((i) => ({ src: i.src, id: String(i.id || i.src) })) };
    },
    async previewImage(p) {
      await call("previewImage", { urls: p.urls, current: p.current });
      return {};
    },
    async share(p) {
      const res = await call("share", { title: p.title, desc: p.desc, link: p.link, imageUrl: p.imageUrl });
      return typeof res.channel === "string" ? { via: "sheet", channel: res.channel } : { via: "sheet" };
    },
    async phoneCall(p) {
      await call("phoneCall", { number: p.number });
      return {};
    },
    async openLink(p) {
      await call("openLink", { url: p.url });
      return {};
    },
    async setTitle(p) {
      await call("setTitle", { title: p.title });
      return {};
    },
    async close() {
      await call("close", {});
      return {};
    },
    async getSystemInfo() {
      const info = systemInfoFromUa(win, "govapp", ctx.sdkVersion);
      const res = await call("getSystemInfo", {});
      if (typeof res.containerVersion === "string") info.containerVersion = res.containerVersion;
      else if (hello && hello.version) info.containerVersion = hello.version;
      if (res.platform === "ios" || res.platform === "android" || res.platform === "harmony") info.platform = res.platform;
      if (typeof res.osVersion === "string") info.osVersion = res.osVersion;
      if (typeof res.model === "string") info.model = res.model;
      if (typeof res.language === "string") info.language = res.language;
      for (const k of ["screenWidth", "screenHeight", "pixelRatio"]) if (typeof res[k] === "number") info[k] = res[k];
      return info;
    },
    async getUiStyle() {
      const res = await call("getUiStyle", {});
      return { uiStyle: res.uiStyle === "elder" ? "elder" : "normal" };
    }
  });
}

// src/bridge/config.ts
var JSAPI_PERMISSIONS = ["location", "camera", "scan", "album", "share", "phone_call", "contacts", "record", "bluetooth", "nfc", "biometric", "file"];
var PERMISSION_OF = {
  scan: "scan",
  getLocation: "location",
  share: "share",
  phoneCall: "phone_call"
};
var DEFAULT_WECHAT_OAUTH_URL = "https://open.weixin.qq.com/connect/oauth2/authorize";
var DEFAULT_WECHAT_JS_URL = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js";
var DEFAULT_ZLB_JS_URL = "https://assets.zjzwfw.gov.cn/assets/ZWJSBridge/1.1.0/zwjsbridge.js";
var DEFAULT_READY_TIMEOUT_MS = 1e4;
function normalizeConfig(raw) {
  const r = raw && typeof raw === "object" ? raw : {};
  const str3 = (v) => typeof v === "string" ? v : void 0;
  const obj = (v) => v && typeof v === "object" ? v : {};
  const c = {};
  if (str3(r.appId)) c.appId = r.appId;
  if (str3(r.bundleId)) c.bundleId = r.bundleId;
  if (str3(r.server) !== void 0) c.server = r.server;
  if (Array.isArray(r.jsapi)) c.jsapi = r.jsapi.filter((x) => typeof x === "string");
  if (["wechat", "alipay", "govapp", "zlb", "web"].indexOf(r.container) >= 0) c.container = r.container;
  if (r.uiStyle === "normal" || r.uiStyle === "elder") c.uiStyle = r.uiStyle;
  if (typeof r.readyTimeoutMs === "number" && r.readyTimeoutMs > 0) c.readyTimeoutMs = r.readyTimeoutMs;
  if (typeof r.version === "string" && /^[A-Za-z0-9._+-]{1,32}$/.test(r.version)) c.version = r.version;
  if (typeof r.stats === "boolean") c.stats = r.stats;
  else if (r.stats && typeof r.stats === "object" && typeof r.stats.enabled === "boolean") c.stats = r.stats.enabled;
  const w = obj(r.wechat);
  c.wechat = { appId: str3(w.appId), oauthUrl: str3(w.oauthUrl), jsUrl: str3(w.jsUrl) };
  c.alipay = { appId: str3(obj(r.alipay).appId) };
  c.zlb = { jsUrl: str3(obj(r.zlb).jsUrl) };
  return c;
}
function declared(c, p) {
  return !!c.jsapi && c.jsapi.indexOf(p) >= 0;
}
function imageSources(c, asked) {
  if (asked && asked.length) {
    for (const s of asked) if (!declared(c, s)) return { ok: [], missing: s };
    return { ok: asked.slice() };
  }
  const ok = ["album", "camera"].filter((s) => declared(c, s));
  return ok.length ? { ok } : { ok: [], missing: "album" };
}

// src/bridge/platform.ts
function platformUrl(ctx, path, query) {
  const server = (ctx.config().server || "").replace(/\/+$/, "");
  const q = query ? Object.keys(query).map((k) => encodeURIComponent(k) + "=" + encodeURIComponent(query[k])).join("&") : "";
  return server + path + (q ? "?" + q : "");
}
async function platformError(res) {
  const out = { status: res.status };
  try {
    const b = await res.json();
    if (b && typeof b.code === "number") out.code = b.code;
    if (b && typeof b.error === "string") out.message = b.error;
  } catch (_) {
  }
  return out;
}
async function exchangeCredential(ctx, container, credential) {
  let res;
  try {
    res = await ctx.fetch(platformUrl(ctx, "/v1/auth/container-login"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ app_id: ctx.appId(), container, credential })
    });
  } catch (e) {
    throw fault("failed", "登录失败：无法连接平台，请检查网络后重试", String(e));
  }
  if (res.status !== 200) {
    const pe = await platformError(res);
    const why = pe.message ? "：" + pe.message : "";
    if (res.status === 401 || res.status === 403) throw fault("denied", "平台拒绝登录" + why, pe);
    if (res.status === 429) throw fault("failed", "登录请求过于频繁，请稍后重试", pe);
    throw fault("failed", "登录失败" + (why || "（平台返回 " + res.status + "）"), pe);
  }
  const b = await res.json().catch(() => null);
  if (!b || typeof b.code !== "string" || !b.code) throw fault("failed", "登录失败：平台返回格式错误", b);
  return { code: b.code, expiresIn: typeof b.expires_in === "number" ? b.expires_in : 0 };
}

// src/bridge/adapters/wechat.ts
var WECHAT_JSAPIS_OF = {
  "": ["previewImage", "closeWindow"],
  scan: ["scanQRCode"],
  location: ["getLocation", "openLocation"],
  camera: ["chooseImage", "previewImage", "getLocalImgData", "uploadImage"],
  album: ["chooseImage", "previewImage", "getLocalImgData", "uploadImage"],
  share: ["updateAppMessageShareData", "updateTimelineShareData"],
  record: ["startRecord", "stopRecord", "translateVoice"]
};
var BARCODE_PREFIX = /^(EAN_13|EAN_8|UPC_A|UPC_E|CODE_128|CODE_39|CODE_93|CODABAR|ITF|ITF_14|RSS_14|RSS_EXPANDED|PDF_417|DATA_MATRIX|AZTEC),/;
function wxFault(res) {
  const msg = res && (res.errMsg || res.err_msg) || "";
  const tail = msg.slice(msg.indexOf(":") + 1).toLowerCase();
  return fault(
    tail === "cancel" ? "cancelled" : /offline verifying/.test(tail) ? "not_ready" : /permission denied|no permission|access denied|auth den|authorize no response|user deny/.test(tail) ? "denied" : /function.not.exist|not support/.test(tail) ? "unsupported" : "failed",
    "",
    res
  );
}
function notReady(e) {
  throw e instanceof Fault && e.code === "timeout" ? fault("not_ready") : e;
}
function wxCall(run) {
  return new Promise((resolve, reject) => {
    const no = (r) => reject(wxFault(r));
    run({ success: resolve, fail: no, cancel: no });
  });
}
function wechatAdapter(ctx) {
  const win = ctx.win;
  const base = webAdapter(ctx);
  let signedUrl = "";
  let sig = null;
  let broken = null;
  async function loadWx() {
    if (win.wx && typeof win.wx.config === "function") return win.wx;
    const url = ctx.config().wechat.jsUrl || DEFAULT_WECHAT_JS_URL;
    await loadScript(win, url).catch(() => null);
    if (!win.wx || typeof win.wx.config !== "function") throw fault("not_ready", "无法加载微信 JS-SDK，请检查网络后重试", url);
    return win.wx;
  }
  async function fetchSignature(url) {
    let res;
    try {
      res = await ctx.fetch(platformUrl(ctx, "/v1/bridge/wechat/signature", { app_id: ctx.appId(), url }), {
        method: "GET",
        headers: { Accept: "application/json" }
      });
    } catch (e) {
      throw fault("not_ready", "无法获取微信签名，请检查网络后重试", String(e));
    }
    if (res.status !== 200) {
      const pe = await platformError(res);
      throw fault("not_ready", "平台拒绝了微信签名请求：" + (pe.message || res.status), pe);
    }
    const b = await res.json().catch(() => null);
    const ts = b && Number(b.timestamp);
    if (!b || typeof b.appId !== "string" || !ts || typeof b.nonceStr !== "string" || typeof b.signature !== "string" || !Array.isArray(b.jsApiList)) {
      throw fault("not_ready", "平台拒绝了微信签名请求：格式错误", b);
    }
    return { appId: b.appId, timestamp: ts, nonceStr: b.nonceStr, signature: b.signature, jsApiList: b.jsApiList };
  }
  let configs = 0;
  function configure(wx, s) {
    const first = configs++ === 0;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail2 = (res) => {
        broken = res;
        if (!settled) {
          settled = true;
          reject(fault("not_ready", "微信 JS-SDK 配置失败（" + (res && res.errMsg || "config:fail") + "）", res));
        }
      };
      const ok = () => {
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      wx.error(fail2);
      broken = null;
      wx.config({
        debug: false,
        appId: s.appId,
        timestamp: s.timestamp,
        nonceStr: s.nonceStr,
        signature: s.signature,
        jsApiList: s.jsApiList
      });
      if (first) {
        wx.ready(ok);
        return;
      }
      const probe2 = () => wx.checkJsApi({
        jsApiList: ["closeWindow"],
        success: ok,
        fail: (res) => /offline verifying/.test(res && res.errMsg || "") ? setTimeout(probe2, 50) : fail2(res)
      });
      probe2();
    });
  }
  const init = once(async () => {
    const wx = await loadWx();
    const url = pageUrl(win);
    const s = await fetchSignature(url);
    await configure(wx, s);
    sig = s;
    signedUrl = url;
    return wx;
  });
  async function ready(api) {
    const wx = await readyWx();
    const now = pageUrl(win);
    if (now !== signedUrl && !isIos(win)) {
      const s = await fetchSignature(now);
      await withTimeout2(configure(wx, s), ctx.readyTimeoutMs()).catch(notReady);
      sig = s;
      signedUrl = now;
    }
    if (broken) throw fault("not_ready", "微信 JS-SDK 配置失败（" + (broken.errMsg || "config:fail") + "）", broken);
    if (sig && sig.jsApiList.indexOf(api) < 0) throw fault("denied", "", { api, jsApiList: sig.jsApiList });
    return wx;
  }
  function readyWx() {
    return withTimeout2(init(), ctx.readyTimeoutMs()).catch(notReady);
  }
  const signed = (api) => !!sig && sig.jsApiList.indexOf(api) >= 0;
  const stateKey = () => "govapp:" + ctx.appId() + ":wx_oauth_state";
  return __spreadProps(__spreadValues({}, base), {
    container: "wechat",
    async credential(scope) {
      const store = sessionStore(win);
      const st = queryParam(win, "state");
      if (st !== null && st.indexOf("govapp.") === 0) {
        const saved = store.get(stateKey());
        store.remove(stateKey());
        const code = queryParam(win, "code");
        dropParams(win, ["code", "state"]);
        if (!saved || saved !== st) throw fault("failed", "登录校验失败（state 不符，链接可能被伪造或已用过），请重新登录", { state: st });
        if (!code) throw fault("cancelled");
        return code;
      }
      const appId = ctx.config().wechat.appId || (await readyWx(), sig.appId);
      const state = "govapp." + randomId2(win);
      if (!store.set(stateKey(), state)) throw fault("failed", "无法保存登录状态（会话存储不可用）");
      const redirect = withoutParams(pageUrl(win), ["code", "state"]);
      const oauth = ctx.config().wechat.oauthUrl || DEFAULT_WECHAT_OAUTH_URL;
      win.location.href = oauth + "?appid=" + encodeURIComponent(appId) + "&redirect_uri=" + encodeURIComponent(redirect) + "&response_type=code&scope=" + (consentScope(scope) ? "snsapi_userinfo" : "snsapi_base") + "&state=" + encodeURIComponent(state) + "#wechat_redirect";
      return new Promise(() => {
      });
    },
    async scan(p) {
      const wx = await ready("scanQRCode");
      const scanType = p.type === "qr" ? ["qrCode"] : p.type === "bar" ? ["barCode"] : ["qrCode", "barCode"];
      const res = await wxCall((cb) => wx.scanQRCode(__spreadValues({ needResult: 1, scanType }, cb)));
      const raw = String(res.resultStr || "");
      const m = BARCODE_PREFIX.exec(raw);
      if (m) return { text: raw.slice(m[0].length), format: "bar" };
      return p.type === "any" ? { text: raw } : { text: raw, format: p.type };
    },
    async getLocation(p) {
      const wx = await ready("getLocation");
      const res = await wxCall((cb) => wx.getLocation(__spreadValues({ type: p.type }, cb)));
      return { latitude: Number(res.latitude), longitude: Number(res.longitude), accuracy: Number(res.accuracy) || void 0, coordType: p.type };
    },
    async chooseImage(p) {
      const wx = await ready("chooseImage");
      const res = await wxCall(
        (cb) => wx.chooseImage(__spreadValues({ count: p.count, sizeType: ["original", "compressed"], sourceType: p.sourceType }, cb))
      );
      const ids = res.localIds || [];
      const images = [];
      for (const id of ids) {
        let src = id;
        if (win.__wxjs_is_wkwebview && signed("getLocalImgData")) {
          const d = await wxCall((cb) => wx.getLocalImgData(__spreadValues({ localId: id }, cb)));
          src = /^data:/.test(d.localData) ? d.localData : "data:image/jpeg;base64," + d.localData;
        }
        images.push({ src, id });
      }
      return { images };
    },
    async previewImage(p) {
      await readyWx();
      if (!signed("previewImage")) return base.previewImage(p);
      const wx = await ready("previewImage");
      await wxCall((cb) => wx.previewImage(__spreadValues({ current: p.current, urls: p.urls }, cb)));
      return {};
    },
    async share(p) {
      const wx = await ready("updateAppMessageShareData");
      await wxCall((cb) => wx.updateAppMessageShareData(__spreadValues({ title: p.title, desc: p.desc, link: p.link, imgUrl: p.imageUrl }, cb)));
      if (sig && sig.jsApiList.indexOf("updateTimelineShareData") >= 0) {
        await wxCall((cb) => wx.updateTimelineShareData(__spreadValues({ title: p.title, link: p.link, imgUrl: p.imageUrl }, cb)));
      }
      return { via: "menu" };
    },
    async close() {
      await readyWx();
      if (!signed("closeWindow")) {
        if (!win.WeixinJSBridge) throw fault("unsupported", "", "closeWindow is not in jsApiList");
        win.WeixinJSBridge.call("closeWindow");
        return {};
      }
      const wx = await ready("closeWindow");
      wx.closeWindow();
      return {};
    },
    getSystemInfo: () => Promise.resolve(systemInfoFromUa(win, "wechat", ctx.sdkVersion))
  });
}
function sessionStore(win) {
  const ss = (() => {
    try {
      return win.sessionStorage || null;
    } catch (_) {
      return null;
    }
  })();
  return {
    get: (k) => {
      try {
        return ss ? ss.getItem(k) : null;
      } catch (_) {
        return null;
      }
    },
    set: (k, v) => {
      try {
        if (!ss) return false;
        ss.setItem(k, v);
        return true;
      } catch (_) {
        return false;
      }
    },
    remove: (k) => {
      try {
        if (ss) ss.removeItem(k);
      } catch (_) {
      }
    }
  };
}

// src/bridge/adapters/zlb.ts
function zlbFault(err) {
  const text = String(err && (err.errorMessage || err.message || err.msg) || err || "");
  const code = /取消|cancel/i.test(text) ? "cancelled" : /权限|拒绝|未授权|denied|permission/i.test(text) ? "denied" : /不支持|未实现|not support|not exist/i.test(text) ? "unsupported" : /超时|timeout/i.test(text) ? "timeout" : "failed";
  return fault(code, "", err);
}
function zlbAdapter(ctx) {
  const win = ctx.win;
  const base = webAdapter(ctx);
  const init = once(async () => {
    if (!win.ZWJSBridge) {
      const url = ctx.config().zlb.jsUrl || DEFAULT_ZLB_JS_URL;
      await loadScript(win, url).catch(() => null);
      if (!win.ZWJSBridge) throw fault("not_ready", "无法加载 ZWJSBridge，请检查网络后重试", url);
    }
    const z = win.ZWJSBridge;
    await new Promise((resolve) => z.onReady(() => resolve()));
    return z;
  });
  function bridge() {
    return withTimeout2(init(), ctx.readyTimeoutMs()).catch((e) => {
      throw e instanceof Fault && e.code !== "timeout" ? e : fault("not_ready");
    });
  }
  async function call(name, params) {
    const z = await bridge();
    if (typeof z[name] !== "function") throw fault("unsupported", "", name);
    try {
      return await z[name](params) || {};
    } catch (e) {
      throw zlbFault(e);
    }
  }
  return __spreadProps(__spreadValues({}, base), {
    container: "zlb",
    async credential() {
      const t = queryParam(win, "ticket");
      if (t) {
        dropParams(win, ["ticket"]);
        return t;
      }
      const res = await call("ssoTicket", {});
      const id = res.ticketId || res.ticket;
      if (typeof id !== "string" || !id) throw fault("failed", "", res);
      return id;
    },
    async scan(p) {
      const res = await call("scan", { type: p.type === "bar" ? "barCode" : "qrCode" });
      if (typeof res.text !== "string") throw fault("failed", "", res);
      return p.type === "any" ? { text: res.text } : { text: res.text, format: p.type };
    },
    async getLocation() {
      const res = await call("getLocation", {});
      const lat = Number(res.latitude);
      const lng = Number(res.longitude);
      if (isNaN(lat) || isNaN(lng)) throw fault("failed", "", res);
      return { latitude: lat, longitude: lng, accuracy: Number(res.accuracy) || void 0, coordType: "gcj02" };
    },
    async chooseImage(p) {
      const res = await call("chooseImage", { upload: true });
      const paths = Array.isArray(res.picPath) ? res.picPath : [];
      if (!paths.length) throw fault("cancelled", "", res);
      return { images: paths.slice(0, p.count).map((s) => ({ src: s, id: s })) };
    },
    async previewImage(p) {
      const z = await bridge();
      if (typeof z.previewImage !== "function") return base.previewImage(p);
      await call("previewImage", { urls: p.urls, current: p.current });
      return {};
    },
    async share(p) {
      await call("share", { title: p.title, desc: p.desc, url: p.link, image: p.imageUrl });
      return { via: "sheet" };
    },
    async phoneCall(p) {
      await call("phoneCall", { corpId: p.number.replace(/\s+/g, "") });
      return {};
    },
    async openLink(p) {
      await call("openLink", { url: p.url });
      return {};
    },
    async setTitle(p) {
      await call("setTitle", { title: p.title });
      return {};
    },
    async close() {
      await call("close", {});
      return {};
    },
    getSystemInfo: () => Promise.resolve(systemInfoFromUa(win, "zlb", ctx.sdkVersion)),
    async getUiStyle() {
      const res = await call("getUiStyle", {});
      return { uiStyle: res.uiStyle === "elder" ? "elder" : "normal" };
    }
  });
}

// src/bridge/types.ts
var METHODS = [
  "login",
  "scan",
  "getLocation",
  "chooseImage",
  "previewImage",
  "share",
  "phoneCall",
  "openLink",
  "setTitle",
  "close",
  "getSystemInfo",
  "getUiStyle"
];
var DEFAULT_TIMEOUTS = {
  login: 0,
  scan: 0,
  getLocation: 3e4,
  chooseImage: 0,
  previewImage: 0,
  share: 0,
  phoneCall: 1e4,
  openLink: 1e4,
  setTitle: 1e4,
  close: 1e4,
  getSystemInfo: 1e4,
  getUiStyle: 1e4
};

// src/bridge/api.ts
var ADAPTERS = {
  wechat: wechatAdapter,
  alipay: alipayAdapter,
  govapp: nativeAdapter,
  zlb: zlbAdapter,
  web: webAdapter
};
function toGovappError(e, container, method) {
  if (isGovappError(e)) return e;
  if (e instanceof Fault) return new GovappError(e.code, e.message || "", container, method, e.detail);
  return new GovappError("failed", "", container, method, e instanceof Error ? e.message : e);
}
var PERMISSION_TEXT = {
  scan: "扫码（scan）",
  location: "定位（location）",
  camera: "拍照（camera）",
  album: "相册（album）",
  share: "分享（share）",
  phone_call: "拨打电话（phone_call）"
};
function notDeclared(c, permission) {
  const what = PERMISSION_TEXT[permission] || permission;
  return fault(
    "not_declared",
    c.jsapi ? "应用未声明" + what + '权限，请在 govapp.json 的 jsapi_permissions 中加入 "' + permission + '" 并重新发布' : "页面没有应用配置（window.__GOVAPP__），无法确认已声明" + what + "权限"
  );
}
function str2(v, name, required) {
  if (v === void 0 || v === null || v === "") {
    if (required) throw fault("failed", "参数错误：缺少 " + name);
    return "";
  }
  if (typeof v !== "string") throw fault("failed", "参数错误：" + name + " 应为字符串");
  return v;
}
function link(win, v, name) {
  const u = httpUrl(win, v);
  if (!u) throw fault("failed", "参数错误：" + name + " 应为 http(s) 地址");
  return u;
}
function prepare(method, p, c, win) {
  const perm = PERMISSION_OF[method];
  if (perm && !declared(c, perm)) throw notDeclared(c, perm);
  switch (method) {
    case "login": {
      const scope = str2(p.scope, "scope", false) || "openid";
      if (!/^[\w.:-]+( [\w.:-]+)*$/.test(scope)) throw fault("failed", "参数错误：scope 应为空格分隔的权限名");
      return { scope };
    }
    case "scan": {
      const type = p.type === void 0 ? "any" : p.type;
      if (["qr", "bar", "any"].indexOf(type) < 0) throw fault("failed", "参数错误：type 应为 qr、bar 或 any");
      return { type };
    }
    case "getLocation": {
      const type = p.type === void 0 ? "wgs84" : p.type;
      if (type !== "wgs84" && type !== "gcj02") throw fault("failed", "参数错误：type 应为 wgs84 或 gcj02");
      return { type };
    }
    case "chooseImage": {
      const count = p.count === void 0 ? 9 : p.count;
      if (typeof count !== "number" || count !== Math.floor(count) || count < 1 || count > 9) throw fault("failed", "参数错误：count 应为 1 到 9");
      if (p.sourceType !== void 0 && (!Array.isArray(p.sourceType) || p.sourceType.some((s) => s !== "album" && s !== "camera"))) {
        throw fault("failed", '参数错误：sourceType 应为 ["album", "camera"] 的子集');
      }
      const src = imageSources(c, p.sourceType);
      if (src.missing) throw notDeclared(c, src.missing);
      return { count, sourceType: src.ok };
    }
    case "previewImage": {
      if (!Array.isArray(p.urls) || !p.urls.length) throw fault("failed", "参数错误：urls 应为非空的图片地址列表");
      const urls = p.urls.map((u) => link(win, u, "urls"));
      const current2 = p.current === void 0 ? urls[0] : link(win, p.current, "current");
      return { urls, current: current2 };
    }
    case "share":
      return {
        title: str2(p.title, "title", true),
        desc: str2(p.desc, "desc", false),
        link: p.link === void 0 ? pageUrl(win) : link(win, p.link, "link"),
        imageUrl: p.imageUrl === void 0 || p.imageUrl === "" ? "" : link(win, p.imageUrl, "imageUrl")
      };
    case "phoneCall": {
      const number = str2(p.number, "number", true);
      if (!PHONE.test(number)) throw fault("failed", "参数错误：number 不是电话号码");
      return { number };
    }
    case "openLink":
      return { url: link(win, p.url, "url") };
    case "setTitle":
      return { title: p.title === "" ? "" : str2(p.title, "title", true) };
    default:
      return {};
  }
}
function createBridge(o) {
  const win = o.win;
  const config = () => normalizeConfig(o.config !== void 0 ? o.config : win && win.__GOVAPP__);
  const ctx = {
    win,
    config,
    appId: () => config().appId || o.appId || "",
    fetch: o.fetch || ((url, init) => win.fetch(url, init)),
    sdkVersion: o.sdkVersion,
    readyTimeoutMs: () => config().readyTimeoutMs || DEFAULT_READY_TIMEOUT_MS
  };
  let adapter = null;
  const current2 = () => {
    if (!adapter) adapter = ADAPTERS[detectContainer(win, config())](ctx);
    return adapter;
  };
  const told = (method, ok, code, start) => {
    try {
      if (o.onCall) o.onCall(method, ok, code, Date.now() - start);
    } catch (_) {
    }
  };
  async function run(method, params) {
    const start = Date.now();
    try {
      const r = await dispatch(method, params);
      told(method, true, "", start);
      return r;
    } catch (e) {
      told(method, false, e.code, start);
      throw e;
    }
  }
  async function dispatch(method, params) {
    const p = params && typeof params === "object" ? params : {};
    const c = config();
    const a = current2();
    try {
      const q = prepare(method, p, c, win);
      const ms = typeof p.timeout === "number" && p.timeout >= 0 ? p.timeout : DEFAULT_TIMEOUTS[method];
      if (method === "login") {
        const credential = await withTimeout2(a.credential(q.scope), ms);
        return await withTimeout2(exchangeCredential(ctx, a.container, credential), ms || 15e3);
      }
      const fn = a[method];
      return await withTimeout2(fn(q), ms);
    } catch (e) {
      throw toGovappError(e, a.container, method);
    }
  }
  const api = {};
  for (const m of METHODS) api[m] = (params) => run(m, params);
  Object.defineProperty(api, "container", { enumerable: true, get: () => current2().container });
  return api;
}

// src/index.ts
setCryptoBackends(staticBackends);
export {
  ALG_ED25519,
  ALG_SM2,
  AppState,
  BUILTIN_EVENTS,
  CanonicalError,
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  DEFAULT_TIMEOUT_MS,
  DownloadError,
  ERROR_CODES,
  GovappError,
  JSAPI_PERMISSIONS,
  JsonSyntaxError,
  MAX_SAFE,
  METHODS,
  MemoryStore,
  NATIVE_PROTOCOL,
  NATIVE_READY_EVENT,
  NonInteger,
  PERMISSION_OF,
  REASONS,
  SDK_VERSION,
  STATS_FLUSH_MS,
  STATS_MAX_AGE_MS,
  STATS_MAX_BATCH_BYTES,
  STATS_MAX_BATCH_EVENTS,
  STATS_MAX_QUEUE,
  UpdateCache,
  UpdateError,
  WECHAT_JSAPIS_OF,
  autoTrack,
  bootLoader,
  bundleUrl,
  canonicalBytes,
  canonicalize,
  checkFiles,
  checkForUpdate,
  checkManifest,
  checkProps,
  clipUtf8,
  computeBundleId,
  createBridge,
  createPush,
  createRuntime,
  createStats,
  detectContainer,
  downloadAndVerify,
  ed25519Mode,
  isGovappError,
  joinUrl,
  keyIdFor,
  loaderUrl,
  normalizeConfig,
  pageOf,
  parseBundlePath,
  parseEnvelope,
  parseStrictJson,
  pathProblem,
  randomId,
  report,
  setCryptoBackends,
  sha256,
  sha256Hex,
  toGovappError,
  updateUrl,
  utf8Length,
  verifyEnvelope
};
