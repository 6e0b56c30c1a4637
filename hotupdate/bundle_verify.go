package hotupdate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Reason codes of the contract's verification table. They are stable and
// shared by every implementation: devices report them, the platform counts
// them, and the vectors pin which input gives which.
const (
	ReasonMalformed        = "malformed"          // 1: does not parse, wrong member, type or shape, schema ≠ 1
	ReasonUnknownKey       = "unknown_key"        // 2: key_id is not trusted
	ReasonAlgMismatch      = "alg_mismatch"       // 3: the trusted key is of another algorithm
	ReasonBadSignature     = "bad_signature"      // 4: the signature does not verify
	ReasonBundleIDMismatch = "bundle_id_mismatch" // 5: bundle_id does not recompute
	ReasonTooManyFiles     = "too_many_files"     // 6: more than MaxFiles files
	ReasonFileTooLarge     = "file_too_large"     // 7: a file larger than MaxFileSize
	ReasonBundleTooLarge   = "bundle_too_large"   // 8: sizes add up to more than MaxTotalSize
	ReasonBadPath          = "bad_path"           // 9: a path that is not safe (ValidPath)
	ReasonUnsortedFiles    = "unsorted_files"     // 10: paths out of bytewise order
	ReasonDuplicatePath    = "duplicate_path"     // 11: two paths equal under case folding
	ReasonBadEntry         = "bad_entry"          // 12: entry is not one of the paths
	ReasonMissingFile      = "missing_file"       // 13: a file's content is not there
	ReasonSizeMismatch     = "size_mismatch"      // 14: a file's length is not its size
	ReasonHashMismatch     = "hash_mismatch"      // 15: a file's SHA-256 is not its sha256
)

// VerifyError is a refusal of a bundle. Reason is one of the Reason*
// codes, for reports and for programs; Detail says what exactly, for
// people.
type VerifyError struct {
	Reason string
	Detail string
}

// Error gives the reason first so that logs group by it.
func (e *VerifyError) Error() string {
	if e.Detail == "" {
		return e.Reason
	}
	return e.Reason + ": " + e.Detail
}

// Reason returns the reason code a device reports for err: "" for nil, the
// Reason of a *VerifyError (wrapped or not), and "error" for anything else
// (an I/O failure is not a verdict on the bundle).
func Reason(err error) string {
	if err == nil {
		return ""
	}
	var ve *VerifyError
	if errors.As(err, &ve) {
		return ve.Reason
	}
	return "error"
}

func refuse(reason, format string, args ...any) error {
	return &VerifyError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

func malformed(format string, args ...any) error {
	return refuse(ReasonMalformed, format, args...)
}

// VerifyBundle is what a verifier runs on the bytes it received: it parses
// them (ParseEnvelope), verifies the envelope against the trusted keys and
// limits (Verify) and, when content is not nil, the files (VerifyFiles). The
// first failing check of the contract's order is the verdict. On any error
// the returned Envelope is the zero value, so that nothing unverified is
// used by mistake.
func VerifyBundle(raw []byte, trusted []PublicKey, lim Limits, content func(path string) ([]byte, bool)) (Envelope, error) {
	env, err := ParseEnvelope(raw)
	if err != nil {
		return Envelope{}, err
	}
	if err := Verify(env, trusted, lim); err != nil {
		return Envelope{}, err
	}
	if content != nil {
		if err := VerifyFiles(env.Manifest, content); err != nil {
			return Envelope{}, err
		}
	}
	return env, nil
}

// Verify runs checks 2 to 12 of the contract on a parsed envelope: trusted
// key, algorithm, signature over the canonical manifest, bundle_id, limits
// (zero members mean the defaults), safe and sorted paths, no case-folded
// duplicates, entry. It first re-checks the shapes of check 1 (malformed),
// so that an Envelope built in Go rather than parsed gets the same verdict
// as its bytes would.
func Verify(env Envelope, trusted []PublicKey, lim Limits) error {
	if err := checkEnvelopeShape(env); err != nil {
		return err
	}
	sig := env.Signature
	// 2. unknown_key
	var key *PublicKey
	for i := range trusted {
		if trusted[i].KeyID == sig.KeyID {
			key = &trusted[i]
			break
		}
	}
	if key == nil {
		return refuse(ReasonUnknownKey, "key %s is not among the %d trusted keys", sig.KeyID, len(trusted))
	}
	// 3. alg_mismatch
	if key.Alg != sig.Alg {
		return refuse(ReasonAlgMismatch, "key %s is an %s key, the signature says %q", key.KeyID, key.Alg, sig.Alg)
	}
	// 4. bad_signature
	pub, err := key.parse()
	if err != nil {
		return refuse(ReasonBadSignature, "the trusted key cannot verify anything: %v", err)
	}
	value, _ := decodeBase64(sig.Value) // shape checked
	msg, err := Canonical(env.Manifest)
	if err != nil { // shape checked; kept for safety
		return malformed("%v", err)
	}
	if !verifySignature(pub, msg, value) {
		return refuse(ReasonBadSignature, "the %s signature does not verify with key %s over the canonical manifest", sig.Alg, sig.KeyID)
	}
	// 5..12
	return checkManifest(env.Manifest, lim, true)
}

// CheckManifest runs the checks of an unsigned manifest that a verifier
// would run (shapes, then 5 to 12: bundle_id, limits, paths, order,
// duplicates, entry), so that the CLI can refuse a bundle before signing
// and uploading it.
func CheckManifest(m Manifest, lim Limits) error {
	if err := checkManifestShape(m, true); err != nil {
		return err
	}
	return checkManifest(m, lim, true)
}

// checkManifest runs checks 5 to 12 on a manifest of the right shape; the
// limits (6 to 8) only when withLimits.
func checkManifest(m Manifest, lim Limits, withLimits bool) error {
	// 5. bundle_id_mismatch
	id, err := BundleID(m)
	if err != nil {
		return malformed("%v", err)
	}
	if id != m.BundleID {
		return refuse(ReasonBundleIDMismatch, "bundle_id is %s, the manifest hashes to %s", m.BundleID, id)
	}
	if withLimits {
		lim = lim.withDefaults()
		// 6. too_many_files
		if len(m.Files) > lim.MaxFiles {
			return refuse(ReasonTooManyFiles, "%d files, at most %d allowed", len(m.Files), lim.MaxFiles)
		}
		// 7. file_too_large
		for _, f := range m.Files {
			if f.Size > lim.MaxFileSize {
				return refuse(ReasonFileTooLarge, "%q is %d bytes, at most %d allowed", f.Path, f.Size, lim.MaxFileSize)
			}
		}
		// 8. bundle_too_large
		var total int64
		for _, f := range m.Files {
			if f.Size > lim.MaxTotalSize-total {
				return refuse(ReasonBundleTooLarge, "the files add up to more than %d bytes", lim.MaxTotalSize)
			}
			total += f.Size
		}
	}
	// 9. bad_path
	for i, f := range m.Files {
		if err := ValidPath(f.Path); err != nil {
			return refuse(ReasonBadPath, "files[%d]: %s", i, err.(*VerifyError).Detail)
		}
	}
	// 10. unsorted_files: an exact repeat is not out of order; check 11
	// names it.
	for i := 1; i < len(m.Files); i++ {
		if m.Files[i].Path < m.Files[i-1].Path {
			return refuse(ReasonUnsortedFiles, "files[%d] %q sorts before files[%d] %q (bytewise)", i, m.Files[i].Path, i-1, m.Files[i-1].Path)
		}
	}
	// 11. duplicate_path
	seen := make(map[string]int, len(m.Files))
	for i, f := range m.Files {
		k := foldPath(f.Path)
		if j, ok := seen[k]; ok {
			return refuse(ReasonDuplicatePath, "files[%d] %q and files[%d] %q are the same path on a case-insensitive file system", j, m.Files[j].Path, i, f.Path)
		}
		seen[k] = i
	}
	// 12. bad_entry
	for _, f := range m.Files {
		if f.Path == m.Entry {
			return nil
		}
	}
	return refuse(ReasonBadEntry, "entry %q is not one of the files", m.Entry)
}

// VerifyFiles runs checks 13 to 15 on the files as served: each check over
// every file in manifest order before the next check, so that the verdict is
// the first failing check as the contract's table orders them. content
// returns a file's bytes and whether it has them; it is called once per
// file.
func VerifyFiles(m Manifest, content func(path string) ([]byte, bool)) error {
	data := make([][]byte, len(m.Files))
	// 13. missing_file
	for i, f := range m.Files {
		var ok bool
		if content != nil {
			data[i], ok = content(f.Path)
		}
		if !ok {
			return refuse(ReasonMissingFile, "%q is missing", f.Path)
		}
	}
	// 14. size_mismatch
	for i, f := range m.Files {
		if int64(len(data[i])) != f.Size {
			return refuse(ReasonSizeMismatch, "%q is %d bytes, the manifest says %d", f.Path, len(data[i]), f.Size)
		}
	}
	// 15. hash_mismatch
	for i, f := range m.Files {
		sum := sha256.Sum256(data[i])
		if got := hex.EncodeToString(sum[:]); got != f.SHA256 {
			return refuse(ReasonHashMismatch, "%q has SHA-256 %s, the manifest says %s", f.Path, got, f.SHA256)
		}
	}
	return nil
}

// MaxPathLen is the longest safe path in bytes; longer ones break on the
// file systems of phones and are never needed.
const MaxPathLen = 512

// ValidPath applies the contract's safe-path rule, so that no file of a
// bundle can land outside its folder or mean different files on different
// systems once written to disk: 1 to 512 bytes of valid UTF-8, segments
// separated by "/", none empty (no leading "/", "//" or trailing "/"), none
// "." or "..", and no "\", NUL, other control character below U+0020,
// U+007F or ":" (drive letters, NTFS streams). The error is a *VerifyError
// with ReasonBadPath.
func ValidPath(p string) error {
	bad := func(why string) error {
		return refuse(ReasonBadPath, "path %q: %s", p, why)
	}
	switch {
	case len(p) == 0:
		return bad("empty")
	case len(p) > MaxPathLen:
		return bad(fmt.Sprintf("%d bytes, at most %d allowed", len(p), MaxPathLen))
	case !utf8.ValidString(p):
		return bad("not valid UTF-8")
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\':
			return bad(`backslash`)
		case c == 0:
			return bad("NUL")
		case c < 0x20 || c == 0x7f:
			return bad(fmt.Sprintf("control character U+%04X", c))
		case c == ':':
			return bad(`":" (drive letter or NTFS stream)`)
		}
	}
	switch {
	case p[0] == '/':
		return bad("absolute (leading slash)")
	case p[len(p)-1] == '/':
		return bad("trailing slash")
	case strings.Contains(p, "//"):
		return bad("empty segment (double slash)")
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return bad(fmt.Sprintf("segment %q", seg))
		}
	}
	return nil
}

// foldPath maps p to a key that is equal for paths equal under Unicode
// simple case folding (what strings.EqualFold compares): every rune becomes
// the smallest rune of its folding orbit.
func foldPath(p string) string {
	var b strings.Builder
	b.Grow(len(p))
	for _, r := range p {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b.WriteRune(min)
	}
	return b.String()
}

// Shapes of check 1.
var (
	appIDPattern     = regexp.MustCompile(`^[a-z][a-z0-9-]{2,39}$`)
	versionPattern   = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$`)
	containerVersion = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,3}$`)
	createdAtPattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$`)
	containerKinds   = map[string]bool{"wechat": true, "alipay": true, "govapp": true, "web": true}
)

// maxContentTypeLen bounds content_type, a header value.
const maxContentTypeLen = 255

// ContainerKinds lists the container kinds min_container may name, in the
// order people read them.
func ContainerKinds() []string { return []string{"govapp", "wechat", "alipay", "web"} }

// checkEnvelopeShape is check 1 on values: everything ParseEnvelope's types
// let through that still has the wrong shape.
func checkEnvelopeShape(env Envelope) error {
	if err := checkManifestShape(env.Manifest, true); err != nil {
		return err
	}
	sig := env.Signature
	if !utf8.ValidString(sig.Alg) {
		return malformed("signature.alg: not valid UTF-8")
	}
	if !isLowerHex(sig.KeyID, 16) {
		return malformed("signature.key_id: want 16 lowercase hex digits, got %q", sig.KeyID)
	}
	if v, err := decodeBase64(sig.Value); err != nil || len(v) == 0 {
		return malformed("signature.value: want non-empty standard base64 with padding")
	}
	return nil
}

// checkManifestShape is check 1 on a manifest's values; the bundle_id's
// shape only when withBundleID (NewManifest checks before it has one).
func checkManifestShape(m Manifest, withBundleID bool) error {
	if m.Schema != SchemaVersion {
		return malformed("manifest.schema: %d, this verifier reads schema %d only", m.Schema, SchemaVersion)
	}
	if !appIDPattern.MatchString(m.AppID) {
		return malformed("manifest.app_id: %q does not match %s", m.AppID, appIDPattern)
	}
	if withBundleID && !isLowerHex(m.BundleID, 64) {
		return malformed("manifest.bundle_id: want 64 lowercase hex digits, got %q", m.BundleID)
	}
	if !versionPattern.MatchString(m.Version) {
		return malformed("manifest.version: %q does not match %s", m.Version, versionPattern)
	}
	if err := checkCreatedAt(m.CreatedAt); err != nil {
		return malformed("manifest.created_at: %v", err)
	}
	if !utf8.ValidString(m.Entry) {
		return malformed("manifest.entry: not valid UTF-8")
	}
	for kind, v := range m.MinContainer {
		if !containerKinds[kind] {
			return malformed("manifest.min_container: unknown container kind %q (want one of %s)", kind, strings.Join(ContainerKinds(), ", "))
		}
		if !containerVersion.MatchString(v) {
			return malformed("manifest.min_container[%q]: %q is not a dotted numeric version", kind, v)
		}
	}
	for i, f := range m.Files {
		if !utf8.ValidString(f.Path) {
			return malformed("manifest.files[%d].path: not valid UTF-8", i)
		}
		if f.Size < 0 || f.Size > maxSafeInteger {
			return malformed("manifest.files[%d].size: %d is outside 0..2^53-1", i, f.Size)
		}
		if !isLowerHex(f.SHA256, 64) {
			return malformed("manifest.files[%d].sha256: want 64 lowercase hex digits, got %q", i, f.SHA256)
		}
		if !isContentType(f.ContentType) {
			return malformed("manifest.files[%d].content_type: want 1 to %d printable ASCII characters, got %q", i, maxContentTypeLen, f.ContentType)
		}
	}
	return nil
}

// checkCreatedAt accepts only the one spelling FormatTime makes, of a real
// instant.
func checkCreatedAt(s string) error {
	if !createdAtPattern.MatchString(s) {
		return fmt.Errorf("%q is not RFC 3339 UTC with seconds and Z (like 2026-11-27T14:00:00Z)", s)
	}
	t, err := time.Parse(createdAtLayout, s)
	if err != nil || t.Format(createdAtLayout) != s {
		return fmt.Errorf("%q is not a valid date and time", s)
	}
	return nil
}

// isContentType accepts printable ASCII only: the platform serves it as a
// header, so it must not carry line breaks or bytes a header cannot hold.
func isContentType(s string) bool {
	if len(s) == 0 || len(s) > maxContentTypeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
