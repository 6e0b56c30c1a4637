package releases

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"sync"

	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/blob"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// Service is the releases API for the HTTP layer.
type Service struct {
	db     *db.DB
	st     store
	ids    *identity.Service
	apps   *apps.Service
	audit  *audit.Store
	blobs  *blob.Local
	limits hotupdate.Limits

	mu    sync.RWMutex
	cache map[string]*snapshot // app id -> what devices of that app are served
	gen   map[string]uint64    // app id -> invalidation count, so a slow load cannot install stale data
	// notify tells other instances sharing the database that an app's releases changed.
	notify func(ctx context.Context, q db.Querier, appID string) error
}

// NotifyChannel is the PostgreSQL LISTEN/NOTIFY channel for release changes.
const NotifyChannel = "govapp_releases"

// NewService migrates the releases tables and returns the service.
func NewService(ctx context.Context, d *db.DB, ids *identity.Service, reg *apps.Service, a *audit.Store, blobs *blob.Local) (*Service, error) {
	if err := d.Migrate(ctx, "releases", migrations); err != nil {
		return nil, err
	}
	s := &Service{db: d, st: store{db: d}, ids: ids, apps: reg, audit: a, blobs: blobs, limits: hotupdate.DefaultLimits(),
		cache: map[string]*snapshot{}, gen: map[string]uint64{}}
	s.notify = func(ctx context.Context, q db.Querier, appID string) error {
		if d.Dialect != db.Postgres {
			return nil
		}
		_, err := q.ExecContext(ctx, `SELECT pg_notify($1, $2)`, NotifyChannel, appID)
		return err
	}
	return s, nil
}

// Invalidate drops the cached runtime state of an app (called on local changes and on
// notifications from other instances).
func (s *Service) Invalidate(appID string) {
	s.mu.Lock()
	delete(s.cache, appID)
	s.gen[appID]++
	s.mu.Unlock()
}

// changed runs fn in a transaction, notifies other instances in the same transaction (so
// they hear of it only once it is committed) and invalidates the local cache afterwards.
func (s *Service) changed(ctx context.Context, appID string, fn func(tx *sql.Tx) error) error {
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return s.notify(ctx, tx, appID)
	})
	s.Invalidate(appID)
	return err
}

func newID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// ---- signing keys ----

// ListKeys lists the keys registered on a node.
func (s *Service) ListKeys(ctx context.Context, p *identity.Principal, nodeID string) ([]SigningKey, error) {
	n, err := s.ids.GetNode(ctx, p, nodeID)
	if err != nil {
		return nil, err
	}
	return s.st.keys(ctx, s.db, `node_id = $1`, n.ID)
}

// CreateKey registers a department's public key.
func (s *Service) CreateKey(ctx context.Context, p *identity.Principal, nodeID string, in KeyCreate) (SigningKey, error) {
	if err := identity.ValidNodeID("node_id", nodeID); err != nil {
		return SigningKey{}, err
	}
	n, err := s.ids.Node(ctx, nodeID)
	if err != nil {
		return SigningKey{}, err
	}
	if err := p.Require(identity.PermAppPublish, n.Path, "organisation "+n.ID); err != nil {
		return SigningKey{}, err
	}
	name, err := identity.ValidName("name", in.Name, identity.MaxNameLen)
	if err != nil {
		return SigningKey{}, err
	}
	raw, err := base64.StdEncoding.DecodeString(in.PublicKey)
	switch {
	case in.Alg != hotupdate.AlgEd25519 && in.Alg != hotupdate.AlgSM2:
		return SigningKey{}, errs.Invalid("alg", "%q is not a signature algorithm; use ed25519 or sm2-sm3 (国密)", in.Alg)
	case err != nil:
		return SigningKey{}, errs.Invalid("public_key", "is not standard base64")
	case in.Alg == hotupdate.AlgEd25519 && len(raw) != 32:
		return SigningKey{}, errs.Invalid("public_key", "an ed25519 public key has 32 bytes, this one %d", len(raw))
	case in.Alg == hotupdate.AlgSM2 && (len(raw) != 65 || raw[0] != 4):
		return SigningKey{}, errs.Invalid("public_key", "an sm2 public key is the uncompressed point 04‖X‖Y (65 bytes)")
	}
	k := SigningKey{KeyID: hotupdate.KeyID(in.Alg, in.PublicKey), Alg: in.Alg, PublicKey: in.PublicKey, NodeID: n.ID, Name: name, CreatedAt: db.Now(), nodePath: n.Path}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (key_id, alg, public_key, node_id, node_path, name, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			k.KeyID, k.Alg, k.PublicKey, k.NodeID, n.Path, k.Name, p.User.ID, k.CreatedAt); err != nil {
			if db.IsUniqueViolation(err) {
				return fmt.Errorf("%w: key %s is already registered; generate a new key pair", ErrKeyExists, k.KeyID)
			}
			return err
		}
		_, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "key.create", TargetType: "signing_key", TargetID: k.KeyID, NodeID: n.ID, NodePath: n.Path, After: k})
		return err
	})
	if err != nil {
		return SigningKey{}, err
	}
	s.invalidateAll()
	return k, nil
}

// RetireKey stops a key from verifying new bundles (bundles already accepted stay valid).
func (s *Service) RetireKey(ctx context.Context, p *identity.Principal, keyID string) (SigningKey, error) {
	var out SigningKey
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		k, err := s.st.key(ctx, tx, keyID)
		if err != nil {
			return err
		}
		if err := p.Require(identity.PermAppPublish, k.nodePath, "organisation "+k.NodeID); err != nil {
			return err
		}
		if k.RetiredAt != nil {
			out = k
			return nil
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE signing_keys SET retired_at = $1 WHERE key_id = $2`, now, keyID); err != nil {
			return err
		}
		out = k
		out.RetiredAt = &now
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "key.retire", TargetType: "signing_key", TargetID: keyID, NodeID: k.NodeID, NodePath: k.nodePath, Before: k, After: out})
		return err
	})
	s.invalidateAll()
	return out, err
}

func (s *Service) invalidateAll() {
	s.mu.Lock()
	for id := range s.cache {
		delete(s.cache, id)
		s.gen[id]++
	}
	s.mu.Unlock()
}

// ---- blobs and bundles ----

// appFor loads an app and checks perm on its owner.
func (s *Service) appFor(ctx context.Context, p *identity.Principal, appID, perm string) (apps.App, error) {
	a, err := s.apps.Lookup(ctx, appID)
	if err != nil {
		return apps.App{}, err
	}
	if perm == "" {
		if !p.CanAny(a.OwnerPath()) {
			return apps.App{}, &identity.ForbiddenError{What: "app " + appID + "'s department"}
		}
		return a, nil
	}
	return a, p.Require(perm, a.OwnerPath(), "app "+appID+"'s department")
}

// MaxHashesPerQuery bounds one missing-blobs question.
const MaxHashesPerQuery = 5000

// MissingBlobs answers which of the hashes the platform does not hold yet, so a publish
// uploads only new files.
func (s *Service) MissingBlobs(ctx context.Context, p *identity.Principal, appID string, hashes []string) ([]string, error) {
	if _, err := s.appFor(ctx, p, appID, identity.PermAppPublish); err != nil {
		return nil, err
	}
	if len(hashes) > MaxHashesPerQuery {
		return nil, errs.Invalid("hashes", "has %d entries; ask at most %d at a time", len(hashes), MaxHashesPerQuery)
	}
	missing := []string{}
	for i, h := range hashes {
		if !blob.ValidHash(h) {
			return nil, errs.Invalid(fmt.Sprintf("hashes[%d]", i), "%q is not a lowercase hex SHA-256", h)
		}
		if !s.blobs.Has(h) {
			missing = append(missing, h)
		}
	}
	return missing, nil
}

// PutBlob stores one file; the body must hash to sha.
func (s *Service) PutBlob(ctx context.Context, p *identity.Principal, appID, sha string, body io.Reader) (int64, bool, error) {
	if _, err := s.appFor(ctx, p, appID, identity.PermAppPublish); err != nil {
		return 0, false, err
	}
	if !blob.ValidHash(sha) {
		return 0, false, errs.Invalid("sha256", "%q is not a lowercase hex SHA-256", sha)
	}
	n, created, err := s.blobs.Put(sha, body, s.limits.MaxFileSize)
	switch {
	case errors.Is(err, blob.ErrMismatch):
		return 0, false, fmt.Errorf("%w: %v; upload the file whose SHA-256 is in the URL", ErrBundleInvalid, err)
	case errors.Is(err, blob.ErrTooLarge):
		return 0, false, fmt.Errorf("%w: file_too_large: a file may have at most %d bytes", ErrBundleInvalid, s.limits.MaxFileSize)
	case err != nil:
		return 0, false, err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO blobs (sha256, size, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, sha, n, db.Now()); err != nil {
		return 0, false, err
	}
	return n, created, nil
}

// CreateBundle verifies a signed envelope against the department's keys and records the
// bundle once every file is stored: a bundle exists only complete and verified.
func (s *Service) CreateBundle(ctx context.Context, p *identity.Principal, appID string, raw []byte) (Bundle, bool, error) {
	a, err := s.appFor(ctx, p, appID, identity.PermAppPublish)
	if err != nil {
		return Bundle{}, false, err
	}
	keys, err := s.st.trustedKeys(ctx, s.db, a.OwnerPath())
	if err != nil {
		return Bundle{}, false, err
	}
	env, err := hotupdate.VerifyBundle(raw, publicKeys(keys), s.limits, nil)
	if err != nil {
		if hotupdate.Reason(err) == hotupdate.ReasonUnknownKey {
			return Bundle{}, false, fmt.Errorf("%w: %v; sign with a key registered for %s or a parent organisation (`govapp keys create --org %s`)", ErrBundleInvalid, err, a.OwnerNode, a.OwnerNode)
		}
		return Bundle{}, false, fmt.Errorf("%w: %v", ErrBundleInvalid, err)
	}
	m := env.Manifest
	if m.AppID != appID {
		return Bundle{}, false, fmt.Errorf("%w: the manifest is for app %q, not %q", ErrBundleInvalid, m.AppID, appID)
	}
	var missing []string
	var size int64
	for _, f := range m.Files {
		size += f.Size
		if !s.blobs.Has(f.SHA256) {
			missing = append(missing, f.Path)
		}
	}
	if len(missing) > 0 {
		return Bundle{}, false, fmt.Errorf("%w: %d file(s) not uploaded yet, e.g. %s; upload them (PUT /v1/apps/%s/blobs/{sha256}) and retry", ErrBlobsMissing, len(missing), missing[0], appID)
	}
	canon, err := canonicalEnvelope(env)
	if err != nil {
		return Bundle{}, false, err
	}
	b := Bundle{BundleID: m.BundleID, AppID: appID, Version: m.Version, Entry: m.Entry, Files: m.Files, Size: size, KeyID: env.Signature.KeyID, CreatedAt: db.Now(), CreatedBy: p.User.ID}
	created := true
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM bundles WHERE bundle_id = $1`, b.BundleID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			created = false
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bundles (bundle_id, app_id, version, entry, envelope, size, key_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			b.BundleID, b.AppID, b.Version, b.Entry, string(canon), b.Size, b.KeyID, b.CreatedBy, b.CreatedAt); err != nil {
			return err
		}
		_, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "bundle.create", TargetType: "bundle", TargetID: b.BundleID, NodeID: a.OwnerNode, NodePath: a.OwnerPath(),
			After: map[string]any{"app_id": appID, "version": b.Version, "files": len(b.Files), "size": b.Size, "key_id": b.KeyID}})
		return err
	})
	if err != nil {
		return Bundle{}, false, err
	}
	if !created {
		b, err = s.bundle(ctx, b.BundleID)
	}
	return b, created, err
}

func publicKeys(keys []SigningKey) []hotupdate.PublicKey {
	out := make([]hotupdate.PublicKey, len(keys))
	for i, k := range keys {
		out[i] = hotupdate.PublicKey{KeyID: k.KeyID, Alg: k.Alg, PublicKey: k.PublicKey}
	}
	return out
}

func (s *Service) bundle(ctx context.Context, id string) (Bundle, error) {
	bs, err := s.bundles(ctx, `bundle_id = $1`, id)
	if err != nil {
		return Bundle{}, err
	}
	if len(bs) == 0 {
		return Bundle{}, fmt.Errorf("%w: %q", ErrBundleNotFound, id)
	}
	return bs[0], nil
}

func (s *Service) bundles(ctx context.Context, where string, args ...any) ([]Bundle, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT bundle_id, app_id, version, entry, envelope, size, key_id, created_by, created_at FROM bundles WHERE `+where+` ORDER BY created_at DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Bundle{}
	for rows.Next() {
		var b Bundle
		var env string
		if err := rows.Scan(&b.BundleID, &b.AppID, &b.Version, &b.Entry, &env, &b.Size, &b.KeyID, &b.CreatedBy, &b.CreatedAt); err != nil {
			return nil, err
		}
		e, err := hotupdate.ParseEnvelope([]byte(env))
		if err != nil {
			return nil, fmt.Errorf("releases: stored bundle %s does not parse: %w", b.BundleID, err)
		}
		b.Files, b.CreatedAt = e.Manifest.Files, b.CreatedAt.UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// ListBundles lists an app's bundles, newest first.
func (s *Service) ListBundles(ctx context.Context, p *identity.Principal, appID string) ([]Bundle, error) {
	if _, err := s.appFor(ctx, p, appID, ""); err != nil {
		return nil, err
	}
	return s.bundles(ctx, `app_id = $1`, appID)
}

// ---- channels ----

var reChannel = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)

// ListChannels lists an app's channels (the defaults exist from the first call on).
func (s *Service) ListChannels(ctx context.Context, p *identity.Principal, appID string) ([]Channel, error) {
	if _, err := s.appFor(ctx, p, appID, ""); err != nil {
		return nil, err
	}
	if err := s.st.ensureChannels(ctx, s.db, appID); err != nil {
		return nil, err
	}
	return s.st.channels(ctx, s.db, appID)
}

// CreateChannel adds a channel, e.g. "beta" or "pilot-fuyang".
func (s *Service) CreateChannel(ctx context.Context, p *identity.Principal, appID string, in ChannelCreate) (Channel, error) {
	a, err := s.appFor(ctx, p, appID, identity.PermAppPublish)
	if err != nil {
		return Channel{}, err
	}
	if !reChannel.MatchString(in.Name) {
		return Channel{}, errs.Invalid("name", "%q is not a channel name; use 2–32 lowercase letters, digits or '-'", in.Name)
	}
	c := Channel{Name: in.Name, CreatedAt: db.Now()}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		if err := s.st.ensureChannels(ctx, tx, appID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO channels (app_id, name, created_at) VALUES ($1, $2, $3)`, appID, c.Name, c.CreatedAt); err != nil {
			if db.IsUniqueViolation(err) {
				return fmt.Errorf("%w: app %s already has a channel %q", ErrChannelExists, appID, c.Name)
			}
			return err
		}
		_, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "channel.create", TargetType: "channel", TargetID: appID + "/" + c.Name, NodeID: a.OwnerNode, NodePath: a.OwnerPath(), After: c})
		return err
	})
	return c, err
}

func (s *Service) requireChannel(ctx context.Context, q db.Querier, appID, name string) error {
	if err := s.st.ensureChannels(ctx, q, appID); err != nil {
		return err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM channels WHERE app_id = $1 AND name = $2`, appID, name).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: app %s has no channel %q; create it or use development, staging or production", ErrChannelNotFound, appID, name)
	}
	return nil
}

// ---- releases ----

// percentToBP converts a share in percent (0.01 steps) to basis points of a hundredth.
func percentToBP(field string, pct float64) (int, error) {
	bp := math.Round(pct * 100)
	if math.IsNaN(pct) || bp < 1 || bp > 10000 || math.Abs(bp-pct*100) > 1e-6 {
		return 0, errs.Invalid(field, "%v is not a rollout share; use 0.01 to 100 in steps of 0.01", pct)
	}
	return int(bp), nil
}

// CreateRelease puts a bundle on a channel. The release replaces the channel's current head
// for the devices in its cohort; production needs the app online and, per the app's
// policy, a reviewer's approval.
func (s *Service) CreateRelease(ctx context.Context, p *identity.Principal, appID string, in ReleaseCreate) (Release, error) {
	a, err := s.appFor(ctx, p, appID, identity.PermAppPublish)
	if err != nil {
		return Release{}, err
	}
	if in.Channel == "" {
		in.Channel = "production"
	}
	bp, err := percentToBP("percent", in.Percent)
	if err != nil {
		return Release{}, err
	}
	if n := len([]rune(in.Notes)); n > 2000 {
		return Release{}, errs.Invalid("notes", "is %d characters long; at most 2000 are allowed", n)
	}
	target := Target{}
	if in.Target != nil {
		if target, err = s.validTarget(ctx, *in.Target); err != nil {
			return Release{}, err
		}
	}
	if in.Channel == "production" && a.Status != apps.StatusOnline {
		return Release{}, fmt.Errorf("%w: app %s is %s; production releases need it online (submit it for review first)", ErrAppNotOnline, appID, a.Status)
	}
	now := db.Now()
	r := Release{ID: newID("r-"), AppID: appID, Channel: in.Channel, BundleID: in.BundleID, basisPoints: bp, Percent: float64(bp) / 100,
		Mandatory: in.Mandatory, Notes: strings.TrimSpace(in.Notes), Target: target, Status: StatusActive, CreatedBy: p.User.ID, CreatedAt: now, UpdatedAt: now}
	err = s.changed(ctx, appID, func(tx *sql.Tx) error {
		if err := s.requireChannel(ctx, tx, appID, r.Channel); err != nil {
			return err
		}
		_, bundleApp, err := s.st.bundleEnvelope(ctx, tx, r.BundleID)
		if err != nil {
			return err
		}
		if bundleApp != appID {
			return fmt.Errorf("%w: bundle %s belongs to app %s", ErrBundleNotFound, r.BundleID, bundleApp)
		}
		if r.Channel == "production" {
			policy, err := s.st.policy(ctx, tx, appID)
			if err != nil {
				return err
			}
			var prior int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM releases WHERE app_id = $1 AND channel = 'production' AND status <> 'pending_review'`, appID).Scan(&prior); err != nil {
				return err
			}
			if policy == ReviewAlways || (policy == ReviewFirst && prior == 0) {
				r.Status, r.StatusReason = StatusPendingReview, "the "+policy+" production release needs a reviewer's approval"
			}
		}
		head, err := s.head(ctx, tx, appID, r.Channel)
		if err != nil {
			return err
		}
		r.Replaces = head
		if err := s.st.insertRelease(ctx, tx, r); err != nil {
			return err
		}
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "release.create", TargetType: "release", TargetID: r.ID, NodeID: a.OwnerNode, NodePath: a.OwnerPath(), After: r})
		return err
	})
	if err != nil {
		return Release{}, err
	}
	return s.st.release(ctx, s.db, r.ID)
}

// head is the newest release devices may currently get on a channel ("" when none).
func (s *Service) head(ctx context.Context, q db.Querier, appID, channel string) (string, error) {
	var id string
	err := q.QueryRowContext(ctx, `SELECT id FROM releases WHERE app_id = $1 AND channel = $2 AND status IN ('active', 'paused', 'halted') ORDER BY created_at DESC, id DESC LIMIT 1`, appID, channel).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

func (s *Service) validTarget(ctx context.Context, t Target) (Target, error) {
	out := Target{}
	for i, code := range t.Regions {
		f := fmt.Sprintf("target.regions[%d]", i)
		if err := identity.ValidRegionCode(f, code); err != nil {
			return Target{}, err
		}
		if n, err := s.ids.Node(ctx, code); err != nil || !n.IsRegion() {
			return Target{}, errs.Invalid(f, "%s is not a region of this platform's tree", code)
		}
		out.Regions = append(out.Regions, code)
	}
	for kind, c := range t.Containers {
		if !validKind(kind) {
			return Target{}, errs.Invalid("target.containers", "%q is not a container kind; use wechat, alipay, govapp or web", kind)
		}
		if _, err := parseConstraint(c); err != nil {
			return Target{}, errs.Invalid("target.containers."+kind, "%q: %v", c, err)
		}
		if out.Containers == nil {
			out.Containers = map[string]string{}
		}
		out.Containers[kind] = c
	}
	return out, nil
}

// ListReleases lists an app's releases, newest first, with their report counts.
func (s *Service) ListReleases(ctx context.Context, p *identity.Principal, appID, channel string) ([]Release, error) {
	if _, err := s.appFor(ctx, p, appID, ""); err != nil {
		return nil, err
	}
	where, args := `r.app_id = $1`, []any{appID}
	if channel != "" {
		where, args = where+` AND r.channel = $2`, append(args, channel)
	}
	rs, err := s.st.releases(ctx, s.db, where, args...)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if rs[i].Stats, err = s.st.stats(ctx, s.db, rs[i].ID); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// GetRelease returns one release with its report counts.
func (s *Service) GetRelease(ctx context.Context, p *identity.Principal, id string) (Release, error) {
	r, err := s.st.release(ctx, s.db, id)
	if err != nil {
		return Release{}, err
	}
	if _, err := s.appFor(ctx, p, r.AppID, ""); err != nil {
		return Release{}, err
	}
	r.Stats, err = s.st.stats(ctx, s.db, id)
	return r, err
}

// update applies a change to one release under app.publish (or app.review for approve).
func (s *Service) update(ctx context.Context, p *identity.Principal, id, perm, action string, fn func(r *Release) error) (Release, error) {
	r, err := s.st.release(ctx, s.db, id)
	if err != nil {
		return Release{}, err
	}
	a, err := s.appFor(ctx, p, r.AppID, perm)
	if err != nil {
		return Release{}, err
	}
	err = s.changed(ctx, r.AppID, func(tx *sql.Tx) error {
		before, err := s.st.release(ctx, tx, id)
		if err != nil {
			return err
		}
		after := before
		if err := fn(&after); err != nil {
			return err
		}
		after.UpdatedAt = db.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE releases SET basis_points = $2, status = $3, status_reason = $4, updated_at = $5 WHERE id = $1`,
			id, after.basisPoints, after.Status, after.StatusReason, after.UpdatedAt); err != nil {
			return err
		}
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "release." + action, TargetType: "release", TargetID: id, NodeID: a.OwnerNode, NodePath: a.OwnerPath(), Before: before, After: after})
		return err
	})
	if err != nil {
		return Release{}, err
	}
	return s.GetRelease(ctx, p, id)
}

// SetRollout changes a release's share; raising only adds devices, lowering only removes.
func (s *Service) SetRollout(ctx context.Context, p *identity.Principal, id string, percent float64) (Release, error) {
	bp, err := percentToBP("percent", percent)
	if err != nil {
		return Release{}, err
	}
	return s.update(ctx, p, id, identity.PermAppPublish, "rollout", func(r *Release) error {
		if r.Status == StatusRolledBack {
			return fmt.Errorf("%w: release %s was rolled back; publish or promote a new release instead", ErrReleaseState, r.ID)
		}
		r.basisPoints, r.Percent = bp, float64(bp)/100
		return nil
	})
}

// Pause stops a release from reaching more devices; devices already on it keep it.
func (s *Service) Pause(ctx context.Context, p *identity.Principal, id string) (Release, error) {
	return s.update(ctx, p, id, identity.PermAppPublish, "pause", func(r *Release) error {
		if r.Status != StatusActive {
			return fmt.Errorf("%w: release %s is %s; only an active release can be paused", ErrReleaseState, r.ID, r.Status)
		}
		r.Status, r.StatusReason = StatusPaused, "paused by "+p.User.Name
		return nil
	})
}

// Resume continues a paused or halted release.
func (s *Service) Resume(ctx context.Context, p *identity.Principal, id string) (Release, error) {
	return s.update(ctx, p, id, identity.PermAppPublish, "resume", func(r *Release) error {
		if r.Status != StatusPaused && r.Status != StatusHalted {
			return fmt.Errorf("%w: release %s is %s; only a paused or halted release can resume", ErrReleaseState, r.ID, r.Status)
		}
		r.Status, r.StatusReason = StatusActive, ""
		return nil
	})
}

// Approve lets a production release that waits for review go out. The reviewer may not be
// its author nor belong to the owning department.
func (s *Service) Approve(ctx context.Context, p *identity.Principal, id string) (Release, error) {
	return s.update(ctx, p, id, identity.PermAppReview, "approve", func(r *Release) error {
		if r.Status != StatusPendingReview {
			return fmt.Errorf("%w: release %s is %s, not waiting for review", ErrReleaseState, r.ID, r.Status)
		}
		a, err := s.apps.Lookup(ctx, r.AppID)
		if err != nil {
			return err
		}
		if r.CreatedBy == p.User.ID || strings.HasPrefix(p.HomePath, a.OwnerPath()) {
			return fmt.Errorf("%w: a reviewer from outside the owning department must approve release %s", apps.ErrSelfReview, r.ID)
		}
		r.Status, r.StatusReason = StatusActive, "approved by "+p.User.Name
		return nil
	})
}

// Rollback moves the channel's pointer back: the head (or every release newer than `to`)
// is marked rolled back, and the next update check answers the release below.
func (s *Service) Rollback(ctx context.Context, p *identity.Principal, appID, channel, to string) (Release, error) {
	a, err := s.appFor(ctx, p, appID, identity.PermAppPublish)
	if err != nil {
		return Release{}, err
	}
	var now string
	err = s.changed(ctx, appID, func(tx *sql.Tx) error {
		if err := s.requireChannel(ctx, tx, appID, channel); err != nil {
			return err
		}
		live, err := s.st.releases(ctx, tx, `r.app_id = $1 AND r.channel = $2 AND r.status IN ('active', 'paused', 'halted')`, appID, channel)
		if err != nil {
			return err
		}
		if len(live) == 0 {
			return fmt.Errorf("%w: channel %s of app %s has no release to roll back", ErrReleaseState, channel, appID)
		}
		var undo []Release
		if to == "" {
			undo = live[:1]
			if len(live) > 1 {
				now = live[1].ID
			}
		} else {
			found := false
			for _, r := range live {
				if r.ID == to {
					found = true
					break
				}
				undo = append(undo, r)
			}
			if !found {
				return fmt.Errorf("%w: %s is not a live release of channel %s; see `govapp releases list`", ErrReleaseNotFound, to, channel)
			}
			now = to
		}
		at := db.Now()
		for _, r := range undo {
			if err := s.st.setStatus(ctx, tx, r.ID, StatusRolledBack, "rolled back by "+p.User.Name, at); err != nil {
				return err
			}
			after := r
			after.Status = StatusRolledBack
			if _, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "release.rollback", TargetType: "release", TargetID: r.ID, NodeID: a.OwnerNode, NodePath: a.OwnerPath(), Before: r, After: after}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Release{}, err
	}
	if now == "" {
		// The rollback happened; there is just nothing left to serve on this channel.
		return Release{AppID: appID, Channel: channel, Target: Target{},
			StatusReason: "no release left on channel " + channel + "; devices go back to their embedded bundle"}, nil
	}
	return s.GetRelease(ctx, p, now)
}

// PromoteRequest copies a release to another channel.
type PromoteRequest struct {
	From      string `json:"from"`
	To        string `json:"to"`
	ReleaseID string `json:"release_id,omitempty"`
}

// Promote publishes the bundle of a release (default: the head of `from`) on `to`, at 100 %.
func (s *Service) Promote(ctx context.Context, p *identity.Principal, appID string, in PromoteRequest) (Release, error) {
	if in.From == "" || in.To == "" || in.From == in.To {
		return Release{}, errs.Invalid("to", "name two different channels, e.g. from staging to production")
	}
	id := in.ReleaseID
	if id == "" {
		if err := s.requireChannel(ctx, s.db, appID, in.From); err != nil {
			return Release{}, err
		}
		h, err := s.head(ctx, s.db, appID, in.From)
		if err != nil {
			return Release{}, err
		}
		if h == "" {
			return Release{}, fmt.Errorf("%w: channel %s has no live release to promote", ErrReleaseState, in.From)
		}
		id = h
	}
	src, err := s.st.release(ctx, s.db, id)
	if err != nil {
		return Release{}, err
	}
	if src.AppID != appID || src.Channel != in.From {
		return Release{}, fmt.Errorf("%w: %s is not a release of %s on %s", ErrReleaseNotFound, id, appID, in.From)
	}
	t := src.Target
	return s.CreateRelease(ctx, p, appID, ReleaseCreate{BundleID: src.BundleID, Channel: in.To, Percent: 100, Mandatory: src.Mandatory,
		Notes: strings.TrimSpace("promoted from " + in.From + " (" + src.ID + "). " + src.Notes), Target: &t})
}

// SetPolicy sets an app's release review policy (platform reviewers decide it).
func (s *Service) SetPolicy(ctx context.Context, p *identity.Principal, appID string, in Policy) (Policy, error) {
	a, err := s.appFor(ctx, p, appID, identity.PermAppReview)
	if err != nil {
		return Policy{}, err
	}
	if in.Review != ReviewFirst && in.Review != ReviewAlways && in.Review != ReviewNever {
		return Policy{}, errs.Invalid("review", "%q is not a policy; use first, always or never", in.Review)
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := s.st.policy(ctx, tx, appID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO release_policies (app_id, review) VALUES ($1, $2) ON CONFLICT (app_id) DO UPDATE SET review = excluded.review`, appID, in.Review); err != nil {
			return err
		}
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "release.policy", TargetType: "app", TargetID: appID, NodeID: a.OwnerNode, NodePath: a.OwnerPath(), Before: Policy{before}, After: in})
		return err
	})
	return in, err
}

// GetPolicy returns an app's release review policy.
func (s *Service) GetPolicy(ctx context.Context, p *identity.Principal, appID string) (Policy, error) {
	if _, err := s.appFor(ctx, p, appID, ""); err != nil {
		return Policy{}, err
	}
	r, err := s.st.policy(ctx, s.db, appID)
	return Policy{Review: r}, err
}
