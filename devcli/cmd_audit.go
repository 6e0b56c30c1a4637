package devcli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/govapp/govapp/platform"
)

// auditCommands is the table of `govapp audit …`.
func auditCommands() []command {
	return []command{
		{"verify", "check the audit log's hash chain (on the server's store, or --remote)", runAuditVerify},
		{"list", "show audit entries in your subtrees", runAuditList},
	}
}

func runAudit(ctx context.Context, e *Env, args []string) int {
	return runGroup(ctx, e, "audit", "The audit log: every change made through the console API, hash-chained so tampering shows.", auditCommands(), args)
}

func runAuditVerify(ctx context.Context, e *Env, args []string) int {
	f := e.flags("audit verify", "[--data DIR | --database-url URL] [--config FILE] [--remote] [--json]",
		"Recompute every entry's hash and its link to the one before. By default it reads the platform's store directly "+
			"(run it on the server, with the same --data/--database-url as serve); --remote asks the logged-in server instead "+
			"(needs audit.read on the root). Exits 1 when the chain is broken.")
	cf := addConfigFlags(f)
	remote := f.Bool("remote", false, "ask the logged-in server instead of reading the store")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	var ok bool
	var entries int64
	var head, problem string
	if *remote {
		a, err := e.api()
		if err != nil {
			return e.fail(err)
		}
		r, err := a.VerifyAudit(ctx)
		if err != nil {
			return e.fail(err)
		}
		if *asJSON {
			if err := e.printJSON(a.last); err != nil {
				return e.fail(err)
			}
		}
		ok, entries, head = r.OK, r.Entries, r.Head
	} else {
		cfg, err := cf.load(e)
		if err != nil {
			fmt.Fprintln(e.Stderr, err)
			return ExitUsage
		}
		r, err := platform.VerifyAudit(ctx, cfg)
		if err != nil {
			return e.fail(err)
		}
		if *asJSON {
			if err := printValueJSON(e, r); err != nil {
				return e.fail(err)
			}
		}
		ok, entries, head, problem = r.OK, r.Entries, r.Head, r.Problem
	}
	if !*asJSON {
		if ok {
			fmt.Fprintf(e.Stdout, "audit chain ok: %d entries, head %s\n", entries, head)
		} else {
			fmt.Fprintf(e.Stdout, "audit chain BROKEN after %d good entries: %s\n", entries, problem)
		}
	}
	if !ok {
		if *remote {
			fmt.Fprintln(e.Stderr, "error: the audit chain does not verify")
		}
		return ExitFailure
	}
	return ExitOK
}

func runAuditList(ctx context.Context, e *Env, args []string) int {
	f := e.flags("audit list", "[--after SEQ] [--limit N] [--json]", "Show audit entries of the subtrees where you hold audit.read, oldest first.")
	after := f.Int64("after", 0, "show entries after this sequence number")
	limit := f.Int("limit", 50, "at most this many entries (1–1000)")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	entries, err := a.ListAudit(ctx, *after, *limit)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	t := newTable(e.Stdout)
	t.row("SEQ", "AT", "ACTOR", "ACTION", "TARGET", "IP")
	for _, en := range entries {
		t.row(strconv.FormatInt(en.Seq, 10), fmtTime(en.At), en.ActorName, en.Action, en.TargetType+" "+en.TargetID, orDash(en.IP))
	}
	t.flush()
	return ExitOK
}
