package gov.govapp.core.hotupdate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict JSON reader over raw bytes, the Java twin of the Go parser in
 * hotupdate/envelope_parse.go. It is driven by the caller's schema (see
 * {@link EnvelopeParser}): objects and arrays are read through callbacks, so
 * nothing but the expected members is ever built and the work is bounded by
 * the schema. Everything it refuses is a {@link VerifyException} with
 * {@link Reason#MALFORMED}:
 *
 * <ul>
 *   <li>anything RFC 8259 does not allow; whitespace is only space, tab, LF
 *       and CR, so a byte order mark is refused;
 *   <li>duplicate member names (after unescaping);
 *   <li>invalid UTF-8 inside strings (overlong forms, encoded surrogates,
 *       code points above U+10FFFF, truncated sequences), raw control
 *       characters below U+0020, escapes other than JSON's, and <code>&#92;u</code>
 *       escapes of surrogates that do not form a high-low pair;
 *   <li>numbers other than plain non-negative integers up to 2^53−1 where an
 *       integer is read (no {@code 1.0}, {@code 1e3}, {@code -0}, leading
 *       zeros).
 * </ul>
 */
final class StrictJsonReader {
    /** 2^53−1, the largest integer the canonical form carries. */
    static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    /** Nesting bound of {@link #value}, far above any document of the contract. */
    static final int MAX_DEPTH = 64;

    private final byte[] s;
    private int i;

    StrictJsonReader(byte[] s) {
        this.s = s == null ? new byte[0] : s;
    }

    /** Reads a member's value; the reader is at the value when called. */
    interface MemberReader {
        void read(String key) throws VerifyException;
    }

    /** Reads an array element; the reader is at the element when called. */
    interface ElementReader {
        void read(int index) throws VerifyException;
    }

    VerifyException error(String where, String what) {
        return new VerifyException(Reason.MALFORMED, where + ": " + what + " (at byte " + i + ")");
    }

    /** Skips JSON whitespace: space, tab, LF, CR and nothing else. */
    void ws() {
        while (i < s.length) {
            byte c = s[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
            } else {
                return;
            }
        }
    }

    boolean atEnd() {
        return i >= s.length;
    }

    int position() {
        return i;
    }

    /** Names the JSON type of the value at the current position. */
    private String got() {
        if (i >= s.length) {
            return "the end of the input";
        }
        int c = s[i] & 0xff;
        switch (c) {
            case '{':
                return "an object";
            case '[':
                return "an array";
            case '"':
                return "a string";
            case 't':
            case 'f':
                return "a boolean";
            case 'n':
                return "null";
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return "a number";
                }
                return String.format("byte 0x%02x, which is not JSON", c);
        }
    }

    private VerifyException want(String where, String what) {
        return error(where, "want " + what + ", got " + got());
    }

    private boolean at(char c) {
        return i < s.length && s[i] == (byte) c;
    }

    /**
     * Reads an object, calling member for each member name (the reader is
     * then at the value, which member must consume), and refuses duplicate
     * members and missing required ones.
     */
    void object(String where, String[] required, MemberReader member) throws VerifyException {
        ws();
        if (!at('{')) {
            throw want(where, "an object");
        }
        i++;
        Set<String> seen = new HashSet<String>();
        ws();
        if (at('}')) {
            i++;
        } else {
            for (;;) {
                ws();
                if (!at('"')) {
                    throw want(where, "a member name");
                }
                String key = string(where);
                if (!seen.add(key)) {
                    throw error(where, "duplicate member " + CanonicalJson.quote(key));
                }
                ws();
                if (!at(':')) {
                    throw error(where, "want ':' after member name " + CanonicalJson.quote(key));
                }
                i++;
                ws();
                member.read(key);
                ws();
                if (at(',')) {
                    i++;
                    continue;
                }
                if (at('}')) {
                    i++;
                    break;
                }
                throw error(where, "want ',' or '}' after member " + CanonicalJson.quote(key));
            }
        }
        if (required != null) {
            for (String k : required) {
                if (!seen.contains(k)) {
                    throw error(where, "missing member " + CanonicalJson.quote(k));
                }
            }
        }
    }

    /** Reads an array, calling elem for each element. */
    void array(String where, ElementReader elem) throws VerifyException {
        ws();
        if (!at('[')) {
            throw want(where, "an array");
        }
        i++;
        ws();
        if (at(']')) {
            i++;
            return;
        }
        for (int n = 0;; n++) {
            ws();
            elem.read(n);
            ws();
            if (at(',')) {
                i++;
                continue;
            }
            if (at(']')) {
                i++;
                return;
            }
            throw error(where, "want ',' or ']' after element " + n);
        }
    }

    /**
     * Reads a string: valid UTF-8, no raw control characters, only JSON's
     * escapes, and <code>&#92;u</code> escapes that pair their surrogates. The result
     * is well-formed UTF-16 (no lone surrogates), so it converts to and from
     * UTF-8 without loss.
     */
    String string(String where) throws VerifyException {
        if (!at('"')) {
            throw want(where, "a string");
        }
        i++;
        StringBuilder b = new StringBuilder();
        for (;;) {
            if (i >= s.length) {
                throw error(where, "unterminated string");
            }
            int c = s[i] & 0xff;
            if (c == '"') {
                i++;
                return b.toString();
            }
            if (c == '\\') {
                if (i + 1 >= s.length) {
                    throw error(where, "unterminated escape");
                }
                int esc = s[i + 1] & 0xff;
                i += 2;
                switch (esc) {
                    case '"':
                    case '\\':
                    case '/':
                        b.append((char) esc);
                        break;
                    case 'b':
                        b.append('\b');
                        break;
                    case 'f':
                        b.append('\f');
                        break;
                    case 'n':
                        b.append('\n');
                        break;
                    case 'r':
                        b.append('\r');
                        break;
                    case 't':
                        b.append('\t');
                        break;
                    case 'u': {
                        int r = hex4(where);
                        if (r >= 0xDC00 && r <= 0xDFFF) {
                            throw error(where, String.format("lone low surrogate \\u%04x", r));
                        }
                        if (r >= 0xD800 && r <= 0xDBFF) {
                            if (i + 1 >= s.length || s[i] != '\\' || s[i + 1] != 'u') {
                                throw error(where, String.format("lone high surrogate \\u%04x", r));
                            }
                            i += 2;
                            int lo = hex4(where);
                            if (lo < 0xDC00 || lo > 0xDFFF) {
                                throw error(where, String.format("high surrogate \\u%04x not followed by a low one", r));
                            }
                            b.append((char) r).append((char) lo);
                        } else {
                            b.append((char) r);
                        }
                        break;
                    }
                    default:
                        throw error(where, String.format("invalid escape \\%c", (char) esc));
                }
                continue;
            }
            if (c < 0x20) {
                throw error(where, String.format("control character U+%04X must be escaped", c));
            }
            if (c < 0x80) {
                b.append((char) c);
                i++;
                continue;
            }
            int cp = utf8Rune();
            if (cp < 0) {
                throw error(where, "invalid UTF-8");
            }
            b.appendCodePoint(cp);
        }
    }

    /**
     * Decodes the multi-byte UTF-8 sequence at i and advances past it, or
     * returns -1 for anything Unicode's table 3-7 (and Go's
     * utf8.DecodeRune) does not accept: overlong forms, surrogates, code
     * points above U+10FFFF, stray continuation bytes, short sequences.
     */
    private int utf8Rune() {
        int c0 = s[i] & 0xff;
        int n;
        int lo = 0x80;
        int hi = 0xBF;
        int cp;
        if (c0 >= 0xC2 && c0 <= 0xDF) {
            n = 1;
            cp = c0 & 0x1F;
        } else if (c0 >= 0xE0 && c0 <= 0xEF) {
            n = 2;
            cp = c0 & 0x0F;
            if (c0 == 0xE0) {
                lo = 0xA0;
            } else if (c0 == 0xED) {
                hi = 0x9F;
            }
        } else if (c0 >= 0xF0 && c0 <= 0xF4) {
            n = 3;
            cp = c0 & 0x07;
            if (c0 == 0xF0) {
                lo = 0x90;
            } else if (c0 == 0xF4) {
                hi = 0x8F;
            }
        } else {
            return -1;
        }
        if (i + n >= s.length) {
            return -1;
        }
        for (int k = 1; k <= n; k++) {
            int c = s[i + k] & 0xff;
            if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) {
                return -1;
            }
            cp = cp << 6 | (c & 0x3F);
        }
        i += n + 1;
        return cp;
    }

    /** Reads the four hex digits of a <code>&#92;u</code> escape. */
    private int hex4(String where) throws VerifyException {
        if (i + 4 > s.length) {
            throw error(where, "short \\u escape");
        }
        int r = 0;
        for (int k = 0; k < 4; k++) {
            int c = s[i + k] & 0xff;
            int d;
            if (c >= '0' && c <= '9') {
                d = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                d = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                d = c - 'A' + 10;
            } else {
                throw error(where, "invalid \\u escape");
            }
            r = r << 4 | d;
        }
        i += 4;
        return r;
    }

    /** Reads a non-negative integer up to 2^53−1 spelled as plain digits. */
    long integer(String where) throws VerifyException {
        if (i >= s.length || s[i] < '0' || s[i] > '9') {
            if (at('-')) {
                throw error(where, "want a non-negative integer, got a negative number");
            }
            throw want(where, "an integer");
        }
        int start = i;
        while (i < s.length && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
        int len = i - start;
        if (at('.') || at('e') || at('E')) {
            throw error(where, "want an integer written without fraction or exponent");
        }
        if (len > 1 && s[start] == '0') {
            throw error(where, "number with a leading zero is not JSON");
        }
        String digits = new String(s, start, len, java.nio.charset.StandardCharsets.US_ASCII);
        if (len > 16 || Long.parseLong(digits) > MAX_SAFE_INTEGER) {
            throw error(where, "integer " + digits + " is larger than 2^53-1");
        }
        return Long.parseLong(digits);
    }

    /** Fails on the member key of an object that has no such member. */
    VerifyException unknown(String where, String key) {
        return error(where, "unknown member " + CanonicalJson.quote(key));
    }

    /**
     * Reads any value as a tree, with the same strictness: objects as
     * insertion-ordered maps, arrays as lists, strings, integers as Long
     * (nothing else numeric), Boolean and null. For documents around the
     * envelope (key lists, test indexes); the envelope itself goes through
     * {@link EnvelopeParser}.
     */
    Object value(final int depth) throws VerifyException {
        final String where = "value";
        if (depth > MAX_DEPTH) {
            throw error(where, "nesting deeper than " + MAX_DEPTH);
        }
        ws();
        if (at('{')) {
            final Map<String, Object> m = new LinkedHashMap<String, Object>();
            object(where, null, new MemberReader() {
                @Override
                public void read(String key) throws VerifyException {
                    m.put(key, value(depth + 1));
                }
            });
            return m;
        }
        if (at('[')) {
            final List<Object> l = new ArrayList<Object>();
            array(where, new ElementReader() {
                @Override
                public void read(int index) throws VerifyException {
                    l.add(value(depth + 1));
                }
            });
            return l;
        }
        if (at('"')) {
            return string(where);
        }
        if (literal("true")) {
            return Boolean.TRUE;
        }
        if (literal("false")) {
            return Boolean.FALSE;
        }
        if (literal("null")) {
            return null;
        }
        return integer(where);
    }

    private boolean literal(String word) {
        if (i + word.length() > s.length) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if (s[i + k] != (byte) word.charAt(k)) {
                return false;
            }
        }
        i += word.length();
        return true;
    }

    /**
     * Parses bytes as exactly one JSON value (see {@link #value}), nothing
     * but whitespace after it.
     */
    static Object parse(byte[] raw) throws VerifyException {
        StrictJsonReader r = new StrictJsonReader(raw);
        Object v = r.value(0);
        r.ws();
        if (!r.atEnd()) {
            throw r.error("value", "trailing data");
        }
        return v;
    }
}
