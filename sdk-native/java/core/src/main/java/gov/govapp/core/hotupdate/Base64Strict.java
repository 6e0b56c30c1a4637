package gov.govapp.core.hotupdate;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Standard base64 with padding and nothing else (RFC 4648 section 4): no
 * URL alphabet, no missing padding, no line breaks or spaces, no non-zero
 * unused trailing bits, so that one value has one spelling. Go decodes
 * with StdEncoding.Strict() and re-encodes to compare; so does this.
 */
final class Base64Strict {
    private Base64Strict() {}

    /** The bytes s encodes, or null when s is not strict standard base64. */
    static byte[] decode(String s) {
        if (s == null || s.length() % 4 != 0) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7e) {
                return null;
            }
        }
        byte[] b;
        try {
            b = Base64.getDecoder().decode(s.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            return null;
        }
        return Base64.getEncoder().encodeToString(b).equals(s) ? b : null;
    }

    static String encode(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
