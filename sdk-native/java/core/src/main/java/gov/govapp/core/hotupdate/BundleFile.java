package gov.govapp.core.hotupdate;

/** One file of a bundle, as the manifest lists it. Immutable. */
public final class BundleFile {
    private final String path;
    private final long size;
    private final String sha256;
    private final String contentType;

    public BundleFile(String path, long size, String sha256, String contentType) {
        this.path = path;
        this.size = size;
        this.sha256 = sha256;
        this.contentType = contentType;
    }

    /** The file's path in the bundle ("assets/app.js"). */
    public String path() {
        return path;
    }

    /** The file's length in bytes. */
    public long size() {
        return size;
    }

    /** The lowercase hex SHA-256 of the file's content, also its blob name. */
    public String sha256() {
        return sha256;
    }

    /** The content type the file is served with. */
    public String contentType() {
        return contentType;
    }

    @Override
    public String toString() {
        return path + " (" + size + " bytes, " + sha256 + ")";
    }
}
