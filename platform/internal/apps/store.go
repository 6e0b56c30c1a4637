package apps

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/govapp/govapp/platform/internal/db"
)

// owner_path is copied from the org tree at creation; identity refuses to move a node that
// owns apps, so it cannot go stale, and lists filter by subtree without reading identity's tables.
var migrations = []db.Migration{{
	SQLite: `CREATE TABLE apps (
		id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, icon TEXT NOT NULL,
		owner_node TEXT NOT NULL, owner_path TEXT NOT NULL, category TEXT NOT NULL,
		containers TEXT NOT NULL, jsapi_permissions TEXT NOT NULL, contacts TEXT NOT NULL,
		status TEXT NOT NULL, submitted_by TEXT NOT NULL DEFAULT '',
		reviewer_id TEXT NOT NULL DEFAULT '', review_decision TEXT NOT NULL DEFAULT '', review_comment TEXT NOT NULL DEFAULT '', reviewed_at TIMESTAMP,
		created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL);
	CREATE INDEX apps_owner_path ON apps(owner_path);
	CREATE TABLE app_regions (app_id TEXT NOT NULL REFERENCES apps(id), region TEXT NOT NULL, PRIMARY KEY (app_id, region));
	CREATE INDEX app_regions_region ON app_regions(region);
	CREATE TABLE app_transitions (
		seq INTEGER PRIMARY KEY AUTOINCREMENT, app_id TEXT NOT NULL REFERENCES apps(id), from_status TEXT NOT NULL, to_status TEXT NOT NULL,
		actor_id TEXT NOT NULL, comment TEXT NOT NULL, at TIMESTAMP NOT NULL);
	CREATE INDEX app_transitions_app ON app_transitions(app_id, seq);`,
	Postgres: `CREATE TABLE apps (
		id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, icon TEXT NOT NULL,
		owner_node TEXT NOT NULL, owner_path TEXT NOT NULL, category TEXT NOT NULL,
		containers TEXT NOT NULL, jsapi_permissions TEXT NOT NULL, contacts TEXT NOT NULL,
		status TEXT NOT NULL, submitted_by TEXT NOT NULL DEFAULT '',
		reviewer_id TEXT NOT NULL DEFAULT '', review_decision TEXT NOT NULL DEFAULT '', review_comment TEXT NOT NULL DEFAULT '', reviewed_at TIMESTAMPTZ,
		created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
	CREATE INDEX apps_owner_path ON apps(owner_path text_pattern_ops);
	CREATE TABLE app_regions (app_id TEXT NOT NULL REFERENCES apps(id), region TEXT NOT NULL, PRIMARY KEY (app_id, region));
	CREATE INDEX app_regions_region ON app_regions(region);
	CREATE TABLE app_transitions (
		seq BIGSERIAL PRIMARY KEY, app_id TEXT NOT NULL REFERENCES apps(id), from_status TEXT NOT NULL, to_status TEXT NOT NULL,
		actor_id TEXT NOT NULL, comment TEXT NOT NULL, at TIMESTAMPTZ NOT NULL);
	CREATE INDEX app_transitions_app ON app_transitions(app_id, seq);`,
}}

type store struct{ db *db.DB }

const appCols = `id, name, description, icon, owner_node, owner_path, category, containers, jsapi_permissions, contacts, status, submitted_by, reviewer_id, review_decision, review_comment, reviewed_at, created_at, updated_at`

func scanApp(sc interface{ Scan(...any) error }) (App, error) {
	var a App
	var containers, jsapi, contacts string
	var reviewer, decision, comment string
	var reviewedAt sql.NullTime
	if err := sc.Scan(&a.ID, &a.Name, &a.Description, &a.Icon, &a.OwnerNode, &a.ownerPath, &a.Category, &containers, &jsapi, &contacts,
		&a.Status, &a.SubmittedBy, &reviewer, &decision, &comment, &reviewedAt, &a.CreatedAt, &a.UpdatedAt); err != nil {
		return App{}, err
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	if err := errors.Join(json.Unmarshal([]byte(containers), &a.Containers), json.Unmarshal([]byte(jsapi), &a.JSAPIPermissions), json.Unmarshal([]byte(contacts), &a.Contacts)); err != nil {
		return App{}, fmt.Errorf("apps: corrupt row %s: %w", a.ID, err)
	}
	if reviewedAt.Valid {
		a.LastReview = &Review{ReviewerID: reviewer, Decision: decision, Comment: comment, At: reviewedAt.Time.UTC()}
	}
	return a, nil
}

func (s store) get(ctx context.Context, q db.Querier, id string) (App, error) {
	a, err := scanApp(q.QueryRowContext(ctx, `SELECT `+appCols+` FROM apps WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return App{}, fmt.Errorf("%w: %q", ErrAppNotFound, id)
	}
	if err != nil {
		return App{}, err
	}
	a.Regions, err = s.regions(ctx, q, id)
	return a, err
}

func (s store) regions(ctx context.Context, q db.Querier, id string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT region FROM app_regions WHERE app_id = $1 ORDER BY region`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ListFilter narrows List.
type ListFilter struct {
	Status string
	Owner  string
}

func (s store) list(ctx context.Context, q db.Querier, prefixes []string, f ListFilter) ([]App, error) {
	out := []App{}
	if len(prefixes) == 0 {
		return out, nil
	}
	var ors []string
	var args []any
	for _, p := range prefixes {
		args = append(args, p+"%")
		ors = append(ors, fmt.Sprintf("apps.owner_path LIKE $%d", len(args)))
	}
	where := "(" + strings.Join(ors, " OR ") + ")"
	if f.Status != "" {
		args = append(args, f.Status)
		where += fmt.Sprintf(" AND apps.status = $%d", len(args))
	}
	if f.Owner != "" {
		args = append(args, f.Owner)
		where += fmt.Sprintf(" AND apps.owner_node = $%d", len(args))
	}
	rows, err := q.QueryContext(ctx, `SELECT `+appCols+` FROM apps WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// One query for the regions of every listed app (same filter), not one per app.
	rrows, err := q.QueryContext(ctx, `SELECT r.app_id, r.region FROM app_regions r JOIN apps ON apps.id = r.app_id WHERE `+where+` ORDER BY r.app_id, r.region`, args...)
	if err != nil {
		return nil, err
	}
	defer rrows.Close()
	byApp := map[string][]string{}
	for rrows.Next() {
		var id, region string
		if err := rrows.Scan(&id, &region); err != nil {
			return nil, err
		}
		byApp[id] = append(byApp[id], region)
	}
	for i := range out {
		out[i].Regions = byApp[out[i].ID]
		if out[i].Regions == nil {
			out[i].Regions = []string{}
		}
	}
	return out, rrows.Err()
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func (s store) insert(ctx context.Context, q db.Querier, a App) error {
	_, err := q.ExecContext(ctx, `INSERT INTO apps (`+appCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '', '', '', NULL, $13, $14)`,
		a.ID, a.Name, a.Description, a.Icon, a.OwnerNode, a.ownerPath, a.Category, jsonText(a.Containers), jsonText(a.JSAPIPermissions), jsonText(a.Contacts),
		a.Status, a.SubmittedBy, a.CreatedAt, a.UpdatedAt)
	if err != nil {
		return err
	}
	return s.setRegions(ctx, q, a.ID, a.Regions)
}

func (s store) setRegions(ctx context.Context, q db.Querier, id string, regions []string) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM app_regions WHERE app_id = $1`, id); err != nil {
		return err
	}
	for _, r := range regions {
		if _, err := q.ExecContext(ctx, `INSERT INTO app_regions (app_id, region) VALUES ($1, $2)`, id, r); err != nil {
			return err
		}
	}
	return nil
}

func (s store) update(ctx context.Context, q db.Querier, a App) error {
	var reviewer, decision, comment string
	var reviewedAt any
	if a.LastReview != nil {
		reviewer, decision, comment, reviewedAt = a.LastReview.ReviewerID, a.LastReview.Decision, a.LastReview.Comment, a.LastReview.At
	}
	_, err := q.ExecContext(ctx, `UPDATE apps SET name = $2, description = $3, icon = $4, category = $5, containers = $6, jsapi_permissions = $7, contacts = $8,
		status = $9, submitted_by = $10, reviewer_id = $11, review_decision = $12, review_comment = $13, reviewed_at = $14, updated_at = $15 WHERE id = $1`,
		a.ID, a.Name, a.Description, a.Icon, a.Category, jsonText(a.Containers), jsonText(a.JSAPIPermissions), jsonText(a.Contacts),
		a.Status, a.SubmittedBy, reviewer, decision, comment, reviewedAt, a.UpdatedAt)
	return err
}

func (s store) addTransition(ctx context.Context, q db.Querier, t Transition) error {
	_, err := q.ExecContext(ctx, `INSERT INTO app_transitions (app_id, from_status, to_status, actor_id, comment, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.AppID, t.From, t.To, t.ActorID, t.Comment, t.At)
	return err
}

func (s store) transitions(ctx context.Context, q db.Querier, id string) ([]Transition, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, app_id, from_status, to_status, actor_id, comment, at FROM app_transitions WHERE app_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Transition{}
	for rows.Next() {
		var t Transition
		if err := rows.Scan(&t.Seq, &t.AppID, &t.From, &t.To, &t.ActorID, &t.Comment, &t.At); err != nil {
			return nil, err
		}
		t.At = t.At.UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// countOwned and countServing back identity's owner guards.
func (s store) countOwned(ctx context.Context, q db.Querier, nodeIDs []string) (int, error) {
	return countIn(ctx, q, `SELECT count(*) FROM apps WHERE owner_node IN `, nodeIDs)
}

func (s store) countServing(ctx context.Context, q db.Querier, nodeIDs []string) (int, error) {
	return countIn(ctx, q, `SELECT count(DISTINCT app_id) FROM app_regions WHERE region IN `, nodeIDs)
}

func countIn(ctx context.Context, q db.Querier, prefix string, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	var n int
	err := q.QueryRowContext(ctx, prefix+`(`+strings.Join(ph, ", ")+`)`, args...).Scan(&n)
	return n, err
}
