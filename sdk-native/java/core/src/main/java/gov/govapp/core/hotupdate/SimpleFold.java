package gov.govapp.core.hotupdate;

/**
 * Unicode simple case folding exactly as Go's unicode.SimpleFold has it
 * (Go's strings.EqualFold compares with it, and so does check 11): two code
 * points are equal under folding when they are in the same SimpleFold orbit,
 * e.g. A a; Ä ä; K k and U+212A KELVIN SIGN; s S and U+017F LONG S; σ ς Σ;
 * ß and U+1E9E. Only one-to-one mappings count, so ß is not "ss", and the
 * Turkish İ (U+0130) and ı (U+0131) fold only to themselves.
 *
 * <p>The orbits come from a table generated from Go (SimpleFoldTable,
 * {@code go run ./sdk-native/java/tools/genfold.go}) rather than from
 * java.lang.Character, whose Unicode version depends on the runtime (the
 * device's ICU on Android) and whose simple mappings join İ with i.
 */
public final class SimpleFold {
    private SimpleFold() {}

    private static final int[] RUNS = SimpleFoldTable.RUNS;

    /** The Unicode version of Go's tables the orbits were taken from. */
    public static final String UNICODE_VERSION = SimpleFoldTable.UNICODE_VERSION;

    /** The smallest code point of cp's folding orbit (cp itself when it has no other). */
    public static int canonical(int cp) {
        int lo = 0;
        int hi = RUNS.length / 4;
        // The last run whose first code point is at most cp.
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (RUNS[4 * mid] <= cp) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo == 0) {
            return cp;
        }
        int r = 4 * (lo - 1);
        int first = RUNS[r];
        int last = RUNS[r + 1];
        int stride = RUNS[r + 2];
        if (cp > last || (cp - first) % stride != 0) {
            return cp;
        }
        return cp + RUNS[r + 3];
    }

    /** Whether a and b are equal under simple case folding. */
    public static boolean equal(int a, int b) {
        return a == b || canonical(a) == canonical(b);
    }

    /** s with every code point replaced by the smallest of its orbit: equal keys iff equalFold. */
    public static String key(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length();) {
            int cp = s.codePointAt(i);
            b.appendCodePoint(canonical(cp));
            i += Character.charCount(cp);
        }
        return b.toString();
    }

    /** Go's strings.EqualFold for well-formed strings: equal code point by code point under folding. */
    public static boolean equalFold(String a, String b) {
        return key(a).equals(key(b));
    }
}
