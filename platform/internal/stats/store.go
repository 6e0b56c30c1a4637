package stats

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
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
}, {
	// One row per day over all apps (app is always ''): reports that do not pick apps —
	// the trend, DAU/MAU, retention, regions, channels — read a row a day instead of one
	// per app and day. New fills it from stats_rollup once (backfillDays).
	SQLite:   `CREATE TABLE stats_day_rollup (day INTEGER NOT NULL, app TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (day, app));`,
	Postgres: `CREATE TABLE stats_day_rollup (day INTEGER NOT NULL, app TEXT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (day, app));`,
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

	wconn  *sql.Conn // the writer's connection (guarded by the writer's flushMu)
	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt // prepared statements of the flush, by name and rows

	mu    sync.Mutex
	uids  map[[16]byte]uint32
	close sync.Once
	macs  sync.Pool // keyed HMAC-SHA256 states of userHash
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
	if err := s.backfillDays(ctx); err != nil {
		s.Close(ctx)
		return nil, err
	}
	return s, nil
}

// backfillDays fills stats_day_rollup from stats_rollup when it is empty and the per-app
// rows are not (a store written before the table existed): a day at a time, in one
// transaction under the writer's lock.
func (s *Store) backfillDays(ctx context.Context) error {
	var have, need bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM stats_day_rollup), EXISTS (SELECT 1 FROM stats_rollup)`).Scan(&have, &need); err != nil {
		return fmt.Errorf("stats: look at the day rollups: %w", err)
	}
	if have || !need {
		return nil
	}
	s.w.flushMu.Lock()
	defer s.w.flushMu.Unlock()
	return s.inWriterTx(ctx, func(tx *sql.Tx) error {
		if s.db.Dialect == db.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, flushLock); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM stats_day_rollup`); err != nil { // another instance was first
			return err
		}
		days := map[rollupKey]*delta{}
		rows, err := tx.QueryContext(ctx, `SELECT day, data FROM stats_rollup ORDER BY day`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var day int64
			var data []byte
			if err := rows.Scan(&day, &data); err != nil {
				return err
			}
			r, err := decodeRollup(data)
			if err != nil {
				return fmt.Errorf("%w: stats_rollup day %s", err, Day(day))
			}
			k := rollupKey{day: Day(day)}
			d := days[k]
			if d == nil {
				d = &delta{counts: map[uint32]Counters{}}
				days[k] = d
			}
			d.pairs = append(d.pairs, r.pairs()...)
			for _, cc := range r.counts {
				c := d.counts[cc.cell]
				c.add(cc.c)
				d.counts[cc.cell] = c
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return s.foldTable(ctx, tx, "stats_day_rollup", false, days)
	})
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
	s.close.Do(func() {
		err = s.w.stop(ctx)
		if s.wconn != nil {
			s.wconn.Close()
			s.wconn = nil
		}
		s.stmtMu.Lock()
		for _, st := range s.stmts {
			st.Close()
		}
		s.stmts = nil
		s.stmtMu.Unlock()
	})
	return err
}

// prepared returns the statement q of tx, prepared once per store and connection: a flush
// runs the same few multi-row statements over and over, and parsing them cost more than
// running them.
func (s *Store) prepared(ctx context.Context, tx *sql.Tx, name string, q func() string) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	st := s.stmts[name]
	if st == nil {
		var err error
		if st, err = s.db.PrepareContext(ctx, q()); err != nil {
			s.stmtMu.Unlock()
			return nil, err
		}
		if s.stmts == nil {
			s.stmts = map[string]*sql.Stmt{}
		}
		s.stmts[name] = st
	}
	s.stmtMu.Unlock()
	return tx.StmtContext(ctx, st), nil
}

// rowSizes are the row counts of the multi-row statements of a flush: a chunk of n rows
// runs as the largest that fit, then smaller ones, so a handful of statements are prepared.
var rowSizes = []int{256, 32, 4, 1}

// inChunks calls fn for consecutive parts of n rows, each with the statement for its size.
func (s *Store) inChunks(ctx context.Context, tx *sql.Tx, name string, n int, sql func(rows int) string, fn func(st *sql.Stmt, lo, hi int) error) error {
	for lo := 0; lo < n; {
		size := rowSizes[len(rowSizes)-1]
		for _, k := range rowSizes {
			if k <= n-lo {
				size = k
				break
			}
		}
		st, err := s.prepared(ctx, tx, name+"/"+strconv.Itoa(size), func() string { return sql(size) })
		if err != nil {
			return err
		}
		if err := fn(st, lo, lo+size); err != nil {
			return err
		}
		lo += size
	}
	return nil
}

// values returns "(?, …), (?, …)…": rows groups of width placeholders.
func (s *Store) values(rows, width int) string {
	var b strings.Builder
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + s.marks(i*width+1, width) + ")")
	}
	return b.String()
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
	err := s.inWriterTx(ctx, func(tx *sql.Tx) error {
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

// writerPragmas tune the SQLite connection that flushes: the statement journal of the
// multi-row inserts stays in memory instead of a temp file, and a larger page cache keeps
// a flush's dirty pages from spilling into the WAL before the commit. Durability is the
// database's own (WAL, synchronous=NORMAL): a committed flush survives a crash of the process.
var writerPragmas = []string{`PRAGMA temp_store = MEMORY`, `PRAGMA cache_size = -65536`}

// inWriterTx runs fn in a transaction on the writer's own connection (only the writer
// flushes, one flush at a time), so its PRAGMAs and prepared statements stay with it. A
// connection that failed is closed and the next flush takes a fresh one.
func (s *Store) inWriterTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	if s.wconn == nil {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("stats: writer connection: %w", err)
		}
		if s.db.Dialect == db.SQLite {
			for _, p := range writerPragmas {
				if _, err := c.ExecContext(ctx, p); err != nil {
					c.Close()
					return fmt.Errorf("stats: %s: %w", p, err)
				}
			}
		}
		s.wconn = c
	}
	defer func() {
		if err != nil {
			s.wconn.Close() // a healthy connection goes back to the pool
			s.wconn = nil
		}
	}()
	tx, err := s.wconn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("stats: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("stats: commit: %w", err)
	}
	return nil
}

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
	if len(missing) == 0 {
		return uids, added, nil
	}
	hexes := make([]any, len(missing))
	for i, h := range missing {
		hexes[i] = hex.EncodeToString(h[:])
	}
	insert := func(n int) string {
		return `INSERT INTO stats_users (hash, first_day) VALUES ` + s.values(n, 2) + ` ON CONFLICT (hash) DO NOTHING`
	}
	args := make([]any, 0, 2*rowSizes[0])
	err := s.inChunks(ctx, tx, "users.insert", len(missing), insert, func(st *sql.Stmt, lo, hi int) error {
		args = args[:0]
		for i := lo; i < hi; i++ {
			args = append(args, hexes[i], int64(first[missing[i]]))
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("stats: add users: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	read := func(n int) string { return `SELECT uid, hash FROM stats_users WHERE hash IN (` + s.marks(1, n) + `)` }
	err = s.inChunks(ctx, tx, "users.read", len(missing), read, func(st *sql.Stmt, lo, hi int) error {
		rows, err := st.QueryContext(ctx, hexes[lo:hi]...)
		if err != nil {
			return fmt.Errorf("stats: read users: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var uid int64
			var hx sql.RawBytes
			if err := rows.Scan(&uid, &hx); err != nil {
				return err
			}
			if uid <= 0 || uid > 1<<32-1 {
				return fmt.Errorf("stats: user number %d does not fit the bitmaps' 32 bits", uid)
			}
			var h [16]byte
			if _, err := hex.Decode(h[:], hx); err != nil {
				return fmt.Errorf("stats: read users: %w", err)
			}
			uids[h], added[h] = uint32(uid), uint32(uid)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	return uids, added, nil
}

const eventCols = 13

// insertEvents adds the raw events and returns the ones that were new.
//
// On PostgreSQL the insert returns the new rows. On SQLite, RETURNING costs about a fifth
// of the insert, and nearly always every row is new (ingest already answered resends it
// remembers): so the insert only counts, and when fewer rows than sent went in, the new
// ones are read back as the rows with the highest rowids — SQLite gives a new row the
// largest rowid so far plus one (stats_events has no AUTOINCREMENT and rowids never come
// near 2^63), so the n rows one statement added are the table's n last.
func (s *Store) insertEvents(ctx context.Context, tx *sql.Tx, es []entry, uids map[[16]byte]uint32) ([]entry, error) {
	var byKey map[idKey]int
	index := func() {
		if byKey == nil {
			byKey = make(map[idKey]int, len(es))
			for i := range es {
				byKey[es[i].k] = i
			}
		}
	}
	kept := make([]entry, 0, len(es))
	pg := s.db.Dialect == db.Postgres
	insert := func(n int) string {
		q := `INSERT INTO stats_events (app, id, day, ts, received, name, uid, region, channel, container_version, version, page, props) VALUES ` +
			s.values(n, eventCols) + ` ON CONFLICT (app, id) DO NOTHING`
		if pg {
			q += ` RETURNING app, id`
		}
		return q
	}
	// keep adds the entries of the (app, id) rows to kept.
	keep := func(rows *sql.Rows) error {
		defer rows.Close()
		index()
		for rows.Next() {
			var app, id sql.RawBytes
			if err := rows.Scan(&app, &id); err != nil {
				return err
			}
			i, ok := byKey[s.w.recent.keyBytes(app, id)]
			if !ok {
				return fmt.Errorf("stats: write events: the database returned an event that was not written (%s/%s)", app, id)
			}
			kept = append(kept, es[i])
		}
		return rows.Err()
	}
	args := make([]any, 0, eventCols*rowSizes[0])
	err := s.inChunks(ctx, tx, "events.insert", len(es), insert, func(st *sql.Stmt, lo, hi int) error {
		args = args[:0]
		for i := lo; i < hi; i++ {
			e := &es[i]
			args = append(args, e.app, e.id, int64(e.day), e.ts, e.received, e.name, int64(uids[e.user]), e.region, e.channel, e.containerVersion, e.version, e.page, e.props)
		}
		if pg {
			rows, err := st.QueryContext(ctx, args...)
			if err != nil {
				return fmt.Errorf("stats: write events: %w", err)
			}
			return keep(rows)
		}
		res, err := st.ExecContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("stats: write events: %w", err)
		}
		n, err := res.RowsAffected()
		switch {
		case err != nil:
			return fmt.Errorf("stats: write events: %w", err)
		case n == int64(hi-lo):
			kept = append(kept, es[lo:hi]...)
			return nil
		case n == 0:
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT app, id FROM stats_events ORDER BY rowid DESC LIMIT ?`, n)
		if err != nil {
			return fmt.Errorf("stats: read written events: %w", err)
		}
		return keep(rows)
	})
	return kept, err
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
	days := map[rollupKey]*delta{}
	for _, e := range es {
		cell := cellOf(e.region, channelIndex(e.channel))
		p := pair{uids[e.user], cell}
		for _, t := range []struct {
			m map[rollupKey]*delta
			k rollupKey
		}{{apps, rollupKey{e.day, e.app, ""}}, {rels, rollupKey{e.day, e.app, e.version}}, {days, rollupKey{day: e.day}}} {
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
	if err := s.foldTable(ctx, tx, "stats_day_rollup", false, days); err != nil {
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
