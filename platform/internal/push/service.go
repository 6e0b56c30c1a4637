package push

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// Config tunes the push service; zero values take the defaults.
type Config struct {
	// DailyQuota is how many recipients one scope node may reach per day (China time),
	// summed over its notices. Default 5,000,000.
	DailyQuota int
	// MaxAttempts is how often a delivery is tried before it fails as gave_up. Default 12.
	MaxAttempts int
	// Lease is how long a claimed delivery belongs to its worker before another may take
	// it. Default 30 s.
	Lease time.Duration
}

func (c Config) withDefaults() Config {
	if c.DailyQuota <= 0 {
		c.DailyQuota = 5_000_000
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 12
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	return c
}

// Service is unified push: notices, their outbox and the inbox.
type Service struct {
	db      *db.DB
	dir     Directory
	audit   *audit.Store
	Devices *Devices
	cfg     Config
}

// NewService migrates the push store.
func NewService(ctx context.Context, d *db.DB, dir Directory, au *audit.Store, cfg Config) (*Service, error) {
	dev, err := NewDevices(ctx, d)
	if err != nil {
		return nil, err
	}
	return &Service{db: d, dir: dir, audit: au, Devices: dev, cfg: cfg.withDefaults()}, nil
}

// Notice is a stored notice with its lifecycle.
type Notice struct {
	ID        string    `json:"id"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	State     string    `json:"state"`
	// Estimated is the audience size at creation; Resolved the snapshot taken at send time.
	Estimated int `json:"estimated"`
	Resolved  int `json:"resolved"`
	NoticeCreate
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	SendAtT    time.Time  `json:"-"`
	ExpiresAtT time.Time  `json:"-"`
	scopePath  string
	cachedAt   time.Time
	apns       []byte // rendered once by the dispatcher's cache
}

// apnsBytes is the APNs payload: a fan-out sends the same bytes to every device, so the
// dispatcher renders it once when it loads the notice.
func (n *Notice) apnsBytes() []byte {
	if n.apns != nil {
		return n.apns
	}
	return apnsPayload(n.ID, &n.NoticeCreate)
}

// ErrNoticeNotFound is a notice that does not exist or lies outside the caller's scope.
var ErrNoticeNotFound = fmt.Errorf("%w: notice", errs.ErrNotFound)

// china is the day boundary for daily quotas (providers count days in Beijing time).
var china = time.FixedZone("CST", 8*3600)

// Create stores a notice for sending at its send time. The audience is checked against
// the sender's scope and counted now (nobody, or more than the scope's daily quota, is
// refused); it is resolved again and snapshotted at send time. The bool is false when an
// idempotency key returned an earlier notice.
func (s *Service) Create(ctx context.Context, p *identity.Principal, in NoticeCreate) (Notice, bool, error) {
	now := db.Now()
	hash := in.bodyHash() // of what the caller wrote, before defaults such as send_at = now
	if err := in.normalise(now); err != nil {
		return Notice{}, false, err
	}
	if in.IdempotencyKey != "" {
		if n, ok, err := s.byIdempotency(ctx, p.User.ID, in.IdempotencyKey, hash); ok || err != nil {
			return n, false, err
		}
	}
	pv, err := PreviewAudience(ctx, s.db, s.dir, p, in.Scope, in.Audience)
	if err != nil {
		return Notice{}, false, err
	}
	scope, err := s.dir.Node(ctx, in.Scope)
	if err != nil {
		return Notice{}, false, err
	}
	spec, err := json.Marshal(in)
	if err != nil {
		return Notice{}, false, err
	}
	n := Notice{ID: newNoticeID(), CreatedBy: p.User.ID, CreatedAt: now, State: StateScheduled,
		Estimated: pv.Count, NoticeCreate: in, scopePath: scope.Path, SendAtT: *in.SendAt, ExpiresAtT: *in.ExpiresAt}
	var idem any
	if in.IdempotencyKey != "" {
		idem = in.IdempotencyKey
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		day := now.In(china)
		start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, china).UTC()
		var used int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(estimated), 0) FROM push_notices
			WHERE scope_id = $1 AND created_at >= $2 AND state <> $3`, scope.ID, start, StateCancelled).Scan(&used); err != nil {
			return err
		}
		if used+pv.Count > s.cfg.DailyQuota {
			return errs.Invalid("audience", "reaches %d recipients but %s has %d of its daily quota of %d left; narrow the audience or send the rest tomorrow",
				pv.Count, scope.Name, max(s.cfg.DailyQuota-used, 0), s.cfg.DailyQuota)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO push_notices (id, scope_id, scope_path, created_by, idem_key, body_hash, spec, state,
			estimated, send_at, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			n.ID, scope.ID, scope.Path, n.CreatedBy, idem, hash, string(spec), n.State, n.Estimated, *in.SendAt, *in.ExpiresAt, now); err != nil {
			return err
		}
		_, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "push.notice.create", TargetType: "notice", TargetID: n.ID,
			NodeID: scope.ID, NodePath: scope.Path, After: map[string]any{"title": in.Title, "audience": in.Audience, "estimated": pv.Count,
				"channels": in.Channels, "send_at": in.SendAt, "sensitive": in.Sensitive}})
		return err
	})
	if db.IsUniqueViolation(err) && in.IdempotencyKey != "" {
		// A concurrent retry with the same key won the race.
		if old, ok, err := s.byIdempotency(ctx, p.User.ID, in.IdempotencyKey, hash); ok || err != nil {
			return old, false, err
		}
	}
	if err != nil {
		return Notice{}, false, err
	}
	return n, true, nil
}

// byIdempotency finds the caller's notice under key: the same request (by hash) gives it
// back, a different one under the same key is a conflict.
func (s *Service) byIdempotency(ctx context.Context, userID, key, hash string) (Notice, bool, error) {
	var id, old string
	err := s.db.QueryRowContext(ctx, `SELECT id, body_hash FROM push_notices WHERE created_by = $1 AND idem_key = $2`,
		userID, key).Scan(&id, &old)
	if errors.Is(err, sql.ErrNoRows) {
		return Notice{}, false, nil
	}
	if err != nil {
		return Notice{}, false, err
	}
	if old != hash {
		return Notice{}, false, fmt.Errorf("%w: idempotency_key %q was used for notice %s with a different body; use a new key for a new notice",
			errs.ErrConflict, key, id)
	}
	n, err := s.load(ctx, id)
	return n, err == nil, err
}

const noticeCols = `id, scope_id, scope_path, created_by, spec, state, estimated, resolved, send_at, expires_at, created_at, finished_at`

func scanNotice(row interface{ Scan(...any) error }) (Notice, error) {
	var n Notice
	var spec, scopeID string
	var fin sql.NullTime
	if err := row.Scan(&n.ID, &scopeID, &n.scopePath, &n.CreatedBy, &spec, &n.State, &n.Estimated, &n.Resolved,
		&n.SendAtT, &n.ExpiresAtT, &n.CreatedAt, &fin); err != nil {
		return Notice{}, err
	}
	if err := json.Unmarshal([]byte(spec), &n.NoticeCreate); err != nil {
		return Notice{}, fmt.Errorf("push: notice %s: %w", n.ID, err)
	}
	n.CreatedAt, n.SendAtT, n.ExpiresAtT = n.CreatedAt.UTC(), n.SendAtT.UTC(), n.ExpiresAtT.UTC()
	if fin.Valid {
		t := fin.Time.UTC()
		n.FinishedAt = &t
	}
	return n, nil
}

func (s *Service) load(ctx context.Context, id string) (Notice, error) {
	n, err := scanNotice(s.db.QueryRowContext(ctx, `SELECT `+noticeCols+` FROM push_notices WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Notice{}, ErrNoticeNotFound
	}
	return n, err
}

// Get returns a notice the caller may see: push.send on its scope.
func (s *Service) Get(ctx context.Context, p *identity.Principal, id string) (Notice, error) {
	n, err := s.load(ctx, id)
	if err != nil {
		return Notice{}, err
	}
	if !p.Can(identity.PermPushSend, n.scopePath) {
		return Notice{}, ErrNoticeNotFound // do not reveal notices of other departments
	}
	return n, nil
}

// List returns the newest notices in the caller's push.send subtrees.
func (s *Service) List(ctx context.Context, p *identity.Principal, limit int) ([]Notice, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	subs := p.Subtrees(identity.PermPushSend)
	if len(subs) == 0 {
		return nil, &identity.ForbiddenError{Perm: identity.PermPushSend, What: "any organisation"}
	}
	b := &sqlBuilder{}
	var alt []string
	for _, sp := range subs {
		alt = append(alt, b.under("scope_path", sp))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+noticeCols+` FROM push_notices WHERE `+strings.Join(alt, " OR ")+
		fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT %d`, limit), b.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notice{}
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Cancel stops a notice: a scheduled one is never resolved, a sending one gets no further
// deliveries and leaves the inbox. Finished notices cannot be cancelled.
func (s *Service) Cancel(ctx context.Context, p *identity.Principal, id string) (Notice, error) {
	n, err := s.Get(ctx, p, id)
	if err != nil {
		return Notice{}, err
	}
	if n.State != StateScheduled && n.State != StateSending {
		return Notice{}, fmt.Errorf("%w: notice %s is %s and can no longer be cancelled", errs.ErrConflict, id, n.State)
	}
	now := db.Now()
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE push_notices SET state = $1, finished_at = $2 WHERE id = $3 AND state IN ($4, $5)`,
			StateCancelled, now, id, StateScheduled, StateSending)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return fmt.Errorf("%w: notice %s finished while it was being cancelled", errs.ErrConflict, id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE push_deliveries SET state = 'cancelled' WHERE notice_id = $1 AND state = 'pending'`, id); err != nil {
			return err
		}
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "push.notice.cancel", TargetType: "notice", TargetID: id,
			NodeID: n.Scope, NodePath: n.scopePath, Before: map[string]any{"state": n.State}, After: map[string]any{"state": StateCancelled}})
		return err
	})
	if err != nil {
		return Notice{}, err
	}
	n.State, n.FinishedAt = StateCancelled, &now
	return n, nil
}

// Stats are a notice's delivery figures.
type Stats struct {
	Notice   string `json:"notice"`
	State    string `json:"state"`
	Resolved int    `json:"resolved"`
	// Pending deliveries are queued or being retried.
	Pending int `json:"pending"`
	// Sent deliveries were accepted by the provider (delivered to it).
	Sent int `json:"sent"`
	// Failed counts finished deliveries that did not reach the provider, by reason.
	Failed    map[string]int `json:"failed"`
	Opened    int            `json:"opened"`
	Fallbacks int            `json:"fallbacks"`
	// Channels break the sent deliveries down by device kind.
	Channels map[string]int `json:"channels"`
	// InboxOnly are recipients no push channel reached; they have the inbox.
	InboxOnly int `json:"inbox_only"`
}

// Stats counts a notice's deliveries.
func (s *Service) Stats(ctx context.Context, p *identity.Principal, id string) (Stats, error) {
	n, err := s.Get(ctx, p, id)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Notice: id, State: n.State, Resolved: n.Resolved, Failed: map[string]int{}, Channels: map[string]int{}}
	rows, err := s.db.QueryContext(ctx, `SELECT channel, state, reason, SUM(fallback), count(*) FROM push_deliveries
		WHERE notice_id = $1 GROUP BY channel, state, reason`, id)
	if err != nil {
		return Stats{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var ch, state, reason string
		var fb, k int
		if err := rows.Scan(&ch, &state, &reason, &fb, &k); err != nil {
			return Stats{}, err
		}
		st.Fallbacks += fb
		switch state {
		case "pending":
			st.Pending += k
		case "sent":
			st.Sent += k
			st.Channels[ch] += k
		default:
			if reason == "" {
				reason = state
			}
			st.Failed[reason] += k
		}
	}
	if err := rows.Err(); err != nil {
		return Stats{}, err
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN opened_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM push_deliveries d WHERE d.notice_id = i.notice_id AND d.user_id = i.user_id AND d.state = 'sent') THEN 1 ELSE 0 END), 0)
		FROM push_inbox i WHERE notice_id = $1`, id).Scan(&st.Opened, &st.InboxOnly); err != nil {
		return Stats{}, err
	}
	return st, nil
}
