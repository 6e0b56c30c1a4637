package devcli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/govapp/govapp/platform/client"
)

// appsCommands is the table of `govapp apps …`.
func appsCommands() []command {
	return []command{
		{"create", "register a light app as a draft", runAppsCreate},
		{"update", "change an app's name, regions, containers, JS API permissions, …", runAppsUpdate},
		{"list", "list apps, optionally by status or owner", runAppsList},
		{"show", "show one app and its review history", runAppsShow},
		{"history", "show an app's review history", runAppsHistory},
		{"submit", "send a draft or offline app to review", runAppsSubmit},
		{"approve", "approve an app in review: it goes online", runAppsApprove},
		{"reject", "send an app in review back to draft, saying why", runAppsReject},
		{"offline", "take an online app offline", runAppsOffline},
	}
}

func runApps(ctx context.Context, e *Env, args []string) int {
	return runGroup(ctx, e, "apps", "Register light apps (轻应用) and move them through review: draft → in_review → online → offline.", appsCommands(), args)
}

func runAppsCreate(ctx context.Context, e *Env, args []string) int {
	f := e.flags("apps create",
		"--id ID --name NAME --owner NODE --category CAT --region CODE[,CODE] --container wechat,alipay,govapp,web "+
			"[--jsapi location,scan] [--description D] [--icon URL] [--contact \"name:phone:email\"]... [--json]",
		"Register a light app as a draft owned by a department node. Needs app.create on that node.\n"+
			"Then send it to review with 'govapp apps submit ID'.")
	var regions, containers, jsapi listFlag
	var contacts multiFlag
	in := client.AppCreate{}
	f.StringVar(&in.ID, "id", "", "app ID, e.g. hz-bus (letters, digits, dashes)")
	f.StringVar(&in.Name, "name", "", "name shown to citizens, e.g. 杭州公交")
	f.StringVar(&in.OwnerNode, "owner", "", "owner node ID (the department)")
	f.StringVar(&in.Category, "category", "", "portal category, e.g. 交通")
	f.Var(&regions, "region", "region `CODES` where the app is offered, comma-separated or repeated")
	f.Var(&containers, "container", "`LIST` of containers the app runs in: wechat, alipay, govapp, web")
	f.Var(&jsapi, "jsapi", "`LIST` of JS API permissions: location, camera, scan, album, share, phone_call, …")
	f.StringVar(&in.Description, "description", "", "description")
	f.StringVar(&in.Icon, "icon", "", "icon URL")
	f.Var(&contacts, "contact", "contact `name:phone:email` (phone and email optional); repeatable")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	if err := f.require("id", "name", "owner", "category", "region", "container"); err != nil {
		return e.fail(err)
	}
	for _, c := range contacts {
		contact, err := parseContact(c)
		if err != nil {
			return e.fail(usageErrorf(f.cmd, "apps create: %v", err))
		}
		in.Contacts = append(in.Contacts, contact)
	}
	in.Regions, in.Containers, in.JSAPIPermissions = regions, containers, jsapi

	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	app, err := a.CreateApp(ctx, in)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, "Created app %s (%s), status %s.\n", app.ID, app.Name, app.Status)
	fmt.Fprintf(e.Stdout, "Send it to review: govapp apps submit %s\n", app.ID)
	return ExitOK
}

// parseContact reads "name:phone:email"; phone and email may be empty or
// left out.
func parseContact(s string) (client.Contact, error) {
	parts := strings.Split(s, ":")
	if len(parts) > 3 || strings.TrimSpace(parts[0]) == "" {
		return client.Contact{}, fmt.Errorf("--contact %q: want \"name:phone:email\", e.g. \"张三:0571-88888888:zhangsan@example.gov.cn\"", s)
	}
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return client.Contact{
		Name:  strings.TrimSpace(parts[0]),
		Phone: strings.TrimSpace(parts[1]),
		Email: strings.TrimSpace(parts[2]),
	}, nil
}

func runAppsList(ctx context.Context, e *Env, args []string) int {
	f := e.flags("apps list", "[--status S] [--owner NODE] [--json]",
		"List the apps owned inside the subtrees you hold grants on.")
	var opts client.ListAppsOptions
	f.StringVar(&opts.Status, "status", "", "only apps in this status: draft, in_review, online, offline")
	f.StringVar(&opts.Owner, "owner", "", "only apps owned by this node")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	apps, err := a.ListApps(ctx, opts)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	if len(apps) == 0 {
		fmt.Fprintln(e.Stdout, "No apps.")
		return ExitOK
	}
	t := newTable(e.Stdout)
	t.row("ID", "NAME", "STATUS", "OWNER", "CATEGORY", "CONTAINERS", "UPDATED")
	for _, app := range apps {
		t.row(app.ID, app.Name, app.Status, app.OwnerNode, orDash(app.Category), list(app.Containers), fmtTime(app.UpdatedAt))
	}
	t.flush()
	return ExitOK
}

func runAppsShow(ctx context.Context, e *Env, args []string) int {
	f := e.flags("apps show", "ID [--json]",
		"Show one app and its review history. With --json, print the app as the API returns it\n"+
			"(use 'govapp apps history ID --json' for the history).")
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "ID")
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	app, err := a.GetApp(ctx, pos[0])
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	history, err := a.AppHistory(ctx, app.ID)
	if err != nil {
		return e.fail(err)
	}
	t := newTable(e.Stdout)
	t.row("ID", app.ID)
	t.row("Name", app.Name)
	t.row("Status", app.Status)
	t.row("Owner", app.OwnerNode)
	t.row("Category", orDash(app.Category))
	t.row("Regions", list(app.Regions))
	t.row("Containers", list(app.Containers))
	t.row("JS API", list(app.JSAPIPermissions))
	if len(app.Contacts) == 0 {
		t.row("Contacts", "-")
	}
	for i, c := range app.Contacts {
		label := ""
		if i == 0 {
			label = "Contacts"
		}
		t.row(label, contactLabel(c))
	}
	t.row("Description", orDash(app.Description))
	t.row("Icon", orDash(app.Icon))
	t.row("Created", fmtTime(app.CreatedAt))
	t.row("Updated", fmtTime(app.UpdatedAt))
	if app.SubmittedBy != "" {
		t.row("Submitted by", app.SubmittedBy)
	}
	if r := app.LastReview; r != nil {
		review := fmt.Sprintf("%s by %s at %s", r.Decision, r.ReviewerID, fmtTime(r.At))
		if r.Comment != "" {
			review += ": " + r.Comment
		}
		t.row("Last review", review)
	}
	t.flush()
	fmt.Fprintln(e.Stdout)
	fmt.Fprintln(e.Stdout, "History:")
	printHistory(e, history)
	return ExitOK
}

func contactLabel(c client.Contact) string {
	var extra []string
	for _, v := range []string{c.Phone, c.Email} {
		if v != "" {
			extra = append(extra, v)
		}
	}
	if len(extra) == 0 {
		return c.Name
	}
	return fmt.Sprintf("%s (%s)", c.Name, strings.Join(extra, ", "))
}

func printHistory(e *Env, history []client.Transition) {
	if len(history) == 0 {
		fmt.Fprintln(e.Stdout, "  (no transitions yet)")
		return
	}
	t := newTable(e.Stdout)
	t.row("  SEQ", "AT", "FROM", "TO", "BY", "COMMENT")
	for _, tr := range history {
		t.row(fmt.Sprintf("  %d", tr.Seq), fmtTime(tr.At), orDash(tr.From), tr.To, orDash(tr.ActorID), tr.Comment)
	}
	t.flush()
}

func runAppsHistory(ctx context.Context, e *Env, args []string) int {
	f := e.flags("apps history", "ID [--json]", "Show an app's review history, oldest first.")
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "ID")
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	history, err := a.AppHistory(ctx, pos[0])
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	printHistory(e, history)
	return ExitOK
}

// transition describes one review step for runTransition.
type transition struct {
	cmd          string
	about        string
	needComment  bool
	commentUsage string
	call         func(c *client.Client, ctx context.Context, id, comment string) (*client.App, error)
	report       string // printf format with the app ID and its new status
}

func runAppsSubmit(ctx context.Context, e *Env, args []string) int {
	return runTransition(ctx, e, args, transition{
		cmd:          "apps submit",
		about:        "Send a draft (or offline) app to review. Needs app.publish on the owner node.",
		commentUsage: "note for the reviewer",
		call:         (*client.Client).SubmitApp,
		report:       "Submitted %s for review; status %s.\n",
	})
}

func runAppsApprove(ctx context.Context, e *Env, args []string) int {
	return runTransition(ctx, e, args, transition{
		cmd: "apps approve",
		about: "Approve an app in review: it goes online. Needs app.review on the owner node; the reviewer\n" +
			"must not be the submitter nor belong to the owning department.",
		commentUsage: "review comment",
		call:         (*client.Client).ApproveApp,
		report:       "Approved %s; status %s.\n",
	})
}

func runAppsReject(ctx context.Context, e *Env, args []string) int {
	return runTransition(ctx, e, args, transition{
		cmd:          "apps reject",
		about:        "Send an app in review back to draft. The comment, which tells the developer what to fix, is required.",
		needComment:  true,
		commentUsage: "what the developer must fix (required)",
		call:         (*client.Client).RejectApp,
		report:       "Rejected %s; status %s.\n",
	})
}

func runAppsOffline(ctx context.Context, e *Env, args []string) int {
	return runTransition(ctx, e, args, transition{
		cmd:          "apps offline",
		about:        "Take an online app offline. Needs app.publish or app.review on the owner node.",
		commentUsage: "why it goes offline",
		call:         (*client.Client).OfflineApp,
		report:       "Took %s offline; status %s.\n",
	})
}

// runTransition runs one of the review steps, which share their shape.
func runTransition(ctx context.Context, e *Env, args []string, tr transition) int {
	synopsis := "ID [--comment C] [--json]"
	if tr.needComment {
		synopsis = "ID --comment C [--json]"
	}
	f := e.flags(tr.cmd, synopsis, tr.about)
	comment := f.String("comment", "", tr.commentUsage)
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "ID")
	if err != nil {
		return e.fail(err)
	}
	if tr.needComment {
		if err := f.require("comment"); err != nil {
			return e.fail(err)
		}
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	app, err := tr.call(a.Client, ctx, pos[0], *comment)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, tr.report, app.ID, app.Status)
	return ExitOK
}

func runAppsUpdate(ctx context.Context, e *Env, args []string) int {
	f := e.flags("apps update",
		"ID [--name NAME] [--category CAT] [--region CODES] [--container LIST] [--jsapi LIST] [--description D] [--icon URL] [--json]",
		"Change the flags given; the rest stays. Needs app.create on the app's department. An app in review is locked.")
	var regions, containers, jsapi listFlag
	name := f.String("name", "", "name shown to citizens")
	category := f.String("category", "", "portal category")
	description := f.String("description", "", "description")
	icon := f.String("icon", "", "icon URL")
	f.Var(&regions, "region", "region `CODES` (replaces the list)")
	f.Var(&containers, "container", "`LIST` of containers (replaces the list)")
	f.Var(&jsapi, "jsapi", "`LIST` of JS API permissions (replaces the list)")
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "ID")
	if err != nil {
		return e.fail(err)
	}
	var in client.AppUpdate
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if set["name"] {
		in.Name = name
	}
	if set["category"] {
		in.Category = category
	}
	if set["description"] {
		in.Description = description
	}
	if set["icon"] {
		in.Icon = icon
	}
	if set["region"] {
		r := []string(regions)
		in.Regions = &r
	}
	if set["container"] {
		c := []string(containers)
		in.Containers = &c
	}
	if set["jsapi"] {
		j := []string(jsapi)
		in.JSAPIPermissions = &j
	}
	if len(set) == 0 || (len(set) == 1 && set["json"]) {
		return e.fail(usageErrorf(f.cmd, "apps update: name at least one thing to change"))
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	app, err := a.UpdateApp(ctx, pos[0], in)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, "Updated app %s (%s), status %s.\n", app.ID, app.Name, app.Status)
	return ExitOK
}
