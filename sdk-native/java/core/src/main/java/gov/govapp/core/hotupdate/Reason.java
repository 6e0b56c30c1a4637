package gov.govapp.core.hotupdate;

/**
 * The reason codes of the verification table in docs/HOTUPDATE.md, in the
 * order the checks run. The codes are stable and shared with the Go package
 * hotupdate and sdk-js: devices report them, the platform counts them and
 * the shared vectors pin which input gives which.
 */
public enum Reason {
    /** 1: does not parse, wrong member, type or shape, schema other than 1. */
    MALFORMED("malformed"),
    /** 2: the key_id is not among the trusted keys. */
    UNKNOWN_KEY("unknown_key"),
    /** 3: the trusted key is of another (or an unknown) algorithm. */
    ALG_MISMATCH("alg_mismatch"),
    /** 4: the signature does not verify over the canonical manifest. */
    BAD_SIGNATURE("bad_signature"),
    /** 5: bundle_id does not recompute. */
    BUNDLE_ID_MISMATCH("bundle_id_mismatch"),
    /** 6: more than max_files files. */
    TOO_MANY_FILES("too_many_files"),
    /** 7: a file larger than max_file_size. */
    FILE_TOO_LARGE("file_too_large"),
    /** 8: the sizes add up to more than max_total_size. */
    BUNDLE_TOO_LARGE("bundle_too_large"),
    /** 9: a path that is not safe. */
    BAD_PATH("bad_path"),
    /** 10: paths out of bytewise (UTF-8) order. */
    UNSORTED_FILES("unsorted_files"),
    /** 11: two paths equal, also under Unicode simple case folding. */
    DUPLICATE_PATH("duplicate_path"),
    /** 12: entry is not one of the paths. */
    BAD_ENTRY("bad_entry"),
    /** 13: a file's content is not there. */
    MISSING_FILE("missing_file"),
    /** 14: a file's length is not its size. */
    SIZE_MISMATCH("size_mismatch"),
    /** 15: a file's SHA-256 is not its sha256. */
    HASH_MISMATCH("hash_mismatch");

    private final String code;

    Reason(String code) {
        this.code = code;
    }

    /** The wire code ("malformed", "unknown_key", …) that devices report. */
    public String code() {
        return code;
    }

    /** The reason of a wire code, or null when there is none. */
    public static Reason fromCode(String code) {
        for (Reason r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return code;
    }
}
