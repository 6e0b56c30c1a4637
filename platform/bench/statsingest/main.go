// Command statsingest measures sustained usage-event ingest through the HTTP endpoint
// (POST /v1/runtime/events, batches of 50 signed-out events, keep-alive connections over
// loopback) of a whole platform (platform.New, its buffered writer and rollups included),
// against a baseline measured in the same run on the same connections: GET /healthz
// requests/s, the cheapest route of the same server. Client and server share the machine.
//
// The ingest figure counts only accepted events, and the clock stops when the platform's
// Close has written the last buffered event, so writes are not left out.
//
//	bash bench/stats-ingest.sh                       # small: 2 s per phase, SQLite
//	bash bench/stats-ingest.sh -duration 30s         # the full-size run of issue 7
//	bash bench/stats-ingest.sh -database-url 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govapp/govapp/platform"
)

func main() {
	conns := flag.Int("conns", 32, "concurrent keep-alive connections")
	dur := flag.Duration("duration", 2*time.Second, "measuring time of each phase")
	batch := flag.Int("batch", 50, "events per batch (at most 50)")
	devices := flag.Int("devices", 200_000, "distinct signed-out devices the events come from")
	dbURL := flag.String("database-url", "", "PostgreSQL URL (a schema is made and dropped); empty = SQLite in a temp dir")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the ingest load phase (client and server, flushes during the load included) to `FILE`")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "statsingest:", err)
			os.Exit(1)
		}
		defer f.Close()
		profile = f
	}
	if err := run(*conns, *batch, *devices, *dur, *dbURL); err != nil {
		fmt.Fprintln(os.Stderr, "statsingest:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// demoApps are registered by the platform's first-start demo seeding.
var demoApps = []string{"accounting-exam", "housing-fund", "traffic-fines", "social-security", "public-payment", "tax-certificate", "penalty-lookup"}

var containers = []string{"wechat", "alipay", "govapp", "web"}

// profile receives the CPU profile of the ingest phase when -cpuprofile is set.
var profile *os.File

func run(conns, batch, devices int, dur time.Duration, dbURL string) error {
	dir, err := os.MkdirTemp("", "govapp-statsingest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if dbURL != "" {
		u, drop, err := pgSchema(dbURL)
		if err != nil {
			return err
		}
		defer drop()
		dbURL = u
	}
	cfg := platform.DefaultConfig()
	cfg.DataDir, cfg.DatabaseURL, cfg.Addr = dir, dbURL, "127.0.0.1:0"
	p, err := platform.New(cfg, platform.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	ln, err := p.Listen()
	if err != nil {
		p.Close()
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p.Serve(ctx, ln) }()
	base := p.PublicURL(ln.Addr())
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DialContext: (&net.Dialer{}).DialContext}}

	engine := "SQLite"
	if dbURL != "" {
		engine = "PostgreSQL"
	}
	fmt.Printf("statsingest: %s, %d connections, batches of %d, %s per phase, GOMAXPROCS shared by client and server\n", engine, conns, batch, dur)

	health := func() (float64, error) {
		n, _, err := load(conns, dur, func(w, i int) (int, error) {
			resp, err := hc.Get(base + "/healthz")
			if err != nil {
				return 0, err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				return 0, fmt.Errorf("healthz: %d", resp.StatusCode)
			}
			return 1, nil
		})
		return float64(n) / dur.Seconds(), err
	}
	h1, err := health()
	if err != nil {
		cancel()
		<-served
		p.Close()
		return err
	}
	var busy atomic.Int64
	if profile != nil {
		if err := pprof.StartCPUProfile(profile); err != nil {
			cancel()
			<-served
			p.Close()
			return err
		}
	}
	start := time.Now()
	events, reqs, err := load(conns, dur, func(w, i int) (int, error) {
		rng := mrand.New(mrand.NewPCG(uint64(w), uint64(i)))
		now := time.Now().UnixMilli()
		var b bytes.Buffer
		fmt.Fprintf(&b, `{"sent_at":%d,"app":%q,"device_id":"bench-dev-%08d","events":[`, now, demoApps[rng.IntN(len(demoApps))], rng.IntN(devices))
		ch := containers[rng.IntN(len(containers))]
		for j := range batch {
			if j > 0 {
				b.WriteByte(',')
			}
			name := "page_view"
			if j == 0 {
				name = "app_launch"
			}
			fmt.Fprintf(&b, `{"id":"w%d-%d-%d","name":%q,"ts":%d,"container":%q,"version":"1.0.0","page":"/p/%d"}`, w, i, j, name, now-int64(batch-j)*100, ch, j%8)
		}
		b.WriteString("]}")
		resp, err := hc.Post(base+"/v1/runtime/events", "text/plain", &b)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusServiceUnavailable {
			busy.Add(1)
			time.Sleep(100 * time.Millisecond)
			return 0, nil
		}
		if resp.StatusCode != 200 {
			return 0, fmt.Errorf("events: %d %s", resp.StatusCode, raw)
		}
		var res struct {
			Accepted int `json:"accepted"`
		}
		if err := json.Unmarshal(raw, &res); err != nil {
			return 0, err
		}
		return res.Accepted, nil
	})
	loadTime := time.Since(start)
	if profile != nil {
		pprof.StopCPUProfile()
	}
	if err != nil {
		cancel()
		<-served
		p.Close()
		return err
	}
	h2, err := health()
	cancel()
	if serr := <-served; serr != nil && err == nil {
		err = serr
	}
	closeStart := time.Now()
	if cerr := p.Close(); cerr != nil && err == nil {
		err = cerr
	}
	closeTime := time.Since(closeStart)
	if err != nil {
		return err
	}
	hs := []float64{h1, h2}
	sort.Float64s(hs)
	accepted := float64(events) / loadTime.Seconds()
	sustained := float64(events) / (loadTime + closeTime).Seconds()
	perReq := float64(reqs) / loadTime.Seconds()
	fmt.Printf("baseline GET /healthz:     %10.0f requests/s (runs: %.0f, %.0f)\n", (h1+h2)/2, h1, h2)
	fmt.Printf("POST /v1/runtime/events:   %10.0f requests/s, %.0f events/s accepted while loading\n", perReq, accepted)
	fmt.Printf("  with the final flush:    %10.0f events/s sustained (%d events, load %s, last flush %s, %d answers 503)\n", sustained, events, loadTime.Round(time.Millisecond), closeTime.Round(time.Millisecond), busy.Load())
	fmt.Printf("ratio ingest requests/s to healthz requests/s: %.2f\n", perReq/((h1+h2)/2))
	return nil
}

// load runs fn on conns workers for dur and sums what the calls return; it also returns the
// number of calls.
func load(conns int, dur time.Duration, fn func(worker, i int) (int, error)) (int64, int64, error) {
	var total, calls atomic.Int64
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				n, err := fn(w, i)
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				total.Add(int64(n))
				calls.Add(1)
			}
		}()
	}
	wg.Wait()
	return total.Load(), calls.Load(), firstErr
}

// pgSchema makes a fresh schema on the server and returns a URL whose search_path points
// at it, and a function that drops it.
func pgSchema(base string) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	schema := "bench_statsingest_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	}, nil
}
