package push

import (
	"strings"

	"github.com/govapp/govapp/platform/internal/db"
)

// dialects writes a step once: {ts} is TIMESTAMP on SQLite and TIMESTAMPTZ on PostgreSQL,
// {id} an auto-numbered primary key.
func dialects(stmt string) db.Migration {
	return db.Migration{
		SQLite:   strings.NewReplacer("{ts}", "TIMESTAMP", "{id}", "INTEGER PRIMARY KEY AUTOINCREMENT").Replace(stmt),
		Postgres: strings.NewReplacer("{ts}", "TIMESTAMPTZ", "{id}", "BIGSERIAL PRIMARY KEY").Replace(stmt),
	}
}

// migrations of the "push" store; append only.
var migrations = []db.Migration{
	dialects(`CREATE TABLE push_devices (
		id {id}, user_id TEXT NOT NULL, kind TEXT NOT NULL, token TEXT NOT NULL,
		topic TEXT NOT NULL, environment TEXT NOT NULL, app_id TEXT NOT NULL,
		registered_at {ts} NOT NULL, unregistered_at {ts}, UNIQUE (kind, token));
	CREATE INDEX push_devices_user ON push_devices(user_id);`),
	// Notices, the recipient snapshot (which is also the in-app inbox: the record of
	// truth) and the outbox of deliveries. A delivery is claimable when pending and due;
	// a claim sets the end of its lease (leased_until, migration 4), so a crashed worker's
	// rows come due again by themselves.
	dialects(`CREATE TABLE push_notices (
		id TEXT PRIMARY KEY, scope_id TEXT NOT NULL, scope_path TEXT NOT NULL, created_by TEXT NOT NULL,
		idem_key TEXT, body_hash TEXT NOT NULL, spec TEXT NOT NULL, state TEXT NOT NULL,
		estimated INTEGER NOT NULL, resolved INTEGER NOT NULL DEFAULT 0,
		send_at {ts} NOT NULL, expires_at {ts} NOT NULL, created_at {ts} NOT NULL, finished_at {ts},
		UNIQUE (created_by, idem_key));
	CREATE INDEX push_notices_due ON push_notices(state, send_at);
	CREATE INDEX push_notices_scope ON push_notices(scope_id, created_at);
	CREATE TABLE push_inbox (
		notice_id TEXT NOT NULL, user_id TEXT NOT NULL, created_at {ts} NOT NULL, opened_at {ts},
		PRIMARY KEY (notice_id, user_id));
	CREATE INDEX push_inbox_user ON push_inbox(user_id, created_at);
	CREATE TABLE push_deliveries (
		id {id}, notice_id TEXT NOT NULL, user_id TEXT NOT NULL, tier INTEGER NOT NULL,
		channel TEXT NOT NULL, device_id BIGINT NOT NULL, fallback INTEGER NOT NULL DEFAULT 0,
		state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, due_at {ts} NOT NULL,
		lease_owner TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '', sent_at {ts});
	CREATE INDEX push_deliveries_due ON push_deliveries(channel, due_at) WHERE state = 'pending';
	CREATE INDEX push_deliveries_notice ON push_deliveries(notice_id, user_id);
	CREATE TABLE push_subscriptions (app_id TEXT NOT NULL, user_id TEXT NOT NULL, created_at {ts} NOT NULL,
		PRIMARY KEY (app_id, user_id));
	CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);
	CREATE TABLE push_tags (node_id TEXT NOT NULL, tag TEXT NOT NULL, user_id TEXT NOT NULL, created_at {ts} NOT NULL,
		PRIMARY KEY (node_id, tag, user_id));
	CREATE INDEX push_tags_user ON push_tags(user_id);`),
	// "Is anything of this notice still pending?" is asked on every tick; without its own
	// partial index it walked the notice's finished rows, which made a 1M fan-out quadratic.
	dialects(`CREATE INDEX push_deliveries_pending_notice ON push_deliveries(notice_id) WHERE state = 'pending';`),
	// A lease lives in a column no index covers, so a claim rewrites no index entry (on
	// PostgreSQL it can be a HOT update, given room on the page): a claim used to move
	// due_at, which touched all four indexes per row.
	{
		SQLite:   `ALTER TABLE push_deliveries ADD COLUMN leased_until TIMESTAMP;`,
		Postgres: `ALTER TABLE push_deliveries ADD COLUMN leased_until TIMESTAMPTZ; ALTER TABLE push_deliveries SET (fillfactor = 70);`,
	},
}
