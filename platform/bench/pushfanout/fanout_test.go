// Package pushfanout measures issue 6's fan-out: one notice to N registered iPhones through
// sandbox/apns on loopback, end to end (create, resolve, snapshot, outbox, dispatcher,
// apns2), against the ceiling of a bare loop of the same apns2 client sending the same
// payload to the same fake with the same concurrency, in the same run.
//
//	bash platform/bench/pushfanout/run.sh                      # 100,000 devices, SQLite
//	GOVAPP_BENCH_DEVICES=1000000 bash platform/bench/pushfanout/run.sh
//	GOVAPP_BENCH_DATABASE_URL=postgres://... bash platform/bench/pushfanout/run.sh
package pushfanout

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	extapns "github.com/govapp/govapp/platform/internal/ext/apns"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/push"
	fake "github.com/govapp/govapp/sandbox/apns"
)

const (
	topic       = "cn.gov.zj.app"
	keyID       = "BENCHKEY01"
	teamID      = "BENCHTEAM1"
	concurrency = 64 // in flight per batch, and in the bare loop
)

var tree = identity.RegionTree{Code: "330000", Name: "浙江省", Level: identity.KindProvince, Children: []identity.RegionTree{
	{Code: "330100", Name: "杭州市", Level: identity.KindCity, Children: []identity.RegionTree{
		{Code: "330111", Name: "富阳区", Level: identity.KindDistrict},
	}},
}}

func devices(tb testing.TB) int {
	n := 100_000
	if v := os.Getenv("GOVAPP_BENCH_DEVICES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1000 {
			tb.Fatalf("GOVAPP_BENCH_DEVICES=%q: give a number of at least 1000", v)
		}
	}
	return n
}

// world is the APNs fake and a sender on it.
type world struct {
	fake   *fake.Server
	srv    *fake.TLSServer
	p8     []byte
	sender *extapns.Sender
}

func newWorld(tb testing.TB) *world {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	w := &world{fake: fake.New(), p8: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})}
	w.fake.AddKey(keyID, teamID, &key.PublicKey)
	w.fake.AddTopic(teamID, topic)
	w.srv = w.fake.Start()
	tb.Cleanup(w.srv.Close)
	w.sender = w.newSender(tb)
	return w
}

// newSender is one apns2 client (one HTTP/2 connection pool), as the platform keeps per key.
func (w *world) newSender(tb testing.TB) *extapns.Sender {
	s, err := extapns.New(extapns.Config{KeyP8: w.p8, KeyID: keyID, TeamID: teamID, Topic: topic, Production: true, BaseURL: w.srv.URL},
		extapns.HTTP2Client(w.srv.RootCAs))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// workers is GOVAPP_BENCH_WORKERS, the batches in flight (0: the platform's default).
func workers() int {
	n, _ := strconv.Atoi(os.Getenv("GOVAPP_BENCH_WORKERS"))
	return n
}

func token(i int) string { return fmt.Sprintf("%064x", i+1) }

// ceiling sends n notifications with a bare loop of concurrency goroutines.
func ceiling(tb testing.TB, w *world, n int, payload []byte) float64 {
	ctx := context.Background()
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				r, err := w.sender.Send(ctx, token(i), payload, extapns.WithTopic(topic), extapns.WithPriority(5))
				if err != nil || !r.Sent() {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if failed.Load() > 0 {
		tb.Fatalf("bare loop: %d of %d failed", failed.Load(), n)
	}
	return float64(n) / el.Seconds()
}

// load inserts n citizens of 富阳区 with one APNs token each, straight into the tables.
func load(tb testing.TB, d *db.DB, n int) {
	ctx := context.Background()
	now := db.Now()
	const chunk = 400
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < n; start += chunk {
			end := min(start+chunk, n)
			var u, dv strings.Builder
			ua := make([]any, 0, 6*(end-start))
			da := make([]any, 0, 4*(end-start))
			for i := start; i < end; i++ {
				if i > start {
					u.WriteString(",")
					dv.WriteString(",")
				}
				k := len(ua)
				fmt.Fprintf(&u, "($%d,$%d,$%d,'citizen','330111','330111',1,$%d)", k+1, k+2, k+3, k+4)
				id := fmt.Sprintf("u%08d", i)
				ua = append(ua, id, "c"+id, "市民", now)
				k = len(da)
				fmt.Fprintf(&dv, "($%d,'apns',$%d,$%d,'production','',$%d)", k+1, k+2, k+3, k+4)
				da = append(da, id, token(i), topic, now)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, name, display_name, kind, node_id, region, verified_level, created_at) VALUES `+u.String(), ua...); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO push_devices (user_id, kind, token, topic, environment, app_id, registered_at) VALUES `+dv.String(), da...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

type engine struct{ name, url string }

func engines(tb testing.TB) []engine {
	var out []engine
	if os.Getenv("GOVAPP_BENCH_SKIP_SQLITE") == "" {
		out = append(out, engine{"sqlite", "sqlite://" + filepath.Join(tb.TempDir(), "fanout.db")})
	}
	if base := os.Getenv("GOVAPP_BENCH_DATABASE_URL"); base != "" {
		out = append(out, engine{"postgres", base})
	}
	return out
}

// openStore opens a fresh store: on PostgreSQL a schema of its own, dropped afterwards.
func openStore(tb testing.TB, e engine) *db.DB {
	ctx := context.Background()
	u := e.url
	if e.name == "postgres" {
		admin, err := db.Open(ctx, e.url, "")
		if err != nil {
			tb.Fatal(err)
		}
		var b [4]byte
		_, _ = rand.Read(b[:])
		schema := "bench_fanout_" + hex.EncodeToString(b[:])
		if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); admin.Close() })
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		u += sep + "search_path=" + schema
	}
	d, err := db.Open(ctx, u, "")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// endToEnd sends one notice to n devices through the platform's push path and returns
// the rate from Create to the notice being done, and the send phase alone (after the
// snapshot and the outbox are written).
func endToEnd(tb testing.TB, w *world, e engine, n int) (total, send float64) {
	ctx := context.Background()
	d := openStore(tb, e)
	au, err := audit.NewStore(ctx, d)
	if err != nil {
		tb.Fatal(err)
	}
	ids, err := identity.NewService(ctx, d, au)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := ids.LoadRegions(ctx, tree); err != nil {
		tb.Fatal(err)
	}
	svc, err := push.NewService(ctx, d, ids, au, push.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	sys := identity.SystemPrincipal()
	op, err := ids.CreateUser(ctx, sys, identity.UserCreate{Name: "fuyang-op", Kind: identity.UserStaff, NodeID: "330111"})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := ids.CreateGrant(ctx, sys, op.ID, identity.GrantCreate{Role: "operator", NodeID: "330111"}); err != nil {
		tb.Fatal(err)
	}
	p, err := ids.PrincipalFor(ctx, op.ID)
	if err != nil {
		tb.Fatal(err)
	}
	load(tb, d, n)
	before := w.fake.Stats().Accepted
	disp := svc.NewDispatcher(push.DispatchConfig{
		Senders: map[string]push.Sender{push.KindAPNs: &push.APNsSender{Production: w.newSender(tb), Concurrency: concurrency}},
		Limits:  map[string]push.ChannelLimits{push.KindAPNs: {Rate: 1e7, Workers: workers()}},
		Poll:    50 * time.Millisecond,
	})
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	nt, _, err := svc.Create(ctx, p, push.NoticeCreate{Scope: "330111", Title: "养老认证", Body: "富阳区养老金资格认证窗口已开放。",
		Audience: push.Audience{Terms: []push.Term{{Regions: []string{"330111"}}}, Exclude: []push.Term{{Users: []string{op.ID}}}}})
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = disp.Run(rctx); close(done) }()
	var queued time.Time
	for {
		var state string
		if err := d.QueryRowContext(ctx, `SELECT state FROM push_notices WHERE id = $1`, nt.ID).Scan(&state); err != nil {
			tb.Fatal(err)
		}
		if queued.IsZero() && state != push.StateScheduled {
			queued = time.Now()
		}
		if state == push.StateDone {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	el := time.Since(start)
	cancel()
	<-done
	if got := w.fake.Stats().Accepted - before; got < n {
		tb.Fatalf("%s: the fake accepted %d of %d", e.name, got, n)
	}
	return float64(n) / el.Seconds(), float64(n) / time.Since(queued).Seconds()
}

// BenchmarkFanout prints notifications/s of the bare loop and of the platform, and their
// ratio. Run it once (-benchtime 1x): each iteration is a whole fan-out.
func BenchmarkFanout(b *testing.B) {
	n := devices(b)
	w := newWorld(b)
	payload := []byte(`{"aps":{"alert":{"title":"养老认证","body":"富阳区养老金资格认证窗口已开放。"},"sound":"default"},"govapp":{"notice":"n_000000000000000000"}}`)
	for range b.N {
		ceil := ceiling(b, w, n, payload)
		b.ReportMetric(ceil, "bare-notif/s")
		for _, e := range engines(b) {
			total, send := endToEnd(b, w, e, n)
			b.ReportMetric(total, e.name+"-notif/s")
			b.ReportMetric(send, e.name+"-send-notif/s")
			b.ReportMetric(100*total/ceil, e.name+"-%-of-bare")
			fmt.Printf("pushfanout engine=%s devices=%d bare=%.0f/s end_to_end=%.0f/s send_phase=%.0f/s ratio=%.1f%%\n", e.name, n, ceil, total, send, 100*total/ceil)
		}
	}
}
