package stats

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
)

// Raw events carry the user as a dense uid (stats_users maps the keyed hash to it), so the
// rollups' bitmaps can hold users. Rollups are one row per (day, app) and per (day, app,
// release); see rollup.go for the row format.
var migrations = []db.Migration{{
	SQLite: `CREATE TABLE stats_users (uid INTEGER PRIMARY KEY AUTOINCREMENT, hash TEXT NOT NULL UNIQUE, first_day INTEGER NOT NULL);
	CREATE TABLE stats_events (
		app TEXT NOT NULL, id TEXT NOT NULL, day INTEGER NOT NULL, ts BIGINT NOT NULL, received BIGINT NOT NULL,
		name TEXT NOT NULL, uid INTEGER NOT NULL, region TEXT NOT NULL, channel TEXT NOT NULL,
		container_version TEXT NOT NULL, version TEXT NOT NULL, page TEXT NOT NULL, props TEXT NOT NULL,
		PRIMARY KEY (app, id));
	CREATE INDEX stats_events_day ON stats_events(day, app);
	CREATE TABLE stats_rollup (day INTEGER NOT NULL, app TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (day, app));
	CREATE TABLE stats_release_rollup (day INTEGER NOT NULL, app TEXT NOT NULL, version TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (app, day, version));`,
	Postgres: `CREATE TABLE stats_users (uid BIGSERIAL PRIMARY KEY, hash TEXT NOT NULL UNIQUE, first_day INTEGER NOT NULL);
	CREATE TABLE stats_events (
		app TEXT NOT NULL, id TEXT NOT NULL, day INTEGER NOT NULL, ts BIGINT NOT NULL, received BIGINT NOT NULL,
		name TEXT NOT NULL, uid BIGINT NOT NULL, region TEXT NOT NULL, channel TEXT NOT NULL,
		container_version TEXT NOT NULL, version TEXT NOT NULL, page TEXT NOT NULL, props TEXT NOT NULL,
		PRIMARY KEY (app, id));
	CREATE INDEX stats_events_day ON stats_events(day, app);
	CREATE TABLE stats_rollup (day INTEGER NOT NULL, app TEXT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (day, app));
	CREATE TABLE stats_release_rollup (day INTEGER NOT NULL, app TEXT NOT NULL, version TEXT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (app, day, version));`,
}}

// flushLock serialises flushes of several instances on one PostgreSQL database: a flush
// reads, merges and rewrites rollup rows.
const flushLock = 7245031

// maxCachedUsers bounds the hash → uid cache (about 40 bytes an entry).
const maxCachedUsers = 2 << 20

// Store is the usage-statistics store: ingest, buffered writes, rollups and reports.
type Store struct {
	db  *db.DB
	cfg Config
	w   *writer

	mu    sync.Mutex
	uids  map[[16]byte]uint32
	close sync.Once
}

// New migrates the store and starts its writer; Close flushes and stops it.
func New(ctx context.Context, d *db.DB, cfg Config) (*Store, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx, "stats", migrations); err != nil {
		return nil, err
	}
	s := &Store{db: d, cfg: cfg, uids: map[[16]byte]uint32{}}
	s.w = newWriter(s)
	return s, nil
}

// Location is the store's day boundary.
func (s *Store) Location() *time.Location { return s.cfg.Location }

// Today is the current day in the store's location.
func (s *Store) Today() Day { return DayOf(s.cfg.Now(), s.cfg.Location) }

// Flush writes the buffered events now.
func (s *Store) Flush(ctx context.Context) error { return s.w.flush(ctx) }

// Close flushes the buffer and stops the writer. Events accepted after Close are refused.
func (s *Store) Close(ctx context.Context) error {
	var err error
	s.close.Do(func() { err = s.w.stop(ctx) })
	return err
}

// stored returns the keys of entries already in the raw table (resent events).
func (s *Store) stored(ctx context.Context, es []entry) (map[string]bool, error) {
	byApp := map[string][]any{}
	for _, e := range es {
		byApp[e.app] = append(byApp[e.app], e.id)
	}
	out := map[string]bool{}
	for app, ids := range byApp {
		args := append([]any{app}, ids...)
		rows, err := s.db.QueryContext(ctx, `SELECT id FROM stats_events WHERE app = `+s.marks(1, 1)+` AND id IN (`+s.marks(2, len(ids))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("stats: look up event ids: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out[app+"\x00"+id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// marks returns n placeholders for arguments from, from+1, …: "$from, …" on PostgreSQL,
// "?, …" on SQLite, whose "$N" parameters are named and cost quadratic time to bind in the
// long statements of a flush.
func (s *Store) marks(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		if s.db.Dialect == db.Postgres {
			fmt.Fprintf(&b, "$%d", from+i)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// write stores a batch of entries and folds them into the rollups, in one transaction.
// Entries already stored (a race between two instances, or a retry) are skipped by the
// raw table's primary key, so they are never counted twice.
func (s *Store) write(ctx context.Context, es []entry) error {
	if len(es) == 0 {
		return nil
	}
	var fresh map[[16]byte]uint32
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if s.db.Dialect == db.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, flushLock); err != nil {
				return err
			}
		}
		uids, added, err := s.mapUsers(ctx, tx, es)
		if err != nil {
			return err
		}
		fresh = added
		kept, err := s.insertEvents(ctx, tx, es, uids)
		if err != nil {
			return err
		}
		return s.foldRollups(ctx, tx, kept, uids)
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	if len(s.uids)+len(fresh) > maxCachedUsers {
		s.uids = map[[16]byte]uint32{}
	}
	for h, u := range fresh {
		s.uids[h] = u
	}
	s.mu.Unlock()
	return nil
}

const chunk = 400

// mapUsers returns the uid of every entry's user hash, creating the missing ones.
func (s *Store) mapUsers(ctx context.Context, tx *sql.Tx, es []entry) (map[[16]byte]uint32, map[[16]byte]uint32, error) {
	uids := map[[16]byte]uint32{}
	first := map[[16]byte]Day{}
	s.mu.Lock()
	for _, e := range es {
		if u, ok := s.uids[e.user]; ok {
			uids[e.user] = u
		} else if d, ok := first[e.user]; !ok || e.day < d {
			first[e.user] = e.day
		}
	}
	s.mu.Unlock()
	missing := make([][16]byte, 0, len(first))
	for h := range first {
		missing = append(missing, h)
	}
	added := map[[16]byte]uint32{}
	for len(missing) > 0 {
		part := missing[:min(chunk, len(missing))]
		missing = missing[len(part):]
		args := make([]any, 0, 2*len(part))
		vals := make([]string, 0, len(part))
		for i, h := range part {
			vals = append(vals, "("+s.marks(2*i+1, 2)+")")
			args = append(args, hex.EncodeToString(h[:]), int64(first[h]))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO stats_users (hash, first_day) VALUES `+strings.Join(vals, ", ")+` ON CONFLICT (hash) DO NOTHING`, args...); err != nil {
			return nil, nil, fmt.Errorf("stats: add users: %w", err)
		}
		hs := make([]any, len(part))
		for i := range part {
			hs[i] = args[2*i]
		}
		rows, err := tx.QueryContext(ctx, `SELECT uid, hash FROM stats_users WHERE hash IN (`+s.marks(1, len(hs))+`)`, hs...)
		if err != nil {
			return nil, nil, fmt.Errorf("stats: read users: %w", err)
		}
		for rows.Next() {
			var uid int64
			var hx string
			if err := rows.Scan(&uid, &hx); err != nil {
				rows.Close()
				return nil, nil, err
			}
			if uid <= 0 || uid > 1<<32-1 {
				rows.Close()
				return nil, nil, fmt.Errorf("stats: user number %d does not fit the bitmaps' 32 bits", uid)
			}
			var h [16]byte
			hex.Decode(h[:], []byte(hx))
			uids[h], added[h] = uint32(uid), uint32(uid)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return uids, added, nil
}

const eventCols = 13

// insertEvents adds the raw events and returns the ones that were new.
func (s *Store) insertEvents(ctx context.Context, tx *sql.Tx, es []entry, uids map[[16]byte]uint32) ([]entry, error) {
	byKey := make(map[string]int, len(es))
	for i := range es {
		byKey[es[i].key()] = i
	}
	var kept []entry
	per := chunk * 2 // 13 columns × 800 rows stays under SQLite's 32766 variables
	for start := 0; start < len(es); start += per {
		part := es[start:min(start+per, len(es))]
		args := make([]any, 0, eventCols*len(part))
		var q strings.Builder
		q.WriteString(`INSERT INTO stats_events (app, id, day, ts, received, name, uid, region, channel, container_version, version, page, props) VALUES `)
		for i, e := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + s.marks(len(args)+1, eventCols) + ")")
			args = append(args, e.app, e.id, int64(e.day), e.ts, e.received, e.name, int64(uids[e.user]), e.region, e.channel, e.containerVersion, e.version, e.page, e.props)
		}
		q.WriteString(` ON CONFLICT (app, id) DO NOTHING RETURNING app, id`)
		rows, err := tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("stats: write events: %w", err)
		}
		for rows.Next() {
			var app, id string
			if err := rows.Scan(&app, &id); err != nil {
				rows.Close()
				return nil, err
			}
			kept = append(kept, es[byKey[app+"\x00"+id]])
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return kept, nil
}

type rollupKey struct {
	day          Day
	app, version string
}

type delta struct {
	pairs  []pair
	counts map[uint32]Counters
}

// foldRollups merges the new events into the (day, app) and (day, app, release) rows.
func (s *Store) foldRollups(ctx context.Context, tx *sql.Tx, es []entry, uids map[[16]byte]uint32) error {
	apps := map[rollupKey]*delta{}
	rels := map[rollupKey]*delta{}
	for _, e := range es {
		cell := cellOf(e.region, channelIndex(e.channel))
		p := pair{uids[e.user], cell}
		for _, t := range []struct {
			m map[rollupKey]*delta
			k rollupKey
		}{{apps, rollupKey{e.day, e.app, ""}}, {rels, rollupKey{e.day, e.app, e.version}}} {
			d := t.m[t.k]
			if d == nil {
				d = &delta{counts: map[uint32]Counters{}}
				t.m[t.k] = d
			}
			d.pairs = append(d.pairs, p)
			c := d.counts[cell]
			c.count(e.name)
			d.counts[cell] = c
		}
	}
	if err := s.foldTable(ctx, tx, "stats_rollup", false, apps); err != nil {
		return err
	}
	return s.foldTable(ctx, tx, "stats_release_rollup", true, rels)
}

func (s *Store) foldTable(ctx context.Context, tx *sql.Tx, table string, release bool, ds map[rollupKey]*delta) error {
	keys := make([]rollupKey, 0, len(ds))
	for k := range ds {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b rollupKey) int {
		if a.day != b.day {
			return int(a.day - b.day)
		}
		if c := strings.Compare(a.app, b.app); c != 0 {
			return c
		}
		return strings.Compare(a.version, b.version)
	})
	// Read the existing rows, a day and a few hundred apps at a time.
	old := map[rollupKey][]byte{}
	for i := 0; i < len(keys); {
		j := i
		var appArgs []any
		seen := map[string]bool{}
		for j < len(keys) && keys[j].day == keys[i].day && len(appArgs) < chunk {
			if !seen[keys[j].app] {
				seen[keys[j].app] = true
				appArgs = append(appArgs, keys[j].app)
			}
			j++
		}
		cols := `app, '', data`
		if release {
			cols = `app, version, data`
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+cols+` FROM `+table+` WHERE day = `+s.marks(1, 1)+` AND app IN (`+s.marks(2, len(appArgs))+`)`,
			append([]any{int64(keys[i].day)}, appArgs...)...)
		if err != nil {
			return fmt.Errorf("stats: read %s: %w", table, err)
		}
		for rows.Next() {
			var k rollupKey
			var data []byte
			if err := rows.Scan(&k.app, &k.version, &data); err != nil {
				rows.Close()
				return err
			}
			k.day = keys[i].day
			old[k] = data
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		i = j
	}
	// Write the merged rows back, many per statement: one round trip per 200 rows.
	cols, conflict, width := `(day, app, data)`, `(day, app)`, 3
	if release {
		cols, conflict, width = `(day, app, data, version)`, `(app, day, version)`, 4
	}
	for start := 0; start < len(keys); start += 200 {
		part := keys[start:min(start+200, len(keys))]
		args := make([]any, 0, width*len(part))
		vals := make([]string, 0, len(part))
		for _, k := range part {
			var r *rollup
			if b, ok := old[k]; ok {
				var err error
				if r, err = decodeRollup(b); err != nil {
					return fmt.Errorf("%w: %s day %s app %s", err, table, k.day, k.app)
				}
			}
			d := ds[k]
			data, err := r.merge(d.pairs, d.counts).encode()
			if err != nil {
				return err
			}
			vals = append(vals, "("+s.marks(len(args)+1, width)+")")
			args = append(args, int64(k.day), k.app, data)
			if release {
				args = append(args, k.version)
			}
		}
		q := `INSERT INTO ` + table + ` ` + cols + ` VALUES ` + strings.Join(vals, ", ") + ` ON CONFLICT ` + conflict + ` DO UPDATE SET data = excluded.data`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("stats: write %s: %w", table, err)
		}
	}
	return nil
}
