package gov.govapp.core.hotupdate;

/** A signed manifest: what publish uploads and the update check returns. Immutable. */
public final class Envelope {
    private final Manifest manifest;
    private final Signature signature;

    public Envelope(Manifest manifest, Signature signature) {
        this.manifest = manifest;
        this.signature = signature;
    }

    public Manifest manifest() {
        return manifest;
    }

    public Signature signature() {
        return signature;
    }
}
