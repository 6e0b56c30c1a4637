// Package audit keeps the append-only, hash-chained record of every change made through the
// console API. Entries are written inside the transaction of the change they describe, so
// a change without its entry (or an entry without its change) cannot exist; each entry
// carries the previous entry's hash, so editing or deleting history breaks the chain.
package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
)

// Actor says who made a change and from where.
type Actor struct {
	ID        string
	Name      string
	IP        string
	RequestID string
}

// System is the actor of changes the platform makes by itself (first start, demo content).
var System = Actor{ID: "system", Name: "system"}

// Entry is one recorded change. NodePath is the org path of the node the change belongs to,
// copied at write time so the log can be filtered by subtree without knowing the org tree.
type Entry struct {
	Seq        int64           `json:"seq"`
	At         time.Time       `json:"at"`
	ActorID    string          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	IP         string          `json:"ip"`
	RequestID  string          `json:"request_id"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	NodeID     string          `json:"node_id"`
	NodePath   string          `json:"-"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
}

// Change describes what a domain service did, for Record.
type Change struct {
	Action     string // e.g. "app.create", "org.move"
	TargetType string
	TargetID   string
	NodeID     string
	NodePath   string
	Before     any // nil when the target did not exist
	After      any // nil when the target is gone
}

// GenesisHash is the prev_hash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ErrBroken marks a chain that fails verification.
var ErrBroken = errors.New("audit chain broken")

// Store is the audit log on one database.
type Store struct {
	db *db.DB
}

var migrations = []db.Migration{{
	SQLite: `CREATE TABLE audit_log (
		seq INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL,
		actor_id TEXT NOT NULL, actor_name TEXT NOT NULL, ip TEXT NOT NULL, request_id TEXT NOT NULL,
		action TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL,
		node_id TEXT NOT NULL, node_path TEXT NOT NULL,
		before_json TEXT NOT NULL, after_json TEXT NOT NULL,
		prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE);
		CREATE INDEX audit_log_node_path ON audit_log(node_path);`,
	Postgres: `CREATE TABLE audit_log (
		seq BIGINT PRIMARY KEY, at TIMESTAMPTZ NOT NULL,
		actor_id TEXT NOT NULL, actor_name TEXT NOT NULL, ip TEXT NOT NULL, request_id TEXT NOT NULL,
		action TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT NOT NULL,
		node_id TEXT NOT NULL, node_path TEXT NOT NULL,
		before_json TEXT NOT NULL, after_json TEXT NOT NULL,
		prev_hash TEXT NOT NULL, hash TEXT NOT NULL UNIQUE);
		CREATE INDEX audit_log_node_path ON audit_log(node_path text_pattern_ops);`,
}}

// NewStore migrates the audit tables and returns the store.
func NewStore(ctx context.Context, d *db.DB) (*Store, error) {
	if err := d.Migrate(ctx, "audit", migrations); err != nil {
		return nil, err
	}
	return &Store{db: d}, nil
}

// OpenStore opens an existing audit log without migrating it, for read-only checks: a
// verification must never change the store it verifies.
func OpenStore(ctx context.Context, d *db.DB) (*Store, error) {
	var v int
	err := d.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations WHERE store = 'audit'`).Scan(&v)
	if err != nil || v == 0 {
		return nil, errors.New("no govapp audit log")
	}
	if v != len(migrations) {
		return nil, fmt.Errorf("the audit log is at schema version %d but this govapp knows version %d; use the govapp release that runs the platform", v, len(migrations))
	}
	return &Store{db: d}, nil
}

// Record appends one entry inside tx. On PostgreSQL it takes a transaction-scoped lock so
// concurrent writers extend the chain one at a time; SQLite's immediate transactions already do.
func (s *Store) Record(ctx context.Context, tx *sql.Tx, a Actor, c Change) (Entry, error) {
	if s.db.Dialect == db.Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7245022)`); err != nil {
			return Entry{}, fmt.Errorf("audit: lock chain: %w", err)
		}
	}
	e := Entry{
		At: db.Now(), ActorID: a.ID, ActorName: a.Name, IP: a.IP, RequestID: a.RequestID,
		Action: c.Action, TargetType: c.TargetType, TargetID: c.TargetID,
		NodeID: c.NodeID, NodePath: c.NodePath,
	}
	var err error
	if e.Before, err = marshal(c.Before); err != nil {
		return Entry{}, err
	}
	if e.After, err = marshal(c.After); err != nil {
		return Entry{}, err
	}
	var last sql.NullInt64
	var prev sql.NullString
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Entry{}, fmt.Errorf("audit: read head: %w", err)
	}
	e.Seq = last.Int64 + 1
	e.PrevHash = GenesisHash
	if prev.Valid {
		e.PrevHash = prev.String
	}
	e.Hash = e.computeHash()
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor_id, actor_name, ip, request_id, action, target_type, target_id, node_id, node_path, before_json, after_json, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		e.Seq, e.At, e.ActorID, e.ActorName, e.IP, e.RequestID, e.Action, e.TargetType, e.TargetID, e.NodeID, e.NodePath,
		string(e.Before), string(e.After), e.PrevHash, e.Hash)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: append: %w", err)
	}
	return e, nil
}

func marshal(v any) (json.RawMessage, error) {
	if v == nil {
		return json.RawMessage("null"), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: encode state: %w", err)
	}
	return b, nil
}

// computeHash covers every field but the hash itself, in a fixed order.
func (e Entry) computeHash() string {
	h := sha256.New()
	fields := []string{
		fmt.Sprint(e.Seq), e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.ActorName, e.IP, e.RequestID,
		e.Action, e.TargetType, e.TargetID, e.NodeID, e.NodePath, string(e.Before), string(e.After), e.PrevHash,
	}
	for _, f := range fields {
		// Length-prefix each field so moving bytes between fields changes the hash.
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

const selectCols = `SELECT seq, at, actor_id, actor_name, ip, request_id, action, target_type, target_id, node_id, node_path, before_json, after_json, prev_hash, hash FROM audit_log`

func scanEntry(rows *sql.Rows) (Entry, error) {
	var e Entry
	var before, after string
	err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorName, &e.IP, &e.RequestID, &e.Action, &e.TargetType, &e.TargetID,
		&e.NodeID, &e.NodePath, &before, &after, &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	e.Before, e.After = json.RawMessage(before), json.RawMessage(after)
	return e, err
}

// List returns up to limit entries after afterSeq whose node lies under one of pathPrefixes
// (every entry when pathPrefixes holds "/"). An empty pathPrefixes returns nothing.
func (s *Store) List(ctx context.Context, pathPrefixes []string, afterSeq int64, limit int) ([]Entry, error) {
	if len(pathPrefixes) == 0 {
		return []Entry{}, nil
	}
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	args := []any{afterSeq, limit}
	var ors []string
	for _, p := range pathPrefixes {
		args = append(args, p+"%")
		ors = append(ors, fmt.Sprintf("node_path LIKE $%d", len(args)))
	}
	rows, err := s.db.QueryContext(ctx, selectCols+` WHERE seq > $1 AND (`+strings.Join(ors, " OR ")+`) ORDER BY seq LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// VerifyResult summarises a chain check.
type VerifyResult struct {
	OK      bool   `json:"ok"`
	Entries int64  `json:"entries"`
	Head    string `json:"head"`
	Problem string `json:"problem,omitempty"`
	BadSeq  int64  `json:"bad_seq,omitempty"`
}

// Verify walks the whole chain and reports the first entry whose hash, link or sequence is
// wrong. The head hash it returns can be anchored elsewhere to detect truncation of the tail.
func (s *Store) Verify(ctx context.Context) (VerifyResult, error) {
	rows, err := s.db.QueryContext(ctx, selectCols+` ORDER BY seq`)
	if err != nil {
		return VerifyResult{}, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	res := VerifyResult{OK: true, Head: GenesisHash}
	prev := GenesisHash
	var want int64 = 1
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return VerifyResult{}, fmt.Errorf("audit: verify: %w", err)
		}
		fail := func(p string) (VerifyResult, error) {
			return VerifyResult{OK: false, Entries: res.Entries, Head: prev, Problem: p, BadSeq: e.Seq}, nil
		}
		switch {
		case e.Seq != want:
			return fail(fmt.Sprintf("entry %d follows entry %d: entries were deleted or inserted", e.Seq, want-1))
		case e.PrevHash != prev:
			return fail(fmt.Sprintf("entry %d does not link to the entry before it", e.Seq))
		case e.computeHash() != e.Hash:
			return fail(fmt.Sprintf("entry %d was modified after it was written", e.Seq))
		}
		prev = e.Hash
		res.Entries++
		res.Head = e.Hash
		want++
	}
	return res, rows.Err()
}
