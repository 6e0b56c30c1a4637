package push

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
)

// The outbox: one delivery row per (notice, recipient, device), claimed by workers with
// leases. A claim sets leased_until to the end of the lease and stamps the owner, so rows of a
// worker that dies come due again by themselves; completion only counts for the owner
// that still holds the row. Delivery to providers is therefore at least once, and the
// duplicates after a crash are bounded by what was claimed and not yet completed.

// Delivery is one claimed row with what sending it needs.
type Delivery struct {
	ID       int64
	NoticeID string
	UserID   string
	Tier     int
	Kind     string
	Attempts int
	Device   Device
	Notice   *Notice
}

// OutcomeKind is what a sender made of one delivery.
type OutcomeKind int

// Outcomes.
const (
	Sent     OutcomeKind = iota // the provider accepted it
	Retry                       // transient (5xx, network, 429): try again later
	Drop                        // the token is dead (APNs 410, FCM UNREGISTERED): drop it, fall back
	Fallback                    // this channel cannot reach the user (WeChat 43004): next channel
	Defer                       // the channel's daily quota is spent: try again tomorrow
	Fail                        // permanent (bad payload, bad token for the topic)
)

// Outcome of one delivery.
type Outcome struct {
	Kind   OutcomeKind
	Reason string
	// RetryAfter is the provider's Retry-After; Throttled marks a rate-limit answer, which
	// slows the channel down.
	RetryAfter time.Duration
	Throttled  bool
	// At is when the provider last knew a dropped token to be invalid (APNs 410's
	// timestamp); zero means now.
	At time.Time
	// Environment, when set, is the APNs environment that accepted a token registered
	// under the other one; the registration is corrected.
	Environment string
}

// expand resolves a due notice, snapshots its recipients into the inbox and queues the
// first reachable channel of each of them, in one transaction: a crash leaves the notice
// scheduled and untouched. It reports false when another instance got there first.
func (s *Service) expand(ctx context.Context, n Notice, now time.Time) (bool, error) {
	q, args, err := resolveSQL(ctx, s.dir, n.Scope, n.Audience)
	if err != nil {
		// The tree changed since creation (a node deleted): the audience cannot be
		// resolved any more. The notice ends with nobody rather than blocking the queue.
		q, args = `SELECT id FROM users WHERE 1 = 0`, nil
	}
	expired := !now.Before(n.ExpiresAtT)
	ok := false
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE push_notices SET state = $1 WHERE id = $2 AND state = $3`, StateSending, n.ID, StateScheduled)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil
		}
		ok = true
		if expired {
			_, err := tx.ExecContext(ctx, `UPDATE push_notices SET state = $1, finished_at = $2 WHERE id = $3`, StateDone, now, n.ID)
			return err
		}
		k := len(args)
		res, err = tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO push_inbox (notice_id, user_id, created_at) SELECT $%d, x.id, $%d FROM (%s) x`, k+1, k+2, q),
			append(args, n.ID, now)...)
		if err != nil {
			return fmt.Errorf("push: snapshot recipients of %s: %w", n.ID, err)
		}
		resolved, _ := res.RowsAffected()
		for tier := range n.Channels {
			b := &sqlBuilder{}
			stmt := `INSERT INTO push_deliveries (notice_id, user_id, tier, channel, device_id, state, due_at)
				SELECT i.notice_id, i.user_id, ` + b.arg(tier) + `, d.kind, d.id, 'pending', ` + b.arg(now) + `
				FROM push_inbox i JOIN push_devices d ON d.user_id = i.user_id
				WHERE i.notice_id = ` + b.arg(n.ID) + ` AND d.unregistered_at IS NULL AND ` + tierDevices(b, &n, tier) + `
				AND NOT EXISTS (SELECT 1 FROM push_deliveries x WHERE x.notice_id = i.notice_id AND x.user_id = i.user_id AND x.tier < ` + b.arg(tier) + `)`
			if _, err := tx.ExecContext(ctx, stmt, b.args...); err != nil {
				return fmt.Errorf("push: queue %s of %s: %w", n.Channels[tier], n.ID, err)
			}
		}
		state, fin := StateSending, any(nil)
		if resolved == 0 {
			state, fin = StateDone, now
		}
		_, err = tx.ExecContext(ctx, `UPDATE push_notices SET resolved = $1, state = $2, finished_at = $3 WHERE id = $4`, resolved, state, fin, n.ID)
		return err
	})
	if err == nil && ok && s.db.Dialect == db.Postgres {
		// A large expansion changes the outbox's size by orders of magnitude: refresh the
		// planner's statistics now rather than when autovacuum gets to it.
		if _, aerr := s.db.ExecContext(ctx, `ANALYZE push_deliveries`); aerr != nil {
			return ok, aerr
		}
	}
	return ok, err
}

// tierDevices is the condition on d (push_devices) for the devices of channel tier: their
// kinds, and for WeChat the official account the template belongs to.
func tierDevices(b *sqlBuilder, n *Notice, tier int) string {
	ch := n.Channels[tier]
	cond := "d.kind IN " + b.in(channelKinds[ch])
	if ch == ChannelWeChat && n.WeChat != nil {
		cond += " AND d.topic = " + b.arg(n.WeChat.Account)
	}
	return cond
}

// dueNotices lists scheduled notices whose time has come.
func (s *Service) dueNotices(ctx context.Context, now time.Time) ([]Notice, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+noticeCols+` FROM push_notices WHERE state = $1 AND send_at <= $2 ORDER BY send_at LIMIT 20`, StateScheduled, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// claim leases up to limit due deliveries of one device kind to owner.
func (s *Service) claim(ctx context.Context, kind, owner string, limit int, now time.Time) ([]*Delivery, error) {
	// The limit is written into the statement: with it as a parameter, PostgreSQL's generic
	// plan for the cached statement (after five runs) joined all devices by hash, and a
	// claim of 500 rows of a 1M fan-out took seconds.
	// Rows in flight stay at the head of the due index; the scan steps over them (at most
	// Batch × Workers per instance).
	pick := fmt.Sprintf(`SELECT id FROM push_deliveries WHERE state = 'pending' AND channel = $1 AND due_at <= $2
		AND (leased_until IS NULL OR leased_until <= $2) ORDER BY due_at LIMIT %d`, max(limit, 1))
	if s.db.Dialect == db.Postgres {
		return s.claimPostgres(ctx, kind, owner, pick+` FOR UPDATE SKIP LOCKED`, now)
	}
	rows, err := s.db.QueryContext(ctx, `UPDATE push_deliveries SET leased_until = $3, lease_owner = $4, attempts = attempts + 1
		WHERE id IN (`+pick+`) AND state = 'pending'
		RETURNING id, notice_id, user_id, tier, device_id, attempts`, kind, now, now.Add(s.cfg.Lease), owner)
	if err != nil {
		return nil, fmt.Errorf("push: claim %s deliveries: %w", kind, err)
	}
	var out []*Delivery
	byDevice := map[int64][]*Delivery{}
	for rows.Next() {
		d := &Delivery{Kind: kind}
		var dev int64
		if err := rows.Scan(&d.ID, &d.NoticeID, &d.UserID, &d.Tier, &dev, &d.Attempts); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
		byDevice[dev] = append(byDevice[dev], d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, 0, len(byDevice))
	for id := range byDevice {
		ids = append(ids, id)
	}
	b := &sqlBuilder{}
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = b.arg(id)
	}
	drows, err := s.db.QueryContext(ctx, `SELECT id, `+deviceCols+` FROM push_devices WHERE id IN (`+strings.Join(ph, ", ")+`)`, b.args...)
	if err != nil {
		return nil, err
	}
	defer drows.Close()
	for drows.Next() {
		var id int64
		var dv Device
		var sc deviceScan
		if err := drows.Scan(append([]any{&id}, sc.dest(&dv)...)...); err != nil {
			return nil, err
		}
		sc.finish(&dv)
		for _, d := range byDevice[id] {
			d.Device = dv
		}
	}
	return out, drows.Err()
}

// claimPostgres claims and reads the devices in one round trip: PostgreSQL's RETURNING
// may name the tables of FROM (SQLite's may not, and there the second query is in-process).
func (s *Service) claimPostgres(ctx context.Context, kind, owner, pick string, now time.Time) ([]*Delivery, error) {
	// The picked rows drive the update (a materialised CTE): as "x.id IN (…) AND x.state =
	// 'pending'", a plan made while the table was small scanned every pending row per claim.
	rows, err := s.db.QueryContext(ctx, `WITH picked AS MATERIALIZED (`+pick+`)
		UPDATE push_deliveries x SET leased_until = $3, lease_owner = $4, attempts = x.attempts + 1
		FROM picked p, push_devices d WHERE x.id = p.id AND d.id = x.device_id
		RETURNING x.id, x.notice_id, x.user_id, x.tier, x.attempts,
			d.user_id, d.kind, d.token, d.topic, d.environment, d.app_id, d.registered_at, d.unregistered_at`, // deviceCols of d
		kind, now, now.Add(s.cfg.Lease), owner)
	if err != nil {
		return nil, fmt.Errorf("push: claim %s deliveries: %w", kind, err)
	}
	defer rows.Close()
	var out []*Delivery
	for rows.Next() {
		d := &Delivery{Kind: kind}
		var sc deviceScan
		if err := rows.Scan(append([]any{&d.ID, &d.NoticeID, &d.UserID, &d.Tier, &d.Attempts}, sc.dest(&d.Device)...)...); err != nil {
			return nil, err
		}
		sc.finish(&d.Device)
		out = append(out, d)
	}
	return out, rows.Err()
}

// backoff is exponential with full jitter, from 2 s to 30 min, never sooner than the
// provider's Retry-After.
func backoff(attempt int, retryAfter time.Duration) time.Duration {
	ceil := 2 * time.Second << min(attempt, 10)
	ceil = min(ceil, 30*time.Minute)
	d := ceil/2 + rand.N(ceil/2+1)
	return max(d, retryAfter)
}

// nextDay is the next midnight in China time, when daily provider quotas reset.
func nextDay(now time.Time) time.Time {
	t := now.In(china)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 30, 0, china).UTC()
}

// complete records the outcomes of a claimed batch in one transaction. A row whose lease
// passed to another owner meanwhile is left to that owner.
func (s *Service) complete(ctx context.Context, owner string, ds []*Delivery, outs []Outcome, now time.Time) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var sent []int64
		for i, d := range ds {
			o := outs[i]
			if o.Kind == Sent {
				sent = append(sent, d.ID)
				if o.Environment != "" {
					if _, err := tx.ExecContext(ctx, `UPDATE push_devices SET environment = $1 WHERE kind = $2 AND token = $3`, o.Environment, d.Device.Kind, d.Device.Token); err != nil {
						return err
					}
				}
				continue
			}
			state, due, reason := "failed", now, o.Reason
			switch o.Kind {
			case Retry:
				if d.Attempts < s.cfg.MaxAttempts {
					state, due = "pending", now.Add(backoff(d.Attempts, o.RetryAfter))
				} else {
					reason = "gave_up: " + reason
				}
			case Defer:
				state, due = "pending", nextDay(now)
			case Drop:
				state = "dropped"
				at := o.At
				if at.IsZero() {
					at = now
				}
				if _, err := tx.ExecContext(ctx, `UPDATE push_devices SET unregistered_at = $1
					WHERE kind = $2 AND token = $3 AND unregistered_at IS NULL AND registered_at <= $1`, at.UTC(), d.Device.Kind, d.Device.Token); err != nil {
					return err
				}
			}
			res, err := tx.ExecContext(ctx, `UPDATE push_deliveries SET state = $1, due_at = $2, reason = $3, leased_until = NULL
				WHERE id = $4 AND lease_owner = $5 AND state = 'pending'`, state, due, reason, d.ID, owner)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 1 && (o.Kind == Drop || o.Kind == Fallback) {
				if err := s.fallback(ctx, tx, d, now); err != nil {
					return err
				}
			}
		}
		for len(sent) > 0 {
			chunk := sent[:min(len(sent), 500)]
			sent = sent[len(chunk):]
			b := &sqlBuilder{}
			ph := make([]string, len(chunk))
			for i, id := range chunk {
				ph[i] = b.arg(id)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE push_deliveries SET state = 'sent', sent_at = `+b.arg(now)+`, reason = ''
				WHERE lease_owner = `+b.arg(owner)+` AND state = 'pending' AND id IN (`+strings.Join(ph, ", ")+`)`, b.args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// fallback queues the next channel that can reach d's user, once nothing of the user's
// for this notice is pending or sent any more.
func (s *Service) fallback(ctx context.Context, tx *sql.Tx, d *Delivery, now time.Time) error {
	n := d.Notice
	for tier := d.Tier + 1; tier < len(n.Channels); tier++ {
		b := &sqlBuilder{}
		stmt := `INSERT INTO push_deliveries (notice_id, user_id, tier, channel, device_id, fallback, state, due_at)
			SELECT ` + b.arg(n.ID) + `, d.user_id, ` + b.arg(tier) + `, d.kind, d.id, 1, 'pending', ` + b.arg(now) + `
			FROM push_devices d WHERE d.user_id = ` + b.arg(d.UserID) + ` AND d.unregistered_at IS NULL AND ` + tierDevices(b, n, tier) + `
			AND NOT EXISTS (SELECT 1 FROM push_deliveries x WHERE x.notice_id = ` + b.arg(n.ID) + ` AND x.user_id = d.user_id
				AND (x.state IN ('pending', 'sent') OR x.tier >= ` + b.arg(tier) + `))`
		res, err := tx.ExecContext(ctx, stmt, b.args...)
		if err != nil {
			return fmt.Errorf("push: fall back for %s: %w", n.ID, err)
		}
		if k, _ := res.RowsAffected(); k > 0 {
			return nil
		}
		// Nothing queued: either the user has no such channel (try the next) or something
		// is still pending or sent (then no later tier will queue either).
		var busy int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM push_deliveries WHERE notice_id = $1 AND user_id = $2 AND state IN ('pending', 'sent')`,
			n.ID, d.UserID).Scan(&busy); err != nil {
			return err
		}
		if busy > 0 {
			return nil
		}
	}
	return nil
}

// finish marks sending notices done once no delivery of theirs is pending.
func (s *Service) finish(ctx context.Context, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE push_notices SET state = $1, finished_at = $2 WHERE state = $3
		AND NOT EXISTS (SELECT 1 FROM push_deliveries d WHERE d.notice_id = push_notices.id AND d.state = 'pending')`, StateDone, now, StateSending)
	return err
}
