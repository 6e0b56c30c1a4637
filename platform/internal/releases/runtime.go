package releases

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sync"

	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
)

// snapshot is everything the update check of one app needs, in memory: the hottest
// endpoint of the platform answers without touching the database.
type snapshot struct {
	online   bool
	channels map[string][]*relSnap // newest first, rolled-back ones included
	bundles  map[string]*bundleSnap
	keys     []hotupdate.PublicKey
}

type relSnap struct {
	id, bundleID, status string
	bp                   int
	mandatory            bool
	regions              []string
	containers           map[string]constraint
	minContainer         map[string]version
	once                 sync.Once
	body, bodyRollback   []byte // the 200 answers, prepared on first use
	etag, etagRollback   string
}

type bundleSnap struct {
	envelope json.RawMessage
	manifest hotupdate.Manifest
	files    map[string]hotupdate.File
}

func canonicalEnvelope(env hotupdate.Envelope) ([]byte, error) {
	m, err := hotupdate.Canonical(env.Manifest)
	if err != nil {
		return nil, err
	}
	sig, err := json.Marshal(env.Signature)
	if err != nil {
		return nil, err
	}
	return []byte(`{"manifest":` + string(m) + `,"signature":` + string(sig) + `}`), nil
}

// snapshotOf returns the app's snapshot, loading it on a miss.
func (s *Service) snapshotOf(ctx context.Context, appID string) (*snapshot, error) {
	s.mu.RLock()
	snap, ok := s.cache[appID]
	gen := s.gen[appID]
	s.mu.RUnlock()
	if ok {
		return snap, nil
	}
	snap, err := s.load(ctx, appID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.gen[appID] == gen { // no invalidation raced with the load
		s.cache[appID] = snap
	}
	s.mu.Unlock()
	return snap, nil
}

// CheckResponse is the 200 answer of the update check.
type CheckResponse struct {
	ReleaseID string                `json:"release_id"`
	BundleID  string                `json:"bundle_id"`
	Mandatory bool                  `json:"mandatory"`
	Rollback  bool                  `json:"rollback"`
	Manifest  json.RawMessage       `json:"manifest"`
	Keys      []hotupdate.PublicKey `json:"keys"`
}

func (s *Service) load(ctx context.Context, appID string) (*snapshot, error) {
	a, err := s.apps.Lookup(ctx, appID)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{online: a.Status == apps.StatusOnline, channels: map[string][]*relSnap{}, bundles: map[string]*bundleSnap{}}
	keys, err := s.st.trustedKeys(ctx, s.db, a.OwnerPath())
	if err != nil {
		return nil, err
	}
	// Keys that signed bundles still served stay trusted even once retired.
	snap.keys = publicKeys(keys)
	rs, envs, err := s.st.releasesWithEnvelopes(ctx, s.db, appID)
	if err != nil {
		return nil, err
	}
	for i, r := range rs {
		b, ok := snap.bundles[r.BundleID]
		if !ok {
			raw := envs[i]
			env, err := hotupdate.ParseEnvelope([]byte(raw))
			if err != nil {
				return nil, fmt.Errorf("releases: stored bundle %s: %w", r.BundleID, err)
			}
			b = &bundleSnap{envelope: json.RawMessage(raw), manifest: env.Manifest, files: map[string]hotupdate.File{}}
			for _, f := range env.Manifest.Files {
				b.files[f.Path] = f
			}
			snap.bundles[r.BundleID] = b
			if !hasKey(snap.keys, env.Signature.KeyID) {
				if k, err := s.st.key(ctx, s.db, env.Signature.KeyID); err == nil {
					snap.keys = append(snap.keys, hotupdate.PublicKey{KeyID: k.KeyID, Alg: k.Alg, PublicKey: k.PublicKey})
				}
			}
		}
		rs := &relSnap{id: r.ID, bundleID: r.BundleID, status: r.Status, bp: r.basisPoints, mandatory: r.Mandatory, regions: r.Target.Regions}
		for kind, c := range r.Target.Containers {
			if rs.containers == nil {
				rs.containers = map[string]constraint{}
			}
			rs.containers[kind], _ = parseConstraint(c)
		}
		for kind, v := range b.manifest.MinContainer {
			if rs.minContainer == nil {
				rs.minContainer = map[string]version{}
			}
			rs.minContainer[kind], _ = parseVersion(v)
		}
		snap.channels[r.Channel] = append(snap.channels[r.Channel], rs)
	}
	return snap, nil
}

// answer returns the prepared 200 body and ETag of a release, built on first use: a province
// keeps hundreds of thousands of releases, and most are never asked for again.
func (r *relSnap) answer(snap *snapshot, rollback bool) ([]byte, string) {
	r.once.Do(func() {
		b := snap.bundles[r.bundleID]
		for _, rb := range []bool{false, true} {
			body, err := json.Marshal(CheckResponse{ReleaseID: r.id, BundleID: r.bundleID, Mandatory: r.mandatory, Rollback: rb, Manifest: b.envelope, Keys: snap.keys})
			if err != nil {
				panic(err) // only plain values and already-valid JSON: cannot fail
			}
			sum := sha256.Sum256(body)
			etag := `"` + hex.EncodeToString(sum[:12]) + `"`
			if rb {
				r.bodyRollback, r.etagRollback = body, etag
			} else {
				r.body, r.etag = body, etag
			}
		}
	})
	if rollback {
		return r.bodyRollback, r.etagRollback
	}
	return r.body, r.etag
}

func hasKey(keys []hotupdate.PublicKey, id string) bool {
	for _, k := range keys {
		if k.KeyID == id {
			return true
		}
	}
	return false
}

// CheckRequest is what a device tells the update check.
type CheckRequest struct {
	AppID            string
	Channel          string
	Bundle           string // the bundle the device runs now ("" = the embedded one)
	Container        string
	ContainerVersion string
	Device           string
	Region           string
}

// CheckResult is the answer: NoUpdate, or Body (prepared JSON) with its ETag.
type CheckResult struct {
	NoUpdate  bool
	Body      []byte
	ETag      string
	ReleaseID string
	BundleID  string
}

var reDevice = regexp.MustCompile(`^[A-Za-z0-9_-]{8,128}$`)

// Check decides which bundle the device should run (see docs/HOTUPDATE.md).
func (s *Service) Check(ctx context.Context, req CheckRequest) (CheckResult, error) {
	if req.Channel == "" {
		req.Channel = "production"
	}
	if req.Container == "" {
		req.Container = "web"
	}
	if !reDevice.MatchString(req.Device) {
		return CheckResult{}, errs.Invalid("device", "must be 8–128 letters, digits, '-' or '_' identifying this install; generate a random id once and keep it")
	}
	if !validKind(req.Container) {
		return CheckResult{}, errs.Invalid("container", "%q is not a container kind; use wechat, alipay, govapp or web", req.Container)
	}
	var cv version
	if req.ContainerVersion != "" {
		var err error
		if cv, err = parseVersion(req.ContainerVersion); err != nil {
			return CheckResult{}, errs.Invalid("container_version", "%q: %v", req.ContainerVersion, err)
		}
	}
	snap, err := s.snapshotOf(ctx, req.AppID)
	if err != nil {
		return CheckResult{}, err
	}
	list := snap.channels[req.Channel]
	var pick *relSnap
	currentBad := false
	for _, r := range list {
		if r.bundleID == req.Bundle && req.Bundle != "" && (r.status == StatusRolledBack || r.status == StatusHalted) {
			currentBad = true
		}
	}
	if snap.online || req.Channel != "production" {
		for _, r := range list {
			if r.status == StatusRolledBack {
				continue
			}
			if (r.status == StatusPaused || r.status == StatusHalted) && r.bundleID != req.Bundle {
				continue
			}
			if r.status == StatusHalted && r.bundleID == req.Bundle {
				continue // halted: nobody stays on it
			}
			if !r.matches(req, cv) {
				continue
			}
			pick = r
			break
		}
	}
	if pick == nil {
		if currentBad {
			body := []byte(`{"release_id":"","bundle_id":"","mandatory":true,"rollback":true,"manifest":null,"keys":[]}`)
			return CheckResult{Body: body, ETag: `"rollback-embedded"`}, nil
		}
		return CheckResult{NoUpdate: true}, nil
	}
	if pick.bundleID == req.Bundle {
		return CheckResult{NoUpdate: true, ReleaseID: pick.id, BundleID: pick.bundleID}, nil
	}
	body, etag := pick.answer(snap, currentBad)
	return CheckResult{Body: body, ETag: etag, ReleaseID: pick.id, BundleID: pick.bundleID}, nil
}

func (r *relSnap) matches(req CheckRequest, cv version) bool {
	if len(r.regions) > 0 {
		ok := false
		for _, t := range r.regions {
			if req.Region != "" && regionCovers(t, req.Region) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if r.containers != nil {
		c, ok := r.containers[req.Container]
		if !ok || cv == nil || !c.allows(cv) {
			return false
		}
	}
	if min, ok := r.minContainer[req.Container]; ok && (cv == nil || cv.cmp(min) < 0) {
		return false
	}
	return InCohort(r.id, req.Device, r.bp)
}

// InCohort reports whether the device falls in a release's share (basis points of 0.01 %):
// a stable hash of (release, device), so raising the share only adds devices.
func InCohort(releaseID, device string, basisPoints int) bool {
	sum := sha256.Sum256([]byte(releaseID + ":" + device))
	return int(binary.BigEndian.Uint64(sum[:8])%10000) < basisPoints
}

// File returns a file of a bundle an app serves, for the H5 path /a/{app}/b/{bundle}/{path}.
func (s *Service) File(ctx context.Context, appID, bundleID, path string) (hotupdate.File, error) {
	snap, err := s.snapshotOf(ctx, appID)
	if err != nil {
		return hotupdate.File{}, err
	}
	b, ok := snap.bundles[bundleID]
	if !ok {
		return hotupdate.File{}, fmt.Errorf("%w: %s is not a released bundle of %s", ErrBundleNotFound, bundleID, appID)
	}
	if path == "" {
		path = b.manifest.Entry
	}
	f, ok := b.files[path]
	if !ok {
		return hotupdate.File{}, fmt.Errorf("%w: bundle %s has no file %q", ErrBundleNotFound, bundleID, path)
	}
	return f, nil
}

// Entry is the entry path of a released bundle.
func (s *Service) Entry(ctx context.Context, appID, bundleID string) (string, error) {
	snap, err := s.snapshotOf(ctx, appID)
	if err != nil {
		return "", err
	}
	b, ok := snap.bundles[bundleID]
	if !ok {
		return "", fmt.Errorf("%w: %s is not a released bundle of %s", ErrBundleNotFound, bundleID, appID)
	}
	return b.manifest.Entry, nil
}

// Version is the manifest version of a released bundle (sdk-js reports it with usage
// events, for update adoption per release).
func (s *Service) Version(ctx context.Context, appID, bundleID string) (string, error) {
	snap, err := s.snapshotOf(ctx, appID)
	if err != nil {
		return "", err
	}
	b, ok := snap.bundles[bundleID]
	if !ok {
		return "", fmt.Errorf("%w: %s is not a released bundle of %s", ErrBundleNotFound, bundleID, appID)
	}
	return b.manifest.Version, nil
}

// OpenBlob opens a stored file for serving.
func (s *Service) OpenBlob(sha string) (interface {
	Read([]byte) (int, error)
	Seek(int64, int) (int64, error)
	Close() error
}, error) {
	f, err := s.blobs.Open(sha)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBundleNotFound, err)
	}
	return f, nil
}

// Report events.
var reportEvents = map[string]bool{"downloaded": true, "ready": true, "failed": true, "verify_failed": true, "rolled_back": true}

// ReportIn is a device's report about a release.
type ReportIn struct {
	AppID     string `json:"app_id"`
	ReleaseID string `json:"release_id"`
	BundleID  string `json:"bundle_id"`
	Device    string `json:"device"`
	Event     string `json:"event"`
	Reason    string `json:"reason,omitempty"`
}

// Halt rule (docs/HOTUPDATE.md): enough outcomes, enough failures, and clearly worse than
// the release it replaced.
const (
	HaltMinOutcomes = 50
	HaltMinFailures = 10
)

// Report records a device's report (once per device and event) and halts the release when
// its failures cross the rule.
func (s *Service) Report(ctx context.Context, in ReportIn) error {
	if !reDevice.MatchString(in.Device) {
		return errs.Invalid("device", "must be 8–128 letters, digits, '-' or '_'")
	}
	if !reportEvents[in.Event] {
		return errs.Invalid("event", "%q is not an event; use downloaded, ready, failed, verify_failed or rolled_back", in.Event)
	}
	if len(in.Reason) > 500 {
		in.Reason = in.Reason[:500]
	}
	r, err := s.st.release(ctx, s.db, in.ReleaseID)
	if err != nil {
		return err
	}
	if r.AppID != in.AppID || (in.BundleID != "" && r.BundleID != in.BundleID) {
		return errs.Invalid("release_id", "release %s is not of app %s and bundle %s", in.ReleaseID, in.AppID, in.BundleID)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO release_reports (release_id, device, event, reason, at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
		r.ID, in.Device, in.Event, in.Reason, db.Now()); err != nil {
		return err
	}
	if in.Event != "failed" || r.Status != StatusActive {
		return nil
	}
	return s.maybeHalt(ctx, r)
}

func rate(st ReleaseStats) float64 {
	if st.Ready+st.Failed == 0 {
		return 0
	}
	return float64(st.Failed) / float64(st.Ready+st.Failed)
}

func (s *Service) maybeHalt(ctx context.Context, r Release) error {
	st, err := s.st.stats(ctx, s.db, r.ID)
	if err != nil {
		return err
	}
	if st.Ready+st.Failed < HaltMinOutcomes || st.Failed < HaltMinFailures {
		return nil
	}
	var prev ReleaseStats
	if r.Replaces != "" {
		if prev, err = s.st.stats(ctx, s.db, r.Replaces); err != nil {
			return err
		}
	}
	fr, pr := rate(st), rate(prev)
	if fr <= 2*pr || fr <= pr+0.05 {
		return nil
	}
	a, err := s.apps.Lookup(ctx, r.AppID)
	if err != nil {
		return err
	}
	reason := fmt.Sprintf("halted automatically: %d of %d devices failed (%.1f%%) against %.1f%% for %s", st.Failed, st.Ready+st.Failed, 100*fr, 100*pr, orNone(r.Replaces))
	return s.changed(ctx, r.AppID, func(tx *sql.Tx) error {
		cur, err := s.st.release(ctx, tx, r.ID)
		if err != nil || cur.Status != StatusActive {
			return err
		}
		if err := s.st.setStatus(ctx, tx, r.ID, StatusHalted, reason, db.Now()); err != nil {
			return err
		}
		after := cur
		after.Status, after.StatusReason, after.Stats = StatusHalted, reason, st
		_, err = s.audit.Record(ctx, tx, audit.System, audit.Change{Action: "release.halt", TargetType: "release", TargetID: r.ID, NodeID: a.OwnerNode, NodePath: a.OwnerPath(), Before: cur, After: after})
		return err
	})
}

func orNone(s string) string {
	if s == "" {
		return "the embedded bundle"
	}
	return s
}

// Listen keeps the cache in step with other instances sharing a PostgreSQL database until
// ctx ends; on SQLite there are no other instances and it returns at once.
func (s *Service) Listen(ctx context.Context) error {
	if s.db.Dialect != db.Postgres {
		return nil
	}
	return s.db.Listen(ctx, NotifyChannel, func(appID string) { s.Invalidate(appID) }, s.invalidateAll)
}
