package gov.govapp.core.hotupdate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared vectors of hotupdate/testdata/vectors (see its README.md),
 * loaded the way any implementation would: keys.json, index.json and every
 * vector's envelope.json and files.json.
 */
final class Vectors {
    private Vectors() {}

    /** One entry of index.json with its files. */
    static final class Vector {
        final String name;
        final boolean valid;
        final String reason;
        final boolean checkFiles;
        final Limits limits;
        final byte[] envelope;
        final Map<String, byte[]> files;

        Vector(String name, boolean valid, String reason, boolean checkFiles, Limits limits, byte[] envelope,
                Map<String, byte[]> files) {
            this.name = name;
            this.valid = valid;
            this.reason = reason;
            this.checkFiles = checkFiles;
            this.limits = limits;
            this.envelope = envelope;
            this.files = files;
        }

        /** The file source, null when files are not checked. */
        FileSource content() {
            return checkFiles ? files::get : null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The vectors folder: -Dgovapp.vectors, or hotupdate/testdata/vectors above the working directory. */
    static Path dir() {
        String prop = System.getProperty("govapp.vectors");
        if (prop != null && !prop.isEmpty()) {
            return Paths.get(prop);
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("hotupdate/testdata/vectors");
            if (Files.isRegularFile(d.resolve("index.json"))) {
                return d;
            }
        }
        throw new IllegalStateException("hotupdate/testdata/vectors not found; set -Dgovapp.vectors");
    }

    static Object json(Path p) {
        try {
            return StrictJsonReader.parse(Files.readAllBytes(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (VerifyException e) {
            throw new IllegalStateException(p + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<TrustedKey> keys() {
        List<TrustedKey> keys = new ArrayList<>();
        for (Object o : (List<Object>) json(dir().resolve("keys.json"))) {
            Map<String, Object> m = (Map<String, Object>) o;
            keys.add(new TrustedKey((String) m.get("key_id"), (String) m.get("alg"), (String) m.get("public_key")));
        }
        return keys;
    }

    @SuppressWarnings("unchecked")
    static List<Vector> all() {
        Path dir = dir();
        List<Vector> out = new ArrayList<>();
        for (Object o : (List<Object>) json(dir.resolve("index.json"))) {
            Map<String, Object> e = (Map<String, Object>) o;
            String name = (String) e.get("name");
            boolean checkFiles = (Boolean) e.get("check_files");
            Limits limits = Limits.DEFAULT;
            if (e.get("limits") != null) {
                Map<String, Object> l = (Map<String, Object>) e.get("limits");
                limits = new Limits(((Long) l.get("max_files")).intValue(), (Long) l.get("max_file_size"),
                        (Long) l.get("max_total_size"));
            }
            byte[] envelope;
            try {
                envelope = Files.readAllBytes(dir.resolve(name).resolve("envelope.json"));
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
            Map<String, byte[]> files = new LinkedHashMap<>();
            if (checkFiles) {
                Map<String, Object> enc = (Map<String, Object>) json(dir.resolve(name).resolve("files.json"));
                for (Map.Entry<String, Object> f : enc.entrySet()) {
                    files.put(f.getKey(), Base64.getDecoder().decode((String) f.getValue()));
                }
            }
            out.add(new Vector(name, (Boolean) e.get("valid"), (String) e.get("reason"), checkFiles, limits, envelope, files));
        }
        return out;
    }

    static Vector named(String name) {
        for (Vector v : all()) {
            if (v.name.equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("no vector " + name);
    }

    /** The verdict code of raw under the vector keys: "" when valid. */
    static String verdict(byte[] raw, Limits limits, FileSource content) {
        try {
            BundleVerifier.verifyBundle(raw, keys(), limits, content);
            return "";
        } catch (VerifyException e) {
            return e.code();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
