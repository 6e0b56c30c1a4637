package gov.govapp.core.hotupdate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Verification of a signed bundle envelope, exactly as the table in
 * docs/HOTUPDATE.md says and as Go's hotupdate.VerifyBundle and sdk-js's
 * verifyEnvelope do it: the same checks, in the same order, with the same
 * reason codes. The first failing check is the verdict.
 */
public final class BundleVerifier {
    private BundleVerifier() {}

    /**
     * What a device runs on the bytes it received: parses them (check 1),
     * verifies the envelope against the trusted keys and limits (checks 2 to
     * 12) and, when content is not null, the files (13 to 15). Returns the
     * verified envelope; throws the verdict otherwise. An IOException from
     * content is not a verdict.
     */
    public static Envelope verifyBundle(byte[] raw, List<TrustedKey> trusted, Limits limits, FileSource content)
            throws VerifyException, IOException {
        Envelope env = EnvelopeParser.parse(raw);
        verify(env, trusted, limits);
        if (content != null) {
            verifyFiles(env.manifest(), content);
        }
        return env;
    }

    /**
     * Checks 2 to 12 on a parsed envelope: trusted key, algorithm, signature
     * over the canonical manifest, bundle_id, limits (null means the
     * defaults), safe and sorted paths, no case-folded duplicates, entry. It
     * first re-checks the shapes of check 1, so that an Envelope built in
     * code gets the verdict its bytes would get.
     */
    public static void verify(Envelope env, List<TrustedKey> trusted, Limits limits) throws VerifyException {
        Shapes.checkEnvelope(env);
        Signature sig = env.signature();
        // 2. unknown_key
        TrustedKey key = null;
        if (trusted != null) {
            for (TrustedKey k : trusted) {
                if (k != null && sig.keyId().equals(k.keyId())) {
                    key = k;
                    break;
                }
            }
        }
        if (key == null) {
            throw new VerifyException(Reason.UNKNOWN_KEY, "key " + sig.keyId() + " is not among the "
                    + (trusted == null ? 0 : trusted.size()) + " trusted keys");
        }
        // 3. alg_mismatch (also for an algorithm nobody knows)
        if (!sig.alg().equals(key.alg())) {
            throw new VerifyException(Reason.ALG_MISMATCH, "key " + key.keyId() + " is an " + key.alg()
                    + " key, the signature says " + CanonicalJson.quote(sig.alg()));
        }
        // 4. bad_signature
        SignatureAlgorithms.Verifier verifier;
        try {
            verifier = SignatureAlgorithms.parse(key);
        } catch (SignatureAlgorithms.KeyException e) {
            throw new VerifyException(Reason.BAD_SIGNATURE, "the trusted key cannot verify anything: " + e.getMessage());
        }
        byte[] value = Base64Strict.decode(sig.value()); // shape checked
        byte[] msg = CanonicalJson.manifest(env.manifest()); // shape checked: has a canonical form
        if (!verifier.verify(msg, value)) {
            throw new VerifyException(Reason.BAD_SIGNATURE, "the " + sig.alg() + " signature does not verify with key "
                    + sig.keyId() + " over the canonical manifest");
        }
        // 5..12
        checkManifest(env.manifest(), limits == null ? Limits.DEFAULT : limits);
    }

    /** Checks 5 to 12 on a manifest of the right shape. */
    static void checkManifest(Manifest m, Limits lim) throws VerifyException {
        // 5. bundle_id_mismatch
        String id = bundleId(m);
        if (!id.equals(m.bundleId())) {
            throw new VerifyException(Reason.BUNDLE_ID_MISMATCH, "bundle_id is " + m.bundleId() + ", the manifest hashes to " + id);
        }
        List<BundleFile> files = m.files();
        // 6. too_many_files
        if (files.size() > lim.maxFiles()) {
            throw new VerifyException(Reason.TOO_MANY_FILES, files.size() + " files, at most " + lim.maxFiles() + " allowed");
        }
        // 7. file_too_large
        for (BundleFile f : files) {
            if (f.size() > lim.maxFileSize()) {
                throw new VerifyException(Reason.FILE_TOO_LARGE, CanonicalJson.quote(f.path()) + " is " + f.size()
                        + " bytes, at most " + lim.maxFileSize() + " allowed");
            }
        }
        // 8. bundle_too_large
        long total = 0;
        for (BundleFile f : files) {
            if (f.size() > lim.maxTotalSize() - total) {
                throw new VerifyException(Reason.BUNDLE_TOO_LARGE, "the files add up to more than " + lim.maxTotalSize() + " bytes");
            }
            total += f.size();
        }
        // 9. bad_path
        for (int i = 0; i < files.size(); i++) {
            String why = BundlePaths.problem(files.get(i).path());
            if (why != null) {
                throw new VerifyException(Reason.BAD_PATH, "files[" + i + "]: path " + CanonicalJson.quote(files.get(i).path()) + ": " + why);
            }
        }
        // 10. unsorted_files: an exact repeat is not out of order; check 11 names it.
        for (int i = 1; i < files.size(); i++) {
            if (BundlePaths.compareUtf8(files.get(i).path(), files.get(i - 1).path()) < 0) {
                throw new VerifyException(Reason.UNSORTED_FILES, "files[" + i + "] " + CanonicalJson.quote(files.get(i).path())
                        + " sorts before files[" + (i - 1) + "] " + CanonicalJson.quote(files.get(i - 1).path()) + " (bytewise)");
            }
        }
        // 11. duplicate_path
        Map<String, Integer> seen = new HashMap<String, Integer>();
        for (int i = 0; i < files.size(); i++) {
            String p = files.get(i).path();
            Integer j = seen.put(BundlePaths.foldKey(p), i);
            if (j != null) {
                throw new VerifyException(Reason.DUPLICATE_PATH, "files[" + j + "] " + CanonicalJson.quote(files.get(j).path())
                        + " and files[" + i + "] " + CanonicalJson.quote(p) + " are the same path on a case-insensitive file system");
            }
        }
        // 12. bad_entry
        for (BundleFile f : files) {
            if (f.path().equals(m.entry())) {
                return;
            }
        }
        throw new VerifyException(Reason.BAD_ENTRY, "entry " + CanonicalJson.quote(m.entry()) + " is not one of the files");
    }

    /**
     * Checks 13 to 15 on the files as served: each check over every file in
     * manifest order before the next check. content is asked once per file.
     */
    public static void verifyFiles(Manifest m, FileSource content) throws VerifyException, IOException {
        List<BundleFile> files = m.files();
        byte[][] data = new byte[files.size()][];
        // 13. missing_file
        for (int i = 0; i < files.size(); i++) {
            data[i] = content == null ? null : content.read(files.get(i).path());
            if (data[i] == null) {
                throw new VerifyException(Reason.MISSING_FILE, CanonicalJson.quote(files.get(i).path()) + " is missing");
            }
        }
        // 14. size_mismatch
        for (int i = 0; i < files.size(); i++) {
            if (data[i].length != files.get(i).size()) {
                throw new VerifyException(Reason.SIZE_MISMATCH, CanonicalJson.quote(files.get(i).path()) + " is "
                        + data[i].length + " bytes, the manifest says " + files.get(i).size());
            }
        }
        // 15. hash_mismatch
        for (int i = 0; i < files.size(); i++) {
            String got = sha256Hex(data[i]);
            if (!got.equals(files.get(i).sha256())) {
                throw new VerifyException(Reason.HASH_MISMATCH, CanonicalJson.quote(files.get(i).path()) + " has SHA-256 "
                        + got + ", the manifest says " + files.get(i).sha256());
            }
        }
    }

    /** The bundle_id of m: lowercase hex SHA-256 of its canonical encoding with bundle_id "". */
    public static String bundleId(Manifest m) {
        return sha256Hex(CanonicalJson.manifest(m.withBundleId("")));
    }

    /** The key_id of a public key: the first 16 hex of SHA-256 over alg + ":" + public key base64. */
    public static String keyId(String alg, String publicKeyBase64) {
        return sha256Hex((alg + ":" + publicKeyBase64).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    /** Lowercase hex SHA-256. */
    public static String sha256Hex(byte[] b) {
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
        return hex(d.digest(b));
    }

    static String hex(byte[] b) {
        char[] out = new char[2 * b.length];
        final String digits = "0123456789abcdef";
        for (int i = 0; i < b.length; i++) {
            out[2 * i] = digits.charAt(b[i] >> 4 & 0xf);
            out[2 * i + 1] = digits.charAt(b[i] & 0xf);
        }
        return new String(out);
    }
}
