package releases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
)

var migrations = []db.Migration{{
	SQLite: `CREATE TABLE signing_keys (
		key_id TEXT PRIMARY KEY, alg TEXT NOT NULL, public_key TEXT NOT NULL, node_id TEXT NOT NULL, node_path TEXT NOT NULL,
		name TEXT NOT NULL, created_by TEXT NOT NULL, created_at TIMESTAMP NOT NULL, retired_at TIMESTAMP);
	CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, created_at TIMESTAMP NOT NULL);
	CREATE TABLE bundles (
		bundle_id TEXT PRIMARY KEY, app_id TEXT NOT NULL, version TEXT NOT NULL, entry TEXT NOT NULL, envelope TEXT NOT NULL,
		size INTEGER NOT NULL, key_id TEXT NOT NULL, created_by TEXT NOT NULL, created_at TIMESTAMP NOT NULL);
	CREATE INDEX bundles_app ON bundles(app_id, created_at);
	CREATE TABLE channels (app_id TEXT NOT NULL, name TEXT NOT NULL, created_at TIMESTAMP NOT NULL, PRIMARY KEY (app_id, name));
	CREATE TABLE releases (
		id TEXT PRIMARY KEY, app_id TEXT NOT NULL, channel TEXT NOT NULL, bundle_id TEXT NOT NULL REFERENCES bundles(bundle_id),
		basis_points INTEGER NOT NULL, mandatory INTEGER NOT NULL, notes TEXT NOT NULL, target TEXT NOT NULL,
		status TEXT NOT NULL, status_reason TEXT NOT NULL, replaces TEXT NOT NULL,
		created_by TEXT NOT NULL, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL,
		FOREIGN KEY (app_id, channel) REFERENCES channels(app_id, name));
	CREATE INDEX releases_channel ON releases(app_id, channel, created_at);
	CREATE TABLE release_reports (
		release_id TEXT NOT NULL REFERENCES releases(id), device TEXT NOT NULL, event TEXT NOT NULL, reason TEXT NOT NULL,
		at TIMESTAMP NOT NULL, PRIMARY KEY (release_id, device, event));
	CREATE TABLE release_policies (app_id TEXT PRIMARY KEY, review TEXT NOT NULL);`,
	Postgres: `CREATE TABLE signing_keys (
		key_id TEXT PRIMARY KEY, alg TEXT NOT NULL, public_key TEXT NOT NULL, node_id TEXT NOT NULL, node_path TEXT NOT NULL,
		name TEXT NOT NULL, created_by TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, retired_at TIMESTAMPTZ);
	CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, created_at TIMESTAMPTZ NOT NULL);
	CREATE TABLE bundles (
		bundle_id TEXT PRIMARY KEY, app_id TEXT NOT NULL, version TEXT NOT NULL, entry TEXT NOT NULL, envelope TEXT NOT NULL,
		size BIGINT NOT NULL, key_id TEXT NOT NULL, created_by TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL);
	CREATE INDEX bundles_app ON bundles(app_id, created_at);
	CREATE TABLE channels (app_id TEXT NOT NULL, name TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (app_id, name));
	CREATE TABLE releases (
		id TEXT PRIMARY KEY, app_id TEXT NOT NULL, channel TEXT NOT NULL, bundle_id TEXT NOT NULL REFERENCES bundles(bundle_id),
		basis_points INTEGER NOT NULL, mandatory BOOLEAN NOT NULL, notes TEXT NOT NULL, target TEXT NOT NULL,
		status TEXT NOT NULL, status_reason TEXT NOT NULL, replaces TEXT NOT NULL,
		created_by TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
		FOREIGN KEY (app_id, channel) REFERENCES channels(app_id, name));
	CREATE INDEX releases_channel ON releases(app_id, channel, created_at);
	CREATE TABLE release_reports (
		release_id TEXT NOT NULL REFERENCES releases(id), device TEXT NOT NULL, event TEXT NOT NULL, reason TEXT NOT NULL,
		at TIMESTAMPTZ NOT NULL, PRIMARY KEY (release_id, device, event));
	CREATE TABLE release_policies (app_id TEXT PRIMARY KEY, review TEXT NOT NULL);`,
}}

type store struct{ db *db.DB }

const keyCols = `key_id, alg, public_key, node_id, node_path, name, created_at, retired_at`

func scanKey(sc interface{ Scan(...any) error }) (SigningKey, error) {
	var k SigningKey
	var retired sql.NullTime
	err := sc.Scan(&k.KeyID, &k.Alg, &k.PublicKey, &k.NodeID, &k.nodePath, &k.Name, &k.CreatedAt, &retired)
	k.CreatedAt = k.CreatedAt.UTC()
	if retired.Valid {
		t := retired.Time.UTC()
		k.RetiredAt = &t
	}
	return k, err
}

func (s store) keys(ctx context.Context, q db.Querier, where string, args ...any) ([]SigningKey, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+keyCols+` FROM signing_keys WHERE `+where+` ORDER BY created_at, key_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SigningKey{}
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (s store) key(ctx context.Context, q db.Querier, id string) (SigningKey, error) {
	k, err := scanKey(q.QueryRowContext(ctx, `SELECT `+keyCols+` FROM signing_keys WHERE key_id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return SigningKey{}, fmt.Errorf("%w: %q", ErrKeyNotFound, id)
	}
	return k, err
}

// trustedKeys are the unretired keys registered on the app's owner or any ancestor.
func (s store) trustedKeys(ctx context.Context, q db.Querier, ownerPath string) ([]SigningKey, error) {
	return s.keys(ctx, q, `retired_at IS NULL AND $1 LIKE node_path || '%'`, ownerPath)
}

const releaseCols = `r.id, r.app_id, r.channel, r.bundle_id, b.version, r.basis_points, r.mandatory, r.notes, r.target, r.status, r.status_reason, r.replaces, r.created_by, r.created_at, r.updated_at`

func scanRelease(sc interface{ Scan(...any) error }) (Release, error) {
	var r Release
	var target string
	if err := sc.Scan(&r.ID, &r.AppID, &r.Channel, &r.BundleID, &r.Version, &r.basisPoints, &r.Mandatory, &r.Notes, &target,
		&r.Status, &r.StatusReason, &r.Replaces, &r.CreatedBy, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return Release{}, err
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	r.Percent = float64(r.basisPoints) / 100
	if err := json.Unmarshal([]byte(target), &r.Target); err != nil {
		return Release{}, fmt.Errorf("releases: corrupt target of %s: %w", r.ID, err)
	}
	return r, nil
}

func (s store) releases(ctx context.Context, q db.Querier, where string, args ...any) ([]Release, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+releaseCols+` FROM releases r JOIN bundles b ON b.bundle_id = r.bundle_id WHERE `+where+` ORDER BY r.created_at DESC, r.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Release{}
	for rows.Next() {
		r, err := scanRelease(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// releasesWithEnvelopes loads what the update check serves for an app in one query: its
// releases (newest first, none waiting for review) with their bundles' envelopes.
func (s store) releasesWithEnvelopes(ctx context.Context, q db.Querier, appID string) ([]Release, []string, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+releaseCols+`, b.envelope FROM releases r JOIN bundles b ON b.bundle_id = r.bundle_id
		WHERE r.app_id = $1 AND r.status <> 'pending_review' ORDER BY r.created_at DESC, r.id DESC`, appID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var rs []Release
	var envs []string
	for rows.Next() {
		var env string
		r, err := scanRelease(scanWithTail{rows, &env})
		if err != nil {
			return nil, nil, err
		}
		rs, envs = append(rs, r), append(envs, env)
	}
	return rs, envs, rows.Err()
}

// scanWithTail scans the release columns plus extra trailing destinations.
type scanWithTail struct {
	rows *sql.Rows
	tail *string
}

func (s scanWithTail) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.tail)...) }

func (s store) release(ctx context.Context, q db.Querier, id string) (Release, error) {
	rs, err := s.releases(ctx, q, `r.id = $1`, id)
	if err != nil {
		return Release{}, err
	}
	if len(rs) == 0 {
		return Release{}, fmt.Errorf("%w: %q", ErrReleaseNotFound, id)
	}
	return rs[0], nil
}

func (s store) insertRelease(ctx context.Context, q db.Querier, r Release) error {
	target, _ := json.Marshal(r.Target)
	_, err := q.ExecContext(ctx, `INSERT INTO releases (id, app_id, channel, bundle_id, basis_points, mandatory, notes, target, status, status_reason, replaces, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.ID, r.AppID, r.Channel, r.BundleID, r.basisPoints, r.Mandatory, r.Notes, string(target), r.Status, r.StatusReason, r.Replaces, r.CreatedBy, r.CreatedAt, r.UpdatedAt)
	return err
}

func (s store) setStatus(ctx context.Context, q db.Querier, id, status, reason string, at time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE releases SET status = $2, status_reason = $3, updated_at = $4 WHERE id = $1`, id, status, reason, at)
	return err
}

func (s store) stats(ctx context.Context, q db.Querier, id string) (ReleaseStats, error) {
	var st ReleaseStats
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT count(DISTINCT device) FROM release_reports WHERE release_id = $1),
		(SELECT count(*) FROM release_reports WHERE release_id = $1 AND event = 'ready'),
		(SELECT count(*) FROM release_reports WHERE release_id = $1 AND event = 'failed')`, id).Scan(&st.Devices, &st.Ready, &st.Failed)
	return st, err
}

func (s store) bundleEnvelope(ctx context.Context, q db.Querier, id string) (string, string, error) {
	var env, app string
	err := q.QueryRowContext(ctx, `SELECT envelope, app_id FROM bundles WHERE bundle_id = $1`, id).Scan(&env, &app)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("%w: %q", ErrBundleNotFound, id)
	}
	return env, app, err
}

func (s store) channels(ctx context.Context, q db.Querier, appID string) ([]Channel, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, created_at FROM channels WHERE app_id = $1 ORDER BY created_at, name`, appID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Channel{}
	for rows.Next() {
		var c Channel
		if err := rows.Scan(&c.Name, &c.CreatedAt); err != nil {
			return nil, err
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// ensureChannels creates the default channels of an app on first use.
func (s store) ensureChannels(ctx context.Context, q db.Querier, appID string) error {
	for i, name := range DefaultChannels {
		if _, err := q.ExecContext(ctx, `INSERT INTO channels (app_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			appID, name, time.Unix(0, 0).UTC().Add(time.Duration(i)*time.Second)); err != nil {
			return err
		}
	}
	return nil
}

func (s store) policy(ctx context.Context, q db.Querier, appID string) (string, error) {
	var review string
	err := q.QueryRowContext(ctx, `SELECT review FROM release_policies WHERE app_id = $1`, appID).Scan(&review)
	if errors.Is(err, sql.ErrNoRows) {
		return ReviewFirst, nil
	}
	return review, err
}
