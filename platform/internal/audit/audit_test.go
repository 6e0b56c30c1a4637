package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
)

// Node paths used by the tests: the province, two cities, a department in the first city.
const (
	pathProvince = "/330000/"
	pathHangzhou = "/330000/330100/"
	pathDept     = "/330000/330100/d-0a0b0c0d/"
	pathNingbo   = "/330000/330200/"
)

func newAuditStore(t *testing.T, d *db.DB) *audit.Store {
	t.Helper()
	s, err := audit.NewStore(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type targetState struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// record appends one entry in its own transaction.
func record(t *testing.T, d *db.DB, s *audit.Store, path string, i int) audit.Entry {
	t.Helper()
	var e audit.Entry
	err := d.InTx(context.Background(), func(tx *sql.Tx) error {
		var err error
		e, err = s.Record(context.Background(), tx, audit.Actor{ID: "u-1", Name: "alice", IP: "192.0.2.1", RequestID: fmt.Sprintf("req-%d", i)}, audit.Change{
			Action: "app.update", TargetType: "app", TargetID: fmt.Sprintf("app-%d", i), NodeID: "n", NodePath: path,
			Before: targetState{Name: "before", Count: i}, After: targetState{Name: "after", Count: i + 1},
		})
		return err
	})
	if err != nil {
		t.Fatalf("record %d: %v", i, err)
	}
	return e
}

func verify(t *testing.T, s *audit.Store) audit.VerifyResult {
	t.Helper()
	res, err := s.Verify(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return res
}

func TestRecordBuildsChain(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		s := newAuditStore(t, d)
		if res := verify(t, s); !res.OK || res.Entries != 0 || res.Head != audit.GenesisHash {
			t.Fatalf("empty log: %+v", res)
		}
		var written []audit.Entry
		for i := 1; i <= 5; i++ {
			written = append(written, record(t, d, s, pathDept, i))
		}
		// A change with no before state (a creation) is recorded as JSON null.
		var created audit.Entry
		if err := d.InTx(context.Background(), func(tx *sql.Tx) error {
			var err error
			created, err = s.Record(context.Background(), tx, audit.System, audit.Change{Action: "org.create", TargetType: "org", TargetID: "330100", NodeID: "330100", NodePath: pathHangzhou, After: map[string]string{"id": "330100"}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		written = append(written, created)
		if string(created.Before) != "null" {
			t.Errorf("Before of a creation = %s, want null", created.Before)
		}

		prev := audit.GenesisHash
		for i, e := range written {
			if e.Seq != int64(i+1) {
				t.Errorf("entry %d has seq %d", i, e.Seq)
			}
			if e.PrevHash != prev {
				t.Errorf("entry %d prev_hash = %s, want %s", e.Seq, e.PrevHash, prev)
			}
			if len(e.Hash) != 64 || e.Hash == prev {
				t.Errorf("entry %d hash %q is not a fresh SHA-256", e.Seq, e.Hash)
			}
			prev = e.Hash
		}
		if written[0].PrevHash != audit.GenesisHash {
			t.Errorf("first entry does not start from the genesis hash")
		}

		res := verify(t, s)
		if !res.OK || res.Entries != 6 || res.Head != written[5].Hash || res.BadSeq != 0 {
			t.Fatalf("verify intact chain: %+v", res)
		}

		// What List returns is what Record wrote, field for field.
		got, err := s.List(context.Background(), []string{"/"}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(written) {
			t.Fatalf("List returned %d entries, want %d", len(got), len(written))
		}
		for i := range got {
			w, g := written[i], got[i]
			if g.Seq != w.Seq || !g.At.Equal(w.At) || g.ActorID != w.ActorID || g.ActorName != w.ActorName || g.IP != w.IP ||
				g.RequestID != w.RequestID || g.Action != w.Action || g.TargetType != w.TargetType || g.TargetID != w.TargetID ||
				g.NodeID != w.NodeID || g.NodePath != w.NodePath || string(g.Before) != string(w.Before) ||
				string(g.After) != string(w.After) || g.PrevHash != w.PrevHash || g.Hash != w.Hash {
				t.Errorf("entry %d read back differs:\n got %+v\nwant %+v", w.Seq, g, w)
			}
		}
		if string(got[0].After) != `{"name":"after","count":2}` {
			t.Errorf("after_json of entry 1 = %s", got[0].After)
		}
	})
}

func TestVerifyDetectsTampering(t *testing.T) {
	for _, c := range []struct {
		name   string
		tamper string
		bad    int64
	}{
		{"update after_json", `UPDATE audit_log SET after_json = '{"name":"forged","count":99}' WHERE seq = 3`, 3},
		{"update actor", `UPDATE audit_log SET actor_name = 'mallory' WHERE seq = 2`, 2},
		{"delete middle entry", `DELETE FROM audit_log WHERE seq = 3`, 4},
		{"change prev_hash", `UPDATE audit_log SET prev_hash = '` + audit.GenesisHash + `' WHERE seq = 3`, 3},
		{"edit last entry", `UPDATE audit_log SET before_json = 'null' WHERE seq = 5`, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
				s := newAuditStore(t, d)
				var written []audit.Entry
				for i := 1; i <= 5; i++ {
					written = append(written, record(t, d, s, pathDept, i))
				}
				if res := verify(t, s); !res.OK {
					t.Fatalf("chain broken before tampering: %+v", res)
				}
				if _, err := d.ExecContext(context.Background(), c.tamper); err != nil {
					t.Fatal(err)
				}
				res := verify(t, s)
				if res.OK {
					t.Fatalf("verify passed after %s: %+v", c.name, res)
				}
				if res.BadSeq != c.bad {
					t.Errorf("BadSeq = %d, want %d (%s)", res.BadSeq, c.bad, res.Problem)
				}
				if res.Problem == "" {
					t.Error("no problem described")
				}
				// Entries counts the good prefix; Head is the last good hash.
				goodBefore := c.bad - 1
				if c.name == "delete middle entry" {
					goodBefore = 2
				}
				if res.Entries != goodBefore {
					t.Errorf("Entries = %d, want %d", res.Entries, goodBefore)
				}
				if res.Head != written[goodBefore-1].Hash {
					t.Errorf("Head = %s, want the hash of entry %d", res.Head, goodBefore)
				}
			})
		})
	}
}

func TestList(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newAuditStore(t, d)
		paths := []string{pathProvince, pathHangzhou, pathDept, pathNingbo, pathDept, pathNingbo, pathHangzhou}
		for i, p := range paths {
			record(t, d, s, p, i+1)
		}
		seqs := func(es []audit.Entry) []int64 {
			out := []int64{}
			for _, e := range es {
				out = append(out, e.Seq)
			}
			return out
		}
		for _, c := range []struct {
			name     string
			prefixes []string
			after    int64
			limit    int
			want     []int64
		}{
			{"everything", []string{"/"}, 0, 0, []int64{1, 2, 3, 4, 5, 6, 7}},
			{"no prefixes", nil, 0, 0, []int64{}},
			{"hangzhou subtree", []string{pathHangzhou}, 0, 0, []int64{2, 3, 5, 7}},
			{"department only", []string{pathDept}, 0, 0, []int64{3, 5}},
			{"ningbo", []string{pathNingbo}, 0, 0, []int64{4, 6}},
			{"two subtrees", []string{pathDept, pathNingbo}, 0, 0, []int64{3, 4, 5, 6}},
			{"unknown subtree", []string{"/330000/330300/"}, 0, 0, []int64{}},
			{"after_seq", []string{"/"}, 4, 0, []int64{5, 6, 7}},
			{"limit", []string{"/"}, 0, 3, []int64{1, 2, 3}},
			{"page", []string{"/"}, 3, 2, []int64{4, 5}},
			{"page in subtree", []string{pathHangzhou}, 2, 2, []int64{3, 5}},
			{"past the end", []string{"/"}, 7, 10, []int64{}},
		} {
			got, err := s.List(ctx, c.prefixes, c.after, c.limit)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if fmt.Sprint(seqs(got)) != fmt.Sprint(c.want) {
				t.Errorf("%s: seqs %v, want %v", c.name, seqs(got), c.want)
			}
			for _, e := range got {
				if e.Action != "app.update" || e.ActorName != "alice" {
					t.Errorf("%s: entry %d scanned wrongly: %+v", c.name, e.Seq, e)
				}
			}
		}
	})
}

func TestRecordRolledBackLeavesNoEntry(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newAuditStore(t, d)
		first := record(t, d, s, pathDept, 1)
		boom := errors.New("the change failed after its entry was written")
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			if _, err := s.Record(ctx, tx, audit.System, audit.Change{Action: "org.delete", TargetType: "org", TargetID: "x", NodeID: "x", NodePath: pathDept}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want the callback's error", err)
		}
		all, err := s.List(ctx, []string{"/"}, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].Hash != first.Hash {
			t.Fatalf("after rollback the log holds %d entries, want only the first", len(all))
		}
		// The next entry reuses seq 2 and links to entry 1: the rolled-back one left no gap.
		second := record(t, d, s, pathDept, 2)
		if second.Seq != 2 || second.PrevHash != first.Hash {
			t.Errorf("next entry seq %d prev %s, want 2 linking to entry 1", second.Seq, second.PrevHash)
		}
		if res := verify(t, s); !res.OK || res.Entries != 2 {
			t.Errorf("verify: %+v", res)
		}
	})
}

func TestConcurrentRecordsKeepChainValid(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := newAuditStore(t, d)
		const writers, each = 8, 5
		var wg sync.WaitGroup
		errc := make(chan error, writers*each)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := d.InTx(ctx, func(tx *sql.Tx) error {
						_, err := s.Record(ctx, tx, audit.Actor{ID: fmt.Sprintf("u-%d", w), Name: "writer"}, audit.Change{
							Action: "app.update", TargetType: "app", TargetID: fmt.Sprintf("app-%d-%d", w, i), NodeID: "n", NodePath: pathDept,
							After: map[string]int{"w": w, "i": i},
						})
						return err
					})
					if err != nil {
						errc <- fmt.Errorf("writer %d record %d: %w", w, i, err)
					}
				}
			}(w)
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Error(err)
		}
		res := verify(t, s)
		if !res.OK || res.Entries != writers*each {
			t.Fatalf("verify after concurrent writes: %+v, want ok with %d entries", res, writers*each)
		}
		all, err := s.List(ctx, []string{"/"}, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for i, e := range all {
			if e.Seq != int64(i+1) {
				t.Errorf("position %d holds seq %d", i, e.Seq)
			}
			seen[e.TargetID] = true
		}
		if len(seen) != writers*each {
			t.Errorf("%d distinct targets recorded, want %d", len(seen), writers*each)
		}
	})
}

func TestNewStoreIsIdempotent(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		s := newAuditStore(t, d)
		record(t, d, s, pathDept, 1)
		s2 := newAuditStore(t, d) // a restart
		if res := verify(t, s2); !res.OK || res.Entries != 1 {
			t.Fatalf("after a second NewStore: %+v", res)
		}
	})
}

func TestOpenStoreNeverMigrates(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		// The migrations table exists (another store migrated) but the audit log does not.
		if err := d.Migrate(ctx, "other", []db.Migration{{SQLite: `CREATE TABLE other_t (id INTEGER)`}}); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.OpenStore(ctx, d); err == nil {
			t.Fatal("OpenStore succeeded on a store without an audit log")
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE store = 'audit'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("OpenStore migrated the audit log (%d versions)", n)
		}
		s := newAuditStore(t, d)
		e := record(t, d, s, pathDept, 1)
		ro, err := audit.OpenStore(ctx, d)
		if err != nil {
			t.Fatalf("OpenStore on a migrated store: %v", err)
		}
		if res := verify(t, ro); !res.OK || res.Entries != 1 || res.Head != e.Hash {
			t.Errorf("verify through OpenStore: %+v", res)
		}
	})
}
