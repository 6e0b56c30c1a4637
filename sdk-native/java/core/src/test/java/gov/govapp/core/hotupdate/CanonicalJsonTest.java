package gov.govapp.core.hotupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
    private static Manifest manifest(String entry, long size, Map<String, String> minContainer, BundleFile... files) {
        return new Manifest(1, "housing-fund", "", "1.4.2", "2026-11-27T14:00:00Z", entry, minContainer, Arrays.asList(files));
    }

    private static String canon(Manifest m) {
        return new String(CanonicalJson.manifest(m), StandardCharsets.UTF_8);
    }

    @Test
    void membersSortedNoWhitespace() {
        Map<String, String> mc = new LinkedHashMap<>();
        mc.put("wechat", "8.0.5");
        mc.put("govapp", "3.2.0");
        Manifest m = manifest("index.html", 0, mc,
                new BundleFile("index.html", 812, "ab", "text/html; charset=utf-8"));
        assertEquals("{\"app_id\":\"housing-fund\",\"bundle_id\":\"\",\"created_at\":\"2026-11-27T14:00:00Z\","
                + "\"entry\":\"index.html\",\"files\":[{\"content_type\":\"text/html; charset=utf-8\","
                + "\"path\":\"index.html\",\"sha256\":\"ab\",\"size\":812}],"
                + "\"min_container\":{\"govapp\":\"3.2.0\",\"wechat\":\"8.0.5\"},\"schema\":1,\"version\":\"1.4.2\"}",
                canon(m));
    }

    @Test
    void emptyCollections() {
        Manifest m = manifest("", 0, null);
        assertEquals("{\"app_id\":\"housing-fund\",\"bundle_id\":\"\",\"created_at\":\"2026-11-27T14:00:00Z\","
                + "\"entry\":\"\",\"files\":[],\"min_container\":{},\"schema\":1,\"version\":\"1.4.2\"}", canon(m));
    }

    @Test
    void stringEscapesAreJsonStringifys() {
        // Every C0 control: the short escapes where JSON.stringify has them, else \\u00xx lowercase.
        StringBuilder in = new StringBuilder();
        StringBuilder want = new StringBuilder("\"");
        for (char c = 0; c < 0x20; c++) {
            in.append(c);
            switch (c) {
                case '\b': want.append("\\b"); break;
                case '\t': want.append("\\t"); break;
                case '\n': want.append("\\n"); break;
                case '\f': want.append("\\f"); break;
                case '\r': want.append("\\r"); break;
                default: want.append(String.format("\\u%04x", (int) c));
            }
        }
        want.append('"');
        assertEquals(want.toString(), CanonicalJson.quote(in.toString()));
        assertEquals("\"\\u001f\\u001b\"", CanonicalJson.quote("\u001f\u001b"));
        assertEquals("\"\\\"\\\\\"", CanonicalJson.quote("\"\\"));
        // Literal: / < > & ' DEL, U+2028, U+2029, non-BMP, U+FEFF, U+FFFD.
        String lit = "/<>&'\u007f\u2028\u2029\uD83D\uDE00\uFEFF\uFFFD中";
        assertEquals("\"" + lit + "\"", CanonicalJson.quote(lit));
    }

    @Test
    void stringsAreUtf8() {
        Manifest m = manifest("首页/😀\u2028.html", 0, null);
        byte[] b = CanonicalJson.manifest(m);
        String s = new String(b, StandardCharsets.UTF_8);
        assertEquals(true, s.contains("\"entry\":\"首页/😀\u2028.html\""));
        // 😀 is F0 9F 98 80; U+2028 is E2 80 A8.
        String hex = BundleVerifier.hex(b);
        assertEquals(true, hex.contains("f09f9880e280a8"));
    }

    @Test
    void noCanonicalFormForLoneSurrogatesOrUnsafeIntegers() {
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.quote("a\uD800b"));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.quote("\uDC00"));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.manifest(
                manifest("a", 0, null, new BundleFile("a", 1L << 53, "ab", "x"))));
        assertThrows(IllegalArgumentException.class, () -> CanonicalJson.manifest(
                manifest("a", 0, null, new BundleFile("a", -1, "ab", "x"))));
        // 2^53-1 is the largest.
        String s = canon(manifest("a", 0, null, new BundleFile("a", (1L << 53) - 1, "ab", "x")));
        assertEquals(true, s.contains("\"size\":9007199254740991}"));
    }

    @Test
    void bundleIdIsTheHashOfTheCanonicalFormWithEmptyBundleId() throws Exception {
        for (String name : new String[] {"valid-ed25519", "valid-sm2-sm3", "valid-unicode", "valid-transport-escapes"}) {
            Manifest m = EnvelopeParser.parse(Vectors.named(name).envelope).manifest();
            assertEquals(m.bundleId(), BundleVerifier.bundleId(m), name);
            assertEquals(BundleVerifier.sha256Hex(CanonicalJson.manifest(m.withBundleId(""))), m.bundleId(), name);
        }
    }

    @Test
    void keyIdOfTheContract() {
        assertEquals(BundleVerifier.sha256Hex("ed25519:q7sbnq9YYkcGpE0OdbIk3k/Ij5mqNN9Sle/azIrpIhI=".getBytes(StandardCharsets.US_ASCII)).substring(0, 16),
                BundleVerifier.keyId("ed25519", "q7sbnq9YYkcGpE0OdbIk3k/Ij5mqNN9Sle/azIrpIhI="));
        assertEquals("6ab964b384b6da70", BundleVerifier.keyId("ed25519", "q7sbnq9YYkcGpE0OdbIk3k/Ij5mqNN9Sle/azIrpIhI="));
    }
}
