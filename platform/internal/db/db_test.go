package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
)

func TestOpenNeedsURLOrDataDir(t *testing.T) {
	_, err := db.Open(context.Background(), "", "")
	if err == nil {
		t.Fatal("Open with neither URL nor data dir succeeded")
	}
	if !strings.Contains(err.Error(), "--data") || !strings.Contains(err.Error(), "--database-url") {
		t.Errorf("error does not say what to pass: %v", err)
	}
}

func TestOpenUnsupportedScheme(t *testing.T) {
	for _, u := range []string{"mysql://u:secret@db.example:3306/govapp", "redis://:secret@localhost:6379/0", "govapp.db"} {
		t.Run(u, func(t *testing.T) {
			d, err := db.Open(context.Background(), u, t.TempDir())
			if err == nil {
				d.Close()
				t.Fatalf("Open(%q) succeeded", u)
			}
			msg := err.Error()
			for _, want := range []string{"unsupported", "postgres://", "sqlite://"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not name %q", msg, want)
				}
			}
			if strings.Contains(msg, "secret") {
				t.Errorf("error leaks the password: %q", msg)
			}
		})
	}
}

func TestOpenUnreachablePostgresHidesPassword(t *testing.T) {
	// Port 1 on loopback refuses connections at once; the deadline only bounds a broken host.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, u := range []string{"postgres://u:secret@127.0.0.1:1/x", "postgresql://u:secret@127.0.0.1:1/x?sslmode=disable"} {
		d, err := db.Open(ctx, u, "")
		if err == nil {
			d.Close()
			t.Fatalf("Open(%q) succeeded against a closed port", u)
		}
		msg := err.Error()
		if strings.Contains(msg, "secret") {
			t.Errorf("error leaks the password: %q", msg)
		}
		if !strings.Contains(msg, "127.0.0.1") || !strings.Contains(msg, "cannot reach") {
			t.Errorf("error does not say which server could not be reached: %q", msg)
		}
	}
}

// The password must stay hidden however the URL spells it: pgx accepts a password in the
// query string, and a password with characters net/url refuses still reaches the error text.
func TestOpenUnreachablePostgresHidesUnusualPasswords(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, c := range []struct{ url, secret string }{
		{"postgres://u@127.0.0.1:1/x?password=s3cr3tpw", "s3cr3tpw"},
		{"postgres://u:s3cr3t pw@127.0.0.1:1/x", "s3cr3t pw"},
	} {
		d, err := db.Open(ctx, c.url, "")
		if err == nil {
			d.Close()
			t.Fatalf("Open(%q) succeeded", c.url)
		}
		if strings.Contains(err.Error(), c.secret) {
			t.Errorf("Open(%q) error leaks the password: %q", c.url, err)
		}
	}
}

func TestOpenExplicitSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, c := range []struct{ url, file string }{
		{"sqlite://" + filepath.Join(dir, "a", "one.db"), filepath.Join(dir, "a", "one.db")},
		{"file:" + filepath.Join(dir, "two.db") + "?mode=rwc", filepath.Join(dir, "two.db")},
	} {
		d, err := db.Open(ctx, c.url, "")
		if err != nil {
			t.Fatalf("Open(%q): %v", c.url, err)
		}
		if d.Dialect != db.SQLite {
			t.Errorf("Open(%q) dialect = %q, want sqlite", c.url, d.Dialect)
		}
		if _, err := d.ExecContext(ctx, `CREATE TABLE x (id INTEGER)`); err != nil {
			t.Fatal(err)
		}
		d.Close()
		if _, err := os.Stat(c.file); err != nil {
			t.Errorf("Open(%q) did not create %s: %v", c.url, c.file, err)
		}
	}
	d, err := db.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if _, err := os.Stat(filepath.Join(dir, db.DefaultSQLiteFile)); err != nil {
		t.Errorf("Open with a data dir did not create %s: %v", db.DefaultSQLiteFile, err)
	}
}

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://u:secret@db.example:5432/govapp?sslmode=disable", "postgres://u:xxxxx@db.example:5432/govapp?sslmode=disable"},
		{"postgresql://admin:p%40ss@10.0.0.1/x", "postgresql://admin:xxxxx@10.0.0.1/x"},
		{"postgres://u@db.example/govapp", "postgres://u@db.example/govapp"},
		{"postgres://db.example/govapp", "postgres://db.example/govapp"},
		{"sqlite:///var/lib/govapp/govapp.db", "sqlite:///var/lib/govapp/govapp.db"},
		{"", ""},
	} {
		if got := db.Redact(c.in); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Redact must not hand a password back just because the URL does not parse, or because it
// sits in the query string (pgx reads ?password=).
func TestRedactHidesPasswordsInAnyForm(t *testing.T) {
	for _, c := range []struct{ in, secret string }{
		{"postgres://u:s3cr3t pw@db.example/govapp", "s3cr3t pw"},
		{"postgres://u:pa#ss@db.example:5432/govapp", "pa#ss"},
		{"postgres://u@db.example/govapp?sslmode=disable&password=s3cr3tpw", "s3cr3tpw"},
	} {
		if got := db.Redact(c.in); strings.Contains(got, c.secret) {
			t.Errorf("Redact(%q) = %q still shows the password", c.in, got)
		}
	}
}

func countRows(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestMigrateIdempotentAndAppendOnly(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		steps := []db.Migration{
			{SQLite: `CREATE TABLE mig_t (id INTEGER PRIMARY KEY, note TEXT NOT NULL)`},
			{SQLite: `INSERT INTO mig_t (id, note) VALUES (1, 'one')`},
		}
		if err := d.Migrate(ctx, "migtest", steps); err != nil {
			t.Fatalf("first migrate: %v", err)
		}
		// A second run must apply nothing: re-running CREATE TABLE would fail, re-running the
		// INSERT would hit the primary key.
		if err := d.Migrate(ctx, "migtest", steps); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if n := countRows(t, d, `SELECT count(*) FROM mig_t`); n != 1 {
			t.Fatalf("rows after two runs = %d, want 1", n)
		}
		if n := countRows(t, d, `SELECT count(*) FROM schema_migrations WHERE store = $1`, "migtest"); n != 2 {
			t.Fatalf("versions after two runs = %d, want 2", n)
		}
		steps = append(steps, db.Migration{
			SQLite:   `INSERT INTO mig_t (id, note) VALUES (2, 'sqlite')`,
			Postgres: `INSERT INTO mig_t (id, note) VALUES (2, 'postgres')`,
		})
		if err := d.Migrate(ctx, "migtest", steps); err != nil {
			t.Fatalf("migrate with appended step: %v", err)
		}
		if n := countRows(t, d, `SELECT count(*) FROM mig_t`); n != 2 {
			t.Fatalf("rows after appended step = %d, want 2", n)
		}
		var note string
		if err := d.QueryRowContext(ctx, `SELECT note FROM mig_t WHERE id = 2`).Scan(&note); err != nil {
			t.Fatal(err)
		}
		if note != string(d.Dialect) {
			t.Errorf("step 3 ran the %q variant on %s", note, d.Dialect)
		}
		var maxVersion int
		if err := d.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations WHERE store = $1`, "migtest").Scan(&maxVersion); err != nil {
			t.Fatal(err)
		}
		if maxVersion != 3 {
			t.Errorf("latest version = %d, want 3", maxVersion)
		}
		// Versions are per store: another store's step 1 still runs.
		if err := d.Migrate(ctx, "othertest", []db.Migration{{SQLite: `CREATE TABLE other_t (id INTEGER)`}}); err != nil {
			t.Fatalf("migrate another store: %v", err)
		}
		if n := countRows(t, d, `SELECT count(*) FROM other_t`); n != 0 {
			t.Errorf("other_t has %d rows", n)
		}
	})
}

func TestMigrateFailedStepLeavesNoVersion(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		steps := []db.Migration{{SQLite: `CREATE TABLE ok_t (id INTEGER)`}, {SQLite: `CREATE TABLE broken (`}}
		err := d.Migrate(ctx, "failtest", steps)
		if err == nil {
			t.Fatal("migrate with a broken step succeeded")
		}
		if !strings.Contains(err.Error(), "failtest") || !strings.Contains(err.Error(), "version 2") {
			t.Errorf("error does not name the store and version: %v", err)
		}
		if n := countRows(t, d, `SELECT count(*) FROM schema_migrations WHERE store = $1`, "failtest"); n != 1 {
			t.Errorf("versions recorded = %d, want 1 (the broken step must not be recorded)", n)
		}
		steps[1] = db.Migration{SQLite: `CREATE TABLE fixed_t (id INTEGER)`}
		if err := d.Migrate(ctx, "failtest", steps); err != nil {
			t.Fatalf("migrate after fixing the step: %v", err)
		}
		if n := countRows(t, d, `SELECT count(*) FROM fixed_t`); n != 0 {
			t.Errorf("fixed_t has %d rows", n)
		}
	})
}

func TestInTx(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.ExecContext(ctx, `CREATE TABLE tx_t (id INTEGER PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		insert := func(tx *sql.Tx, id int) {
			t.Helper()
			if _, err := tx.ExecContext(ctx, `INSERT INTO tx_t (id) VALUES ($1)`, id); err != nil {
				t.Fatal(err)
			}
		}

		if err := d.InTx(ctx, func(tx *sql.Tx) error { insert(tx, 1); return nil }); err != nil {
			t.Fatalf("InTx commit: %v", err)
		}

		boom := errors.New("boom")
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			insert(tx, 2)
			return fmt.Errorf("wrapped: %w", boom)
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want the callback's error", err)
		}

		func() {
			defer func() {
				if p := recover(); p != "kaboom" {
					t.Errorf("recovered %v, want the callback's panic re-raised", p)
				}
			}()
			_ = d.InTx(ctx, func(tx *sql.Tx) error {
				insert(tx, 3)
				panic("kaboom")
			})
			t.Error("InTx swallowed the panic")
		}()

		rows, err := d.QueryContext(ctx, `SELECT id FROM tx_t ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var ids []int
		for rows.Next() {
			var id int
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(ids) != 1 || ids[0] != 1 {
			t.Fatalf("rows = %v, want only [1]: the failed and the panicking transaction must leave nothing", ids)
		}
		rows.Close()

		// The pool is still usable for writes after the rollbacks (no connection left holding a lock).
		if err := d.InTx(ctx, func(tx *sql.Tx) error { insert(tx, 4); return nil }); err != nil {
			t.Fatalf("InTx after rollbacks: %v", err)
		}
		if n := countRows(t, d, `SELECT count(*) FROM tx_t`); n != 2 {
			t.Errorf("rows = %d, want 2", n)
		}
	})
}

func TestIsUniqueViolation(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.ExecContext(ctx, `CREATE TABLE uq_t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, note TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ExecContext(ctx, `INSERT INTO uq_t (id, name, note) VALUES (1, 'a', 'x')`); err != nil {
			t.Fatal(err)
		}
		_, pkErr := d.ExecContext(ctx, `INSERT INTO uq_t (id, name, note) VALUES (1, 'b', 'x')`)
		_, uniqErr := d.ExecContext(ctx, `INSERT INTO uq_t (id, name, note) VALUES (2, 'a', 'x')`)
		_, nullErr := d.ExecContext(ctx, `INSERT INTO uq_t (id, name, note) VALUES (3, 'c', NULL)`)
		_, syntaxErr := d.ExecContext(ctx, `INSERT INTO no_such_table VALUES (1)`)
		for _, c := range []struct {
			name string
			err  error
			want bool
		}{
			{"primary key", pkErr, true},
			{"unique column", uniqErr, true},
			{"wrapped unique", fmt.Errorf("store: %w", uniqErr), true},
			{"not null", nullErr, false},
			{"missing table", syntaxErr, false},
			{"plain error", errors.New("duplicate key value violates unique constraint"), false},
			{"nil", nil, false},
		} {
			if c.want && c.err == nil {
				t.Fatalf("%s: the statement did not fail", c.name)
			}
			if got := db.IsUniqueViolation(c.err); got != c.want {
				t.Errorf("%s: IsUniqueViolation(%v) = %v, want %v", c.name, c.err, got, c.want)
			}
		}
		if nullErr == nil || syntaxErr == nil {
			t.Fatal("NOT NULL or missing-table statement did not fail")
		}
	})
}

func TestPick(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		got := d.Pick("s", "p")
		want := map[db.Dialect]string{db.SQLite: "s", db.Postgres: "p"}[d.Dialect]
		if got != want {
			t.Errorf("Pick on %s = %q, want %q", d.Dialect, got, want)
		}
	})
}

func TestNowRoundTrips(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.ExecContext(ctx, d.Pick(`CREATE TABLE now_t (at TIMESTAMP NOT NULL)`, `CREATE TABLE now_t (at TIMESTAMPTZ NOT NULL)`)); err != nil {
			t.Fatal(err)
		}
		now := db.Now()
		if now.Location() != time.UTC || now.Nanosecond()%1000 != 0 {
			t.Fatalf("Now() = %v is not UTC microseconds", now)
		}
		if _, err := d.ExecContext(ctx, `INSERT INTO now_t (at) VALUES ($1)`, now); err != nil {
			t.Fatal(err)
		}
		var back time.Time
		if err := d.QueryRowContext(ctx, `SELECT at FROM now_t`).Scan(&back); err != nil {
			t.Fatal(err)
		}
		if !back.Equal(now) {
			t.Errorf("read back %v, wrote %v", back, now)
		}
	})
}
