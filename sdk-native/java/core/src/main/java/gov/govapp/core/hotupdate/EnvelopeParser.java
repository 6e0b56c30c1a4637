package gov.govapp.core.hotupdate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an envelope as received, strictly (check 1 of docs/HOTUPDATE.md,
 * the Java twin of Go's hotupdate.ParseEnvelope): one JSON object with
 * exactly the members of the contract at every level, each of the right
 * JSON type and shape, no duplicate members, nothing but whitespace after
 * it, and schema 1. Everything it refuses is a {@link VerifyException} with
 * {@link Reason#MALFORMED}. See {@link StrictJsonReader} for the JSON rules.
 */
public final class EnvelopeParser {
    private EnvelopeParser() {}

    private static final String[] ENVELOPE_MEMBERS = {"manifest", "signature"};
    private static final String[] SIGNATURE_MEMBERS = {"alg", "key_id", "value"};
    private static final String[] MANIFEST_MEMBERS = {
        "schema", "app_id", "bundle_id", "version", "created_at", "entry", "min_container", "files",
    };
    private static final String[] FILE_MEMBERS = {"path", "size", "sha256", "content_type"};

    /** Parses and shape-checks the envelope bytes; the result has passed check 1. */
    public static Envelope parse(byte[] raw) throws VerifyException {
        final StrictJsonReader p = new StrictJsonReader(raw);
        final Manifest[] manifest = new Manifest[1];
        final Signature[] signature = new Signature[1];
        p.object("envelope", ENVELOPE_MEMBERS, new StrictJsonReader.MemberReader() {
            @Override
            public void read(String key) throws VerifyException {
                if (key.equals("manifest")) {
                    manifest[0] = manifest(p);
                } else if (key.equals("signature")) {
                    signature[0] = signature(p);
                } else {
                    throw p.unknown("envelope", key);
                }
            }
        });
        p.ws();
        if (!p.atEnd()) {
            throw p.error("envelope", "trailing data after the envelope");
        }
        Envelope env = new Envelope(manifest[0], signature[0]);
        Shapes.checkEnvelope(env);
        return env;
    }

    private static Signature signature(final StrictJsonReader p) throws VerifyException {
        final String where = "signature";
        final String[] v = new String[3];
        p.object(where, SIGNATURE_MEMBERS, new StrictJsonReader.MemberReader() {
            @Override
            public void read(String key) throws VerifyException {
                if (key.equals("alg")) {
                    v[0] = p.string(where + ".alg");
                } else if (key.equals("key_id")) {
                    v[1] = p.string(where + ".key_id");
                } else if (key.equals("value")) {
                    v[2] = p.string(where + ".value");
                } else {
                    throw p.unknown(where, key);
                }
            }
        });
        return new Signature(v[0], v[1], v[2]);
    }

    private static Manifest manifest(final StrictJsonReader p) throws VerifyException {
        final String where = "manifest";
        final long[] schema = new long[1];
        final String[] v = new String[5]; // app_id, bundle_id, version, created_at, entry
        final Map<String, String> minContainer = new LinkedHashMap<String, String>();
        final List<BundleFile> files = new ArrayList<BundleFile>();
        p.object(where, MANIFEST_MEMBERS, new StrictJsonReader.MemberReader() {
            @Override
            public void read(String key) throws VerifyException {
                if (key.equals("schema")) {
                    schema[0] = p.integer(where + ".schema");
                } else if (key.equals("app_id")) {
                    v[0] = p.string(where + ".app_id");
                } else if (key.equals("bundle_id")) {
                    v[1] = p.string(where + ".bundle_id");
                } else if (key.equals("version")) {
                    v[2] = p.string(where + ".version");
                } else if (key.equals("created_at")) {
                    v[3] = p.string(where + ".created_at");
                } else if (key.equals("entry")) {
                    v[4] = p.string(where + ".entry");
                } else if (key.equals("min_container")) {
                    p.object(where + ".min_container", null, new StrictJsonReader.MemberReader() {
                        @Override
                        public void read(String kind) throws VerifyException {
                            minContainer.put(kind, p.string(where + ".min_container[" + CanonicalJson.quote(kind) + "]"));
                        }
                    });
                } else if (key.equals("files")) {
                    p.array(where + ".files", new StrictJsonReader.ElementReader() {
                        @Override
                        public void read(int index) throws VerifyException {
                            files.add(file(p, where + ".files[" + index + "]"));
                        }
                    });
                } else {
                    throw p.unknown(where, key);
                }
            }
        });
        // schema is at most 2^53-1 here; anything but 1 is refused by the shape check.
        int s = schema[0] > Integer.MAX_VALUE ? -1 : (int) schema[0];
        return new Manifest(s, v[0], v[1], v[2], v[3], v[4], minContainer, files);
    }

    private static BundleFile file(final StrictJsonReader p, final String where) throws VerifyException {
        final String[] v = new String[3]; // path, sha256, content_type
        final long[] size = new long[1];
        p.object(where, FILE_MEMBERS, new StrictJsonReader.MemberReader() {
            @Override
            public void read(String key) throws VerifyException {
                if (key.equals("path")) {
                    v[0] = p.string(where + ".path");
                } else if (key.equals("size")) {
                    size[0] = p.integer(where + ".size");
                } else if (key.equals("sha256")) {
                    v[1] = p.string(where + ".sha256");
                } else if (key.equals("content_type")) {
                    v[2] = p.string(where + ".content_type");
                } else {
                    throw p.unknown(where, key);
                }
            }
        });
        return new BundleFile(v[0], size[0], v[1], v[2]);
    }
}
