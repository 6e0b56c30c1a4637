package gov.govapp.core.hotupdate;

/**
 * The verifier's bounds on a bundle (checks 6 to 8). A zero or negative
 * member means its default, so {@code new Limits(0, 0, 0)} is the
 * contract's defaults rather than "nothing allowed", as in Go.
 */
public final class Limits {
    /** 2000 files. */
    public static final int DEFAULT_MAX_FILES = 2000;
    /** 20 MiB a file. */
    public static final long DEFAULT_MAX_FILE_SIZE = 20L << 20;
    /** 50 MiB in all. */
    public static final long DEFAULT_MAX_TOTAL_SIZE = 50L << 20;

    /** The contract's defaults. */
    public static final Limits DEFAULT = new Limits(DEFAULT_MAX_FILES, DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_TOTAL_SIZE);

    private final int maxFiles;
    private final long maxFileSize;
    private final long maxTotalSize;

    public Limits(int maxFiles, long maxFileSize, long maxTotalSize) {
        this.maxFiles = maxFiles > 0 ? maxFiles : DEFAULT_MAX_FILES;
        this.maxFileSize = maxFileSize > 0 ? maxFileSize : DEFAULT_MAX_FILE_SIZE;
        this.maxTotalSize = maxTotalSize > 0 ? maxTotalSize : DEFAULT_MAX_TOTAL_SIZE;
    }

    public int maxFiles() {
        return maxFiles;
    }

    public long maxFileSize() {
        return maxFileSize;
    }

    public long maxTotalSize() {
        return maxTotalSize;
    }
}
