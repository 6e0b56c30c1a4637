package gov.govapp.core.hotupdate;

/**
 * The path rules of docs/HOTUPDATE.md: what a safe path is (check 9), the
 * bytewise UTF-8 order of paths (check 10) and the case-folded identity of
 * paths (check 11).
 */
public final class BundlePaths {
    private BundlePaths() {}

    /** The longest safe path, in UTF-8 bytes. */
    public static final int MAX_PATH_BYTES = 512;

    /**
     * Why p is not a safe path, or null when it is. Safe: 1 to 512 bytes of
     * valid UTF-8; segments separated by "/"; none empty (no leading "/",
     * "//" or trailing "/"); none "." or ".."; no "\", NUL, other character
     * below U+0020, U+007F or ":".
     */
    public static String problem(String p) {
        if (p == null || p.isEmpty()) {
            return "empty";
        }
        if (!Shapes.isUnicode(p)) {
            return "not valid UTF-8";
        }
        int n = utf8Length(p);
        if (n > MAX_PATH_BYTES) {
            return n + " bytes, at most " + MAX_PATH_BYTES + " allowed";
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\') {
                return "backslash";
            }
            if (c == 0) {
                return "NUL";
            }
            if (c < 0x20 || c == 0x7f) {
                return String.format("control character U+%04X", (int) c);
            }
            if (c == ':') {
                return "\":\" (drive letter or NTFS stream)";
            }
        }
        if (p.charAt(0) == '/') {
            return "absolute (leading slash)";
        }
        if (p.charAt(p.length() - 1) == '/') {
            return "trailing slash";
        }
        if (p.contains("//")) {
            return "empty segment (double slash)";
        }
        for (String seg : p.split("/", -1)) {
            if (seg.equals(".") || seg.equals("..")) {
                return "segment \"" + seg + "\"";
            }
        }
        return null;
    }

    /** Whether p is a safe path. */
    public static boolean isSafe(String p) {
        return problem(p) == null;
    }

    /** The length of s in UTF-8 bytes (s well-formed). */
    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Orders a and b by their UTF-8 bytes, which is code point order (not
     * String.compareTo's UTF-16 order, which puts U+E000..U+FFFF after the
     * astral planes). Negative, zero or positive like compareTo.
     */
    public static int compareUtf8(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return x < y ? -1 : 1;
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        if (i < a.length()) {
            return 1;
        }
        return j < b.length() ? -1 : 0;
    }

    /** The key under which paths equal under simple case folding collide (check 11). */
    public static String foldKey(String p) {
        return SimpleFold.key(p);
    }

    /** Whether two paths are the same on a case-insensitive file system, as Go's strings.EqualFold says. */
    public static boolean sameFolded(String a, String b) {
        return SimpleFold.equalFold(a, b);
    }
}
