// Package bench measures the platform's hot paths in-process, each beside a baseline run in
// the same process (GET /healthz: the HTTP stack without authentication or queries), so the
// ratios hold on any machine. Run: bash bench/run.sh (results in docs/BENCHMARKS.md).
package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/govapp/govapp/platform"
	"github.com/govapp/govapp/platform/client"
)

type env struct {
	url   string
	token string
	dept  string
}

func start(b *testing.B, dbURL string) *env {
	b.Helper()
	cfg := platform.DefaultConfig()
	cfg.DataDir, cfg.DatabaseURL, cfg.Addr = b.TempDir(), dbURL, "127.0.0.1:0"
	p, err := platform.New(cfg, platform.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		b.Fatal(err)
	}
	ln, err := p.Listen()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = p.Serve(ctx, ln); close(done) }()
	b.Cleanup(func() { cancel(); <-done; p.Close() })
	e := &env{url: "http://" + ln.Addr().String(), token: p.FirstStart().AdminToken}
	nodes, err := client.New(e.url, e.token).ListOrgs(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range nodes {
		if n.Kind == "department" {
			e.dept = n.ID
			break
		}
	}
	return e
}

func engines(b *testing.B) map[string]string {
	out := map[string]string{"sqlite": ""}
	if u := os.Getenv("GOVAPP_BENCH_DATABASE_URL"); u != "" {
		out["postgres"] = u
	}
	return out
}

func get(b *testing.B, c *http.Client, url, token string) {
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
}

// BenchmarkAPI: baseline /healthz, then an authenticated read (token lookup, grants,
// subtree-filtered list) and a write (validation, insert, transition, chained audit entry).
func BenchmarkAPI(b *testing.B) {
	for name, u := range engines(b) {
		if name == "postgres" {
			u = freshSchema(b, u)
		}
		e := start(b, u)
		c := &http.Client{}
		b.Run(name+"/baseline_healthz", func(b *testing.B) {
			for b.Loop() {
				get(b, c, e.url+"/healthz", "")
			}
		})
		b.Run(name+"/list_apps", func(b *testing.B) {
			for b.Loop() {
				get(b, c, e.url+"/v1/apps", e.token)
			}
		})
		var n atomic.Int64
		cl := client.New(e.url, e.token)
		b.Run(name+"/create_app", func(b *testing.B) {
			for b.Loop() {
				id := fmt.Sprintf("bench-%s-%d", name, n.Add(1))
				if _, err := cl.CreateApp(context.Background(), client.AppCreate{ID: id, Name: "基准测试", OwnerNode: e.dept, Category: "测试",
					Regions: []string{"330000"}, Containers: []string{"web"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// freshSchema gives the PostgreSQL run its own schema so runs never see each other's rows.
func freshSchema(b *testing.B, base string) string {
	schema := fmt.Sprintf("bench_%d", os.Getpid())
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	if err := execSQL(base, `DROP SCHEMA IF EXISTS `+schema+` CASCADE; CREATE SCHEMA `+schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = execSQL(base, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`) })
	return base + sep + "search_path=" + schema
}

func execSQL(url, stmt string) error {
	d, err := sql.Open("pgx", url)
	if err != nil {
		return err
	}
	defer d.Close()
	_, err = d.Exec(stmt)
	return err
}
