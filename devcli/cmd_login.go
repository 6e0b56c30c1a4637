package devcli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
)

// runLogin implements `govapp login --server URL --token T`.
func runLogin(ctx context.Context, e *Env, args []string) int {
	f := e.flags("login", "--server URL [--token TOKEN]",
		"Check an API token against a govapp server (GET /v1/me) and save both in the CLI\n"+
			"config file, so the other commands can use them. Without --token the token is\n"+
			"taken from "+envToken+" or read from standard input, which keeps it out of the\n"+
			"shell history.")
	server := f.String("server", "", "server URL, e.g. http://localhost:8080 (default $"+envServer+" or the saved one)")
	token := f.String("token", "", "API token gvt_… (default $"+envToken+", else read from stdin)")
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	saved, err := e.loadConfig()
	if err != nil {
		return e.fail(err)
	}
	if *server == "" {
		*server = e.Getenv(envServer)
	}
	if *server == "" {
		*server = saved.Server
	}
	if *server == "" {
		return e.fail(usageErrorf("login", "login: missing --server"))
	}
	if *server, err = checkServerURL(*server); err != nil {
		return e.fail(usageErrorf("login", "login: %v", err))
	}
	if *token == "" {
		*token = e.Getenv(envToken)
	}
	if *token == "" && e.Stdin != nil {
		fmt.Fprintf(e.Stderr, "Paste an API token for %s: ", *server)
		line, _ := bufio.NewReader(e.Stdin).ReadString('\n')
		*token = strings.TrimSpace(line)
		fmt.Fprintln(e.Stderr)
	}
	if *token == "" {
		return e.fail(usageErrorf("login", "login: missing --token"))
	}

	me, err := e.newAPI(*server, *token).Me(ctx)
	if err != nil {
		return e.fail(fmt.Errorf("login to %s: %w", *server, err))
	}
	if err := e.saveConfig(cliConfig{Server: *server, Token: *token}); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.Stdout, "Logged in to %s as %s\n", *server, userLabel(me.User.Name, me.User.DisplayName))
	fmt.Fprintf(e.Stdout, "Saved in %s (readable only by you).\n", e.ConfigPath)
	return ExitOK
}

// runLogout implements `govapp logout`.
func runLogout(ctx context.Context, e *Env, args []string) int {
	f := e.flags("logout", "", "Forget the API token saved by 'govapp login' (the server URL stays). "+
		"The token itself stays valid: revoke it with 'govapp tokens revoke ID'.")
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return e.fail(err)
	}
	if cfg.Token == "" {
		fmt.Fprintln(e.Stdout, "Not logged in.")
		return ExitOK
	}
	cfg.Token = ""
	if err := e.saveConfig(cfg); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.Stdout, "Logged out of %s.\n", orDash(cfg.Server))
	return ExitOK
}

// runWhoami implements `govapp whoami`.
func runWhoami(ctx context.Context, e *Env, args []string) int {
	f := e.flags("whoami", "[--json]", "Show the user the current token belongs to and the roles they hold on which nodes.")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	me, err := a.Me(ctx)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	u := me.User
	fmt.Fprintf(e.Stdout, "%s, %s user %s at node %s, on %s\n", userLabel(u.Name, u.DisplayName), u.Kind, u.ID, u.NodeID, a.BaseURL())
	if len(me.Grants) == 0 {
		fmt.Fprintln(e.Stdout, "No grants: ask an administrator for a role ('govapp users grant').")
		return ExitOK
	}
	t := newTable(e.Stdout)
	t.row("ROLE", "NODE", "GRANT", "SINCE")
	for _, g := range me.Grants {
		t.row(g.Role, g.NodeID, g.ID, fmtTime(g.CreatedAt))
	}
	t.flush()
	return ExitOK
}

// userLabel is "name (显示名)", or the name alone.
func userLabel(name, display string) string {
	if display == "" || display == name {
		return name
	}
	return fmt.Sprintf("%s (%s)", name, display)
}

// done turns the error of a command's last step into its exit code.
func (e *Env) done(err error) int {
	if err != nil {
		return e.fail(err)
	}
	return ExitOK
}
