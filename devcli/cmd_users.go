package devcli

import (
	"context"
	"fmt"

	"github.com/govapp/govapp/platform/client"
)

// usersCommands is the table of `govapp users …`.
func usersCommands() []command {
	return []command{
		{"list", "list the users of the nodes you administer", runUsersList},
		{"show", "show one user and their grants", runUsersShow},
		{"create", "create a staff or citizen user", runUsersCreate},
		{"grant", "give a user a role on a node", runUsersGrant},
	}
}

func runUsers(ctx context.Context, e *Env, args []string) int {
	return runGroup(ctx, e, "users", "List and create users and grant them roles (admin, developer, reviewer, operator, auditor) on nodes.", usersCommands(), args)
}

func runUsersList(ctx context.Context, e *Env, args []string) int {
	f := e.flags("users list", "[--json]", "List the users whose home node is in the subtrees where you hold org.admin.")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	users, err := a.ListUsers(ctx)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	if len(users) == 0 {
		fmt.Fprintln(e.Stdout, "No users.")
		return ExitOK
	}
	t := newTable(e.Stdout)
	t.row("ID", "NAME", "DISPLAY NAME", "KIND", "NODE", "CREATED")
	for _, u := range users {
		t.row(u.ID, u.Name, orDash(u.DisplayName), u.Kind, u.NodeID, fmtTime(u.CreatedAt))
	}
	t.flush()
	return ExitOK
}

func runUsersShow(ctx context.Context, e *Env, args []string) int {
	f := e.flags("users show", "ID [--json]", "Show one user and the roles they hold. Needs org.admin on the user's node.")
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "ID")
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	u, err := a.GetUser(ctx, pos[0])
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	t := newTable(e.Stdout)
	t.row("ID", u.ID)
	t.row("Name", userLabel(u.Name, u.DisplayName))
	t.row("Kind", u.Kind)
	t.row("Node", u.NodeID)
	t.row("Region", orDash(u.Region))
	t.row("Created", fmtTime(u.CreatedAt))
	t.flush()
	fmt.Fprintln(e.Stdout)
	if len(u.Grants) == 0 {
		fmt.Fprintf(e.Stdout, "No grants. Give one: govapp users grant %s --role ROLE --node NODE\n", u.ID)
		return ExitOK
	}
	fmt.Fprintln(e.Stdout, "Grants:")
	t = newTable(e.Stdout)
	t.row("  ROLE", "NODE", "GRANT", "SINCE")
	for _, g := range u.Grants {
		t.row("  "+g.Role, g.NodeID, g.ID, fmtTime(g.CreatedAt))
	}
	t.flush()
	return ExitOK
}

func runUsersCreate(ctx context.Context, e *Env, args []string) int {
	f := e.flags("users create", "--name N --node NODE [--display-name D] [--kind staff|citizen] [--json]",
		"Create a user whose home node is NODE. Needs org.admin on NODE. Then grant a role\n"+
			"('govapp users grant') and make them a token ('govapp tokens create --user ID').")
	in := client.UserCreate{}
	f.StringVar(&in.Name, "name", "", "login name, e.g. lisi")
	f.StringVar(&in.NodeID, "node", "", "home node ID")
	f.StringVar(&in.DisplayName, "display-name", "", "name people see, e.g. 李四")
	f.StringVar(&in.Kind, "kind", "staff", "staff or citizen")
	f.StringVar(&in.Region, "region", "", "region code of a citizen")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	if err := f.require("name", "node"); err != nil {
		return e.fail(err)
	}
	if in.Kind != "staff" && in.Kind != "citizen" {
		return e.fail(usageErrorf(f.cmd, "users create: --kind must be staff or citizen, not %q", in.Kind))
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	u, err := a.CreateUser(ctx, in)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, "Created %s user %s, ID %s, at node %s.\n", u.Kind, userLabel(u.Name, u.DisplayName), u.ID, u.NodeID)
	fmt.Fprintf(e.Stdout, "Give them a role: govapp users grant %s --role reviewer --node %s\n", u.ID, u.NodeID)
	return ExitOK
}

func runUsersGrant(ctx context.Context, e *Env, args []string) int {
	f := e.flags("users grant", "USER_ID --role R --node NODE [--json]",
		"Give a user a role on a node and its subtree. Needs org.admin on NODE and every\n"+
			"permission of the role there. Roles: admin, developer, reviewer, operator, auditor.")
	var in client.GrantCreate
	f.StringVar(&in.Role, "role", "", "role name, e.g. reviewer")
	f.StringVar(&in.NodeID, "node", "", "node ID the role applies to (and its subtree)")
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "USER_ID")
	if err != nil {
		return e.fail(err)
	}
	if err := f.require("role", "node"); err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	g, err := a.CreateGrant(ctx, pos[0], in)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, "Granted %s on %s to %s (grant %s).\n", g.Role, g.NodeID, g.UserID, g.ID)
	return ExitOK
}
