package zlb

import (
	"errors"
	"fmt"
	"net/http"
)

// Kinds of failure the platform acts on. Every refusal by the service or its
// gateway is an *APIError; errors.Is matches it against these, so callers
// branch on the kind and can still read the exact code with errors.As.
var (
	// ErrTicketInvalid: the ticket is unknown, expired (5 minutes), already
	// used or issued for another app. The citizen has to open the light app
	// again (or sign in again) to get a fresh one; retrying cannot help.
	ErrTicketInvalid = errors.New("zlb: ticket invalid, expired or already used")
	// ErrTokenInvalid: the token is unknown, expired or of another app.
	ErrTokenInvalid = errors.New("zlb: token invalid or expired")
	// ErrSignature: the gateway refused the request's authentication (HTTP
	// 401): wrong accessKey or secretKey, a signature over the wrong path, or
	// a clock too far off. It is a configuration problem, not the citizen's.
	ErrSignature = errors.New("zlb: gateway refused the request signature")
	// ErrClockSkew is the ErrSignature of a date more than 5 minutes from the
	// gateway's clock: synchronise this server's clock (NTP).
	ErrClockSkew = errors.New("zlb: request date too far from the gateway's clock")
)

// Business error codes of the service, and the gateway's refusal texts.
const (
	CodeTicketInvalid = "1001"
	CodeTicketUsed    = "1002"
	CodeTicketExpired = "1003"
	CodeTokenInvalid  = "2001"
	CodeTokenExpired  = "2002"

	msgClockSkew = "Clock skew exceeded"
)

// APIError is a refusal: a business error ({"success":false,"errorCode",
// "errorMsg"}, HTTP 200) or a gateway refusal (HTTP 401 and others,
// {"message"}), in which case Code is empty.
type APIError struct {
	Op     string // what the client was doing, e.g. "validate ticket"
	Status int    // HTTP status of the answer
	Code   string // errorCode; "" for a gateway refusal
	Msg    string // errorMsg or the gateway's message, credentials removed
}

// Error says what failed and, for the codes the platform knows, what to do.
func (e *APIError) Error() string {
	var s string
	if e.Code != "" {
		s = fmt.Sprintf("zlb: %s: errorCode %s: %s", e.Op, e.Code, e.Msg)
	} else {
		s = fmt.Sprintf("zlb: %s: gateway answered HTTP %d: %s", e.Op, e.Status, e.Msg)
	}
	switch {
	case e.Is(ErrClockSkew):
		s += " (this server's clock is more than 5 minutes off; synchronise it)"
	case e.Is(ErrSignature):
		s += " (check zlb_access_key and zlb_secret_key, and that zlb_base_url includes the gateway path prefix the signature covers)"
	case e.Is(ErrTicketInvalid):
		s += " (the citizen must open the app or sign in again for a fresh ticket)"
	}
	return s
}

// Is makes errors.Is(err, ErrTicketInvalid) and friends true for the
// matching codes.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrTicketInvalid:
		return e.Code == CodeTicketInvalid || e.Code == CodeTicketUsed || e.Code == CodeTicketExpired
	case ErrTokenInvalid:
		return e.Code == CodeTokenInvalid || e.Code == CodeTokenExpired
	case ErrSignature:
		return e.Code == "" && e.Status == http.StatusUnauthorized
	case ErrClockSkew:
		return e.Code == "" && e.Status == http.StatusUnauthorized && e.Msg == msgClockSkew
	}
	return false
}

// callError is a failure to talk to the service at all (network, bad JSON).
// Its message is scrubbed; the cause is kept for errors.Is only, so
// context.DeadlineExceeded still matches, but it is not unwrapped, so no
// caller can print the unscrubbed cause.
type callError struct {
	op    string
	msg   string
	cause error
}

// Error reports the operation and the scrubbed cause.
func (e *callError) Error() string { return "zlb: " + e.op + ": " + e.msg }

// Is defers to the hidden cause.
func (e *callError) Is(target error) bool { return e.cause != nil && errors.Is(e.cause, target) }
