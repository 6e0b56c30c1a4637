// Package releases puts signed bundles on channels and decides, for every app launch of
// every citizen, which bundle that device should run: staged rollout by stable cohorts,
// targeting by region and container, pause, instant rollback, promotion between channels
// and an automatic halt when a release fails clearly more often than the one it replaced.
package releases

import (
	"errors"
	"time"

	"github.com/govapp/govapp/hotupdate"
)

// SigningKey is a department's public key for bundle signatures.
type SigningKey struct {
	KeyID     string     `json:"key_id"`
	Alg       string     `json:"alg"`
	PublicKey string     `json:"public_key"`
	NodeID    string     `json:"node_id"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
	nodePath  string
}

// KeyCreate registers a public key; the private key stays with the developer.
type KeyCreate struct {
	Name      string `json:"name"`
	Alg       string `json:"alg"`
	PublicKey string `json:"public_key"`
}

// Bundle is a verified, complete set of files for an app.
type Bundle struct {
	BundleID  string           `json:"bundle_id"`
	AppID     string           `json:"app_id"`
	Version   string           `json:"version"`
	Entry     string           `json:"entry"`
	Files     []hotupdate.File `json:"files"`
	Size      int64            `json:"size"`
	KeyID     string           `json:"key_id"`
	CreatedAt time.Time        `json:"created_at"`
	CreatedBy string           `json:"created_by"`
}

// Channel is a named line of releases (development, staging, production, …).
type Channel struct {
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// ChannelCreate names a new channel.
type ChannelCreate struct {
	Name string `json:"name"`
}

// DefaultChannels exist for every app.
var DefaultChannels = []string{"development", "staging", "production"}

// Target limits a release beyond its percentage.
type Target struct {
	// Regions are GB/T 2260 codes; a device matches when its region lies in one's subtree.
	Regions []string `json:"regions,omitempty"`
	// Containers maps a container kind to a version constraint such as ">=3.2.0"; kinds not
	// listed do not get the release when the map is non-empty.
	Containers map[string]string `json:"containers,omitempty"`
}

// Release statuses.
const (
	StatusPendingReview = "pending_review"
	StatusActive        = "active"
	StatusPaused        = "paused"
	StatusHalted        = "halted"
	StatusRolledBack    = "rolled_back"
)

// Release is a bundle on a channel with a rollout share.
type Release struct {
	ID           string       `json:"id"`
	AppID        string       `json:"app_id"`
	Channel      string       `json:"channel"`
	BundleID     string       `json:"bundle_id"`
	Version      string       `json:"version"`
	Percent      float64      `json:"percent"`
	Mandatory    bool         `json:"mandatory"`
	Notes        string       `json:"notes"`
	Target       Target       `json:"target"`
	Status       string       `json:"status"`
	StatusReason string       `json:"status_reason,omitempty"`
	Replaces     string       `json:"replaces,omitempty"`
	CreatedBy    string       `json:"created_by"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
	Stats        ReleaseStats `json:"stats"`
	basisPoints  int
}

// ReleaseStats counts distinct devices per outcome.
type ReleaseStats struct {
	Devices int `json:"devices"`
	Ready   int `json:"ready"`
	Failed  int `json:"failed"`
}

// ReleaseCreate puts a bundle on a channel.
type ReleaseCreate struct {
	BundleID  string  `json:"bundle_id"`
	Channel   string  `json:"channel"`
	Percent   float64 `json:"percent"`
	Mandatory bool    `json:"mandatory,omitempty"`
	Notes     string  `json:"notes,omitempty"`
	Target    *Target `json:"target,omitempty"`
}

// Review policies: whether production releases need a reviewer.
const (
	ReviewFirst  = "first" // the app's first production release only (default)
	ReviewAlways = "always"
	ReviewNever  = "never"
)

// Policy is an app's release review policy.
type Policy struct {
	Review string `json:"review"`
}

// Domain errors.
var (
	ErrKeyNotFound     = errors.New("signing key not found")
	ErrKeyExists       = errors.New("signing key already registered")
	ErrBundleInvalid   = errors.New("bundle refused")
	ErrBundleNotFound  = errors.New("bundle not found")
	ErrBlobsMissing    = errors.New("bundle files missing")
	ErrChannelNotFound = errors.New("channel not found")
	ErrChannelExists   = errors.New("channel exists")
	ErrReleaseNotFound = errors.New("release not found")
	ErrReleaseState    = errors.New("release state does not allow this")
	ErrAppNotOnline    = errors.New("app not online")
)
