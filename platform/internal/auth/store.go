package auth

import (
	"github.com/govapp/govapp/platform/internal/db"
)

var migrations = []db.Migration{{
	SQLite: `CREATE TABLE auth_clients (
		client_id TEXT PRIMARY KEY, app_id TEXT NOT NULL, secret_hash TEXT NOT NULL, redirect_uris TEXT NOT NULL,
		scopes TEXT NOT NULL, confidential INTEGER NOT NULL, created_at TIMESTAMP NOT NULL);
	CREATE TABLE auth_requests (
		id TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, state TEXT NOT NULL, nonce TEXT NOT NULL,
		scopes TEXT NOT NULL, response_type TEXT NOT NULL, response_mode TEXT NOT NULL, code_challenge TEXT NOT NULL,
		code_method TEXT NOT NULL, user_id TEXT NOT NULL, amr TEXT NOT NULL, auth_time TIMESTAMP, done INTEGER NOT NULL,
		code_hash TEXT NOT NULL, created_at TIMESTAMP NOT NULL);
	CREATE INDEX auth_requests_code ON auth_requests(code_hash);
	CREATE TABLE auth_tokens (
		id TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL, scopes TEXT NOT NULL, audience TEXT NOT NULL,
		expires_at TIMESTAMP NOT NULL, created_at TIMESTAMP NOT NULL);
	CREATE TABLE auth_keys (id TEXT PRIMARY KEY, alg TEXT NOT NULL, private_enc TEXT NOT NULL, created_at TIMESTAMP NOT NULL);
	CREATE TABLE auth_identities (
		provider TEXT NOT NULL, subject TEXT NOT NULL, user_id TEXT NOT NULL, linked_by TEXT NOT NULL, created_at TIMESTAMP NOT NULL,
		PRIMARY KEY (provider, subject));
	CREATE INDEX auth_identities_user ON auth_identities(user_id);
	CREATE TABLE auth_phones (user_id TEXT PRIMARY KEY, phone TEXT NOT NULL UNIQUE, verified_at TIMESTAMP NOT NULL);
	CREATE TABLE auth_states (state_hash TEXT PRIMARY KEY, request_id TEXT NOT NULL, provider TEXT NOT NULL, created_at TIMESTAMP NOT NULL);
	CREATE TABLE auth_login_codes (code_hash TEXT PRIMARY KEY, request_id TEXT NOT NULL, created_at TIMESTAMP NOT NULL);`,
	Postgres: `CREATE TABLE auth_clients (
		client_id TEXT PRIMARY KEY, app_id TEXT NOT NULL, secret_hash TEXT NOT NULL, redirect_uris TEXT NOT NULL,
		scopes TEXT NOT NULL, confidential BOOLEAN NOT NULL, created_at TIMESTAMPTZ NOT NULL);
	CREATE TABLE auth_requests (
		id TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, state TEXT NOT NULL, nonce TEXT NOT NULL,
		scopes TEXT NOT NULL, response_type TEXT NOT NULL, response_mode TEXT NOT NULL, code_challenge TEXT NOT NULL,
		code_method TEXT NOT NULL, user_id TEXT NOT NULL, amr TEXT NOT NULL, auth_time TIMESTAMPTZ, done BOOLEAN NOT NULL,
		code_hash TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL);
	CREATE INDEX auth_requests_code ON auth_requests(code_hash);
	CREATE TABLE auth_tokens (
		id TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL, scopes TEXT NOT NULL, audience TEXT NOT NULL,
		expires_at TIMESTAMPTZ NOT NULL, created_at TIMESTAMPTZ NOT NULL);
	CREATE TABLE auth_keys (id TEXT PRIMARY KEY, alg TEXT NOT NULL, private_enc TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL);
	CREATE TABLE auth_identities (
		provider TEXT NOT NULL, subject TEXT NOT NULL, user_id TEXT NOT NULL, linked_by TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL,
		PRIMARY KEY (provider, subject));
	CREATE INDEX auth_identities_user ON auth_identities(user_id);
	CREATE TABLE auth_phones (user_id TEXT PRIMARY KEY, phone TEXT NOT NULL UNIQUE, verified_at TIMESTAMPTZ NOT NULL);
	CREATE TABLE auth_states (state_hash TEXT PRIMARY KEY, request_id TEXT NOT NULL, provider TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL);
	CREATE TABLE auth_login_codes (code_hash TEXT PRIMARY KEY, request_id TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL);`,
}, {
	SQLite:   `CREATE TABLE auth_phone_codes (user_id TEXT PRIMARY KEY, phone TEXT NOT NULL, code_hash TEXT NOT NULL, attempts INTEGER NOT NULL, created_at TIMESTAMP NOT NULL);`,
	Postgres: `CREATE TABLE auth_phone_codes (user_id TEXT PRIMARY KEY, phone TEXT NOT NULL, code_hash TEXT NOT NULL, attempts INTEGER NOT NULL, created_at TIMESTAMPTZ NOT NULL);`,
}, {
	SQLite:   `CREATE TABLE auth_passwords (user_id TEXT PRIMARY KEY, hash TEXT NOT NULL, failures INTEGER NOT NULL, locked_until TIMESTAMP, updated_at TIMESTAMP NOT NULL);`,
	Postgres: `CREATE TABLE auth_passwords (user_id TEXT PRIMARY KEY, hash TEXT NOT NULL, failures INTEGER NOT NULL, locked_until TIMESTAMPTZ, updated_at TIMESTAMPTZ NOT NULL);`,
}}
