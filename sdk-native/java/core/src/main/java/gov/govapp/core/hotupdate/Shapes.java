package gov.govapp.core.hotupdate;

import java.util.Map;

/**
 * The shape rules of check 1 on values (Go's checkEnvelopeShape and
 * checkManifestShape): everything the parser's types let through that still
 * has the wrong shape. The patterns are matched by hand, ASCII only, with
 * the exact meaning of the regular expressions in docs/HOTUPDATE.md.
 */
final class Shapes {
    private Shapes() {}

    /** The container kinds min_container may name. */
    static final String[] CONTAINER_KINDS = {"govapp", "wechat", "alipay", "web"};

    /** content_type is a header value: at most this many characters. */
    static final int MAX_CONTENT_TYPE_LEN = 255;

    /** The one manifest schema this verifier reads. */
    static final int SCHEMA_VERSION = 1;

    private static VerifyException malformed(String detail) {
        return new VerifyException(Reason.MALFORMED, detail);
    }

    static void checkEnvelope(Envelope env) throws VerifyException {
        if (env == null || env.manifest() == null || env.signature() == null) {
            throw malformed("envelope: want manifest and signature");
        }
        checkManifest(env.manifest(), true);
        Signature sig = env.signature();
        if (!isUnicode(sig.alg())) {
            throw malformed("signature.alg: not valid UTF-8");
        }
        if (!isLowerHex(sig.keyId(), 16)) {
            throw malformed("signature.key_id: want 16 lowercase hex digits, got " + q(sig.keyId()));
        }
        byte[] value = Base64Strict.decode(sig.value());
        if (value == null || value.length == 0) {
            throw malformed("signature.value: want non-empty standard base64 with padding");
        }
    }

    static void checkManifest(Manifest m, boolean withBundleId) throws VerifyException {
        if (m.schema() != SCHEMA_VERSION) {
            throw malformed("manifest.schema: " + m.schema() + ", this verifier reads schema " + SCHEMA_VERSION + " only");
        }
        if (!isAppId(m.appId())) {
            throw malformed("manifest.app_id: " + q(m.appId()) + " does not match ^[a-z][a-z0-9-]{2,39}$");
        }
        if (withBundleId && !isLowerHex(m.bundleId(), 64)) {
            throw malformed("manifest.bundle_id: want 64 lowercase hex digits, got " + q(m.bundleId()));
        }
        if (!isVersion(m.version())) {
            throw malformed("manifest.version: " + q(m.version()) + " does not match ^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$");
        }
        String why = createdAtProblem(m.createdAt());
        if (why != null) {
            throw malformed("manifest.created_at: " + q(m.createdAt()) + " " + why);
        }
        if (!isUnicode(m.entry())) {
            throw malformed("manifest.entry: not valid UTF-8");
        }
        for (Map.Entry<String, String> e : m.minContainer().entrySet()) {
            if (!isContainerKind(e.getKey())) {
                throw malformed("manifest.min_container: unknown container kind " + q(e.getKey())
                        + " (want one of govapp, wechat, alipay, web)");
            }
            if (!isDottedVersion(e.getValue())) {
                throw malformed("manifest.min_container[" + q(e.getKey()) + "]: " + q(e.getValue())
                        + " is not a dotted numeric version");
            }
        }
        int i = 0;
        for (BundleFile f : m.files()) {
            if (f == null) {
                throw malformed("manifest.files[" + i + "]: missing");
            }
            if (!isUnicode(f.path())) {
                throw malformed("manifest.files[" + i + "].path: not valid UTF-8");
            }
            if (f.size() < 0 || f.size() > StrictJsonReader.MAX_SAFE_INTEGER) {
                throw malformed("manifest.files[" + i + "].size: " + f.size() + " is outside 0..2^53-1");
            }
            if (!isLowerHex(f.sha256(), 64)) {
                throw malformed("manifest.files[" + i + "].sha256: want 64 lowercase hex digits, got " + q(f.sha256()));
            }
            if (!isContentType(f.contentType())) {
                throw malformed("manifest.files[" + i + "].content_type: want 1 to " + MAX_CONTENT_TYPE_LEN
                        + " printable ASCII characters, got " + q(f.contentType()));
            }
            i++;
        }
    }

    private static String q(String s) {
        return s == null ? "null" : CanonicalJson.quote(s);
    }

    /** Whether s is a string with a UTF-8 form: not null, no lone surrogate. */
    static boolean isUnicode(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLowerAlnum(char c) {
        return (c >= 'a' && c <= 'z') || isDigit(c);
    }

    private static boolean isAlnum(char c) {
        return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
    }

    /** ^[a-z][a-z0-9-]{2,39}$ */
    static boolean isAppId(String s) {
        if (s == null || s.length() < 3 || s.length() > 40 || !(s.charAt(0) >= 'a' && s.charAt(0) <= 'z')) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isLowerAlnum(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** ^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$ */
    static boolean isVersion(String s) {
        if (s == null || s.length() < 1 || s.length() > 32 || !isAlnum(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '.' && c != '+' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** ^[0-9]+(\.[0-9]+){0,3}$ */
    static boolean isDottedVersion(String s) {
        if (s == null) {
            return false;
        }
        int parts = 0;
        int digits = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isDigit(c)) {
                digits++;
            } else if (c == '.' && digits > 0) {
                parts++;
                digits = 0;
            } else {
                return false;
            }
        }
        return digits > 0 && parts <= 3;
    }

    static boolean isContainerKind(String s) {
        for (String k : CONTAINER_KINDS) {
            if (k.equals(s)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why s is not RFC 3339 UTC with seconds and Z of a real instant
     * (YYYY-MM-DDTHH:MM:SSZ, a day that exists in the proleptic Gregorian
     * calendar, no leap second), or null when it is.
     */
    static String createdAtProblem(String s) {
        if (s == null || s.length() != 20) {
            return "is not RFC 3339 UTC with seconds and Z (like 2026-11-27T14:00:00Z)";
        }
        String form = "dddd-dd-ddTdd:dd:ddZ";
        for (int i = 0; i < form.length(); i++) {
            char f = form.charAt(i);
            char c = s.charAt(i);
            if (f == 'd' ? !isDigit(c) : c != f) {
                return "is not RFC 3339 UTC with seconds and Z (like 2026-11-27T14:00:00Z)";
            }
        }
        int year = Integer.parseInt(s.substring(0, 4));
        int month = Integer.parseInt(s.substring(5, 7));
        int day = Integer.parseInt(s.substring(8, 10));
        int hour = Integer.parseInt(s.substring(11, 13));
        int minute = Integer.parseInt(s.substring(14, 16));
        int second = Integer.parseInt(s.substring(17, 19));
        if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
            return "is not a valid date and time";
        }
        return null;
    }

    private static int daysIn(int year, int month) {
        switch (month) {
            case 2:
                return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
            case 4:
            case 6:
            case 9:
            case 11:
                return 30;
            default:
                return 31;
        }
    }

    /** 1 to 255 printable ASCII characters (U+0020 to U+007E). */
    static boolean isContentType(String s) {
        if (s == null || s.length() == 0 || s.length() > MAX_CONTENT_TYPE_LEN) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** Exactly n lowercase hex digits. */
    static boolean isLowerHex(String s, int n) {
        if (s == null || s.length() != n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!isDigit(c) && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
