// Package dbtest runs a store test on every engine: SQLite always, PostgreSQL when
// GOVAPP_TEST_DATABASE_URL is set (CI sets it). Each PostgreSQL run gets its own schema, so
// packages testing in parallel against one database never see each other's rows.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/govapp/govapp/platform/internal/db"
)

// EnvURL names the PostgreSQL server for tests; EnvRequire makes its absence a failure
// (CI sets both, so the PostgreSQL leg can never silently skip).
const (
	EnvURL     = "GOVAPP_TEST_DATABASE_URL"
	EnvRequire = "GOVAPP_TEST_REQUIRE_POSTGRES"
)

// ForEachBackend runs fn once per engine as a subtest named after the dialect.
func ForEachBackend(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// URLs returns a database URL per engine for tests that start the whole platform:
// "" for SQLite (the data dir is used) and a fresh schema's URL for PostgreSQL.
func URLs(t *testing.T) map[db.Dialect]string {
	t.Helper()
	out := map[db.Dialect]string{db.SQLite: ""}
	if base := os.Getenv(EnvURL); base != "" {
		out[db.Postgres] = PostgresURL(t)
	} else if os.Getenv(EnvRequire) != "" {
		t.Fatalf("%s is set but %s is empty", EnvRequire, EnvURL)
	}
	return out
}

// SQLite opens a fresh SQLite database in the test's temp dir.
func SQLite(t *testing.T) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Postgres opens a fresh schema on the test server, or skips when none is configured.
func Postgres(t *testing.T) *db.DB {
	t.Helper()
	u := PostgresURL(t)
	d, err := db.Open(context.Background(), u, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// PostgresURL creates a schema for this test (dropped at cleanup) and returns a URL whose
// search_path points at it. It skips the test when no server is configured, unless
// GOVAPP_TEST_REQUIRE_POSTGRES is set.
func PostgresURL(t *testing.T) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv(EnvRequire) != "" {
			t.Fatalf("%s is set but %s is empty", EnvRequire, EnvURL)
		}
		t.Skipf("PostgreSQL leg skipped: set %s=postgres://... to run it", EnvURL)
	}
	ctx := context.Background()
	admin, err := db.Open(ctx, base, "")
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := db.Open(context.Background(), base, "")
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
