package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
)

var migrations = []db.Migration{{
	SQLite: `CREATE TABLE org_nodes (
		id TEXT PRIMARY KEY, parent_id TEXT REFERENCES org_nodes(id), kind TEXT NOT NULL,
		name TEXT NOT NULL, code TEXT NOT NULL, path TEXT NOT NULL UNIQUE, created_at TIMESTAMP NOT NULL);
	CREATE UNIQUE INDEX org_nodes_sibling_name ON org_nodes(COALESCE(parent_id, ''), name);
	CREATE TABLE users (
		id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, kind TEXT NOT NULL,
		node_id TEXT NOT NULL REFERENCES org_nodes(id), region TEXT NOT NULL, verified_level INTEGER NOT NULL,
		created_at TIMESTAMP NOT NULL);
	CREATE TABLE roles (name TEXT PRIMARY KEY, title TEXT NOT NULL, permissions TEXT NOT NULL);
	CREATE TABLE grants (
		id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), role TEXT NOT NULL REFERENCES roles(name),
		node_id TEXT NOT NULL REFERENCES org_nodes(id), created_at TIMESTAMP NOT NULL, UNIQUE (user_id, role, node_id));
	CREATE TABLE tokens (
		id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), name TEXT NOT NULL, prefix TEXT NOT NULL,
		hash TEXT NOT NULL UNIQUE, created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP, last_used_at TIMESTAMP, revoked_at TIMESTAMP);`,
	Postgres: `CREATE TABLE org_nodes (
		id TEXT PRIMARY KEY, parent_id TEXT REFERENCES org_nodes(id), kind TEXT NOT NULL,
		name TEXT NOT NULL, code TEXT NOT NULL, path TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL);
	CREATE UNIQUE INDEX org_nodes_sibling_name ON org_nodes(COALESCE(parent_id, ''), name);
	CREATE INDEX org_nodes_path_prefix ON org_nodes(path text_pattern_ops);
	CREATE TABLE users (
		id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL, kind TEXT NOT NULL,
		node_id TEXT NOT NULL REFERENCES org_nodes(id), region TEXT NOT NULL, verified_level INTEGER NOT NULL,
		created_at TIMESTAMPTZ NOT NULL);
	CREATE TABLE roles (name TEXT PRIMARY KEY, title TEXT NOT NULL, permissions TEXT NOT NULL);
	CREATE TABLE grants (
		id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), role TEXT NOT NULL REFERENCES roles(name),
		node_id TEXT NOT NULL REFERENCES org_nodes(id), created_at TIMESTAMPTZ NOT NULL, UNIQUE (user_id, role, node_id));
	CREATE TABLE tokens (
		id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), name TEXT NOT NULL, prefix TEXT NOT NULL,
		hash TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ, last_used_at TIMESTAMPTZ, revoked_at TIMESTAMPTZ);`,
}}

// BuiltinRoles are seeded on every start (and updated, so a release can widen them).
var BuiltinRoles = []Role{
	{Name: "admin", Title: "管理员", Permissions: AllPermissions},
	{Name: "developer", Title: "开发者", Permissions: []string{PermAppCreate, PermAppPublish, PermStatsRead}},
	{Name: "reviewer", Title: "审核员", Permissions: []string{PermAppReview, PermStatsRead}},
	{Name: "operator", Title: "运营人员", Permissions: []string{PermPushSend, PermStatsRead}},
	{Name: "auditor", Title: "审计员", Permissions: []string{PermAuditRead, PermStatsRead}},
}

// store holds identity's SQL; every method takes the Querier so callers choose the transaction.
type store struct{ db *db.DB }

const nodeCols = `id, COALESCE(parent_id, ''), kind, name, code, path, created_at`

func scanNode(sc interface{ Scan(...any) error }) (Node, error) {
	var n Node
	err := sc.Scan(&n.ID, &n.ParentID, &n.Kind, &n.Name, &n.Code, &n.Path, &n.CreatedAt)
	n.CreatedAt = n.CreatedAt.UTC()
	return n, err
}

func (s store) node(ctx context.Context, q db.Querier, id string) (Node, error) {
	n, err := scanNode(q.QueryRowContext(ctx, `SELECT `+nodeCols+` FROM org_nodes WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Node{}, fmt.Errorf("%w: %q", ErrNodeNotFound, id)
	}
	return n, err
}

func (s store) nodesUnder(ctx context.Context, q db.Querier, prefixes []string) ([]Node, error) {
	out := []Node{}
	if len(prefixes) == 0 {
		return out, nil
	}
	where, args := likeAny("path", prefixes, 0)
	rows, err := q.QueryContext(ctx, `SELECT `+nodeCols+` FROM org_nodes WHERE `+where+` ORDER BY path`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		n, err := scanNode(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// likeAny builds "(col LIKE $k OR ...)" for path prefixes, numbering after offset args.
func likeAny(col string, prefixes []string, offset int) (string, []any) {
	var ors []string
	var args []any
	for i, p := range prefixes {
		args = append(args, p+"%")
		ors = append(ors, fmt.Sprintf("%s LIKE $%d", col, offset+i+1))
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

func (s store) insertNode(ctx context.Context, q db.Querier, n Node) error {
	var parent any
	if n.ParentID != "" {
		parent = n.ParentID
	}
	_, err := q.ExecContext(ctx, `INSERT INTO org_nodes (id, parent_id, kind, name, code, path, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		n.ID, parent, n.Kind, n.Name, n.Code, n.Path, n.CreatedAt)
	return err
}

func (s store) countUnder(ctx context.Context, q db.Querier, table, col, path string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE `+col+` IN (SELECT id FROM org_nodes WHERE path LIKE $1)`, path+"%").Scan(&n)
	return n, err
}

func (s store) idsUnder(ctx context.Context, q db.Querier, path string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM org_nodes WHERE path LIKE $1`, path+"%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

const userCols = `id, name, display_name, kind, node_id, region, verified_level, created_at`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	err := sc.Scan(&u.ID, &u.Name, &u.DisplayName, &u.Kind, &u.NodeID, &u.Region, &u.VerifiedLevel, &u.CreatedAt)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

func (s store) user(ctx context.Context, q db.Querier, id string) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%w: %q", ErrUserNotFound, id)
	}
	return u, err
}

func (s store) userByName(ctx context.Context, q db.Querier, name string) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE name = $1`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%w: %q", ErrUserNotFound, name)
	}
	return u, err
}

func (s store) usersUnder(ctx context.Context, q db.Querier, prefixes []string) ([]User, error) {
	out := []User{}
	if len(prefixes) == 0 {
		return out, nil
	}
	where, args := likeAny("n.path", prefixes, 0)
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.name, u.display_name, u.kind, u.node_id, u.region, u.verified_level, u.created_at
		FROM users u JOIN org_nodes n ON n.id = u.node_id WHERE `+where+` ORDER BY u.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (s store) insertUser(ctx context.Context, q db.Querier, u User) error {
	_, err := q.ExecContext(ctx, `INSERT INTO users (id, name, display_name, kind, node_id, region, verified_level, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		u.ID, u.Name, u.DisplayName, u.Kind, u.NodeID, u.Region, u.VerifiedLevel, u.CreatedAt)
	return err
}

func (s store) upsertRole(ctx context.Context, q db.Querier, r Role) error {
	_, err := q.ExecContext(ctx, `INSERT INTO roles (name, title, permissions) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET title = excluded.title, permissions = excluded.permissions`, r.Name, r.Title, strings.Join(r.Permissions, ","))
	return err
}

func (s store) roles(ctx context.Context, q db.Querier) ([]Role, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, title, permissions FROM roles ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Role{}
	for rows.Next() {
		var r Role
		var perms string
		if err := rows.Scan(&r.Name, &r.Title, &perms); err != nil {
			return nil, err
		}
		r.Permissions = splitPerms(perms)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s store) role(ctx context.Context, q db.Querier, name string) (Role, error) {
	var r Role
	var perms string
	err := q.QueryRowContext(ctx, `SELECT name, title, permissions FROM roles WHERE name = $1`, name).Scan(&r.Name, &r.Title, &perms)
	if errors.Is(err, sql.ErrNoRows) {
		return Role{}, fmt.Errorf("%w: %q", ErrRoleNotFound, name)
	}
	r.Permissions = splitPerms(perms)
	return r, err
}

func splitPerms(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func (s store) grantsOf(ctx context.Context, q db.Querier, userID string) ([]Grant, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, user_id, role, node_id, created_at FROM grants WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Grant{}
	for rows.Next() {
		var g Grant
		if err := rows.Scan(&g.ID, &g.UserID, &g.Role, &g.NodeID, &g.CreatedAt); err != nil {
			return nil, err
		}
		g.CreatedAt = g.CreatedAt.UTC()
		out = append(out, g)
	}
	return out, rows.Err()
}

func (s store) grant(ctx context.Context, q db.Querier, id string) (Grant, error) {
	var g Grant
	err := q.QueryRowContext(ctx, `SELECT id, user_id, role, node_id, created_at FROM grants WHERE id = $1`, id).Scan(&g.ID, &g.UserID, &g.Role, &g.NodeID, &g.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Grant{}, fmt.Errorf("%w: %q", ErrGrantNotFound, id)
	}
	g.CreatedAt = g.CreatedAt.UTC()
	return g, err
}

func (s store) principalGrants(ctx context.Context, q db.Querier, userID string) ([]PrincipalGrant, error) {
	rows, err := q.QueryContext(ctx, `SELECT g.role, g.node_id, n.path, r.permissions FROM grants g
		JOIN org_nodes n ON n.id = g.node_id JOIN roles r ON r.name = g.role WHERE g.user_id = $1 ORDER BY n.path`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PrincipalGrant
	for rows.Next() {
		var g PrincipalGrant
		var perms string
		if err := rows.Scan(&g.Role, &g.NodeID, &g.NodePath, &perms); err != nil {
			return nil, err
		}
		g.Permissions = splitPerms(perms)
		out = append(out, g)
	}
	return out, rows.Err()
}

const tokenCols = `id, user_id, name, prefix, created_at, expires_at, last_used_at, revoked_at`

func scanToken(sc interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var exp, used, rev sql.NullTime
	err := sc.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &t.CreatedAt, &exp, &used, &rev)
	t.CreatedAt = t.CreatedAt.UTC()
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = optTime(exp), optTime(used), optTime(rev)
	return t, err
}

func optTime(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.Time.UTC()
	return &t
}

func (s store) token(ctx context.Context, q db.Querier, id string) (Token, error) {
	t, err := scanToken(q.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, fmt.Errorf("%w: %q", ErrTokenNotFound, id)
	}
	return t, err
}

func (s store) tokenByHash(ctx context.Context, q db.Querier, hash string) (Token, error) {
	t, err := scanToken(q.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, ErrTokenNotFound
	}
	return t, err
}

func (s store) tokensOf(ctx context.Context, q db.Querier, userID string) ([]Token, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
