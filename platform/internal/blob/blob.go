// Package blob stores bundle files by their SHA-256, so a publish uploads only what is new
// and every release shares unchanged files. The local directory is the embedded default; an
// S3-compatible store can take its place behind the same methods.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// Errors a caller can act on.
var (
	ErrBadHash   = errors.New("not a SHA-256 hex digest")
	ErrMismatch  = errors.New("content does not match its hash")
	ErrTooLarge  = errors.New("blob too large")
	ErrNotStored = errors.New("blob not stored")
)

var reHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidHash reports whether s is a lowercase hex SHA-256.
func ValidHash(s string) bool { return reHash.MatchString(s) }

// Local keeps blobs as files under dir/ab/abcdef….
type Local struct{ dir string }

// NewLocal opens (creating) a blob directory.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("blob: cannot create %s: %w", dir, err)
	}
	return &Local{dir: dir}, nil
}

func (l *Local) path(sha string) string { return filepath.Join(l.dir, sha[:2], sha) }

// Has reports whether the blob is stored.
func (l *Local) Has(sha string) bool {
	if !ValidHash(sha) {
		return false
	}
	_, err := os.Stat(l.path(sha))
	return err == nil
}

// Put stores r under sha. The content goes to a temporary file first and is renamed into
// place only after its hash checks out, so a crash or a lying client never leaves a half or
// wrong file under a valid hash. It returns the size and whether the blob was new.
func (l *Local) Put(sha string, r io.Reader, maxSize int64) (int64, bool, error) {
	if !ValidHash(sha) {
		return 0, false, fmt.Errorf("%w: %q", ErrBadHash, sha)
	}
	tmp, err := os.CreateTemp(filepath.Join(l.dir, "tmp"), "up-*")
	if err != nil {
		return 0, false, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, maxSize+1))
	if err != nil {
		return 0, false, err
	}
	if n > maxSize {
		return 0, false, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxSize)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sha {
		return 0, false, fmt.Errorf("%w: the body hashes to %s, not %s", ErrMismatch, got, sha)
	}
	if l.Has(sha) {
		return n, false, nil
	}
	if err := tmp.Sync(); err != nil {
		return 0, false, err
	}
	if err := tmp.Close(); err != nil {
		return 0, false, err
	}
	if err := os.MkdirAll(filepath.Dir(l.path(sha)), 0o700); err != nil {
		return 0, false, err
	}
	if err := os.Rename(tmp.Name(), l.path(sha)); err != nil {
		return 0, false, err
	}
	return n, true, nil
}

// Open returns the blob for reading (and seeking, for HTTP Range requests).
func (l *Local) Open(sha string) (*os.File, error) {
	if !ValidHash(sha) {
		return nil, fmt.Errorf("%w: %q", ErrBadHash, sha)
	}
	f, err := os.Open(l.path(sha))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotStored, sha)
	}
	return f, err
}

// Read returns a whole blob, for small files served from memory.
func (l *Local) Read(sha string) ([]byte, error) {
	f, err := l.Open(sha)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
