package pushresolve

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/demo"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/push"
)

// population is approximately the 2020 census population (10,000s) of each home region
// a citizen can have: Hangzhou's districts and counties as the region file lists them, and
// the ten other cities of Zhejiang, whose districts the file does not list (their citizens
// live at city level). Only the proportions matter.
var population = map[string]float64{
	"330102": 132.5, "330105": 111.7, "330106": 114.7, "330108": 50.4, "330109": 201.1,
	"330110": 122.6, "330111": 83.5, "330112": 64.1, "330113": 117.5, "330114": 76.9,
	"330122": 45.5, "330127": 32.9, "330182": 44.3,
	"330200": 940.4, "330300": 957.3, "330400": 540.1, "330500": 336.8, "330600": 527.1,
	"330700": 705.1, "330800": 227.6, "330900": 115.8, "331000": 662.3, "331100": 250.7,
}

// The benchmark audience: every user of five Hangzhou districts (萧山, 余杭, 富阳, 临平,
// 钱塘 — about 9.3 % of the citizens), union every holder of the operator role anywhere in
// the province, sent from the province. About 10 % of the users.
var (
	audienceRegions = []string{"330109", "330110", "330111", "330113", "330114"}
	audienceRole    = "operator"
	scopeID         = "330000"
)

func benchAudience() push.Audience {
	return push.Audience{Terms: []push.Term{{Regions: audienceRegions}, {Roles: []string{audienceRole}}}}
}

// departments created under every region node, through the identity service.
var departments = []string{"人力社保局", "卫生健康委", "民政局"}

// staffRoles is the role of a staff member's grant on their department, by weight.
var staffRoles = []struct {
	role   string
	weight float64
}{{"developer", 0.30}, {"reviewer", 0.25}, {"auditor", 0.20}, {"operator", 0.15}, {"admin", 0.10}}

// Config sizes a population.
type Config struct {
	Users       int     // all generated users, staff included (the sender is one more)
	StaffShare  float64 // share of staff among them
	SecondGrant float64 // share of staff with a second grant (another role, on the parent region)
	Seed        uint64
}

// Population is what Generate loaded, with the answer the audience must resolve to.
type Population struct {
	Users, Citizens, Staff, Grants int
	Expected                       int // users benchAudience reaches, the sender included
	Sender                         *identity.Principal
	Dir                            *identity.Service
	Load                           time.Duration
}

type genUser struct {
	id, name, kind, node, region string
	level                        int
}

type genGrant struct{ id, user, role, node string }

// userID is a deterministic id in the shape of the service's ("u-" and hex), but with nine
// hex digits so it can never equal one the service makes (eight); the multiplication by an
// odd constant is a bijection on 32 bits that scatters ids, so their order is not the
// insertion order (populations stay below 2³²).
func userID(i int) string { return fmt.Sprintf("u-%09x", uint32(i)*2654435761) }

// Generate creates identity's real schema on d (identity.NewService runs its migrations),
// loads the Zhejiang region tree and three departments per region through the service,
// a province operator who sends, then bulk-loads cfg.Users users and their grants.
func Generate(ctx context.Context, d *db.DB, cfg Config) (*Population, error) {
	start := time.Now()
	au, err := audit.NewStore(ctx, d)
	if err != nil {
		return nil, err
	}
	ids, err := identity.NewService(ctx, d, au)
	if err != nil {
		return nil, err
	}
	tree, err := demo.Regions(os.Getenv("GOVAPP_REGIONS_FILE"))
	if err != nil {
		return nil, err
	}
	if _, err := ids.LoadRegions(ctx, tree); err != nil {
		return nil, err
	}
	sys := identity.SystemPrincipal()

	// Departments under every region node; remember each one's parent region.
	type dept struct{ id, region, parent string }
	var depts []dept
	var walk func(t identity.RegionTree) error
	walk = func(t identity.RegionTree) error {
		for _, name := range departments {
			n, err := ids.CreateNode(ctx, sys, identity.NodeCreate{ParentID: t.Code, Kind: identity.KindDepartment, Name: name})
			if err != nil {
				return fmt.Errorf("department %s under %s: %w", name, t.Code, err)
			}
			depts = append(depts, dept{id: n.ID, region: n.Code, parent: t.Code})
		}
		for _, c := range t.Children {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(tree); err != nil {
		return nil, err
	}

	// The sender: a staff member of the province holding operator there (so also a recipient).
	su, err := ids.CreateUser(ctx, sys, identity.UserCreate{Name: "bench-sender", Kind: identity.UserStaff, NodeID: scopeID})
	if err != nil {
		return nil, err
	}
	if _, err := ids.CreateGrant(ctx, sys, su.ID, identity.GrantCreate{Role: "operator", NodeID: scopeID}); err != nil {
		return nil, err
	}
	sender, err := ids.PrincipalFor(ctx, su.ID)
	if err != nil {
		return nil, err
	}

	// Every home region must be a node of the loaded tree, or the data would be invalid.
	homes := make([]string, 0, len(population))
	for code := range population {
		if _, err := ids.Node(ctx, code); err != nil {
			return nil, fmt.Errorf("population region %s: %w", code, err)
		}
		homes = append(homes, code)
	}
	slices.Sort(homes)
	cum := make([]float64, len(homes))
	total := 0.0
	for i, c := range homes {
		total += population[c]
		cum[i] = total
	}
	inAudience := map[string]bool{}
	for _, c := range audienceRegions {
		inAudience[c] = true
	}

	pop := &Population{Sender: sender, Dir: ids, Expected: 1, Grants: 1}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	now := db.Now()
	next := 0
	// gen produces the population one user at a time (with its grants), so 10 M users never
	// sit in memory; it tallies the expected audience on the way.
	gen := func() (genUser, []genGrant) {
		i := next
		next++
		u := genUser{id: userID(i)}
		if rng.Float64() >= cfg.StaffShare {
			x := rng.Float64() * total
			k, _ := slices.BinarySearch(cum, x)
			k = min(k, len(homes)-1)
			u.name, u.kind, u.node, u.region, u.level = fmt.Sprintf("c%08d", i), identity.UserCitizen, homes[k], homes[k], rng.IntN(4)
			pop.Citizens++
			if inAudience[u.region] {
				pop.Expected++
			}
			return u, nil
		}
		dp := depts[rng.IntN(len(depts))]
		u.name, u.kind, u.node, u.region, u.level = fmt.Sprintf("s%08d", i), identity.UserStaff, dp.id, dp.region, 3
		pop.Staff++
		r := pickRole(rng.Float64())
		gs := []genGrant{{id: fmt.Sprintf("g-%09x", 2*i), user: u.id, role: r, node: dp.id}}
		if rng.Float64() < cfg.SecondGrant {
			r2 := pickRole(rng.Float64())
			if r2 != r {
				gs = append(gs, genGrant{id: fmt.Sprintf("g-%09x", 2*i+1), user: u.id, role: r2, node: dp.parent})
			}
		}
		pop.Grants += len(gs)
		hit := inAudience[dp.parent] // a staff member's home is the department, under its region
		for _, g := range gs {
			hit = hit || g.role == audienceRole
		}
		if hit {
			pop.Expected++
		}
		return u, gs
	}

	if d.Dialect == db.Postgres {
		err = loadPostgres(ctx, d, cfg.Users, gen, now)
	} else {
		err = loadSQLite(ctx, d, cfg.Users, gen, now)
	}
	if err != nil {
		return nil, err
	}
	pop.Users = cfg.Users + 1
	pop.Load = time.Since(start)
	return pop, nil
}

func pickRole(x float64) string {
	for _, r := range staffRoles {
		if x < r.weight {
			return r.role
		}
		x -= r.weight
	}
	return staffRoles[len(staffRoles)-1].role
}

const (
	userCols  = "id, name, display_name, kind, node_id, region, verified_level, created_at"
	grantCols = "id, user_id, role, node_id, created_at"
	batchRows = 500 // 500 × 8 parameters stays far below SQLite's 32,766
)

// loadSQLite inserts everything in one transaction of prepared 500-row INSERTs on one
// connection, with durability and foreign-key checks off for the load only; the WAL is
// checkpointed afterwards so the benchmark reads the database file, not a 1 GB log.
func loadSQLite(ctx context.Context, d *db.DB, n int, gen func() (genUser, []genGrant), now time.Time) error {
	conn, err := d.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	set := func(pragmas ...string) error {
		for _, p := range pragmas {
			if _, err := conn.ExecContext(ctx, "PRAGMA "+p); err != nil {
				return fmt.Errorf("PRAGMA %s: %w", p, err)
			}
		}
		return nil
	}
	if err := set("foreign_keys = OFF", "synchronous = OFF", "cache_size = -262144", "temp_store = MEMORY"); err != nil {
		return err
	}
	defer set("foreign_keys = ON", "synchronous = NORMAL", "cache_size = -2000") //nolint:errcheck

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck
	values := func(rows, cols int) string {
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
		return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
	}
	prep := map[string]*sql.Stmt{}
	exec := func(table, cols string, ncols int, args []any) error {
		rows := len(args) / ncols
		key := fmt.Sprintf("%s/%d", table, rows)
		st := prep[key]
		if st == nil {
			if st, err = tx.PrepareContext(ctx, "INSERT INTO "+table+" ("+cols+") VALUES "+values(rows, ncols)); err != nil {
				return err
			}
			prep[key] = st
		}
		_, err := st.ExecContext(ctx, args...)
		return err
	}
	uargs := make([]any, 0, batchRows*8)
	gargs := make([]any, 0, batchRows*5)
	for i := 0; i < n; i++ {
		u, gs := gen()
		uargs = append(uargs, u.id, u.name, u.name, u.kind, u.node, u.region, u.level, now)
		for _, g := range gs {
			gargs = append(gargs, g.id, g.user, g.role, g.node, now)
		}
		if len(uargs) == cap(uargs) || i == n-1 {
			if err := exec("users", userCols, 8, uargs); err != nil {
				return fmt.Errorf("insert users: %w", err)
			}
			uargs = uargs[:0]
		}
		if len(gargs) >= batchRows*5-10 || (i == n-1 && len(gargs) > 0) {
			if err := exec("grants", grantCols, 5, gargs); err != nil {
				return fmt.Errorf("insert grants: %w", err)
			}
			gargs = gargs[:0]
		}
	}
	for _, st := range prep {
		st.Close()
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// loadPostgres streams users and grants with COPY through pgx on one connection (grants
// after users, from a buffer: they are a few percent of the rows), with the foreign-key
// triggers off for the load only (session_replication_role, when the role may set it), then
// ANALYZE as autovacuum would shortly after a bulk load.
func loadPostgres(ctx context.Context, d *db.DB, n int, gen func() (genUser, []genGrant), now time.Time) error {
	conn, err := d.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET session_replication_role = replica"); err == nil {
		defer conn.ExecContext(context.WithoutCancel(ctx), "SET session_replication_role = DEFAULT") //nolint:errcheck
	}
	var grants [][]any
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i == n {
				return nil, nil
			}
			i++
			u, gs := gen()
			for _, g := range gs {
				grants = append(grants, []any{g.id, g.user, g.role, g.node, now})
			}
			return []any{u.id, u.name, u.name, u.kind, u.node, u.region, u.level, now}, nil
		})
		if _, err := pc.CopyFrom(ctx, pgx.Identifier{"users"}, strings.Split(strings.ReplaceAll(userCols, " ", ""), ","), src); err != nil {
			return fmt.Errorf("copy users: %w", err)
		}
		if _, err := pc.CopyFrom(ctx, pgx.Identifier{"grants"}, strings.Split(strings.ReplaceAll(grantCols, " ", ""), ","), pgx.CopyFromRows(grants)); err != nil {
			return fmt.Errorf("copy grants: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, t := range []string{"users", "grants", "org_nodes"} {
		if _, err := conn.ExecContext(ctx, "ANALYZE "+t); err != nil {
			return err
		}
	}
	return nil
}
