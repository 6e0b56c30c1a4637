package gov.govapp.core.hotupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class BundlePathsTest {
    @Test
    void safePaths() {
        for (String p : new String[] {
            "index.html", "assets/app.js", "a", ".keep", "assets/.keep", "...", "a..b/c", "图标/！.svg", "文档/说明\u2028第一版.txt",
            "a b/c d", "😀", "a/.../b", "\u0080", "~/x", "%2e%2e/x", "a&b<c>d'e\".js",
        }) {
            assertNull(BundlePaths.problem(p), p);
        }
    }

    @Test
    void unsafePaths() {
        for (String p : new String[] {
            "", "/index.html", "index.html/", "a//b", "../x", "a/../b", "a/..", "..", ".", "./a", "a/./b", "a/.",
            "a\\b", "a\u0000b", "a\u001fb", "a\nb", "a\u007fb", "C:/x", "a:b", "a/b:stream", "/", "//",
        }) {
            assertNotNull(BundlePaths.problem(p), p);
        }
        assertNotNull(BundlePaths.problem("a\uD800"), "lone surrogate");
        assertNotNull(BundlePaths.problem(null));
    }

    @Test
    void lengthCountsUtf8Bytes() {
        String ascii512 = "a".repeat(512);
        assertNull(BundlePaths.problem(ascii512));
        assertNotNull(BundlePaths.problem(ascii512 + "a"));
        // 171 CJK characters are 513 bytes but 171 UTF-16 units: too long.
        String cjk = "数".repeat(171);
        assertEquals(513, cjk.getBytes(StandardCharsets.UTF_8).length);
        assertNotNull(BundlePaths.problem(cjk));
        assertNull(BundlePaths.problem("数".repeat(170) + "ab"));
        // 128 emoji are 512 bytes, 256 UTF-16 units.
        String emoji = "😀".repeat(128);
        assertEquals(512, BundlePaths.utf8Length(emoji));
        assertNull(BundlePaths.problem(emoji));
        assertNotNull(BundlePaths.problem(emoji + "a"));
        assertEquals(2, BundlePaths.utf8Length("é"));
        assertEquals(3, BundlePaths.utf8Length("\u2028"));
    }

    @Test
    void orderIsUtf8BytesNotUtf16() {
        // U+FF01 sorts before U+1F600 in UTF-8 (EF BC 81 < F0 9F 98 80), after it in UTF-16 (FF01 > D83D).
        String bang = "图标/！.svg";
        String smile = "图标/😀.svg";
        assertTrue(BundlePaths.compareUtf8(bang, smile) < 0);
        assertTrue(bang.compareTo(smile) > 0);
        assertTrue(BundlePaths.compareUtf8(smile, bang) > 0);
        assertEquals(0, BundlePaths.compareUtf8(smile, "图标/😀.svg"));
        assertTrue(BundlePaths.compareUtf8("a", "a/b") < 0);
        assertTrue(BundlePaths.compareUtf8("a/b", "a.b") > 0); // '/' 0x2f > '.' 0x2e
        assertTrue(BundlePaths.compareUtf8("A.js", "a.js") < 0);
        assertTrue(BundlePaths.compareUtf8("z", "é") < 0);
        assertTrue(BundlePaths.compareUtf8("\uE000", "\uD800\uDC00") < 0);
        // Agrees with comparing the UTF-8 bytes, for a spread of strings.
        String[] s = {"", "a", "b", "ab", "é", "\u07ff", "\u0800", "\uffff", "\uD800\uDC00", "\uDBFF\uDFFF", "！", "😀", "a😀", "a！"};
        for (String x : s) {
            for (String y : s) {
                assertEquals(Integer.signum(compareBytes(x, y)), Integer.signum(BundlePaths.compareUtf8(x, y)), x + " vs " + y);
            }
        }
    }

    private static int compareBytes(String x, String y) {
        byte[] a = x.getBytes(StandardCharsets.UTF_8);
        byte[] b = y.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                return (a[i] & 0xff) - (b[i] & 0xff);
            }
        }
        return a.length - b.length;
    }

    @Test
    void caseFoldingIsGosSimpleFold() {
        assertTrue(BundlePaths.sameFolded("A.js", "a.js"));
        assertTrue(BundlePaths.sameFolded("数据/Ä.json", "数据/ä.json"));
        assertTrue(BundlePaths.sameFolded("K", "\u212A")); // Kelvin sign
        assertTrue(BundlePaths.sameFolded("k", "\u212A"));
        assertTrue(BundlePaths.sameFolded("s", "\u017F")); // long s
        assertTrue(BundlePaths.sameFolded("Σ", "ς"));
        assertTrue(BundlePaths.sameFolded("σ", "ς"));
        assertTrue(BundlePaths.sameFolded("\u01C4", "\u01C5")); // DŽ Dž dž
        assertTrue(BundlePaths.sameFolded("\u01C6", "\u01C5"));
        assertTrue(BundlePaths.sameFolded("ß", "\u1E9E")); // ß and capital sharp s are one orbit in Go
        assertTrue(BundlePaths.sameFolded("Å", "\u212B")); // angstrom sign
        assertTrue(BundlePaths.sameFolded("Ω", "\u2126")); // ohm sign
        assertTrue(BundlePaths.sameFolded("\uD801\uDC00", "\uD801\uDC28")); // Deseret, astral
        assertTrue(BundlePaths.sameFolded("ǅ/A.JS", "ǆ/a.js"));

        assertFalse(BundlePaths.sameFolded("ß", "ss")); // full folding only
        assertFalse(BundlePaths.sameFolded("ß", "SS"));
        assertFalse(BundlePaths.sameFolded("\u0130", "i")); // İ folds to itself in Go
        assertFalse(BundlePaths.sameFolded("\u0130", "I"));
        assertFalse(BundlePaths.sameFolded("\u0131", "i")); // ı too
        assertFalse(BundlePaths.sameFolded("\u0131", "I"));
        assertFalse(BundlePaths.sameFolded("\uFB00", "ff"));
        assertFalse(BundlePaths.sameFolded("\u0390", "\u1FD3")); // not one orbit in Unicode 15 simple folding
        assertFalse(BundlePaths.sameFolded("a", "b"));
        assertFalse(BundlePaths.sameFolded("a.js", "a.js "));
        assertFalse(BundlePaths.sameFolded("é", "e\u0301")); // no normalisation
    }

    /**
     * The table is Go's Unicode 15.0.0 (Go 1.21 to 1.26), whatever the
     * runtime's version: pairs added in Unicode 14 fold together even on JDK
     * 17 (Unicode 13); pairs added in Unicode 16 do not, even where the
     * runtime (a newer JDK, a browser's ICU) knows them.
     */
    @Test
    void foldIsPinnedToGosUnicodeVersion() {
        assertEquals("15.0.0", SimpleFold.UNICODE_VERSION);
        assertTrue(BundlePaths.sameFolded("\uD801\uDD70", "\uD801\uDD97")); // U+10570 U+10597 Vithkuqi (14.0)
        assertTrue(BundlePaths.sameFolded("\u2C2F", "\u2C5F")); // Glagolitic (14.0)
        assertTrue(BundlePaths.sameFolded("\uA7C0", "\uA7C1")); // Latin old polish o (14.0)
        assertFalse(BundlePaths.sameFolded("\u0264", "\uA7CB")); // Latin ramshorn (16.0)
        assertFalse(BundlePaths.sameFolded("\u019B", "\uA7DC")); // lambda with stroke (16.0)
        assertFalse(BundlePaths.sameFolded("\u1C89", "\u1C8A")); // Cyrillic tje (16.0)
        assertFalse(BundlePaths.sameFolded("\uD803\uDD50", "\uD803\uDD70")); // U+10D50 U+10D70 Garay (16.0)
    }

    @Test
    void foldOrbitsAreClosed() {
        // Each code point maps to the smallest of its orbit, and that one to itself.
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            int c = SimpleFold.canonical(cp);
            assertTrue(c <= cp, String.format("U+%04X -> U+%04X", cp, c));
            if (c != cp) {
                assertEquals(c, SimpleFold.canonical(c), String.format("U+%04X", cp));
            }
        }
    }

    /**
     * The generated table is what the runtime's own simple case mappings say
     * (the closure of Character.toLowerCase/toUpperCase/toTitleCase), except
     * for İ and ı, which Go keeps apart, and except for code points the
     * runtime's Unicode version does not know yet.
     */
    @Test
    void foldTableAgreesWithTheRuntimesCaseMappings() {
        int n = Character.MAX_CODE_POINT + 1;
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        for (int c = 0; c < n; c++) {
            if (c == 0x130 || c == 0x131 || !Character.isDefined(c)) {
                continue;
            }
            union(parent, c, Character.toLowerCase(c));
            union(parent, c, Character.toUpperCase(c));
            union(parent, c, Character.toTitleCase(c));
        }
        int compared = 0;
        for (int c = 0; c < n; c++) {
            int go = SimpleFold.canonical(c);
            if (!Character.isDefined(c) || !Character.isDefined(go)) {
                continue; // newer than this runtime's Unicode
            }
            assertEquals(go, find(parent, c), String.format("U+%04X (%s)", c, Character.getName(c)));
            compared++;
        }
        assertTrue(compared > 200000, compared + " code points compared");
        assertEquals(0x130, SimpleFold.canonical(0x130));
        assertEquals(0x131, SimpleFold.canonical(0x131));
    }

    private static int find(int[] p, int x) {
        while (p[x] != x) {
            p[x] = p[p[x]];
            x = p[x];
        }
        return x;
    }

    private static void union(int[] p, int a, int b) {
        a = find(p, a);
        b = find(p, b);
        if (a < b) {
            p[b] = a;
        } else if (b < a) {
            p[a] = b;
        }
    }
}
