package gov.govapp.core.hotupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * Check 1 on bytes: variants of the valid Ed25519 vector. Variants that only
 * change the transport spelling must still verify (the signature covers the
 * re-canonicalised manifest); the others must be malformed, not a later
 * reason.
 */
class EnvelopeParserTest {
    private static final Vectors.Vector BASE = Vectors.named("valid-ed25519");
    private static final String TEXT = new String(BASE.envelope, StandardCharsets.UTF_8).trim();

    private static String verdict(byte[] raw) {
        return Vectors.verdict(raw, Limits.DEFAULT, BASE.content());
    }

    private static String verdict(String text) {
        return verdict(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String replace(String from, String to) {
        assertTrue(TEXT.contains(from), "base lacks " + from);
        return TEXT.replace(from, to);
    }

    private static byte[] replaceBytes(String from, byte[] to) {
        int at = TEXT.indexOf(from);
        assertTrue(at >= 0, "base lacks " + from);
        byte[] head = TEXT.substring(0, at).getBytes(StandardCharsets.UTF_8);
        byte[] tail = TEXT.substring(at + from.length()).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(head, 0, head.length);
        o.write(to, 0, to.length);
        o.write(tail, 0, tail.length);
        return o.toByteArray();
    }

    @Test
    void baseIsValid() {
        assertEquals("", verdict(BASE.envelope));
    }

    @Test
    void transportSpellingDoesNotMatter() {
        // Whitespace of all four kinds around every token.
        assertEquals("", verdict(spaced(TEXT, " \t\r\n")));
        assertEquals("", verdict(spaced(TEXT, "\n")));
        // Escapes that decode to the same characters, in member names and values.
        assertEquals("", verdict(replace("\"entry\":\"index.html\"", "\"\\u0065ntry\":\"index\\u002Ehtml\"")));
        assertEquals("", verdict(replace("\"path\":\"assets/app.css\"", "\"path\":\"assets\\/app.css\"")));
        assertEquals("", verdict(replace("\"schema\":1", "\"sch\\u0065ma\" : 1")));
        // Members in another order.
        assertEquals("", verdict(replace("\"schema\":1,\"version\":\"1.4.2\"", "\"version\":\"1.4.2\",\"schema\":1")));
    }

    /** text with ws around every structural character outside strings. */
    private static String spaced(String text, String ws) {
        StringBuilder b = new StringBuilder(ws);
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                b.append(c);
                if (c == '\\') {
                    b.append(text.charAt(++i));
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
                b.append(c);
            } else if ("{}[],:".indexOf(c) >= 0) {
                b.append(ws).append(c).append(ws);
            } else {
                b.append(c);
            }
        }
        return b.append(ws).toString();
    }

    @Test
    void malformedBytes() {
        String[][] cases = {
            {"\"schema\":1", "\"schema\":1.0"},
            {"\"schema\":1", "\"schema\":1e0"},
            {"\"schema\":1", "\"schema\":1E0"},
            {"\"schema\":1", "\"schema\":01"},
            {"\"schema\":1", "\"schema\":-1"},
            {"\"schema\":1", "\"schema\":true"},
            {"\"schema\":1", "\"schema\":null"},
            {"\"schema\":1", "\"schema\":9007199254740992"},
            {"\"schema\":1", "\"schema\":100000000000000000000"},
            {"\"size\":0", "\"size\":-0"},
            {"\"size\":0", "\"size\":0.0"},
            {"\"size\":0", "\"size\":00"},
            {"\"size\":0", "\"size\":+0"},
            {"\"size\":38", "\"size\":3.8e1"},
            {"\"schema\":1,", "\"schema\":1,\"schema\":1,"}, // duplicate member
            {"\"schema\":1,", "\"schema\":1,\"sch\\u0065ma\":1,"}, // duplicate after unescaping
            {"\"alg\":\"ed25519\"", "\"alg\":\"ed25519\",\"alg\":\"ed25519\""},
            {"\"govapp\":\"3.2.0\"", "\"govapp\":\"3.2.0\",\"govapp\":\"3.2.0\""}, // duplicate container kind
            {"\"entry\":\"index.html\"", "\"entry\":\"index.html\",\"extra\":1"},
            {"\"entry\":\"index.html\"", "\"entry\":\"\\ud800\""}, // lone high surrogate
            {"\"entry\":\"index.html\"", "\"entry\":\"\\udc00\""}, // lone low surrogate
            {"\"entry\":\"index.html\"", "\"entry\":\"\\ud800\\u0041\""}, // high then not low
            {"\"entry\":\"index.html\"", "\"entry\":\"\\ud800x\""},
            {"\"entry\":\"index.html\"", "\"entry\":\"\\udc00\\ud800\""}, // reversed pair
            {"\"entry\":\"index.html\"", "\"entry\":\"\\x41\""}, // invalid escape
            {"\"entry\":\"index.html\"", "\"entry\":\"\\u12\""}, // short escape
            {"\"entry\":\"index.html\"", "\"entry\":\"\\u12g4\""},
            {"\"entry\":\"index.html\"", "\"entry\":\"\\'\""},
            {"\"entry\":\"index.html\"", "\"entry\":\"a\tb\""}, // raw control character
            {"\"entry\":\"index.html\"", "\"entry\":\"a\u001fb\""},
            {"\"entry\":\"index.html\"", "\"entry\":'index.html'"},
            {"\"entry\":\"index.html\"", "\"entry\":[\"index.html\"]"},
            {"\"entry\":\"index.html\"", "entry:\"index.html\""},
            {"\"entry\":\"index.html\",", "\"entry\":\"index.html\",,"},
            {"\"version\":\"1.4.2\"}", "\"version\":\"1.4.2\",}"}, // trailing comma in object
            {"\"size\":223}]", "\"size\":223},]"}, // trailing comma in array
            {"\"min_container\":{", "\"min_container\":{\"web\":1,"}, // kind value not a string
            {"\"min_container\":{", "\"min_container\":{\"ios\":\"1\","},
            {"\"govapp\":\"3.2.0\"", "\"govapp\":\"3.2\\u00a0\""},
            {"\"created_at\":\"2026-11-27T14:00:00Z\"", "\"created_at\":\"2026-11-27t14:00:00z\""},
            {"\"content_type\":\"image/png\"", "\"content_type\":\"image/png\\u000d\\u000a\""},
            {"\"content_type\":\"image/png\"", "\"content_type\":\"图\""},
            {"\"content_type\":\"image/png\"", "\"content_type\":\"\""},
            {"\"key_id\":\"6ab964b384b6da70\"", "\"key_id\":\"6AB964B384B6DA70\""},
            {"\"key_id\":\"6ab964b384b6da70\"", "\"key_id\":\"6ab964b384b6da700\""},
            {"\"value\":\"", "\"value\":\"\",\"x\":\""},
            {"\"value\":\"8KhnI", "\"value\":\" 8KhnI"},
            {"\"value\":\"8KhnI", "\"value\":\"\\n8KhnI"},
            {"DQ==\"", "DQ\"}"},
            {"DQ==\"", "DR==\""}, // non-zero trailing bits
            {"DQ==\"", "DQ==\\n\""},
            {"{\"manifest\":", "{\"manifest\":null,\"manifest\":"},
        };
        for (String[] c : cases) {
            assertEquals("malformed", verdict(replace(c[0], c[1])), c[0] + " -> " + c[1]);
        }
    }

    @Test
    void malformedEnvelopes() {
        String[] cases = {
            "", " ", "null", "true", "1", "\"x\"", "[]", "{}", "{", "}",
            "{\"manifest\":{},\"signature\":{}}",
            "\uFEFF" + TEXT, // byte order mark
            TEXT + "x", TEXT + "{}", TEXT + " \n{}", TEXT + "\u0000",
            "\f" + TEXT, "\u00a0" + TEXT, "\u2028" + TEXT,
            TEXT.substring(0, TEXT.length() - 1),
            "{\"signature\":" + TEXT.substring(TEXT.indexOf("{\"alg\"")), // no manifest
        };
        for (String c : cases) {
            String shown = c.length() > 40 ? c.substring(0, 40) + "…" : c;
            assertEquals("malformed", verdict(c), shown);
        }
    }

    @Test
    void invalidUtf8IsMalformed() {
        byte[][] bad = {
            {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
            {(byte) 0xC1, (byte) 0xBF},
            {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, // overlong
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // encoded surrogate U+D800
            {(byte) 0xED, (byte) 0xBF, (byte) 0xBF},
            {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF}, // overlong
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
            {(byte) 0xFF},
            {(byte) 0x80}, // stray continuation
            {(byte) 0xE4, (byte) 0xB8}, // truncated 中
            {(byte) 0xE4, 'a', 'b'},
        };
        for (byte[] b : bad) {
            byte[] in = new byte[b.length + 1];
            in[0] = 'x';
            System.arraycopy(b, 0, in, 1, b.length);
            assertEquals("malformed", verdict(replaceBytes("index.html\",\"files\"", concat(in, "\",\"files\""))),
                    BundleVerifier.hex(b));
        }
        // The same place with valid UTF-8 gets past check 1 (to check 4: entry is signed).
        for (String ok : new String[] {"中", "\u0080", "\u07ff", "\u0800", "\uFFFD", "\uFEFF", "\uD800\uDC00", "\uDBFF\uDFFF", "\u007f"}) {
            assertEquals("bad_signature", verdict(replace("\"entry\":\"index.html\"", "\"entry\":\"" + ok + "\"")), ok);
        }
    }

    private static byte[] concat(byte[] a, String b) {
        byte[] bb = b.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[a.length + bb.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(bb, 0, out, a.length, bb.length);
        return out;
    }

    @Test
    void escapedNulGetsPastCheck1() {
        assertEquals("bad_signature", verdict(replace("\"entry\":\"index.html\"", "\"entry\":\"index.html\\u0000\"")));
    }

    @Test
    void genericReaderIsAsStrict() throws Exception {
        assertEquals(java.util.Arrays.asList(1L, "a", true, false, null),
                StrictJsonReader.parse("[1,\"a\",true,false,null]".getBytes(StandardCharsets.UTF_8)));
        for (String bad : new String[] {"{\"a\":1,\"a\":2}", "1.5", "-1", "[1,]", "\"\\ud800\"", "tru", "[", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"}) {
            assertThrows(VerifyException.class, () -> StrictJsonReader.parse(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }

    @Test
    void shapes() {
        assertTrue(Shapes.isAppId("housing-fund"));
        assertTrue(Shapes.isAppId("abc"));
        assertTrue(Shapes.isAppId("a" + "b".repeat(39)));
        assertFalse(Shapes.isAppId("a" + "b".repeat(40)));
        assertFalse(Shapes.isAppId("ab"));
        assertFalse(Shapes.isAppId("Housing_Fund"));
        assertFalse(Shapes.isAppId("1abc"));
        assertFalse(Shapes.isAppId("-abc"));
        assertFalse(Shapes.isAppId("abc\n"));

        assertTrue(Shapes.isVersion("1.4.2"));
        assertTrue(Shapes.isVersion("1.4.2-beta+42"));
        assertTrue(Shapes.isVersion("v"));
        assertTrue(Shapes.isVersion("a" + "1".repeat(31)));
        assertFalse(Shapes.isVersion("a" + "1".repeat(32)));
        assertFalse(Shapes.isVersion("1.4.2 beta"));
        assertFalse(Shapes.isVersion(".1"));
        assertFalse(Shapes.isVersion(""));
        assertFalse(Shapes.isVersion("1.4.2\n"));

        assertTrue(Shapes.isDottedVersion("3"));
        assertTrue(Shapes.isDottedVersion("3.2.0"));
        assertTrue(Shapes.isDottedVersion("10.3.0.1"));
        assertTrue(Shapes.isDottedVersion("007"));
        assertFalse(Shapes.isDottedVersion("1.2.3.4.5"));
        assertFalse(Shapes.isDottedVersion("3.2.0-beta"));
        assertFalse(Shapes.isDottedVersion(""));
        assertFalse(Shapes.isDottedVersion("3."));
        assertFalse(Shapes.isDottedVersion(".3"));
        assertFalse(Shapes.isDottedVersion("3..2"));
        assertFalse(Shapes.isDottedVersion("٣")); // only ASCII digits

        assertNull(Shapes.createdAtProblem("2026-11-27T14:00:00Z"));
        assertNull(Shapes.createdAtProblem("2024-02-29T23:59:59Z"));
        assertNull(Shapes.createdAtProblem("2000-02-29T00:00:00Z"));
        assertNull(Shapes.createdAtProblem("0000-02-29T00:00:00Z")); // as Go's time.Parse
        assertNotNull(Shapes.createdAtProblem("1900-02-29T00:00:00Z"));
        assertNotNull(Shapes.createdAtProblem("2026-02-30T00:00:00Z"));
        assertNotNull(Shapes.createdAtProblem("2026-04-31T00:00:00Z"));
        assertNotNull(Shapes.createdAtProblem("2026-00-01T00:00:00Z"));
        assertNotNull(Shapes.createdAtProblem("2026-13-01T00:00:00Z"));
        assertNotNull(Shapes.createdAtProblem("2026-01-00T00:00:00Z"));
        assertNotNull(Shapes.createdAtProblem("2026-12-31T24:00:00Z"));
        assertNotNull(Shapes.createdAtProblem("2026-12-31T23:60:00Z"));
        assertNotNull(Shapes.createdAtProblem("2016-12-31T23:59:60Z")); // no leap seconds
        assertNotNull(Shapes.createdAtProblem("2026-11-27T14:00:00.000Z"));
        assertNotNull(Shapes.createdAtProblem("2026-11-27T14:00:00+08:00"));
        assertNotNull(Shapes.createdAtProblem("2026-11-27 14:00:00Z"));
        assertNotNull(Shapes.createdAtProblem("2026-11-27T14:00:00z"));

        assertTrue(Shapes.isContentType(" "));
        assertTrue(Shapes.isContentType("~".repeat(255)));
        assertFalse(Shapes.isContentType("~".repeat(256)));
        assertFalse(Shapes.isContentType("text/html\u007f"));
        assertFalse(Shapes.isContentType("text/html\t"));
        assertFalse(Shapes.isContentType("é"));

        assertNull(Base64Strict.decode("DQ"));
        assertNull(Base64Strict.decode("DR=="));
        assertNull(Base64Strict.decode("DQ=="  + "\n"));
        assertNull(Base64Strict.decode("-_=="));
        assertNull(Base64Strict.decode("===="));
        assertNull(Base64Strict.decode("D==="));
        assertEquals(0, Base64Strict.decode("").length);
        assertEquals(1, Base64Strict.decode("DQ==").length);
    }
}
