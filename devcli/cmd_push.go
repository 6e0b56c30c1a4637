package devcli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/govapp/govapp/platform/client"
)

// pushCommands is the table of `govapp push …`.
func pushCommands() []command {
	return []command{
		{"preview", "count who an audience reaches (and name a few) without sending", runPushPreview},
		{"send", "send or schedule a notice to an audience", runPushSend},
		{"list", "list recent notices", runPushList},
		{"status", "show a notice's delivery figures", runPushStatus},
		{"cancel", "cancel a scheduled or sending notice", runPushCancel},
	}
}

func runPush(ctx context.Context, e *Env, args []string) int {
	return runGroup(ctx, e, "push",
		"Unified push (统一消息推送): notices to citizens and staff chosen by region, department, role or\n"+
			"permission, delivered through APNs, FCM, WeChat and Alipay, and always to the in-app inbox.\n"+
			"A sender needs push.send on --scope and may reach only inside its subtree.", pushCommands(), args)
}

// audienceFlags are the flags that describe one audience term, or a whole spec from a file.
type audienceFlags struct {
	regions, nodes, subtrees, roles, perms, users, apps, tags, exclude listFlag
	file                                                               *string
}

func addAudienceFlags(f *flagSet) *audienceFlags {
	a := &audienceFlags{}
	f.Var(&a.regions, "region", "region `CODES` (GB/T 2260) whose people are reached, subtree included")
	f.Var(&a.subtrees, "node", "organisation node `IDS` whose people are reached, subtree included")
	f.Var(&a.nodes, "node-only", "organisation node `IDS`, without their subtrees")
	f.Var(&a.roles, "role", "only people holding one of these `ROLES` (operator, developer, …)")
	f.Var(&a.perms, "permission", "only people holding one of these `PERMISSIONS` (push.send, …)")
	f.Var(&a.users, "user", "these user `IDS`")
	f.Var(&a.apps, "app-subscribers", "only subscribers of these light-app `IDS`")
	f.Var(&a.tags, "tag", "only people your department tagged with one of these `TAGS`")
	f.Var(&a.exclude, "exclude-user", "leave these user `IDS` out")
	a.file = f.String("audience", "", "a JSON audience spec `FILE` ({\"terms\":[…],\"exclude\":[…]}) instead of the flags above")
	return a
}

// spec builds the audience: the flags make one term (their intersection).
func (a *audienceFlags) spec(cmd string) (client.Audience, error) {
	if *a.file != "" {
		raw, err := os.ReadFile(*a.file)
		if err != nil {
			return client.Audience{}, usageErrorf(cmd, "%s: --audience: %v", cmd, err)
		}
		var out client.Audience
		if err := json.Unmarshal(raw, &out); err != nil {
			return client.Audience{}, usageErrorf(cmd, "%s: --audience %s is not an audience spec: %v", cmd, *a.file, err)
		}
		return out, nil
	}
	t := client.AudienceTerm{Regions: a.regions, Roles: a.roles, Permissions: a.perms, Users: a.users, Apps: a.apps, Tags: a.tags}
	for _, n := range a.subtrees {
		t.Nodes = append(t.Nodes, client.NodeRef{ID: n, Subtree: true})
	}
	for _, n := range a.nodes {
		t.Nodes = append(t.Nodes, client.NodeRef{ID: n})
	}
	if len(t.Regions)+len(t.Roles)+len(t.Permissions)+len(t.Users)+len(t.Apps)+len(t.Tags)+len(t.Nodes) == 0 {
		return client.Audience{}, usageErrorf(cmd, "%s: say who: --region, --node, --role, --permission, --user, --app-subscribers, --tag or --audience FILE", cmd)
	}
	out := client.Audience{Terms: []client.AudienceTerm{t}}
	if len(a.exclude) > 0 {
		out.Exclude = []client.AudienceTerm{{Users: a.exclude}}
	}
	return out, nil
}

func runPushPreview(ctx context.Context, e *Env, args []string) int {
	f := e.flags("push preview", "--scope NODE (--region CODES | --node IDS | --role R | …) [--json]",
		"Count who an audience reaches from --scope, and name up to ten of them. Nothing is sent.")
	scope := f.String("scope", "", "the organisation `NODE` you send for (you need push.send there)")
	af := addAudienceFlags(f)
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	if err := f.require("scope"); err != nil {
		return e.fail(err)
	}
	aud, err := af.spec(f.cmd)
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	pv, err := a.PreviewAudience(ctx, *scope, aud)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, "Reaches %d people. For example: %s\n", pv.Count, strings.Join(pv.Sample, ", "))
	return ExitOK
}

func runPushSend(ctx context.Context, e *Env, args []string) int {
	f := e.flags("push send", "--scope NODE --title T --body B (--region CODES | --node IDS | --role R | …) [--app ID --link PATH] [--at TIME] [--json]",
		"Send a notice, or schedule it with --at. The audience is checked against your scope and counted now,\n"+
			"and resolved again when it goes out. Retrying with the same --idempotency-key sends nothing twice.\n"+
			"Then: govapp push status ID")
	in := client.NoticeCreate{}
	f.StringVar(&in.Scope, "scope", "", "the organisation `NODE` you send for (you need push.send there)")
	f.StringVar(&in.Title, "title", "", "title (at most 64 characters)")
	f.StringVar(&in.Body, "body", "", "text (at most 512 characters)")
	f.StringVar(&in.AppID, "app", "", "light app `ID` the notice opens")
	f.StringVar(&in.Link, "link", "", "`PATH` inside the app, e.g. /certify")
	f.StringVar(&in.Priority, "priority", "", "normal or high")
	f.StringVar(&in.CollapseID, "collapse-id", "", "newer notices with this `ID` replace older ones on the device")
	f.StringVar(&in.IdempotencyKey, "idempotency-key", "", "a `KEY` that makes retries of this send safe")
	f.BoolVar(&in.Sensitive, "sensitive", false, "send content-free: the push only wakes the app, which reads the inbox")
	var channels listFlag
	f.Var(&channels, "channels", "order of `CHANNELS` to try per person: native, wechat, alipay (the inbox is always written)")
	at := f.String("at", "", "send at `TIME` (RFC 3339, e.g. 2026-12-01T09:00:00+08:00) instead of now")
	ttl := f.Duration("ttl", 0, "stop delivering after this `DURATION` (default 72h)")
	af := addAudienceFlags(f)
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	if err := f.require("scope", "title", "body"); err != nil {
		return e.fail(err)
	}
	aud, err := af.spec(f.cmd)
	if err != nil {
		return e.fail(err)
	}
	in.Audience, in.Channels = aud, channels
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return e.fail(usageErrorf(f.cmd, "%s: --at %q is not a time; write it like 2026-12-01T09:00:00+08:00", f.cmd, *at))
		}
		in.SendAt = &t
	}
	if *ttl > 0 {
		start := time.Now()
		if in.SendAt != nil {
			start = *in.SendAt
		}
		t := start.Add(*ttl)
		in.ExpiresAt = &t
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	n, err := a.SendNotice(ctx, in)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	when := "now"
	if n.SendAt != nil && n.SendAt.After(time.Now().Add(time.Minute)) {
		when = "at " + fmtTime(*n.SendAt)
	}
	fmt.Fprintf(e.Stdout, "Notice %s to about %d people, sending %s.\nFollow it: govapp push status %s\n", n.ID, n.Estimated, when, n.ID)
	return ExitOK
}

func runPushList(ctx context.Context, e *Env, args []string) int {
	f := e.flags("push list", "[--limit N] [--json]", "List the newest notices of your push.send subtrees.")
	limit := f.Int("limit", 20, "how many")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	ns, err := a.ListNotices(ctx, *limit)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	t := newTable(e.Stdout)
	t.row("ID", "STATE", "TO", "CREATED", "TITLE")
	for _, n := range ns {
		to := fmt.Sprintf("~%d", n.Estimated)
		if n.State != "scheduled" {
			to = fmt.Sprint(n.Resolved)
		}
		t.row(n.ID, n.State, to, fmtTime(n.CreatedAt), n.Title)
	}
	t.flush()
	return ExitOK
}

func runPushStatus(ctx context.Context, e *Env, args []string) int {
	f := e.flags("push status", "ID [--json]", "Show a notice's delivery: resolved, sent per channel, failed by reason, opened, fallbacks.")
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "ID")
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	st, err := a.NoticeStats(ctx, pos[0])
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	t := newTable(e.Stdout)
	t.row("Notice", st.Notice)
	t.row("State", st.State)
	t.row("Recipients", fmt.Sprint(st.Resolved))
	t.row("Sent", fmt.Sprintf("%d%s", st.Sent, breakdown(st.Channels)))
	t.row("Pending", fmt.Sprint(st.Pending))
	failed := 0
	for _, k := range st.Failed {
		failed += k
	}
	t.row("Failed", fmt.Sprintf("%d%s", failed, breakdown(st.Failed)))
	t.row("Fallbacks", fmt.Sprint(st.Fallbacks))
	t.row("Inbox only", fmt.Sprint(st.InboxOnly))
	t.row("Opened", fmt.Sprint(st.Opened))
	t.flush()
	return ExitOK
}

// breakdown formats " (a 1, b 2)" in key order, or "" for nothing.
func breakdown(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func runPushCancel(ctx context.Context, e *Env, args []string) int {
	f := e.flags("push cancel", "ID [--json]", "Cancel a notice: a scheduled one is never sent; a sending one stops and leaves the inbox.")
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "ID")
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	n, err := a.CancelNotice(ctx, pos[0])
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, "Notice %s is %s.\n", n.ID, n.State)
	return ExitOK
}
