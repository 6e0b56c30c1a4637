package client

import (
	"encoding/json"
	"time"
)

// Signature algorithms of bundle signing keys (docs/HOTUPDATE.md), so callers
// need not repeat the literals; hotupdate.AlgEd25519 and hotupdate.AlgSM2 are
// the same strings.
const (
	// AlgEd25519 is RFC 8032 Ed25519, the default.
	AlgEd25519 = "ed25519"
	// AlgSM2 is SM2 with SM3 (国密), for departments that must use national
	// standards.
	AlgSM2 = "sm2-sm3"
)

// Release statuses: only active releases gain devices; paused and halted ones
// keep the devices that already run them; rolled_back ones serve nobody.
const (
	// ReleaseActive is a release being served to its cohort.
	ReleaseActive = "active"
	// ReleasePaused is a release stopped by a person: no new devices.
	ReleasePaused = "paused"
	// ReleaseHalted is a release stopped by the platform because it fails
	// clearly more often than the one it replaced.
	ReleaseHalted = "halted"
	// ReleaseRolledBack is a release taken back: devices return to the one
	// below it.
	ReleaseRolledBack = "rolled_back"
)

// Default release channels, which exist for every app.
const (
	ChannelDevelopment = "development"
	ChannelStaging     = "staging"
	ChannelProduction  = "production"
)

// SigningKey is a department's public key for bundle signatures, as the
// platform stores it. The private half never leaves the developer.
type SigningKey struct {
	KeyID     string     `json:"key_id"`     // first 16 hex of SHA-256(alg + ":" + public_key)
	Alg       string     `json:"alg"`        // AlgEd25519 or AlgSM2
	PublicKey string     `json:"public_key"` // standard base64
	NodeID    string     `json:"node_id"`    // the organisation the key signs for
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at,omitempty"` // retired keys no longer verify new bundles
}

// SigningKeyCreate is the body of POST /v1/orgs/{id}/keys.
type SigningKeyCreate struct {
	Name      string `json:"name"`
	Alg       string `json:"alg"`
	PublicKey string `json:"public_key"`
}

// BundleFile is one file of a bundle's manifest.
type BundleFile struct {
	Path        string `json:"path"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	ContentType string `json:"content_type"`
}

// Bundle is a signed, complete set of files registered for an app.
type Bundle struct {
	BundleID  string       `json:"bundle_id"`
	AppID     string       `json:"app_id"`
	Version   string       `json:"version"`
	Entry     string       `json:"entry"`
	Files     []BundleFile `json:"files"`
	Size      int64        `json:"size"` // sum of the file sizes
	KeyID     string       `json:"key_id"`
	CreatedAt time.Time    `json:"created_at"`
	CreatedBy string       `json:"created_by"`
}

// BlobStored is the reply of PUT /v1/apps/{id}/blobs/{sha256}.
type BlobStored struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Created is false when the platform had the file already (HTTP 200
	// rather than 201), e.g. when another upload raced this one.
	Created bool `json:"-"`
}

// Channel is a named line of releases (development, staging, production, …).
type Channel struct {
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Target limits a release beyond its rollout share.
type Target struct {
	// Regions are GB/T 2260 codes; a device matches when its region is in
	// one's subtree.
	Regions []string `json:"regions,omitempty"`
	// Containers maps a container kind to a constraint such as ">=3.2.0".
	Containers map[string]string `json:"containers,omitempty"`
}

// ReleaseCreate is the body of POST /v1/apps/{id}/releases.
type ReleaseCreate struct {
	BundleID  string  `json:"bundle_id"`
	Channel   string  `json:"channel"`
	Percent   float64 `json:"percent"` // 0.01–100 in steps of 0.01
	Mandatory bool    `json:"mandatory,omitempty"`
	Notes     string  `json:"notes,omitempty"`
	Target    *Target `json:"target,omitempty"`
}

// ReleaseStats counts the distinct devices that reported on a release.
type ReleaseStats struct {
	Devices int `json:"devices"`
	Ready   int `json:"ready"`
	Failed  int `json:"failed"`
}

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
	Status       string       `json:"status"` // ReleaseActive, ReleasePaused, ReleaseHalted, ReleaseRolledBack
	StatusReason string       `json:"status_reason,omitempty"`
	Replaces     string       `json:"replaces,omitempty"` // the release this one replaced on its channel, when the server says
	CreatedBy    string       `json:"created_by"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
	Stats        ReleaseStats `json:"stats"`
}

// Promote is the body of POST /v1/apps/{id}/promote: put the head release of
// From (or ReleaseID) on To.
type Promote struct {
	From      string `json:"from"`
	To        string `json:"to"`
	ReleaseID string `json:"release_id,omitempty"`
}

// UpdateQuery is what a device sends with an update check.
type UpdateQuery struct {
	AppID            string
	Channel          string // default production on the server
	Bundle           string // bundle ID the device runs now
	Container        string // wechat, alipay, govapp or web
	ContainerVersion string
	Device           string // stable device ID, which fixes the device's cohort
	Region           string // GB/T 2260 code
	// IfNoneMatch is the ETag of the previous 200 answer; an unchanged
	// answer is then a 304 without a body.
	IfNoneMatch string
}

// UpdateCheck is the answer to an update check. Status tells the three
// cases apart: 200 (the other fields are set), 204 (the device already runs
// the answer) and 304 (unchanged since IfNoneMatch).
type UpdateCheck struct {
	Status    int             `json:"-"`
	ETag      string          `json:"-"`
	ReleaseID string          `json:"release_id"`
	BundleID  string          `json:"bundle_id"`
	Mandatory bool            `json:"mandatory"`
	Rollback  bool            `json:"rollback"`
	Manifest  json.RawMessage `json:"manifest"` // the signed envelope, as sent; null when going back to the embedded bundle
	Keys      []SigningKey    `json:"keys"`
}

// DeviceReport is the body of POST /v1/runtime/reports: what happened to a
// release on one device.
type DeviceReport struct {
	AppID     string `json:"app_id"`
	ReleaseID string `json:"release_id"`
	BundleID  string `json:"bundle_id"`
	Device    string `json:"device"`
	Event     string `json:"event"` // downloaded, ready, failed, verify_failed, rolled_back
	Reason    string `json:"reason,omitempty"`
}
