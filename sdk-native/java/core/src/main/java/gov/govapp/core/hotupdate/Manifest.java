package gov.govapp.core.hotupdate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A bundle manifest (schema 1) of docs/HOTUPDATE.md. Immutable: the
 * collections are unmodifiable copies. A Manifest built by hand rather than
 * parsed is checked again by {@link BundleVerifier#verify}.
 */
public final class Manifest {
    private final int schema;
    private final String appId;
    private final String bundleId;
    private final String version;
    private final String createdAt;
    private final String entry;
    private final SortedMap<String, String> minContainer;
    private final List<BundleFile> files;

    public Manifest(int schema, String appId, String bundleId, String version, String createdAt, String entry,
            Map<String, String> minContainer, List<BundleFile> files) {
        this.schema = schema;
        this.appId = appId;
        this.bundleId = bundleId;
        this.version = version;
        this.createdAt = createdAt;
        this.entry = entry;
        this.minContainer = Collections.unmodifiableSortedMap(
                new TreeMap<String, String>(minContainer == null ? Collections.<String, String>emptyMap() : minContainer));
        this.files = Collections.unmodifiableList(
                new ArrayList<BundleFile>(files == null ? Collections.<BundleFile>emptyList() : files));
    }

    /** The manifest schema; 1 is the only one there is. */
    public int schema() {
        return schema;
    }

    /** The light app's id ("housing-fund"). */
    public String appId() {
        return appId;
    }

    /** The bundle's identity: hex SHA-256 of the canonical manifest with bundle_id "". */
    public String bundleId() {
        return bundleId;
    }

    /** The version label ("1.4.2"). */
    public String version() {
        return version;
    }

    /** When the bundle was made, RFC 3339 UTC with seconds and Z. */
    public String createdAt() {
        return createdAt;
    }

    /** The path of the page to open. */
    public String entry() {
        return entry;
    }

    /** The lowest container version per container kind, ordered by kind. */
    public SortedMap<String, String> minContainer() {
        return minContainer;
    }

    /** The files in manifest order (bytewise by path once verified). */
    public List<BundleFile> files() {
        return files;
    }

    /** A copy with another bundle_id (the bundle_id is computed over the copy with ""). */
    public Manifest withBundleId(String id) {
        return new Manifest(schema, appId, id, version, createdAt, entry, minContainer, files);
    }
}
