package db

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
)

// Migration is one append-only schema step. Postgres may be empty when SQLite's text serves both.
type Migration struct {
	SQLite   string
	Postgres string
}

// Migrate applies the store's migrations that have not run yet, each in its own transaction
// with its version row, so a crash never leaves a step half-applied. Versions are positions
// in the slice (1-based): only ever append.
func (d *DB) Migrate(ctx context.Context, store string, steps []Migration) error {
	create := d.Pick(
		`CREATE TABLE IF NOT EXISTS schema_migrations (store TEXT NOT NULL, version INTEGER NOT NULL, applied_at TIMESTAMP NOT NULL, PRIMARY KEY (store, version))`,
		`CREATE TABLE IF NOT EXISTS schema_migrations (store TEXT NOT NULL, version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (store, version))`)
	if d.Dialect == Postgres {
		// Several platform instances may start at once: serialise schema creation.
		if err := d.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7245021)`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, create)
			return err
		}); err != nil {
			return fmt.Errorf("database: create schema_migrations: %w", err)
		}
	} else if _, err := d.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("database: create schema_migrations: %w", err)
	}
	for i, m := range steps {
		version := i + 1
		stmt := m.SQLite
		if d.Dialect == Postgres && m.Postgres != "" {
			stmt = m.Postgres
		}
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			if d.Dialect == Postgres {
				h := fnv.New32a()
				h.Write([]byte(store))
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum32())); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE store = $1 AND version = $2`, store, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (store, version, applied_at) VALUES ($1, $2, $3)`, store, version, Now())
			return err
		})
		if err != nil {
			return fmt.Errorf("database: migrate %s to version %d: %w", store, version, err)
		}
	}
	return nil
}
