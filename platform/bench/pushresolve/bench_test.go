package pushresolve

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/push"
)

// Environment.
const (
	envUsers = "GOVAPP_BENCH_USERS"        // population size; default 200,000 (the is 10,000,000)
	envPG    = "GOVAPP_BENCH_DATABASE_URL" // PostgreSQL joins when set; each run gets its own schema
	envDir   = "GOVAPP_BENCH_DIR"          // where the SQLite file goes (default: the test's temp dir)
)

func usersFromEnv(tb testing.TB, def int) int {
	s := os.Getenv(envUsers)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	if err != nil || n < 1000 {
		tb.Fatalf("%s=%q: want a number of users ≥ 1000", envUsers, s)
	}
	return n
}

type engine struct{ name, url string }

func engines() []engine {
	out := []engine{{name: "sqlite"}}
	if u := os.Getenv(envPG); u != "" {
		out = append(out, engine{name: "postgres", url: u})
	}
	return out
}

// open gives a fresh, empty store: a new SQLite file, or a new schema on the PostgreSQL
// server (dropped at cleanup, so the shared database keeps nothing of the run).
func open(tb testing.TB, e engine) *db.DB {
	tb.Helper()
	ctx := context.Background()
	if e.url == "" {
		dir := tb.TempDir()
		if base := os.Getenv(envDir); base != "" {
			var err error
			if dir, err = os.MkdirTemp(base, "pushresolve-"); err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { os.RemoveAll(dir) })
		}
		d, err := db.Open(ctx, "", dir)
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { d.Close() })
		return d
	}
	admin, err := db.Open(ctx, e.url, "")
	if err != nil {
		tb.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "bench_pushresolve_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(e.url)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	d, err := db.Open(ctx, u.String(), "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() }) // runs before the drop (cleanups run last-in first-out)
	return d
}

// baselineSQL is the minimal hand-written query for the same recipients: the rows of the
// audience regions (staff carry their department's region code) plus the holders of the
// role; no joins to the tree, no scope bound. The baseline proper has no ORDER BY (rows as
// the engine finds them); the ordered variant asks for push.Resolve's order, and shows
// what the engine's plan for that costs.
func baselineSQL(ordered bool) (string, []any) {
	var ph []string
	var args []any
	for _, c := range audienceRegions {
		args = append(args, c)
		ph = append(ph, "$"+strconv.Itoa(len(args)))
	}
	args = append(args, audienceRole)
	q := `SELECT id FROM users WHERE region IN (` + strings.Join(ph, ", ") + `)
		OR id IN (SELECT user_id FROM grants WHERE role = $` + strconv.Itoa(len(args)) + `)`
	if ordered {
		q += ` ORDER BY id`
	}
	return q, args
}

func baseline(ctx context.Context, d *db.DB, ordered bool) ([]string, error) {
	q, args := baselineSQL(ordered)
	rows, err := d.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
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

// setup generates a population on e and checks, once, that push.Resolve, PreviewAudience
// and the baseline all give exactly the generator's answer.
func setup(tb testing.TB, e engine, n int) (*db.DB, *Population, []string) {
	tb.Helper()
	ctx := context.Background()
	d := open(tb, e)
	pop, err := Generate(ctx, d, Config{Users: n, StaffShare: 0.02, SecondGrant: 0.10, Seed: 6})
	if err != nil {
		tb.Fatalf("generate: %v", err)
	}
	var size int64
	q := d.Pick(`SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`,
		`SELECT pg_total_relation_size('users') + pg_total_relation_size('grants') + pg_total_relation_size('org_nodes')`)
	if err := d.QueryRowContext(ctx, q).Scan(&size); err != nil {
		tb.Fatalf("store size: %v", err)
	}
	fmt.Printf("pushresolve-load engine=%s users=%d citizens=%d staff=%d grants=%d expected=%d load_s=%.1f store_mb=%d\n",
		e.name, pop.Users, pop.Citizens, pop.Staff, pop.Grants, pop.Expected, pop.Load.Seconds(), size>>20)
	got, err := push.Resolve(ctx, d, pop.Dir, scopeID, benchAudience())
	if err != nil {
		tb.Fatalf("resolve: %v", err)
	}
	base, err := baseline(ctx, d, false)
	if err != nil {
		tb.Fatalf("baseline: %v", err)
	}
	slices.Sort(base)
	if len(got) != pop.Expected || len(base) != pop.Expected {
		tb.Fatalf("resolve gave %d recipients, the baseline %d; the generator expects %d", len(got), len(base), pop.Expected)
	}
	if !slices.Equal(got, base) {
		tb.Fatalf("resolve and the baseline give the same count but different users")
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			tb.Fatalf("resolve: ids not sorted or not unique at %d: %s, %s", i, got[i-1], got[i])
		}
	}
	pv, err := push.PreviewAudience(ctx, d, pop.Dir, pop.Sender, scopeID, benchAudience())
	if err != nil {
		tb.Fatalf("preview: %v", err)
	}
	if pv.Count != pop.Expected || !slices.Equal(pv.Sample, got[:push.PreviewSample]) {
		tb.Fatalf("preview: count %d sample %v; want %d and %v", pv.Count, pv.Sample, pop.Expected, got[:push.PreviewSample])
	}
	return d, pop, got
}

// measure runs fn once outside the timed loop and returns the peak growth of the Go heap
// (live and not yet collected objects, sampled every millisecond) and of the process's
// resident memory (the kernel's high-water mark, reset before; it includes SQLite's page
// cache, which modernc.org/sqlite allocates outside the Go heap). PostgreSQL's server
// memory is not seen.
func measure(fn func() error) (heapMB, rssMB float64, err error) {
	const mb = 1 << 20
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	rssBase, rssOK := resetRSSPeak()
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	err = fn()
	close(stop)
	wg.Wait()
	peak = max(peak, read())
	if rssOK {
		if hwm, ok := procStatus("VmHWM"); ok && hwm > rssBase {
			rssMB = float64(hwm-rssBase) / mb
		}
	}
	return float64(peak-base) / mb, rssMB, err
}

// resetRSSPeak resets VmHWM to the current RSS (Linux: write 5 to clear_refs) and returns it.
func resetRSSPeak() (uint64, bool) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return 0, false
	}
	return procStatus("VmRSS")
}

func procStatus(key string) (uint64, bool) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == key+":" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// BenchmarkAudience resolves the audience (push.Resolve: the full sorted id list), previews
// it (push.PreviewAudience: scope check, count, sample of 10) and runs the hand-written
// baseline (unordered, and ordered by id), per engine, on one generated population. Every
// iteration checks the count; setup checked the ids themselves once.
func BenchmarkAudience(b *testing.B) {
	n := usersFromEnv(b, 200_000)
	ctx := context.Background()
	for _, e := range engines() {
		b.Run(e.name, func(b *testing.B) {
			d, pop, want := setup(b, e, n)
			run := func(name string, op func() (int, error)) {
				b.Run(name, func(b *testing.B) {
					heap, rss, err := measure(func() error {
						got, err := op()
						if err == nil && got != pop.Expected {
							err = fmt.Errorf("%d recipients, want %d", got, pop.Expected)
						}
						return err
					})
					if err != nil {
						b.Fatalf("%s: %v", name, err)
					}
					b.ReportAllocs()
					for b.Loop() {
						got, err := op()
						if err != nil {
							b.Fatal(err)
						}
						if got != pop.Expected {
							b.Fatalf("%s: %d recipients, want %d", name, got, pop.Expected)
						}
					}
					b.ReportMetric(float64(pop.Expected), "recipients/op")
					b.ReportMetric(float64(pop.Users), "users")
					b.ReportMetric(heap, "peak-heap-MB")
					b.ReportMetric(rss, "peak-rss-MB")
				})
			}
			run("baseline", func() (int, error) {
				ids, err := baseline(ctx, d, false)
				return len(ids), err
			})
			run("baseline_ordered", func() (int, error) {
				ids, err := baseline(ctx, d, true)
				return len(ids), err
			})
			run("resolve", func() (int, error) {
				ids, err := push.Resolve(ctx, d, pop.Dir, scopeID, benchAudience())
				if err == nil && (ids[0] != want[0] || ids[len(ids)-1] != want[len(want)-1]) {
					err = fmt.Errorf("resolve: first/last id %s/%s, want %s/%s", ids[0], ids[len(ids)-1], want[0], want[len(want)-1])
				}
				return len(ids), err
			})
			run("preview", func() (int, error) {
				pv, err := push.PreviewAudience(ctx, d, pop.Dir, pop.Sender, scopeID, benchAudience())
				return pv.Count, err
			})
		})
	}
}

// TestGenerateAndResolve is the correctness check on a small population (20,000 users,
// or GOVAPP_BENCH_USERS): the generator's expected audience, push.Resolve, PreviewAudience
// and the baseline agree exactly; a district sender reaches only its district.
func TestGenerateAndResolve(t *testing.T) {
	n := usersFromEnv(t, 20_000)
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			d, pop, _ := setup(t, e, n)
			if pop.Citizens+pop.Staff+1 != pop.Users || pop.Staff == 0 {
				t.Fatalf("population %+v", pop)
			}
			// Independent check of the regional part from the raw rows.
			var citizens int
			q := `SELECT count(*) FROM users WHERE kind = 'citizen' AND region IN ($1, $2, $3, $4, $5)`
			if err := d.QueryRowContext(ctx, q, "330109", "330110", "330111", "330113", "330114").Scan(&citizens); err != nil {
				t.Fatal(err)
			}
			if share := float64(citizens) / float64(pop.Citizens); share < 0.08 || share > 0.11 {
				t.Errorf("audience districts hold %.3f of the citizens, want about 0.093", share)
			}
			if share := float64(pop.Expected) / float64(pop.Users); share < 0.085 || share > 0.115 {
				t.Errorf("audience is %.3f of the users, want about 0.10", share)
			}
			// Scope still bounds a place-less term: operators seen from 萧山 are 萧山's only.
			ids, err := push.Resolve(ctx, d, pop.Dir, "330109", push.Audience{Terms: []push.Term{{Roles: []string{audienceRole}}}})
			if err != nil {
				t.Fatal(err)
			}
			var want int
			q = `SELECT count(DISTINCT g.user_id) FROM grants g JOIN users u ON u.id = g.user_id JOIN org_nodes n ON n.id = u.node_id
				JOIN org_nodes gn ON gn.id = g.node_id
				WHERE g.role = $1 AND n.path LIKE '/330000/330100/330109/%' AND gn.path LIKE '/330000/330100/330109/%'`
			if err := d.QueryRowContext(ctx, q, audienceRole).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if len(ids) != want || want == 0 {
				t.Errorf("operators of 萧山: resolve %d, want %d (> 0)", len(ids), want)
			}
		})
	}
}
