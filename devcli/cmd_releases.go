package devcli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/govapp/govapp/hotupdate/build"
	"github.com/govapp/govapp/platform/client"
)

// releasesCommands is the table of `govapp releases …`.
func releasesCommands() []command {
	return []command{
		{"list", "list an app's releases, newest first", runReleasesList},
		{"show", "show one release with its device counts", runReleasesShow},
		{"rollout", "change the share of devices a release reaches", runReleasesRollout},
		{"pause", "stop a release from reaching more devices", runReleasesPause},
		{"resume", "let a paused or halted release reach devices again", runReleasesResume},
		{"approve", "approve a production release waiting for review (reviewers)", runReleasesApprove},
		{"rollback", "take back a channel's newest release (or down to one)", runReleasesRollback},
		{"promote", "put a release of one channel on another (staging → production)", runReleasesPromote},
	}
}

// runReleases dispatches `govapp releases …`.
func runReleases(ctx context.Context, e *Env, args []string) int {
	return runGroup(ctx, e, "releases",
		"Hot-update releases: a bundle on a channel for a share of devices. Raising the share only adds\n"+
			"devices; rollback is instant. 'govapp publish' makes releases.", releasesCommands(), args)
}

// appFlag adds --app, whose default is the app_id of ./govapp.json.
func appFlag(f *flagSet) *string {
	return f.String("app", "", "app ID (default: app_id of govapp.json in the current folder)")
}

// resolveApp returns the --app value, or the app_id of govapp.json in the
// current folder, so release commands run from a project need no --app.
func resolveApp(cmd, app string) (string, error) {
	if app != "" {
		return app, nil
	}
	data, err := os.ReadFile(build.ConfigFile)
	if errors.Is(err, fs.ErrNotExist) {
		return "", usageErrorf(cmd, "%s: missing --app (there is no %s in the current folder to take it from)", cmd, build.ConfigFile)
	}
	if err != nil {
		return "", err
	}
	var cfg struct {
		AppID string `json:"app_id"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil || cfg.AppID == "" {
		return "", usageErrorf(cmd, "%s: missing --app (%s in the current folder has no readable app_id)", cmd, build.ConfigFile)
	}
	return cfg.AppID, nil
}

// runReleasesList implements `govapp releases list`.
func runReleasesList(ctx context.Context, e *Env, args []string) int {
	f := e.flags("releases list", "[--app ID] [--channel C] [--json]",
		"List an app's releases, newest first, on every channel or on one.")
	app := appFlag(f)
	channel := f.String("channel", "", "only releases on this channel")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	appID, err := resolveApp(f.cmd, *app)
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	rels, err := a.ListReleases(ctx, appID, *channel)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	if len(rels) == 0 {
		where := ""
		if *channel != "" {
			where = " on " + *channel
		}
		fmt.Fprintf(e.Stdout, "No releases of %s%s: publish one with 'govapp publish'.\n", appID, where)
		return ExitOK
	}
	t := newTable(e.Stdout)
	t.row("ID", "CHANNEL", "VERSION", "BUNDLE", "ROLLOUT", "STATUS", "READY/FAILED", "CREATED")
	for _, r := range rels {
		t.row(r.ID, r.Channel, r.Version, shortID(r.BundleID), fmtPercent(r.Percent), releaseStatus(r),
			fmt.Sprintf("%d/%d", r.Stats.Ready, r.Stats.Failed), fmtTime(r.CreatedAt))
	}
	t.flush()
	return ExitOK
}

// shortID cuts a bundle ID (64 hex) to what people compare at a glance.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return orDash(id)
}

// releaseStatus adds "mandatory" to the status, which matters when reading
// the list.
func releaseStatus(r client.Release) string {
	s := r.Status
	if r.Mandatory {
		s += ", mandatory"
	}
	return s
}

// runReleasesShow implements `govapp releases show`.
func runReleasesShow(ctx context.Context, e *Env, args []string) int {
	f := e.flags("releases show", "ID [--json]", "Show one release: bundle, share, status, target and how its devices fare.")
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "ID")
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	r, err := a.GetRelease(ctx, pos[0])
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	printRelease(e, r)
	return ExitOK
}

// printRelease writes one release as a two-column table.
func printRelease(e *Env, r *client.Release) {
	t := newTable(e.Stdout)
	t.row("ID", r.ID)
	t.row("App", r.AppID)
	t.row("Channel", r.Channel)
	t.row("Version", r.Version)
	t.row("Bundle", r.BundleID)
	t.row("Rollout", fmtPercent(r.Percent))
	status := r.Status
	if r.StatusReason != "" {
		status += " (" + r.StatusReason + ")"
	}
	t.row("Status", status)
	mandatory := "no"
	if r.Mandatory {
		mandatory = "yes: devices install it before the app opens"
	}
	t.row("Mandatory", mandatory)
	t.row("Target", targetLabel(r.Target))
	t.row("Devices", fmt.Sprintf("%d reported: %d ready, %d failed", r.Stats.Devices, r.Stats.Ready, r.Stats.Failed))
	if r.Replaces != "" {
		t.row("Replaces", r.Replaces)
	}
	t.row("Notes", orDash(r.Notes))
	t.row("Created", fmtTime(r.CreatedAt)+" by "+orDash(r.CreatedBy))
	t.row("Updated", fmtTime(r.UpdatedAt))
	t.flush()
}

// targetLabel shows a release's target: "all devices", or its regions and
// container constraints.
func targetLabel(tg client.Target) string {
	var parts []string
	if len(tg.Regions) > 0 {
		parts = append(parts, "regions "+strings.Join(tg.Regions, ","))
	}
	if len(tg.Containers) > 0 {
		kinds := make([]string, 0, len(tg.Containers))
		for k := range tg.Containers {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		var cs []string
		for _, k := range kinds {
			cs = append(cs, k+" "+tg.Containers[k])
		}
		parts = append(parts, "containers "+strings.Join(cs, ", "))
	}
	if len(parts) == 0 {
		return "all devices"
	}
	return strings.Join(parts, "; ")
}

// runReleasesRollout implements `govapp releases rollout`.
func runReleasesRollout(ctx context.Context, e *Env, args []string) int {
	f := e.flags("releases rollout", "ID PERCENT [--json]",
		"Change the share of devices a release reaches, 0.01 to 100. Devices are in stable cohorts:\n"+
			"raising the share only adds devices, lowering it only removes some.")
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "ID", "PERCENT")
	if err != nil {
		return e.fail(err)
	}
	percent, err := parsePercent(pos[1])
	if err != nil {
		return e.fail(usageErrorf(f.cmd, "releases rollout: PERCENT %v", err))
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	r, err := a.SetRollout(ctx, pos[0], percent)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, "Release %s (%s %s on %s) now reaches %s of devices; status %s.\n",
		r.ID, r.AppID, r.Version, r.Channel, fmtPercent(r.Percent), r.Status)
	return ExitOK
}

// runReleasesPause implements `govapp releases pause`.
func runReleasesPause(ctx context.Context, e *Env, args []string) int {
	return runReleaseAction(ctx, e, args, "releases pause",
		"Pause a release: no more devices get it; those that run it keep it. Undo with 'releases resume'.",
		(*client.Client).PauseRelease, "Paused")
}

// runReleasesResume implements `govapp releases resume`.
func runReleasesResume(ctx context.Context, e *Env, args []string) int {
	return runReleaseAction(ctx, e, args, "releases resume",
		"Resume a paused or halted release: devices in its share get it again.",
		(*client.Client).ResumeRelease, "Resumed")
}

// runReleasesApprove implements `govapp releases approve`.
func runReleasesApprove(ctx context.Context, e *Env, args []string) int {
	return runReleaseAction(ctx, e, args, "releases approve",
		"Approve a production release that waits for review (status pending_review). Needs app.review; the author and members of the owning department may not approve.",
		(*client.Client).ApproveRelease, "Approved")
}

// runReleaseAction runs pause, resume and approve, which share their shape.
func runReleaseAction(ctx context.Context, e *Env, args []string, cmd, about string,
	call func(*client.Client, context.Context, string) (*client.Release, error), verb string) int {
	f := e.flags(cmd, "ID [--json]", about)
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "ID")
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	r, err := call(a.Client, ctx, pos[0])
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, "%s release %s (%s %s on %s); status %s.\n", verb, r.ID, r.AppID, r.Version, r.Channel, r.Status)
	return ExitOK
}

// runReleasesRollback implements `govapp releases rollback`.
func runReleasesRollback(ctx context.Context, e *Env, args []string) int {
	f := e.flags("releases rollback", "[--app ID] --channel C [--to RELEASE_ID] [--json]",
		"Take back the newest release of a channel: devices go back to the release below it at their\n"+
			"next update check. With --to, every release above that one is taken back.")
	app := appFlag(f)
	channel := f.String("channel", "", "channel to roll back, e.g. production")
	to := f.String("to", "", "release to go back to (default: the one below the newest)")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	if err := f.require("channel"); err != nil {
		return e.fail(err)
	}
	appID, err := resolveApp(f.cmd, *app)
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	r, err := a.Rollback(ctx, appID, *channel, *to)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	if r.ID == "" {
		fmt.Fprintf(e.Stdout, "Rolled back %s of %s; nothing is released there now: devices go back to the bundle they embed.\n", *channel, appID)
		return ExitOK
	}
	fmt.Fprintf(e.Stdout, "Rolled back %s of %s; now serving release %s (%s, bundle %s) to %s of devices.\n",
		*channel, appID, r.ID, r.Version, shortID(r.BundleID), fmtPercent(r.Percent))
	return ExitOK
}

// runReleasesPromote implements `govapp releases promote`.
func runReleasesPromote(ctx context.Context, e *Env, args []string) int {
	f := e.flags("releases promote", "[--app ID] --from CHANNEL --to CHANNEL [--release ID] [--json]",
		"Put the bundle of a release of one channel on another, e.g. the tested staging release on\n"+
			"production. The bundle is not rebuilt nor re-signed: what was tested is what ships.")
	app := appFlag(f)
	from := f.String("from", "", "channel to take the release from, e.g. staging")
	to := f.String("to", "", "channel to put it on, e.g. production")
	release := f.String("release", "", "release to promote (default: the newest on --from)")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	if err := f.require("from", "to"); err != nil {
		return e.fail(err)
	}
	if *from == *to {
		return e.fail(usageErrorf(f.cmd, "releases promote: --from and --to are both %q; name two channels", *from))
	}
	appID, err := resolveApp(f.cmd, *app)
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	r, err := a.PromoteRelease(ctx, appID, client.Promote{From: *from, To: *to, ReleaseID: *release})
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, "Promoted %s %s from %s to %s: release %s, %s of devices, status %s.\n",
		appID, r.Version, *from, *to, r.ID, fmtPercent(r.Percent), r.Status)
	return ExitOK
}
