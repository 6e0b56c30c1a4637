package gov.govapp.core.hotupdate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.Test;

class SignatureAlgorithmsTest {
    private static final BigInteger L = BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));

    private static Envelope env(String name) throws VerifyException {
        return EnvelopeParser.parse(Vectors.named(name).envelope);
    }

    private static TrustedKey key(Envelope e) {
        for (TrustedKey k : Vectors.keys()) {
            if (k.keyId().equals(e.signature().keyId())) {
                return k;
            }
        }
        throw new AssertionError("no key " + e.signature().keyId());
    }

    private static String verdict(Envelope e, List<TrustedKey> keys) {
        try {
            BundleVerifier.verify(e, keys, Limits.DEFAULT);
            return "";
        } catch (VerifyException x) {
            return x.code();
        }
    }

    private static Envelope withSignature(Envelope e, byte[] sig) {
        return new Envelope(e.manifest(), new Signature(e.signature().alg(), e.signature().keyId(), Base64Strict.encode(sig)));
    }

    @Test
    void ed25519RefusesNonCanonicalS() throws Exception {
        Envelope e = env("valid-ed25519");
        byte[] sig = Base64Strict.decode(e.signature().value());
        assertEquals("", verdict(e, Vectors.keys()));
        // S + L verifies the same equation but is not the canonical S < L (RFC 8032 5.1.7); Go refuses it.
        byte[] le = Arrays.copyOfRange(sig, 32, 64);
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = le[31 - i];
        }
        BigInteger s = new BigInteger(1, be).add(L);
        assertTrue(s.bitLength() <= 256);
        byte[] sbe = s.toByteArray();
        byte[] sle = new byte[32];
        for (int i = 0; i < 32 && i < sbe.length; i++) {
            sle[i] = sbe[sbe.length - 1 - i];
        }
        byte[] mall = sig.clone();
        System.arraycopy(sle, 0, mall, 32, 32);
        assertEquals("bad_signature", verdict(withSignature(e, mall), Vectors.keys()));
        // Wrong lengths.
        assertEquals("bad_signature", verdict(withSignature(e, Arrays.copyOf(sig, 65)), Vectors.keys()));
        assertEquals("bad_signature", verdict(withSignature(e, Arrays.copyOf(sig, 63)), Vectors.keys()));
    }

    @Test
    void sm2RefusesWhatIsNotStrictDer() throws Exception {
        Envelope e = env("valid-sm2-sm3");
        byte[] der = Base64Strict.decode(e.signature().value());
        assertEquals("", verdict(e, Vectors.keys()));
        assertEquals(0x30, der[0] & 0xff);
        int len = der[1] & 0xff;
        assertEquals(der.length - 2, len);
        // Long-form length of the same SEQUENCE (BER, not DER).
        byte[] ber = new byte[der.length + 1];
        ber[0] = 0x30;
        ber[1] = (byte) 0x81;
        ber[2] = (byte) len;
        System.arraycopy(der, 2, ber, 3, len);
        assertEquals("bad_signature", verdict(withSignature(e, ber), Vectors.keys()));
        // Trailing byte.
        assertEquals("bad_signature", verdict(withSignature(e, Arrays.copyOf(der, der.length + 1)), Vectors.keys()));
        // r padded with a needless leading zero.
        int rLen = der[3] & 0xff;
        byte[] padded = new byte[der.length + 1];
        padded[0] = 0x30;
        padded[1] = (byte) (len + 1);
        padded[2] = 0x02;
        padded[3] = (byte) (rLen + 1);
        padded[4] = 0;
        System.arraycopy(der, 4, padded, 5, der.length - 4);
        assertEquals("bad_signature", verdict(withSignature(e, padded), Vectors.keys()));
        // r = 0.
        assertEquals("bad_signature", verdict(withSignature(e, new byte[] {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01}), Vectors.keys()));
    }

    @Test
    void brokenTrustedKeysGiveBadSignature() throws Exception {
        Envelope ed = env("valid-ed25519");
        Envelope sm = env("valid-sm2-sm3");
        TrustedKey edKey = key(ed);
        TrustedKey smKey = key(sm);
        List<TrustedKey> broken = new ArrayList<>();
        broken.add(new TrustedKey(edKey.keyId(), edKey.alg(), edKey.publicKey().substring(0, 40))); // not base64 of 32
        assertEquals("bad_signature", verdict(ed, broken));
        broken.set(0, new TrustedKey(edKey.keyId(), edKey.alg(), Base64Strict.encode(new byte[31])));
        assertEquals("bad_signature", verdict(ed, broken));
        byte[] off = Base64Strict.decode(smKey.publicKey());
        off[64] ^= 1; // no longer on the curve
        broken.set(0, new TrustedKey(smKey.keyId(), smKey.alg(), Base64Strict.encode(off)));
        assertEquals("bad_signature", verdict(sm, broken));
        byte[] compressed = Arrays.copyOf(Base64Strict.decode(smKey.publicKey()), 33);
        compressed[0] = 0x02;
        broken.set(0, new TrustedKey(smKey.keyId(), smKey.alg(), Base64Strict.encode(compressed)));
        assertEquals("bad_signature", verdict(sm, broken));
    }

    @Test
    void anAlgorithmNobodyKnowsOnAMatchingKeyIsBadSignature() throws Exception {
        Envelope e = env("alg-mismatch-unknown-alg");
        assertEquals("alg_mismatch", verdict(e, Vectors.keys()));
        TrustedKey k = key(e);
        List<TrustedKey> same = Collections.singletonList(new TrustedKey(k.keyId(), e.signature().alg(), k.publicKey()));
        assertEquals("bad_signature", verdict(e, same));
    }

    @Test
    void firstKeyWithTheIdCounts() throws Exception {
        Envelope e = env("valid-ed25519");
        TrustedKey k = key(e);
        List<TrustedKey> keys = new ArrayList<>();
        keys.add(new TrustedKey(k.keyId(), "sm2-sm3", k.publicKey()));
        keys.add(k);
        assertEquals("alg_mismatch", verdict(e, keys));
        assertEquals("unknown_key", verdict(e, Collections.<TrustedKey>emptyList()));
        assertEquals("unknown_key", verdict(e, null));
    }

    /** BouncyCastle's Ed25519 (an option for Android runtimes without java.security Ed25519) agrees with the JDK's. */
    @Test
    void bouncyCastleEd25519AgreesWithTheJdk() throws Exception {
        int checked = 0;
        for (Vectors.Vector v : Vectors.all()) {
            Envelope e;
            try {
                e = EnvelopeParser.parse(v.envelope);
            } catch (VerifyException x) {
                continue;
            }
            if (!e.signature().alg().equals("ed25519")) {
                continue;
            }
            byte[] pub = null;
            for (TrustedKey k : Vectors.keys()) {
                if (k.alg().equals("ed25519")) {
                    pub = Base64Strict.decode(k.publicKey());
                }
            }
            byte[] msg = CanonicalJson.manifest(e.manifest());
            byte[] sig = Base64Strict.decode(e.signature().value());
            Ed25519Signer bc = new Ed25519Signer();
            bc.init(false, new Ed25519PublicKeyParameters(pub, 0));
            bc.update(msg, 0, msg.length);
            boolean bcOk = bc.verifySignature(sig);
            boolean jdkOk = SignatureAlgorithms.ed25519Verify(SignatureAlgorithms.ed25519PublicKey(pub), msg, sig);
            assertEquals(bcOk, jdkOk, v.name);
            checked++;
        }
        assertTrue(checked > 20, checked + " checked");
        assertFalse(SignatureAlgorithms.ed25519Verify(SignatureAlgorithms.ed25519PublicKey(new byte[32]), new byte[0], new byte[64]));
    }
}
