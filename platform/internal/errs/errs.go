// Package errs holds the error kinds every domain shares, so the HTTP layer can map them
// to statuses in one table without knowing each domain's internals.
package errs

import (
	"errors"
	"fmt"
)

// Kinds of failure. Domain packages wrap these (fmt.Errorf("%w: ...")) or define their own
// sentinels; httpapi/errors.go maps both to a status and a stable code.
var (
	// ErrInvalid marks input the caller must fix.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound marks a missing resource.
	ErrNotFound = errors.New("not found")
	// ErrConflict marks a request that clashes with existing state (duplicate ids, ...).
	ErrConflict = errors.New("conflict")
	// ErrForbidden marks a caller without the permission on the target's subtree.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated marks a missing, malformed, unknown, revoked or expired token.
	ErrUnauthenticated = errors.New("unauthenticated")
)

// FieldError names the one input field at fault and what to do about it.
type FieldError struct {
	Field   string
	Problem string
}

// Invalid returns a FieldError; the problem should say what is allowed.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Unwrap lets errors.Is(err, ErrInvalid) hold for every FieldError.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Field returns the field named by err, or "".
func Field(err error) string {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}
