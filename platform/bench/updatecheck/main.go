// Command updatecheck measures the update check — the platform's hottest endpoint — against
// a bare net/http handler that writes the same bytes, in one run on this machine, with
// 10,000 apps × 20 releases in the store and 64 concurrent keep-alive connections.
// Run it through bench/update-check.sh; results go to docs/BENCHMARKS.md.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/blob"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/demo"
	"github.com/govapp/govapp/platform/internal/httpapi"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/releases"
)

func main() {
	nApps := flag.Int("apps", 10000, "apps in the store")
	nRel := flag.Int("releases", 20, "releases per app")
	conns := flag.Int("conns", 64, "concurrent keep-alive connections")
	dur := flag.Duration("duration", 5*time.Second, "measuring time per run")
	dbURL := flag.String("database-url", "", "PostgreSQL URL; empty = SQLite in a temp dir")
	rounds := flag.Int("rounds", 3, "interleaved rounds (medians are reported)")
	flag.Parse()
	if err := run(*nApps, *nRel, *conns, *rounds, *dur, *dbURL); err != nil {
		fmt.Fprintln(os.Stderr, "updatecheck:", err)
		os.Exit(1)
	}
}

func run(nApps, nRel, conns, rounds int, dur time.Duration, dbURL string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "govapp-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, dbURL, dir)
	if err != nil {
		return err
	}
	defer d.Close()
	au, err := audit.NewStore(ctx, d)
	if err != nil {
		return err
	}
	ids, err := identity.NewService(ctx, d, au)
	if err != nil {
		return err
	}
	reg, err := apps.NewService(ctx, d, ids, au)
	if err != nil {
		return err
	}
	blobs, err := blob.NewLocal(dir + "/blobs")
	if err != nil {
		return err
	}
	rel, err := releases.NewService(ctx, d, ids, reg, au, blobs)
	if err != nil {
		return err
	}
	tree, err := demo.Regions("")
	if err != nil {
		return err
	}
	if _, err := ids.LoadRegions(ctx, tree); err != nil {
		return err
	}
	start := time.Now()
	appIDs, err := seed(ctx, d, ids, rel, nApps, nRel)
	if err != nil {
		return err
	}
	fmt.Printf("seeded %d apps × %d releases in %s (%s)\n", nApps, nRel, time.Since(start).Round(time.Millisecond), d.Where)

	h, err := httpapi.New(httpapi.Deps{Identity: ids, Apps: reg, Audit: au, Releases: rel, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Registry: prometheus.NewRegistry(), BodyLimit: 1 << 20, Version: "bench", Ping: d.PingContext})
	if err != nil {
		return err
	}
	plat, stopPlat := serve(h)
	defer stopPlat()
	// Warm every app's snapshot (the cold path is a database load per app).
	start = time.Now()
	c := client(conns)
	var sample []byte
	var sampleETag string
	for i, id := range appIDs {
		resp, err := c.Get(plat + "/v1/runtime/apps/" + id + "/update?device=warmup-device-1&container=govapp&container_version=3.2.0")
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if i == 0 {
			sample, sampleETag = b, resp.Header.Get("ETag")
		}
	}
	fmt.Printf("warmed %d snapshots in %s; a 200 answer is %d bytes\n", len(appIDs), time.Since(start).Round(time.Millisecond), len(sample))

	bare, stopBare := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", sampleETag)
		if r.Header.Get("If-None-Match") == sampleETag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = w.Write(sample)
	}))
	defer stopBare()

	url := func(base string, inm bool) func(*mrand.Rand) (string, string) {
		return func(rng *mrand.Rand) (string, string) {
			app := appIDs[rng.IntN(len(appIDs))]
			dev := fmt.Sprintf("device-%08d", rng.IntN(1_000_000))
			etag := ""
			if inm {
				app, dev, etag = appIDs[0], "warmup-device-1", sampleETag
			}
			return base + "/v1/runtime/apps/" + app + "/update?device=" + dev + "&container=govapp&container_version=3.2.0", etag
		}
	}
	// Interleave the runs and keep each one's median, so a burst of other work on this
	// machine hits both sides alike.
	type run struct {
		name string
		base string
		inm  bool
	}
	runs := []run{{"bare net/http (200)", bare, false}, {"platform update check (200/204)", plat, false},
		{"bare net/http (304)", bare, true}, {"platform update check (304)", plat, true}}
	all := map[string][]result{}
	for round := 0; round < rounds; round++ {
		for _, r := range runs {
			all[r.name] = append(all[r.name], load(client(conns), conns, dur, url(r.base, r.inm)))
		}
	}
	fmt.Printf("\n%d interleaved rounds of %s each; medians:\n%-34s %10s %9s %9s %8s\n", rounds, dur, "run", "req/s", "p50", "p99", "errors")
	med := map[string]result{}
	for _, r := range runs {
		rs := all[r.name]
		sort.Slice(rs, func(i, j int) bool { return rs[i].rps < rs[j].rps })
		m := rs[len(rs)/2]
		med[r.name] = m
		fmt.Printf("%-34s %10.0f %9s %9s %8d\n", r.name, m.rps, m.p50, m.p99, m.errors)
	}
	fmt.Printf("\nratio 200: %.2f of bare net/http   ratio 304: %.2f of bare net/http   (target ≥ 0.70)\n",
		med["platform update check (200/204)"].rps/med["bare net/http (200)"].rps,
		med["platform update check (304)"].rps/med["bare net/http (304)"].rps)
	return nil
}

func serve(h http.Handler) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }
}

func client(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}}
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int64
}

// load runs conns workers for dur, each on its own keep-alive connection, and reports
// throughput and latency percentiles. Bounded in time, loopback only.
func load(c *http.Client, conns int, dur time.Duration, next func(*mrand.Rand) (string, string)) result {
	var total, errs atomic.Int64
	lat := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	deadline := time.Now().Add(dur)
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(w), 42))
			for time.Now().Before(deadline) {
				u, etag := next(rng)
				req, _ := http.NewRequest("GET", u, nil)
				if etag != "" {
					req.Header.Set("If-None-Match", etag)
				}
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 400 {
					errs.Add(1)
				}
				lat[w] = append(lat[w], time.Since(t0))
				total.Add(1)
			}
		}(w)
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[int(math.Min(float64(len(all)-1), p*float64(len(all))))].Round(time.Microsecond)
	}
	return result{rps: float64(total.Load()) / dur.Seconds(), p50: pct(0.50), p99: pct(0.99), errors: errs.Load()}
}

// seed writes apps, bundles and releases straight into the store (signing every manifest
// for real): the API would take minutes for 200,000 releases, and the check reads the same rows.
func seed(ctx context.Context, d *db.DB, ids *identity.Service, rel *releases.Service, nApps, nRel int) ([]string, error) {
	sys := identity.SystemPrincipal()
	dept, err := ids.CreateNode(ctx, sys, identity.NodeCreate{ParentID: "330100", Kind: identity.KindDepartment, Name: "基准测试部门"})
	if err != nil {
		return nil, err
	}
	key, err := hotupdate.GenerateKey(hotupdate.AlgEd25519, rand.Reader)
	if err != nil {
		return nil, err
	}
	if _, err := rel.CreateKey(ctx, sys, dept.ID, releases.KeyCreate{Name: "bench", Alg: key.Alg, PublicKey: key.PublicKey}); err != nil {
		return nil, err
	}
	now := db.Now()
	ids_ := make([]string, nApps)
	const batch = 500
	for lo := 0; lo < nApps; lo += batch {
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			for i := lo; i < lo+batch && i < nApps; i++ {
				id := fmt.Sprintf("bench-app-%05d", i)
				ids_[i] = id
				if _, err := tx.ExecContext(ctx, `INSERT INTO apps (id, name, description, icon, owner_node, owner_path, category, containers, jsapi_permissions, contacts, status, submitted_by, created_at, updated_at)
					VALUES ($1, $2, '', '', $3, $4, '测试', '["govapp"]', '[]', '[]', 'online', '', $5, $5)`, id, "基准应用", dept.ID, dept.Path, now); err != nil {
					return err
				}
				for _, ch := range releases.DefaultChannels {
					if _, err := tx.ExecContext(ctx, `INSERT INTO channels (app_id, name, created_at) VALUES ($1, $2, $3)`, id, ch, now); err != nil {
						return err
					}
				}
				for r := 0; r < nRel; r++ {
					m, err := hotupdate.NewManifest(id, fmt.Sprintf("1.0.%d", r), "index.html",
						map[string][]byte{"index.html": []byte(fmt.Sprintf("<p>%s %d</p>", id, r)), "app.js": []byte(fmt.Sprintf("console.log(%d)", r))},
						map[string]string{"govapp": "3.0.0"}, now)
					if err != nil {
						return err
					}
					env, err := hotupdate.Sign(m, key)
					if err != nil {
						return err
					}
					raw, _ := json.Marshal(env)
					if _, err := tx.ExecContext(ctx, `INSERT INTO bundles (bundle_id, app_id, version, entry, envelope, size, key_id, created_by, created_at) VALUES ($1, $2, $3, 'index.html', $4, 40, $5, 'bench', $6)`,
						m.BundleID, id, m.Version, string(raw), key.KeyID, now); err != nil {
						return err
					}
					bp := 10000
					if r == nRel-1 {
						bp = 1000 // the newest at 10 %, the rest fully out
					}
					status := "active"
					if r < nRel-3 {
						status = "rolled_back"
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO releases (id, app_id, channel, bundle_id, basis_points, mandatory, notes, target, status, status_reason, replaces, created_by, created_at, updated_at)
						VALUES ($1, $2, 'production', $3, $4, $5, '', '{}', $6, '', '', 'bench', $7, $7)`,
						fmt.Sprintf("r-%s-%02d", id, r), id, m.BundleID, bp, false, status, now.Add(time.Duration(r)*time.Second)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return ids_, nil
}
