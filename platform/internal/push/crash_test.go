package push_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"database/sql"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/ext/apns"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/push"
)

// crashBatch and crashWorkers are the claim size and the parallel batches of the child's
// APNs loop: their product is the in-flight window, the most duplicates one kill may cause.
const (
	crashBatch   = 500
	crashWorkers = 2
	crashWindow  = crashBatch * crashWorkers
)

// The child side of TestCrashMidFanout: a platform worker that sends until killed.
func init() {
	if os.Getenv("GOVAPP_PUSH_CHILD") == "" {
		return
	}
	if err := runChild(); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	os.Exit(0)
}

func runChild() error {
	ctx := context.Background()
	d, err := db.Open(ctx, os.Getenv("GOVAPP_PUSH_DB"), "")
	if err != nil {
		return err
	}
	au, err := audit.NewStore(ctx, d)
	if err != nil {
		return err
	}
	ids, err := identity.NewService(ctx, d, au)
	if err != nil {
		return err
	}
	svc, err := push.NewService(ctx, d, ids, au, push.Config{Lease: 2 * time.Second})
	if err != nil {
		return err
	}
	block, _ := pem.Decode([]byte(os.Getenv("GOVAPP_PUSH_CA")))
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	snd, err := apns.New(apns.Config{KeyP8: []byte(os.Getenv("GOVAPP_PUSH_P8")), KeyID: "ABC123DEFG", TeamID: "TEAM123456",
		Topic: iosTopic, Production: true, BaseURL: os.Getenv("GOVAPP_PUSH_APNS")}, apns.HTTP2Client(roots))
	if err != nil {
		return err
	}
	disp := svc.NewDispatcher(push.DispatchConfig{
		Senders: map[string]push.Sender{push.KindAPNs: &push.APNsSender{Production: snd}},
		Limits:  map[string]push.ChannelLimits{push.KindAPNs: {Rate: 1e6, Batch: crashBatch, Workers: crashWorkers}},
		Poll:    100 * time.Millisecond,
	})
	return disp.Run(ctx)
}

// bulkCitizens inserts n citizens of region, each with one APNs token, straight into the
// tables (the identity API's audit trail per user would dominate the test's time).
func bulkCitizens(t *testing.T, d *db.DB, n int, region string) []string {
	t.Helper()
	ctx := context.Background()
	now := db.Now()
	var tokens []string
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < n; start += 400 {
			end := min(start+400, n)
			var u, dv strings.Builder
			var ua, da []any
			for i := start; i < end; i++ {
				id := fmt.Sprintf("u_bulk%07d", i)
				tok := fmt.Sprintf("%064x", i+1)
				tokens = append(tokens, tok)
				if i > start {
					u.WriteString(", ")
					dv.WriteString(", ")
				}
				k := len(ua)
				fmt.Fprintf(&u, "($%d, $%d, $%d, 'citizen', $%d, $%d, 1, $%d)", k+1, k+2, k+3, k+4, k+5, k+6)
				ua = append(ua, id, fmt.Sprintf("bulk%07d", i), "市民", region, region, now)
				k = len(da)
				fmt.Fprintf(&dv, "($%d, 'apns', $%d, $%d, 'production', '', $%d)", k+1, k+2, k+3, k+4)
				da = append(da, id, tok, iosTopic, now)
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
		t.Fatal(err)
	}
	return tokens
}

// A real kill -9 of the sending process in the middle of a 100,000-recipient fan-out:
// after a restart every recipient has the notice at least once, and the duplicates stay
// within the in-flight window. On SQLite and on PostgreSQL.
func TestCrashMidFanout(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000-recipient fan-out")
	}
	const recipients = 100_000
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var url string
			if engine == "sqlite" {
				url = "sqlite://" + filepath.Join(t.TempDir(), "push.db")
			} else {
				url = dbtest.PostgresURL(t)
			}
			ctx := context.Background()
			d, err := db.Open(ctx, url, "")
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			w := newWorld(t, d, push.Config{})
			w.apns.MaxRecords = 2 * recipients
			t0 := time.Now()
			tokens := bulkCitizens(t, d, recipients, "330111")
			t.Logf("loaded %d citizens in %v", recipients, time.Since(t0))
			n, _, err := w.svc.Create(ctx, w.sender, push.NoticeCreate{Scope: "330111", Title: "养老认证", Body: "窗口已开放",
				Audience: push.Audience{Terms: []push.Term{{Regions: []string{"330111"}}}, Exclude: []push.Term{{Users: []string{w.sender.User.ID}}}}})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("created the notice after %v", time.Since(t0))
			ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.apnsCA.Raw})
			start := func() (*exec.Cmd, *bytes.Buffer) {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				cmd.Env = append(os.Environ(), "GOVAPP_PUSH_CHILD=1", "GOVAPP_PUSH_DB="+url, "GOVAPP_PUSH_APNS="+w.apnsURL,
					"GOVAPP_PUSH_CA="+string(ca), "GOVAPP_PUSH_P8="+string(w.p8))
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				return cmd, &out
			}
			child, out := start()
			deadline := time.Now().Add(3 * time.Minute)
			for w.apns.Stats().Accepted < recipients/3 {
				if time.Now().After(deadline) {
					child.Process.Kill()
					t.Fatalf("the child sent %d in 3 minutes; its output:\n%s", w.apns.Stats().Accepted, out)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err := child.Process.Kill(); err != nil { // SIGKILL: no defer, no flush
				t.Fatal(err)
			}
			_ = child.Wait()
			atKill := w.apns.Stats().Accepted
			t.Logf("killed after %v", time.Since(t0))
			child, out = start()
			defer func() { child.Process.Kill(); child.Wait() }()
			for {
				var state string
				if err := d.QueryRowContext(ctx, `SELECT state FROM push_notices WHERE id = $1`, n.ID).Scan(&state); err != nil {
					t.Fatal(err)
				}
				if state == push.StateDone {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("not done after the restart (%d sent); child output:\n%s", w.apns.Stats().Accepted, out)
				}
				time.Sleep(100 * time.Millisecond)
			}
			t.Logf("done after %v", time.Since(t0))
			got := make(map[string]int, recipients)
			for _, x := range w.apns.Notifications() {
				got[x.DeviceToken]++
			}
			dups := 0
			for _, tk := range tokens {
				switch c := got[tk]; {
				case c == 0:
					t.Fatalf("token %s never got the notice", tk)
				case c > 1:
					dups += c - 1
				}
			}
			t.Logf("%s: killed at %d of %d sent; %d duplicates after the restart (window %d)", engine, atKill, recipients, dups, crashWindow)
			if dups > crashWindow {
				t.Errorf("%d duplicates, more than the in-flight window of %d", dups, crashWindow)
			}
			st, err := w.svc.Stats(ctx, w.sender, n.ID)
			if err != nil || st.Sent != recipients || st.Resolved != recipients {
				t.Errorf("stats %+v %v", st, err)
			}
		})
	}
}
