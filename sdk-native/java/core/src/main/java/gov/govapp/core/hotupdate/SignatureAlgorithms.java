package gov.govapp.core.hotupdate;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.gm.GMNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The signature algorithms of the contract. Ed25519 (RFC 8032, pure) goes
 * through java.security ("Ed25519", JDK 15+); SM2 with SM3 and the default
 * user id through BouncyCastle's SM2Signer, DER signatures.
 */
public final class SignatureAlgorithms {
    private SignatureAlgorithms() {}

    /** RFC 8032 pure Ed25519; 32-byte public keys, 64-byte signatures. */
    public static final String ED25519 = "ed25519";
    /** SM2 over sm2p256v1 with SM3 (GB/T 32918, GM/T 0009); 04 ‖ X ‖ Y public keys, DER signatures. */
    public static final String SM2_SM3 = "sm2-sm3";

    /** The default SM2 user id, named here as Go names it so that the choice is visible. */
    static final byte[] SM2_UID = "1234567812345678".getBytes(StandardCharsets.US_ASCII);

    /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (33) }. */
    private static final byte[] ED25519_SPKI_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    };

    private static final X9ECParameters SM2_CURVE = GMNamedCurves.getByName("sm2p256v1");
    private static final ECDomainParameters SM2_DOMAIN = new ECDomainParameters(
            SM2_CURVE.getCurve(), SM2_CURVE.getG(), SM2_CURVE.getN(), SM2_CURVE.getH());

    /** A trusted key that cannot verify anything (bad base64, wrong length, not on the curve, unknown alg). */
    static final class KeyException extends Exception {
        private static final long serialVersionUID = 1L;

        KeyException(String message) {
            super(message);
        }
    }

    /** A decoded public key, ready to verify. */
    interface Verifier {
        boolean verify(byte[] msg, byte[] sig);
    }

    /** Decodes a trusted key into its verifier, as Go's PublicKey.parse does. */
    static Verifier parse(TrustedKey k) throws KeyException {
        final byte[] raw = Base64Strict.decode(k.publicKey());
        if (raw == null) {
            throw new KeyException("public_key: not standard base64 with padding");
        }
        if (ED25519.equals(k.alg())) {
            if (raw.length != 32) {
                throw new KeyException(k.alg() + " public key is " + raw.length + " bytes, want 32");
            }
            final PublicKey pub = ed25519PublicKey(raw);
            return new Verifier() {
                @Override
                public boolean verify(byte[] msg, byte[] sig) {
                    return ed25519Verify(pub, msg, sig);
                }
            };
        }
        if (SM2_SM3.equals(k.alg())) {
            if (raw.length != 65 || raw[0] != 0x04) {
                throw new KeyException(k.alg() + " public key is " + raw.length + " bytes, want 65 (04 ‖ X ‖ Y)");
            }
            final ECPublicKeyParameters pub;
            try {
                ECPoint q = SM2_CURVE.getCurve().decodePoint(raw);
                pub = new ECPublicKeyParameters(q, SM2_DOMAIN);
            } catch (RuntimeException e) {
                throw new KeyException(k.alg() + " public key: not a point on sm2p256v1");
            }
            return new Verifier() {
                @Override
                public boolean verify(byte[] msg, byte[] sig) {
                    return sm2Verify(pub, msg, sig);
                }
            };
        }
        throw new KeyException("unknown signature algorithm " + CanonicalJson.quote(String.valueOf(k.alg())));
    }

    /** Wraps a raw 32-byte Ed25519 key into X.509 SubjectPublicKeyInfo DER and decodes it. */
    static PublicKey ed25519PublicKey(byte[] raw) throws KeyException {
        byte[] der = new byte[ED25519_SPKI_PREFIX.length + raw.length];
        System.arraycopy(ED25519_SPKI_PREFIX, 0, der, 0, ED25519_SPKI_PREFIX.length);
        System.arraycopy(raw, 0, der, ED25519_SPKI_PREFIX.length, raw.length);
        KeyFactory kf;
        try {
            kf = KeyFactory.getInstance("Ed25519");
        } catch (NoSuchAlgorithmException e) {
            // Not a verdict on the bundle: this runtime cannot do Ed25519.
            throw new IllegalStateException("this Java runtime has no Ed25519 (java.security, JDK 15+)", e);
        }
        try {
            return kf.generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new KeyException("ed25519 public key: " + e.getMessage());
        }
    }

    static boolean ed25519Verify(PublicKey pub, byte[] msg, byte[] sig) {
        if (sig.length != 64) {
            return false;
        }
        try {
            java.security.Signature v = java.security.Signature.getInstance("Ed25519");
            v.initVerify(pub);
            v.update(msg);
            return v.verify(sig);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no Ed25519 (java.security, JDK 15+)", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    static boolean sm2Verify(ECPublicKeyParameters pub, byte[] msg, byte[] sig) {
        try {
            SM2Signer v = new SM2Signer(); // SM3, StandardDSAEncoding (strict DER, r and s in [1, n-1])
            v.init(false, new ParametersWithID(pub, SM2_UID));
            v.update(msg, 0, msg.length);
            return v.verifySignature(sig);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
