// A strict JSON parser for envelopes: RFC 8259 exactly, plus what a signed
// format needs — duplicate member names, lone surrogates and numbers that
// are not plain non-negative integers are caught instead of silently
// folded the way JSON.parse folds them.

import { MAX_SAFE } from './canonical';

/**
 * NonInteger stands for a JSON number that is not a plain integer literal
 * in 0..2^53−1 (a fraction, an exponent, a sign, or too large). The manifest
 * holds no such number, so every shape check refuses it.
 */
export class NonInteger {
  constructor(readonly text: string) {}
}

/** JsonSyntaxError is thrown by parseStrictJson; message says what and where. */
export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message + ' at offset ' + offset);
    this.name = 'JsonSyntaxError';
  }
}

const MAX_DEPTH = 32;

/**
 * parseStrictJson parses text as one JSON value. Objects come back as
 * null-prototype objects (so "__proto__" is an ordinary member), numbers as
 * JS numbers when they are plain safe non-negative integers and as
 * NonInteger otherwise. It throws JsonSyntaxError on anything RFC 8259 does
 * not allow and on duplicate member names, lone surrogate escapes and nesting
 * deeper than 32.
 */
export function parseStrictJson(text: string): unknown {
  let i = 0;
  const n = text.length;

  function fail(msg: string): never {
    throw new JsonSyntaxError(msg, i);
  }
  function ws(): void {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  }
  function value(depth: number): unknown {
    if (depth > MAX_DEPTH) fail('nesting too deep');
    ws();
    if (i >= n) fail('unexpected end of input');
    const c = text[i];
    if (c === '{') return object(depth);
    if (c === '[') return array(depth);
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    return fail('unexpected character ' + JSON.stringify(c));
  }
  function object(depth: number): unknown {
    i++; // {
    const o: { [k: string]: unknown } = Object.create(null);
    ws();
    if (text[i] === '}') {
      i++;
      return o;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail('expected member name');
      const k = string();
      if (Object.prototype.hasOwnProperty.call(o, k)) fail('duplicate member ' + JSON.stringify(k));
      ws();
      if (text[i] !== ':') fail("expected ':'");
      i++;
      o[k] = value(depth + 1);
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return o;
      }
      fail("expected ',' or '}'");
    }
  }
  function array(depth: number): unknown {
    i++; // [
    const a: unknown[] = [];
    ws();
    if (text[i] === ']') {
      i++;
      return a;
    }
    for (;;) {
      a.push(value(depth + 1));
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return a;
      }
      fail("expected ',' or ']'");
    }
  }
  function hex4(): number {
    const h = text.substr(i, 4);
    if (!/^[0-9A-Fa-f]{4}$/.test(h)) fail('bad \\u escape');
    i += 4;
    return parseInt(h, 16);
  }
  function string(): string {
    i++; // opening quote
    let s = '';
    let start = i;
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        s += text.slice(start, i);
        i++;
        return s;
      }
      if (c < 0x20) fail('control character in string');
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = text.charCodeAt(i + 1);
        if (!(d >= 0xdc00 && d <= 0xdfff)) fail('lone surrogate in string');
        i += 2;
        continue;
      }
      if (c >= 0xdc00 && c <= 0xdfff) fail('lone surrogate in string');
      if (c !== 0x5c) {
        i++;
        continue;
      }
      s += text.slice(start, i);
      i++; // backslash
      const e = text[i++];
      switch (e) {
        case '"': s += '"'; break;
        case '\\': s += '\\'; break;
        case '/': s += '/'; break;
        case 'b': s += '\b'; break;
        case 'f': s += '\f'; break;
        case 'n': s += '\n'; break;
        case 'r': s += '\r'; break;
        case 't': s += '\t'; break;
        case 'u': {
          const u = hex4();
          if (u >= 0xd800 && u <= 0xdbff) {
            if (text[i] !== '\\' || text[i + 1] !== 'u') fail('lone surrogate escape');
            i += 2;
            const l = hex4();
            if (l < 0xdc00 || l > 0xdfff) fail('lone surrogate escape');
            s += String.fromCharCode(u, l);
          } else if (u >= 0xdc00 && u <= 0xdfff) {
            fail('lone surrogate escape');
          } else {
            s += String.fromCharCode(u);
          }
          break;
        }
        default:
          fail('bad escape');
      }
      start = i;
    }
  }
  function number(): unknown {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail('bad number');
    i += m[0].length;
    const t = m[0];
    if (/^(0|[1-9][0-9]*)$/.test(t) && t.length <= 16) {
      const v = Number(t);
      if (v <= MAX_SAFE) return v;
    }
    return new NonInteger(t);
  }

  const v = value(0);
  ws();
  if (i !== n) fail('trailing characters after JSON value');
  return v;
}
