package gov.govapp.core.hotupdate;

/**
 * A public key the verifier trusts, as the platform hands it out
 * (SigningKey of the API: key_id, alg, public_key). Immutable.
 */
public final class TrustedKey {
    private final String keyId;
    private final String alg;
    private final String publicKey;

    public TrustedKey(String keyId, String alg, String publicKey) {
        this.keyId = keyId;
        this.alg = alg;
        this.publicKey = publicKey;
    }

    public String keyId() {
        return keyId;
    }

    public String alg() {
        return alg;
    }

    /** Standard base64: 32 raw bytes for ed25519, 04 ‖ X ‖ Y (65 bytes) for sm2-sm3. */
    public String publicKey() {
        return publicKey;
    }
}
