package gov.govapp.core.hotupdate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The canonical JSON of docs/HOTUPDATE.md, the bytes that are hashed into
 * bundle_id and signed: RFC 8785 (JCS) restricted to what a manifest holds.
 * No whitespace, members sorted by key (ASCII keys, so bytewise), integers
 * in 0..2^53−1, strings with only the escapes JSON.stringify makes:
 * {@code \"}, {@code \\}, {@code \b \t \n \f \r}, other U+0000–U+001F as
 * <code>&#92;u00xx</code> (lowercase hex); every other character literal UTF-8
 * ({@code /}, {@code <}, {@code &}, U+2028 included). Byte for byte what
 * Go's hotupdate.Canonical and sdk-js's canonicalize give.
 */
public final class CanonicalJson {
    private CanonicalJson() {}

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * The canonical bytes of a manifest. Throws IllegalArgumentException for
     * what has no canonical form: a null or lone-surrogate string, an
     * integer outside 0..2^53−1.
     */
    public static byte[] manifest(Manifest m) {
        Out o = new Out();
        manifest(o, m);
        return o.toByteArray();
    }

    /**
     * The canonical bytes of a whole envelope ({"manifest":…,"signature":…},
     * both objects canonical), as Go's MarshalEnvelope writes them.
     */
    public static byte[] envelope(Envelope env) {
        Out o = new Out();
        o.raw("{\"manifest\":");
        manifest(o, env.manifest());
        Signature sig = env.signature();
        o.raw(",\"signature\":{\"alg\":");
        o.string(sig.alg());
        o.raw(",\"key_id\":");
        o.string(sig.keyId());
        o.raw(",\"value\":");
        o.string(sig.value());
        o.raw("}}");
        return o.toByteArray();
    }

    /** s as a canonical JSON string literal (for messages and tests). */
    public static String quote(String s) {
        Out o = new Out();
        o.string(s);
        return new String(o.toByteArray(), StandardCharsets.UTF_8);
    }

    private static void manifest(Out o, Manifest m) {
        // Members in bytewise key order: app_id, bundle_id, created_at, entry,
        // files, min_container, schema, version.
        o.raw("{\"app_id\":");
        o.string(m.appId());
        o.raw(",\"bundle_id\":");
        o.string(m.bundleId());
        o.raw(",\"created_at\":");
        o.string(m.createdAt());
        o.raw(",\"entry\":");
        o.string(m.entry());
        o.raw(",\"files\":[");
        boolean first = true;
        for (BundleFile f : m.files()) {
            if (!first) {
                o.raw(",");
            }
            first = false;
            // content_type, path, sha256, size.
            o.raw("{\"content_type\":");
            o.string(f.contentType());
            o.raw(",\"path\":");
            o.string(f.path());
            o.raw(",\"sha256\":");
            o.string(f.sha256());
            o.raw(",\"size\":");
            o.integer(f.size());
            o.raw("}");
        }
        o.raw("],\"min_container\":{");
        first = true;
        // A SortedMap of String: natural order, which is bytewise for the
        // ASCII kinds a valid manifest has.
        for (Map.Entry<String, String> e : m.minContainer().entrySet()) {
            if (!first) {
                o.raw(",");
            }
            first = false;
            o.string(e.getKey());
            o.raw(":");
            o.string(e.getValue());
        }
        o.raw("},\"schema\":");
        o.integer(m.schema());
        o.raw(",\"version\":");
        o.string(m.version());
        o.raw("}");
    }

    private static final class Out extends ByteArrayOutputStream {
        void raw(String ascii) {
            for (int i = 0; i < ascii.length(); i++) {
                write(ascii.charAt(i));
            }
        }

        void integer(long n) {
            if (n < 0 || n > StrictJsonReader.MAX_SAFE_INTEGER) {
                throw new IllegalArgumentException("integer " + n + " is outside 0..2^53-1");
            }
            raw(Long.toString(n));
        }

        void string(String s) {
            if (!Shapes.isUnicode(s)) {
                throw new IllegalArgumentException("string has no UTF-8 form (null or lone surrogate)");
            }
            write('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"':
                        raw("\\\"");
                        break;
                    case '\\':
                        raw("\\\\");
                        break;
                    case '\b':
                        raw("\\b");
                        break;
                    case '\t':
                        raw("\\t");
                        break;
                    case '\n':
                        raw("\\n");
                        break;
                    case '\f':
                        raw("\\f");
                        break;
                    case '\r':
                        raw("\\r");
                        break;
                    default:
                        if (c < 0x20) {
                            raw("\\u00");
                            write(HEX[c >> 4]);
                            write(HEX[c & 0xf]);
                        } else if (c < 0x80) {
                            write(c);
                        } else if (c < 0x800) {
                            write(0xC0 | c >> 6);
                            write(0x80 | (c & 0x3F));
                        } else if (Character.isHighSurrogate(c)) {
                            int cp = Character.toCodePoint(c, s.charAt(++i));
                            write(0xF0 | cp >> 18);
                            write(0x80 | (cp >> 12 & 0x3F));
                            write(0x80 | (cp >> 6 & 0x3F));
                            write(0x80 | (cp & 0x3F));
                        } else {
                            write(0xE0 | c >> 12);
                            write(0x80 | (c >> 6 & 0x3F));
                            write(0x80 | (c & 0x3F));
                        }
                }
            }
            write('"');
        }
    }
}
