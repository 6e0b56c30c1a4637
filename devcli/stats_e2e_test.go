package devcli

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/client"
)

// TestStatsDemo is the "Done when" of the statistics issue through the CLI: `govapp stats
// demo --events 20000` on the server's store, then `govapp stats top` over the API gives the
// apps in the proportions of the portal deck (portal-demo.json), as JSON, CSV and a table.
func TestStatsDemo(t *testing.T) {
	var deck struct {
		Apps []struct {
			Name  string  `json:"name"`
			Users float64 `json:"users"`
		} `json:"apps_by_users"`
	}
	raw, err := os.ReadFile("../platform/internal/demo/data/portal-demo.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &deck); err != nil {
		t.Fatal(err)
	}
	// The demo seeding's ids of the deck's apps, in the deck's order (platform/internal/demo).
	ids := []string{"accounting-exam", "housing-fund", "traffic-fines", "social-security", "public-payment", "tax-certificate", "penalty-lookup"}
	if len(deck.Apps) != len(ids) {
		t.Fatalf("the deck lists %d apps; this test knows %d", len(deck.Apps), len(ids))
	}
	var deckTotal float64
	for _, a := range deck.Apps {
		deckTotal += a.Users
	}

	e2eEngines(t, func(t *testing.T, dbURL string) {
		srv := startPlatform(t, t.TempDir(), dbURL)
		cli := newCLI(t).with(envToken, srv.first.AdminToken, envServer, srv.url)
		store := []string{"--data", srv.dataDir}
		if dbURL != "" {
			store = append(store, "--database-url", dbURL)
		}

		if _, stderr := cli.must(ExitUsage, "stats", "demo"); !strings.Contains(stderr, "--events") {
			t.Errorf("stats demo without --events: %q", stderr)
		}
		out, _ := cli.must(ExitOK, append([]string{"stats", "demo", "--events", "20000", "--seed", "7"}, store...)...)
		if !strings.HasPrefix(out, "Added ") {
			t.Errorf("stats demo: %q", out)
		}

		// The demo's 30 days end yesterday (China Standard Time).
		today := time.Now().In(time.FixedZone("CST", 8*3600))
		from, to := today.AddDate(0, 0, -30).Format(time.DateOnly), today.AddDate(0, 0, -1).Format(time.DateOnly)
		var top client.StatsTop
		cli.mustJSON(&top, "stats", "top", "--from", from, "--to", to, "--format", "json")
		if len(top.Apps) != len(ids) {
			t.Fatalf("stats top lists %d apps, want the deck's %d: %+v", len(top.Apps), len(ids), top.Apps)
		}
		var total int64
		for _, a := range top.Apps {
			total += a.Users
		}
		for i, a := range top.Apps {
			if a.App != ids[i] {
				t.Errorf("rank %d: %s, want %s (the deck's order)", i+1, a.App, ids[i])
			}
			got, want := float64(a.Users)/float64(total), deck.Apps[i].Users/deckTotal
			if math.Abs(got-want) > math.Max(0.01, 0.05*want) {
				t.Errorf("%s: %.4f of the users, the deck says %.4f", a.App, got, want)
			}
		}

		out, _ = cli.must(ExitOK, "stats", "top", "--from", from, "--to", to, "--format", "csv")
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(rows) != len(ids)+1 || strings.Join(rows[0], ",") != "app,users,launches,events" || rows[1][0] != ids[0] {
			t.Errorf("stats top --format csv (%v):\n%s", err, out)
		}
		out, _ = cli.must(ExitOK, "stats", "top", "--from", from, "--to", to, "--limit", "3")
		if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 4 || !strings.HasPrefix(lines[0], "#  APP") || !strings.Contains(lines[1], "accounting-exam") {
			t.Errorf("stats top --limit 3:\n%s", out)
		}
		out, _ = cli.must(ExitOK, "stats", "channels", "--from", from, "--to", to)
		if !strings.HasPrefix(out, "CHANNEL") || !strings.Contains(out, "wechat") || !strings.Contains(out, "web") {
			t.Errorf("stats channels:\n%s", out)
		}
		out, _ = cli.must(ExitOK, "stats", "regions", "--app", "housing-fund", "--region", "330300", "--from", to, "--to", to)
		if !strings.Contains(out, to+"  330300") {
			t.Errorf("stats regions of 温州:\n%s", out)
		}
		out, _ = cli.must(ExitOK, "stats", "app", "housing-fund", "--from", from, "--to", to)
		if !strings.Contains(out, "LAUNCHES") || !strings.Contains(out, "housing-fund") {
			t.Errorf("stats app:\n%s", out)
		}
		for _, args := range [][]string{{"trend"}, {"active"}, {"retention"}} {
			out, _ = cli.must(ExitOK, append([]string{"stats"}, append(args, "--from", from, "--to", to, "--format", "csv")...)...)
			if strings.Count(out, "\n") != 31 {
				t.Errorf("stats %s --format csv: want a header and 30 days:\n%s", args[0], out)
			}
		}

		// Refusals: a bad format is a usage error; a ten-year range is the server's 400.
		if _, stderr := cli.must(ExitUsage, "stats", "top", "--format", "xml"); !strings.Contains(stderr, "table, csv or json") {
			t.Errorf("--format xml: %q", stderr)
		}
		if _, stderr := cli.must(ExitFailure, "stats", "trend", "--from", "2015-01-01", "--to", "2025-01-01"); !strings.Contains(stderr, "at most 366") {
			t.Errorf("ten-year range: %q", stderr)
		}
	})
}
