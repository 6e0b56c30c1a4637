package statsbench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/stats"
)

// Environment.
const (
	envEvents  = "GOVAPP_BENCH_EVENTS"
	envDays    = "GOVAPP_BENCH_DAYS"
	envApps    = "GOVAPP_BENCH_APPS"
	envRegions = "GOVAPP_BENCH_REGIONS"
	envUsers   = "GOVAPP_BENCH_USERS"
	envPG      = "GOVAPP_BENCH_DATABASE_URL"
	envDir     = "GOVAPP_BENCH_DIR"
)

func envInt(tb testing.TB, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	if err != nil || n < 1 {
		tb.Fatalf("%s=%q is not a positive number", name, s)
	}
	return n
}

// shape is the data set: the proportions, scaled by GOVAPP_BENCH_EVENTS.
func shape(tb testing.TB, end stats.Day) stats.GenConfig {
	events := envInt(tb, envEvents, 200_000)
	cfg := stats.GenConfig{
		Events: events, Days: envInt(tb, envDays, 90), End: end, Seed: 2025,
		Users: envInt(tb, envUsers, max(1000, events*3/40)), DeviceShare: 0.2, Mix: 0.05,
		Channels: []stats.Weighted{{Name: "wechat", Weight: 45}, {Name: "alipay", Weight: 30}, {Name: "govapp", Weight: 20}, {Name: "web", Weight: 5}},
	}
	// Apps and regions follow Zipf-like popularity, as real portals do.
	for i := range envInt(tb, envApps, 800) {
		cfg.Apps = append(cfg.Apps, stats.Weighted{Name: fmt.Sprintf("app-%04d", i), Weight: 1 / float64(i+1)})
	}
	// 11 cities of Zhejiang, each with its own code and up to 30 districts.
	n := envInt(tb, envRegions, 340)
	for i := 0; len(cfg.Regions) < n; i++ {
		city, district := i%11+1, i/11
		cfg.Regions = append(cfg.Regions, stats.Weighted{Name: fmt.Sprintf("33%02d%02d", city, district), Weight: 1 / math.Sqrt(float64(i+1))})
	}
	return cfg
}

// env is one engine's loaded data set, shared by the sub-benchmarks.
type env struct {
	name      string
	d         *db.DB
	s         *stats.Store
	cfg       stats.GenConfig
	events    int
	ingest    time.Duration
	generate  time.Duration
	from, to  stats.Day
	topApp    string
	cleanup   func()
	loadError error
}

var (
	envsMu sync.Mutex
	envs   = map[string]*env{}
)

func open(tb testing.TB, engine string) *env {
	envsMu.Lock()
	defer envsMu.Unlock()
	if e := envs[engine]; e != nil {
		if e.loadError != nil {
			tb.Fatal(e.loadError)
		}
		return e
	}
	e := &env{name: engine}
	envs[engine] = e
	e.loadError = e.load(tb)
	if e.loadError != nil {
		tb.Fatal(e.loadError)
	}
	return e
}

func (e *env) load(tb testing.TB) error {
	ctx := context.Background()
	var err error
	switch e.name {
	case "sqlite":
		dir := os.Getenv(envDir)
		if dir == "" {
			if dir, err = os.MkdirTemp("", "statsbench"); err != nil {
				return err
			}
			e.cleanup = func() { os.RemoveAll(dir) }
		} else {
			os.Remove(filepath.Join(dir, db.DefaultSQLiteFile))
		}
		e.d, err = db.Open(ctx, "", dir)
	case "postgres":
		var u string
		u, e.cleanup, err = pgSchema(ctx, os.Getenv(envPG))
		if err == nil {
			e.d, err = db.Open(ctx, u, "")
		}
	}
	if err != nil {
		return err
	}
	e.cfg = shape(tb, stats.DayOf(time.Now(), stats.ChinaTime)-1)
	known := map[string]bool{}
	for _, a := range e.cfg.Apps {
		known[a.Name] = true
	}
	e.s, err = stats.New(ctx, e.d, stats.Config{Secret: []byte("bench-secret-0123456789"), Apps: func(_ context.Context, id string) (bool, error) { return known[id], nil }})
	if err != nil {
		return err
	}
	// Generate in chunks; time only Ingest by two workers (the two cores) and the flush
	// that writes the chunk, so no write work hides in the untimed generation.
	const chunkEvents = 100_000
	var chunk []stats.GenBatch
	inChunk := 0
	run := func() error {
		start := time.Now()
		var wg sync.WaitGroup
		errc := make(chan error, 2)
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < len(chunk); i += 2 {
					res, err := e.s.Ingest(ctx, chunk[i].Batch, chunk[i].Origin)
					if err != nil {
						errc <- err
						return
					}
					if res.Rejected > 0 {
						errc <- fmt.Errorf("generated events refused: %+v", res.Items)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errc)
		if err := <-errc; err != nil {
			return err
		}
		if err := e.s.Flush(ctx); err != nil {
			return err
		}
		e.ingest += time.Since(start)
		chunk, inChunk = chunk[:0], 0
		return nil
	}
	genStart := time.Now()
	err = stats.Generate(e.cfg, func(b stats.GenBatch) error {
		chunk = append(chunk, b)
		inChunk += len(b.Batch.Events)
		e.events += len(b.Batch.Events)
		if inChunk >= chunkEvents {
			return run()
		}
		return nil
	})
	if err == nil && len(chunk) > 0 {
		err = run()
	}
	if err != nil {
		return err
	}
	e.generate = time.Since(genStart) - e.ingest
	e.to = e.cfg.End
	e.from = e.to - 29
	top, err := e.s.TopApps(ctx, stats.Everything(), stats.Filter{From: e.from, To: e.to}, 1)
	if err != nil || len(top) == 0 {
		return fmt.Errorf("top apps after load: %v %v", top, err)
	}
	e.topApp = top[0].App
	var raw, rollup int64
	_ = e.d.QueryRowContext(ctx, `SELECT count(*) FROM stats_events`).Scan(&raw)
	_ = e.d.QueryRowContext(ctx, `SELECT COALESCE(sum(length(data)), 0) FROM stats_rollup`).Scan(&rollup)
	fmt.Printf("statsbench-load engine=%s events=%d stored=%d days=%d apps=%d regions=%d users<=%d ingest_s=%.1f generate_s=%.1f rollup_MB=%.1f\n",
		e.name, e.events, raw, e.cfg.Days, len(e.cfg.Apps), len(e.cfg.Regions), e.cfg.Users, e.ingest.Seconds(), e.generate.Seconds(), float64(rollup)/1e6)
	return nil
}

// pgSchema makes a schema of its own on the server and returns a URL that uses it.
func pgSchema(ctx context.Context, base string) (string, func(), error) {
	admin, err := db.Open(ctx, base, "")
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "statsbench_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop := func() {
		if a, err := db.Open(context.Background(), base, ""); err == nil {
			_, _ = a.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
			a.Close()
		}
	}
	return u.String(), drop, nil
}

func closeAll() {
	envsMu.Lock()
	defer envsMu.Unlock()
	for k, e := range envs {
		if e.s != nil {
			e.s.Close(context.Background())
		}
		if e.d != nil {
			e.d.Close()
		}
		if e.cleanup != nil {
			e.cleanup()
		}
		delete(envs, k)
	}
}

func engines() []string {
	if os.Getenv(envPG) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// report is one report, by rollups (run) and by plain SQL over raw events (base, SQLite only).
type report struct {
	name string
	run  func(ctx context.Context, e *env) (any, error)
	base func(ctx context.Context, e *env) (any, error)
}

func reports() []report {
	all := stats.Everything()
	f30 := func(e *env) stats.Filter { return stats.Filter{From: e.from, To: e.to} }
	return []report{
		{"top_apps_30d", func(ctx context.Context, e *env) (any, error) { return e.s.TopApps(ctx, all, f30(e), 0) }, baseTop},
		{"top_apps_30d_city", func(ctx context.Context, e *env) (any, error) {
			f := f30(e)
			f.Region = "330100"
			return e.s.TopApps(ctx, all, f, 0)
		}, baseTopCity},
		{"regions_city_30d", func(ctx context.Context, e *env) (any, error) {
			return e.s.ActiveByRegion(ctx, all, f30(e), stats.LevelCity)
		}, baseRegions},
		{"channels_30d", func(ctx context.Context, e *env) (any, error) { return e.s.Channels(ctx, all, f30(e)) }, baseChannels},
		{"trend_90d", func(ctx context.Context, e *env) (any, error) {
			return e.s.Trend(ctx, all, stats.Filter{From: e.to - stats.Day(e.cfg.Days) + 1, To: e.to})
		}, baseTrend},
		{"active_30d", func(ctx context.Context, e *env) (any, error) { return e.s.Active(ctx, all, f30(e)) }, baseActive},
		{"retention_30d", func(ctx context.Context, e *env) (any, error) { return e.s.Retention(ctx, all, f30(e)) }, baseRetention},
		{"app_30d", func(ctx context.Context, e *env) (any, error) { return e.s.App(ctx, all, f30(e), e.topApp) }, baseApp},
	}
}

// BenchmarkStats loads the data set per engine (reported as "ingest", events/s), then times
// each report on the rollups, and on SQLite the baseline SQL of each.
func BenchmarkStats(b *testing.B) {
	defer closeAll()
	ctx := context.Background()
	for _, engine := range engines() {
		b.Run(engine+"/ingest", func(b *testing.B) {
			e := open(b, engine)
			for range b.N {
			}
			b.ReportMetric(float64(e.events)/e.ingest.Seconds(), "events/s")
			b.ReportMetric(0, "ns/op")
		})
		e := open(b, engine)
		for _, r := range reports() {
			b.Run(engine+"/"+r.name, func(b *testing.B) {
				runtime.GC()
				b.ResetTimer()
				for range b.N {
					if _, err := r.run(ctx, e); err != nil {
						b.Fatal(err)
					}
				}
			})
			if engine == "sqlite" {
				b.Run(engine+"/baseline_"+r.name, func(b *testing.B) {
					runtime.GC()
					b.ResetTimer()
					for range b.N {
						if _, err := r.base(ctx, e); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// TestBaselineAgrees checks that the baseline SQL and the rollups give the same answers,
// so the benchmark compares like with like.
func TestBaselineAgrees(t *testing.T) {
	if os.Getenv(envEvents) == "" {
		t.Setenv(envEvents, "30000")
	}
	defer closeAll()
	ctx := context.Background()
	e := open(t, "sqlite")
	for _, r := range reports() {
		got, err := r.run(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		want, err := r.base(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(normalise(got), normalise(want)) {
			t.Errorf("%s:\nrollups  %v\nbaseline %v", r.name, normalise(got), normalise(want))
		}
	}
}

// normalise keeps what both sides compute, in a comparable order.
func normalise(v any) any {
	switch x := v.(type) {
	case stats.TopApps:
		m := map[string]int64{}
		for _, a := range x {
			m[a.App] = a.Users*1_000_000 + a.Launches
		}
		return m
	case stats.RegionActivity:
		m := map[string]int64{}
		for _, r := range x {
			m[r.Day.String()+"/"+r.Region] = r.Users
		}
		return m
	}
	return v
}
