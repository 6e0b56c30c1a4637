package gov.govapp.core.hotupdate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The Java side of the cross-language contract: every vector reaches the verdict of index.json. */
class VectorsTest {
    @TestFactory
    Stream<DynamicTest> everyVectorReachesItsVerdict() {
        List<TrustedKey> keys = Vectors.keys();
        return Vectors.all().stream().map(v -> DynamicTest.dynamicTest(v.name, () -> {
            assertEquals(v.valid, v.reason.isEmpty(), "index.json: valid " + v.valid + " with reason " + v.reason);
            Envelope env = null;
            String got = "";
            String detail = "";
            try {
                env = BundleVerifier.verifyBundle(v.envelope, keys, v.limits, v.content());
            } catch (VerifyException e) {
                got = e.code();
                detail = e.getMessage();
            }
            assertEquals(v.reason, got, v.name + ": " + detail);
            if (env == null) {
                return;
            }
            // A verified envelope re-encodes to bytes that verify the same.
            byte[] again = CanonicalJson.envelope(env);
            BundleVerifier.verifyBundle(again, keys, v.limits, v.content());
        }));
    }

    @Test
    void vectorsCoverEveryReason() {
        List<Vectors.Vector> all = Vectors.all();
        assertTrue(all.size() >= 79, "index.json has " + all.size() + " vectors");
        Set<Reason> seen = EnumSet.noneOf(Reason.class);
        boolean valid = false;
        for (Vectors.Vector v : all) {
            if (v.reason.isEmpty()) {
                valid = true;
            } else {
                Reason r = Reason.fromCode(v.reason);
                assertNotNull(r, v.name + ": unknown reason " + v.reason);
                seen.add(r);
            }
        }
        assertTrue(valid, "no valid vector");
        assertEquals(EnumSet.allOf(Reason.class), seen);
    }

    @Test
    void keysAreWellFormed() throws Exception {
        List<TrustedKey> keys = Vectors.keys();
        assertEquals(2, keys.size());
        for (TrustedKey k : keys) {
            assertEquals(BundleVerifier.keyId(k.alg(), k.publicKey()), k.keyId(), "key_id of " + k.alg());
            SignatureAlgorithms.parse(k); // decodes: right length, on the curve
        }
    }

    @Test
    void validVectorsAreCanonicalOrReCanonicaliseToTheirTwin() throws Exception {
        // The generator writes valid envelopes canonically, except the one that
        // pins transport escapes: its manifest re-canonicalises to valid-unicode's.
        for (String name : new String[] {"valid-ed25519", "valid-sm2-sm3", "valid-unicode", "valid-at-limits"}) {
            Vectors.Vector v = Vectors.named(name);
            Envelope env = EnvelopeParser.parse(v.envelope);
            String text = new String(v.envelope, java.nio.charset.StandardCharsets.UTF_8).trim();
            assertEquals(text, new String(CanonicalJson.envelope(env), java.nio.charset.StandardCharsets.UTF_8), name);
        }
        Envelope escaped = EnvelopeParser.parse(Vectors.named("valid-transport-escapes").envelope);
        Envelope plain = EnvelopeParser.parse(Vectors.named("valid-unicode").envelope);
        assertArrayEquals(CanonicalJson.manifest(plain.manifest()), CanonicalJson.manifest(escaped.manifest()));
    }

    @Test
    void filesAreReadOncePerFileInOrderAndStopAtTheFirstMissing() throws Exception {
        Vectors.Vector v = Vectors.named("order-missing-before-hash");
        List<String> asked = new ArrayList<>();
        try {
            BundleVerifier.verifyBundle(v.envelope, Vectors.keys(), v.limits, p -> {
                asked.add(p);
                return v.files.get(p);
            });
            fail("verified");
        } catch (VerifyException e) {
            assertEquals(Reason.MISSING_FILE, e.reason());
        }
        Envelope env = EnvelopeParser.parse(v.envelope);
        List<String> order = new ArrayList<>();
        for (BundleFile f : env.manifest().files()) {
            order.add(f.path());
            if (!v.files.containsKey(f.path())) {
                break;
            }
        }
        assertEquals(order, asked);
    }
}
