// Package db opens the platform's store on either engine — embedded SQLite or PostgreSQL —
// and runs each domain's append-only migrations. Domain stores write their own SQL; most
// statements are portable ($N placeholders work on both), and where a dialect differs the
// store keeps both variants side by side.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect tells stores which SQL variant to use where the engines differ.
type Dialect string

// The two engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DefaultSQLiteFile is the database file inside the data directory.
const DefaultSQLiteFile = "govapp.db"

// DB is an open store with its dialect.
type DB struct {
	*sql.DB
	Dialect Dialect
	// Where is a human description of the target with secrets removed, for logs and errors.
	Where string
	url   string
	// locks serialises WithLock callers of one SQLite handle; see WithLock.
	locks sync.Map // int64 -> *sync.Mutex
}

// Querier is what stores run statements on: the DB itself or a transaction, so a change and
// its audit entry can share one transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Open connects to rawURL: "" means SQLite in dataDir, "postgres://" or "postgresql://"
// means PostgreSQL, "sqlite:///abs/path.db" or "file:path.db" an explicit SQLite file.
// It pings the server so a wrong URL stops the start with a clear message.
func Open(ctx context.Context, rawURL, dataDir string) (*DB, error) {
	if IsPostgres(rawURL) {
		return openPostgres(ctx, rawURL)
	}
	path, err := SQLitePath(rawURL, dataDir)
	if err != nil {
		return nil, err
	}
	return openSQLite(ctx, path)
}

// IsPostgres tells PostgreSQL URLs from SQLite ones.
func IsPostgres(rawURL string) bool {
	return strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://")
}

// SQLitePath is the database file a non-PostgreSQL URL names ("" = the data directory's).
func SQLitePath(rawURL, dataDir string) (string, error) {
	switch {
	case rawURL == "":
		if dataDir == "" {
			return "", errors.New("database: neither a database URL nor a data directory is set; pass --data DIR or --database-url URL")
		}
		return filepath.Join(dataDir, DefaultSQLiteFile), nil
	case strings.HasPrefix(rawURL, "sqlite://"):
		return strings.TrimPrefix(rawURL, "sqlite://"), nil
	case strings.HasPrefix(rawURL, "file:"):
		return strings.TrimPrefix(strings.SplitN(rawURL, "?", 2)[0], "file:"), nil
	default:
		return "", fmt.Errorf("database: unsupported URL %q; use postgres://user@host:5432/db, sqlite:///path/govapp.db, or leave it empty for SQLite in the data directory", Redact(rawURL))
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("database: empty SQLite path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("database: cannot create directory for %s: %w", path, err)
	}
	// WAL lets readers run beside the writer; immediate transactions take the write lock up
	// front so two writers queue on busy_timeout instead of failing on upgrade.
	dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("database: open SQLite %s: %w", path, err)
	}
	d := &DB{DB: sdb, Dialect: SQLite, Where: "sqlite " + path}
	if err := d.ping(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return d, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	sdb, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, fmt.Errorf("database: bad PostgreSQL URL %s: %w", Redact(rawURL), err)
	}
	sdb.SetMaxOpenConns(20)
	sdb.SetMaxIdleConns(10)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{DB: sdb, Dialect: Postgres, Where: "postgres " + Redact(rawURL), url: rawURL}
	if err := d.ping(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return d, nil
}

func (d *DB) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.PingContext(ctx); err != nil {
		return fmt.Errorf("database: cannot reach %s: %v; check that the server runs and the URL (--database-url / GOVAPP_DATABASE_URL) is right", d.Where, err)
	}
	return nil
}

// Redact hides the password of a database URL, in the user part or a password= query
// parameter, so the URL can be logged and printed; an unparsable URL is hidden whole.
func Redact(rawURL string) string {
	const hidden = "xxxxx"
	if rawURL == "" {
		return ""
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return hidden
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), hidden)
			changed = true
		}
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil && strings.Contains(strings.ToLower(u.RawQuery), "password") {
			u.RawQuery = "password=" + hidden
			changed = true
		}
		for k := range q {
			if strings.EqualFold(k, "password") {
				q[k] = []string{hidden}
				u.RawQuery = q.Encode()
				changed = true
			}
		}
	}
	if !changed {
		return rawURL // nothing secret: keep the URL exactly as written
	}
	return u.String()
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled back otherwise,
// so a failed request leaves nothing half-written.
func (d *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("database: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("database: commit: %w", err)
	}
	return nil
}

// WithLock runs fn while holding a cluster-wide lock named by key, so several platform
// instances starting on one PostgreSQL database do one-time work (seeding) once. SQLite is
// one file owned by one process, so there an in-process mutex per key does the same job
// (single statements are serialised by SQLite, but a multi-step fn is not).
func (d *DB) WithLock(ctx context.Context, key int64, fn func() error) error {
	if d.Dialect != Postgres {
		m, _ := d.locks.LoadOrStore(key, new(sync.Mutex))
		mu := m.(*sync.Mutex)
		mu.Lock()
		defer mu.Unlock()
		return fn()
	}
	conn, err := d.Conn(ctx)
	if err != nil {
		return fmt.Errorf("database: lock: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return fmt.Errorf("database: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key) //nolint:errcheck
	return fn()
}

// Pick returns the statement for this dialect, for the few places where the engines differ.
func (d *DB) Pick(sqliteSQL, postgresSQL string) string {
	if d.Dialect == Postgres {
		return postgresSQL
	}
	return sqliteSQL
}

// IsUniqueViolation reports whether err is a unique or primary-key constraint failure.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// Now is the store's clock reading: UTC, cut to microseconds because PostgreSQL keeps no more,
// so a value read back equals the value written (audit hashes depend on that).
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
