package db

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen receives PostgreSQL notifications on channel and hands each payload to fn until
// ctx ends. After a lost connection it reconnects and calls resync, because notifications
// sent meanwhile are gone. It needs the URL the DB was opened with.
func (d *DB) Listen(ctx context.Context, channel string, fn func(payload string), resync func()) error {
	if d.Dialect != Postgres {
		return errors.New("database: LISTEN needs PostgreSQL")
	}
	backoff := time.Second
	first := true
	for ctx.Err() == nil {
		err := d.listenOnce(ctx, channel, fn, func() {
			if !first {
				resync()
			}
			first = false
			backoff = time.Second
		})
		if ctx.Err() != nil {
			return nil
		}
		_ = err // the next round reconnects; the caller's logs show request errors anyway
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		if backoff < 30*time.Second {
			backoff *= 2
		}
	}
	return nil
}

func (d *DB) listenOnce(ctx context.Context, channel string, fn func(string), connected func()) error {
	conn, err := pgx.Connect(ctx, d.url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	connected()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		fn(n.Payload)
	}
}
