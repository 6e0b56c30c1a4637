package hotupdate

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"sort"
	"strings"
	"time"
)

// Format constants shared with every other implementation of the contract.
const (
	// AlgEd25519 is the default signature algorithm: RFC 8032 pure Ed25519,
	// small keys and deterministic signatures.
	AlgEd25519 = "ed25519"
	// AlgSM2 is the 国密 algorithm for departments that must use national
	// standards: SM2 with SM3 and the default user id (GB/T 32918, GM/T 0009).
	AlgSM2 = "sm2-sm3"
	// SchemaVersion is the only manifest schema this package reads or writes;
	// a manifest of any other schema is malformed, so that an old verifier
	// never half-understands a newer format.
	SchemaVersion = 1
)

// Default limits, the contract's defaults; a verifier may lower them.
const (
	// DefaultMaxFiles bounds the files of one bundle, which bounds the work
	// and memory of a verification.
	DefaultMaxFiles = 2000
	// DefaultMaxFileSize bounds one file (20 MiB).
	DefaultMaxFileSize int64 = 20 << 20
	// DefaultMaxTotalSize bounds the sum of the file sizes (50 MiB), what a
	// phone may have to download for one update.
	DefaultMaxTotalSize int64 = 50 << 20
)

// File is one file of a bundle. Files are stored and fetched by SHA256, so
// the manifest is all a device needs to know what to download.
type File struct {
	Path        string `json:"path"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
}

// Manifest describes a bundle; its canonical encoding is what gets hashed
// into BundleID and what gets signed. Every member is required and no other
// member is allowed (see ParseEnvelope).
type Manifest struct {
	Schema       int               `json:"schema"`
	AppID        string            `json:"app_id"`
	BundleID     string            `json:"bundle_id"`
	Version      string            `json:"version"`
	CreatedAt    string            `json:"created_at"`
	Entry        string            `json:"entry"`
	MinContainer map[string]string `json:"min_container"`
	Files        []File            `json:"files"`
}

// Signature is the detached signature of an envelope's manifest, named by
// the key that made it so that verifiers can hold several trusted keys.
type Signature struct {
	Alg   string `json:"alg"`
	KeyID string `json:"key_id"`
	Value string `json:"value"`
}

// Envelope is what `govapp publish` uploads and what the update check
// returns: the manifest and its signature, nothing else.
type Envelope struct {
	Manifest  Manifest  `json:"manifest"`
	Signature Signature `json:"signature"`
}

// Limits are the verifier's bounds on a bundle (checks 6 to 8), so that a
// signed but oversized bundle is still refused before anything is
// downloaded. A zero or negative member means its default, so the zero
// Limits is the contract's defaults rather than "nothing allowed".
type Limits struct {
	MaxFiles     int   `json:"max_files"`
	MaxFileSize  int64 `json:"max_file_size"`
	MaxTotalSize int64 `json:"max_total_size"`
}

// DefaultLimits returns the contract's default limits: 2000 files, 20 MiB a
// file, 50 MiB in all.
func DefaultLimits() Limits {
	return Limits{MaxFiles: DefaultMaxFiles, MaxFileSize: DefaultMaxFileSize, MaxTotalSize: DefaultMaxTotalSize}
}

// withDefaults fills the zero or negative members with the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = DefaultMaxFileSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = DefaultMaxTotalSize
	}
	return l
}

// BundleID returns the identity of a manifest: the lowercase hex SHA-256 of
// its canonical encoding with BundleID set to "". Files are addressed by
// their hashes and the bundle by this one, so equal content gets equal ids
// whoever builds it (CreatedAt is part of the content).
func BundleID(m Manifest) (string, error) {
	m.BundleID = ""
	b, err := Canonical(m)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// NewManifest is how a publisher makes a manifest: it hashes the files
// (path → content), records their sizes and content types, sorts them,
// stamps CreatedAt (UTC, whole seconds) and computes BundleID. It refuses
// what a verifier would refuse, apart from the verifier's Limits, so that a
// mistake shows at build time rather than on the phones; the error is a
// *VerifyError with the reason a verifier would give.
func NewManifest(appID, version, entry string, files map[string][]byte, minContainer map[string]string, createdAt time.Time) (Manifest, error) {
	m := Manifest{
		Schema:       SchemaVersion,
		AppID:        appID,
		Version:      version,
		CreatedAt:    FormatTime(createdAt),
		Entry:        entry,
		MinContainer: make(map[string]string, len(minContainer)),
		Files:        make([]File, 0, len(files)),
	}
	for k, v := range minContainer {
		m.MinContainer[k] = v
	}
	for p, content := range files {
		sum := sha256.Sum256(content)
		m.Files = append(m.Files, File{
			Path:        p,
			Size:        int64(len(content)),
			SHA256:      hex.EncodeToString(sum[:]),
			ContentType: ContentType(p),
		})
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	// Paths first, so that a bad one is named as such rather than as a
	// manifest without a canonical form.
	for _, f := range m.Files {
		if err := ValidPath(f.Path); err != nil {
			return Manifest{}, err
		}
	}
	// Then shapes: BundleID needs a canonical encoding, which needs valid
	// strings and sizes.
	if err := checkManifestShape(m, false); err != nil {
		return Manifest{}, err
	}
	id, err := BundleID(m)
	if err != nil {
		return Manifest{}, malformed("%v", err)
	}
	m.BundleID = id
	if err := checkManifest(m, Limits{}, false); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

// FormatTime formats t the way created_at wants it (RFC 3339, UTC, whole
// seconds, "Z"), so that callers building manifests by hand get the one
// accepted spelling.
func FormatTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(createdAtLayout)
}

const createdAtLayout = "2006-01-02T15:04:05Z"

// contentTypes maps lowercase extensions to the content type a bundle file
// is served with. Text types carry the charset so that a Chinese page never
// renders as mojibake when a container guesses wrong.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".htm":         "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".cjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/markdown; charset=utf-8",
	".csv":         "text/csv; charset=utf-8",
	".xml":         "text/xml; charset=utf-8",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".bmp":         "image/bmp",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".wasm":        "application/wasm",
	".mp3":         "audio/mpeg",
	".mp4":         "video/mp4",
	".webm":        "video/webm",
	".pdf":         "application/pdf",
}

// ContentType returns the content type a bundle file is served with, chosen
// by its extension (case-insensitive) so that it does not depend on the
// building machine's MIME database; anything unknown is
// "application/octet-stream".
func ContentType(p string) string {
	if ct, ok := contentTypes[strings.ToLower(path.Ext(p))]; ok {
		return ct
	}
	return "application/octet-stream"
}

// Diff tells a device or the CLI what must move between two bundles: changed
// are the files of new whose (path, sha256) pair is not in old, in new's
// order; removed are the paths of old that new no longer has, in old's order.
// A file that only moved to another path is "changed" at its new path even
// though its blob may already be stored: blob transfer goes by hash, this
// goes by path.
func Diff(old, new Manifest) (changed []File, removed []string) {
	type key struct{ path, sha string }
	had := make(map[key]bool, len(old.Files))
	for _, f := range old.Files {
		had[key{f.Path, f.SHA256}] = true
	}
	has := make(map[string]bool, len(new.Files))
	for _, f := range new.Files {
		has[f.Path] = true
		if !had[key{f.Path, f.SHA256}] {
			changed = append(changed, f)
		}
	}
	for _, f := range old.Files {
		if !has[f.Path] {
			removed = append(removed, f.Path)
		}
	}
	return changed, removed
}
