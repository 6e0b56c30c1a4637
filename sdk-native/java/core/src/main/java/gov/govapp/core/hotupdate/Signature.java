package gov.govapp.core.hotupdate;

/** The detached signature of an envelope's manifest. Immutable. */
public final class Signature {
    private final String alg;
    private final String keyId;
    private final String value;

    public Signature(String alg, String keyId, String value) {
        this.alg = alg;
        this.keyId = keyId;
        this.value = value;
    }

    /** "ed25519" or "sm2-sm3" (any other string is refused as alg_mismatch). */
    public String alg() {
        return alg;
    }

    /** The 16 hex key id of the key that signed. */
    public String keyId() {
        return keyId;
    }

    /** The signature, standard base64 with padding. */
    public String value() {
        return value;
    }
}
