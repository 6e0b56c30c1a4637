package gov.govapp.core.hotupdate;

/**
 * A refusal of a bundle: {@link #reason()} is the contract's code, for
 * reports and for programs; the message says what exactly, for people. An
 * I/O failure while reading files is not a verdict and is never one of
 * these.
 */
public final class VerifyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Reason reason;
    private final String detail;

    public VerifyException(Reason reason, String detail) {
        super(detail == null || detail.isEmpty() ? reason.code() : reason.code() + ": " + detail);
        if (reason == null) {
            throw new NullPointerException("reason");
        }
        this.reason = reason;
        this.detail = detail == null ? "" : detail;
    }

    /** The reason of the verdict. */
    public Reason reason() {
        return reason;
    }

    /** The reason's wire code, what a device reports. */
    public String code() {
        return reason.code();
    }

    /** What exactly was refused, for people. */
    public String detail() {
        return detail;
    }
}
