import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { compareUtf8, fromBase64, toBase64 } from '../src/bytes';
import { sha256Js } from '../src/crypto/sha256';
import { canonicalize, CanonicalError, JsonSyntaxError, NonInteger, parseStrictJson, pathProblem } from '../src/index';
import { foldPath } from '../src/verify';

describe('canonicalize', () => {
  test('sorts members and leaves no whitespace', () => {
    assert.equal(canonicalize({ b: 1, a: [2, 'x', {}], c: {} }), '{"a":[2,"x",{}],"b":1,"c":{}}');
  });
  test('escapes strings as JSON.stringify does and nothing more', () => {
    const s = '"\\\b\t\n\f\r\u0000\u001f\u007f/<>&\u2028\u2029é😀';
    assert.equal(canonicalize(s), '"\\"\\\\\\b\\t\\n\\f\\r\\u0000\\u001f\u007f/<>&\u2028\u2029é😀"');
  });
  test('integers 0..2^53-1 only', () => {
    assert.equal(canonicalize(9007199254740991), '9007199254740991');
    for (const bad of [-1, 1.5, 9007199254740992, NaN, Infinity, -0, true, null, undefined]) {
      assert.throws(() => canonicalize(bad), CanonicalError, String(bad));
    }
  });
  test('refuses strings without a UTF-8 form', () => {
    assert.throws(() => canonicalize('\ud800'), CanonicalError);
  });
});

describe('parseStrictJson', () => {
  test('reads what JSON.parse reads', () => {
    const t = '{"a":[1,"\\u00e9\\ud83d\\ude00\\/",{"b":{}}],"c":true,"d":null}';
    assert.deepEqual(JSON.parse(JSON.stringify(parseStrictJson(t))), JSON.parse(t));
  });
  test('keeps __proto__ an ordinary member', () => {
    const v = parseStrictJson('{"__proto__":{"x":1}}') as any;
    assert.equal(Object.getPrototypeOf(v), null);
    assert.deepEqual(Object.keys(v), ['__proto__']);
  });
  test('numbers that are not plain safe integers become NonInteger', () => {
    for (const t of ['1.0', '1e3', '-1', '-0', '9007199254740992', '12345678901234567890']) {
      assert.ok(parseStrictJson(t) instanceof NonInteger, t);
    }
    assert.equal(parseStrictJson('0'), 0);
  });
  test('refuses what RFC 8259 refuses, duplicates and lone surrogates', () => {
    for (const t of ['', ' ', '{', '{"a":1,}', '[1,]', '01', '"\t"', '"\\x"', '{"a":1}x', "{'a':1}", '{"a":1,"a":2}',
      '"\\ud800"', '"\\udc00"', '"\\ud800\\u0041"', '\ufeff{}', 'nul', '[' .repeat(40) + ']'.repeat(40)]) {
      assert.throws(() => parseStrictJson(t), JsonSyntaxError, JSON.stringify(t));
    }
  });
});

describe('bytes', () => {
  test('UTF-8 order differs from UTF-16 order past the BMP', () => {
    assert.ok('\uff01' > '😀'); // JS compares UTF-16 code units
    assert.ok(compareUtf8('\uff01', '😀') < 0); // the contract compares bytes
    assert.ok(compareUtf8('a', 'ab') < 0);
    assert.equal(compareUtf8('é', 'é'), 0);
  });
  test('base64: standard alphabet, padding, one spelling', () => {
    for (let n = 0; n < 10; n++) {
      const b = randomBytes(n);
      assert.equal(toBase64(b), b.toString('base64'));
      assert.deepEqual(Buffer.from(fromBase64(b.toString('base64'))!), b);
    }
    for (const bad of ['QQ', 'QR==', 'QQ=', 'Q===', 'QQ==\n', 'Q-8=', 'Q_8=', 'QQ==QQ==', '=QQQ']) {
      assert.equal(fromBase64(bad), null, bad);
    }
  });
  test('the JS SHA-256 matches node:crypto', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100000]) {
      const b = randomBytes(n);
      assert.equal(Buffer.from(sha256Js(b)).toString('hex'), createHash('sha256').update(b).digest('hex'), String(n));
    }
  });
});

describe('paths', () => {
  test('safe paths', () => {
    for (const p of ['index.html', 'a/b/c.js', '首页.html', 'a b', '.well-known/x', '..a', 'a..', 'x'.repeat(512)]) {
      assert.equal(pathProblem(p), null, p);
    }
  });
  test('unsafe paths', () => {
    for (const p of ['', '/a', 'a/', 'a//b', '.', '..', 'a/./b', 'a/../b', 'a\\b', 'c:x', 'a\u0000', 'a\u001f', 'a\u007f', 'é'.repeat(257)]) {
      assert.notEqual(pathProblem(p), null, JSON.stringify(p));
    }
  });
  test('case folding is Unicode simple folding, code point by code point', () => {
    const same = [['A.js', 'a.js'], ['Ä', 'ä'], ['\u212a', 'k'], ['ſ', 's'], ['ς', 'Σ'], ['ẞ', 'ß'], ['µ', 'μ'], ['ǅ', 'ǆ']];
    for (const [a, b] of same) assert.equal(foldPath(a), foldPath(b), `${a} ~ ${b}`);
    const differ = [['ß', 'ss'], ['ı', 'i'], ['İ', 'i'], ['ﬀ', 'ff'], ['a', 'b']];
    for (const [a, b] of differ) assert.notEqual(foldPath(a), foldPath(b), `${a} !~ ${b}`);
  });
});
