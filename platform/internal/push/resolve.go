package push

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// Resolve turns a spec into user ids, in SQL against the identity tables, always inside the
// subtree of scopeID: a user belongs where their home is — a citizen's region, else their
// node. Call CheckScope first; Resolve bounds the result by the scope regardless, so a
// criterion without a place (a role, a permission) can never reach beyond it.
func Resolve(ctx context.Context, d *db.DB, dir Directory, scopeID string, a Audience) ([]string, error) {
	q, args, err := resolveSQL(ctx, dir, scopeID, a)
	if err != nil {
		return nil, err
	}
	// Sorted here, not in SQL: SQLite's sorter spills a million ids to temporary files
	// (ORDER BY made a 1M-of-10M resolution take 41 s instead of about 7).
	ids, err := queryIDs(ctx, d, q, args)
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// orderByID sorts the preview's sample by user id. On SQLite the unary + stops the planner
// from walking the users table in primary-key order with a lookup per row, ten times slower
// than reading the matches and keeping the first ten (bench: platform/bench/pushresolve).
func orderByID(d *db.DB) string { return d.Pick(` ORDER BY +u.id`, ` ORDER BY u.id`) }

// queryIDs runs a query of one id column.
func queryIDs(ctx context.Context, d *db.DB, q string, args []any) ([]string, error) {
	rows, err := d.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("push: resolve audience: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// sqlBuilder numbers the placeholders ($1, $2, …), which both engines read.
type sqlBuilder struct{ args []any }

func (b *sqlBuilder) arg(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

func (b *sqlBuilder) in(vals []string) string {
	ph := make([]string, len(vals))
	for i, v := range vals {
		ph[i] = b.arg(v)
	}
	return "(" + strings.Join(ph, ", ") + ")"
}

// under is "path lies in the subtree at prefix", without LIKE (ids may hold _ or %).
func (b *sqlBuilder) under(path, prefix string) string {
	p := b.arg(prefix)
	return fmt.Sprintf("substr(%s, 1, length(%s)) = %s", path, p, p)
}

const homePath = `COALESCE(hr.path, hn.path)`

func resolveSQL(ctx context.Context, dir Directory, scopeID string, a Audience) (string, []any, error) {
	if err := a.Validate(); err != nil {
		return "", nil, err
	}
	scope, err := dir.Node(ctx, scopeID)
	if err != nil {
		return "", nil, err
	}
	roles, err := dir.Roles(ctx)
	if err != nil {
		return "", nil, err
	}
	b := &sqlBuilder{}
	term := func(field string, t Term) (string, error) {
		var conds []string
		if len(t.Apps) > 0 {
			conds = append(conds, `EXISTS (SELECT 1 FROM push_subscriptions ps WHERE ps.user_id = u.id AND ps.app_id IN `+b.in(t.Apps)+`)`)
		}
		if len(t.Tags) > 0 {
			// Only tags put by departments inside the scope: another department's tags are
			// not the sender's to use.
			conds = append(conds, `EXISTS (SELECT 1 FROM push_tags pt JOIN org_nodes tn ON tn.id = pt.node_id
				WHERE pt.user_id = u.id AND pt.tag IN `+b.in(t.Tags)+` AND `+b.under("tn.path", scope.Path)+`)`)
		}
		if len(t.Users) > 0 {
			conds = append(conds, "u.id IN "+b.in(t.Users))
		}
		if len(t.Nodes) > 0 {
			var alt []string
			for _, r := range t.Nodes {
				n, err := dir.Node(ctx, r.ID)
				if err != nil {
					return "", errs.Invalid(field+".nodes", "node %q does not exist", r.ID)
				}
				if r.Subtree {
					alt = append(alt, b.under(homePath, n.Path))
				} else {
					alt = append(alt, "COALESCE(hr.id, hn.id) = "+b.arg(n.ID))
				}
			}
			conds = append(conds, "("+strings.Join(alt, " OR ")+")")
		}
		if len(t.Regions) > 0 {
			var alt []string
			for _, code := range t.Regions {
				n, err := dir.Node(ctx, code)
				if err != nil || !n.IsRegion() {
					return "", errs.Invalid(field+".regions", "%s is not a region code of this platform", code)
				}
				alt = append(alt, b.under(homePath, n.Path))
			}
			conds = append(conds, "("+strings.Join(alt, " OR ")+")")
		}
		// Roles and permissions: a grant inside the scope holding one of them.
		names := append([]string(nil), t.Roles...)
		for _, pm := range t.Permissions {
			for _, r := range roles {
				for _, rp := range r.Permissions {
					if rp == pm {
						names = append(names, r.Name)
					}
				}
			}
		}
		if len(t.Roles)+len(t.Permissions) > 0 {
			if len(names) == 0 {
				conds = append(conds, "1 = 0") // a permission no role holds reaches nobody
			} else {
				conds = append(conds, `EXISTS (SELECT 1 FROM grants g JOIN org_nodes gn ON gn.id = g.node_id
					WHERE g.user_id = u.id AND g.role IN `+b.in(names)+` AND `+b.under("gn.path", scope.Path)+`)`)
			}
		}
		return "(" + strings.Join(conds, " AND ") + ")", nil
	}
	var union, excl []string
	for i, t := range a.Terms {
		c, err := term(fmt.Sprintf("audience.terms[%d]", i), t)
		if err != nil {
			return "", nil, err
		}
		union = append(union, c)
	}
	for i, t := range a.Exclude {
		c, err := term(fmt.Sprintf("audience.exclude[%d]", i), t)
		if err != nil {
			return "", nil, err
		}
		excl = append(excl, c)
	}
	q := `SELECT u.id FROM users u
		JOIN org_nodes hn ON hn.id = u.node_id
		LEFT JOIN org_nodes hr ON hr.id = u.region AND u.kind = 'citizen'
		WHERE ` + b.under(homePath, scope.Path) + ` AND (` + strings.Join(union, " OR ") + `)`
	if len(excl) > 0 {
		q += ` AND NOT (` + strings.Join(excl, " OR ") + `)`
	}
	return q, b.args, nil
}

// PreviewSample is how many recipients a preview names.
const PreviewSample = 10

// Preview is what a sender sees before sending: how many users the audience reaches and a
// few of them.
type Preview struct {
	Count  int      `json:"count"`
	Sample []string `json:"sample"`
}

// PreviewAudience checks p's scope, then counts the audience in SQL. An audience that
// reaches nobody is an error, so a send with it creates nothing.
func PreviewAudience(ctx context.Context, d *db.DB, dir Directory, p *identity.Principal, scopeID string, a Audience) (Preview, error) {
	if err := CheckScope(ctx, dir, p, scopeID, a); err != nil {
		return Preview{}, err
	}
	q, args, err := resolveSQL(ctx, dir, scopeID, a)
	if err != nil {
		return Preview{}, err
	}
	var out Preview
	if err := d.QueryRowContext(ctx, `SELECT count(*) FROM (`+q+`) x`, args...).Scan(&out.Count); err != nil {
		return Preview{}, fmt.Errorf("push: count audience: %w", err)
	}
	if out.Count == 0 {
		return Preview{}, errs.Invalid("audience", "reaches nobody in this scope; nothing would be sent — widen the terms or check the region and role names")
	}
	if out.Sample, err = queryIDs(ctx, d, q+orderByID(d)+fmt.Sprintf(` LIMIT %d`, PreviewSample), args); err != nil {
		return Preview{}, err
	}
	return out, nil
}

// Preview is PreviewAudience on the service's store.
func (s *Service) Preview(ctx context.Context, p *identity.Principal, scopeID string, a Audience) (Preview, error) {
	return PreviewAudience(ctx, s.db, s.dir, p, scopeID, a)
}
