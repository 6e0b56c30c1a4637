package gov.govapp.core.hotupdate;

import java.io.IOException;

/**
 * The file contents for checks 13 to 15, by path. {@link #read} is called
 * once per file, in manifest order.
 */
public interface FileSource {
    /**
     * Returns the file's bytes, or null when the file is not there
     * (missing_file). An IOException aborts the verification without a
     * verdict.
     */
    byte[] read(String path) throws IOException;
}
