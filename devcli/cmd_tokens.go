package devcli

import (
	"context"
	"fmt"
	"time"

	"github.com/govapp/govapp/platform/client"
)

// tokensCommands is the table of `govapp tokens …`.
func tokensCommands() []command {
	return []command{
		{"create", "create an API token (the secret is shown once)", runTokensCreate},
		{"list", "list your API tokens, or another user's", runTokensList},
		{"revoke", "revoke an API token", runTokensRevoke},
	}
}

func runTokens(ctx context.Context, e *Env, args []string) int {
	return runGroup(ctx, e, "tokens", "Create, list and revoke API tokens (gvt_…), for the CLI, CI and scripts.", tokensCommands(), args)
}

func runTokensCreate(ctx context.Context, e *Env, args []string) int {
	f := e.flags("tokens create", "--name N [--user USER_ID] [--expires-days D] [--json]",
		"Create an API token. The secret goes to standard output, alone on its line, and is never\n"+
			"shown again: TOKEN=$(govapp tokens create --name ci) keeps it. A token for another user\n"+
			"needs org.admin on their node.")
	var in client.TokenCreate
	f.StringVar(&in.Name, "name", "", "what the token is for, e.g. ci or laptop")
	f.StringVar(&in.UserID, "user", "", "user ID to create the token for (default: yourself)")
	f.IntVar(&in.ExpiresInDays, "expires-days", 0, "days until the token expires (0: the server's default)")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	if err := f.require("name"); err != nil {
		return e.fail(err)
	}
	if in.ExpiresInDays < 0 {
		return e.fail(usageErrorf(f.cmd, "tokens create: --expires-days must not be negative"))
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	tok, err := a.CreateToken(ctx, in)
	if err != nil {
		return e.fail(err)
	}
	const warning = "Copy the token now: it will not be shown again."
	if *asJSON {
		if err := e.printJSON(a.last); err != nil {
			return e.fail(err)
		}
		fmt.Fprintln(e.Stderr, warning)
		return ExitOK
	}
	expires := "never expires"
	if tok.ExpiresAt != nil {
		expires = "expires " + fmtTime(*tok.ExpiresAt)
	}
	fmt.Fprintf(e.Stderr, "Created token %q (%s) for user %s; it %s.\n", tok.Name, tok.ID, tok.UserID, expires)
	fmt.Fprintln(e.Stdout, tok.Secret)
	fmt.Fprintln(e.Stderr, warning)
	return ExitOK
}

func runTokensList(ctx context.Context, e *Env, args []string) int {
	f := e.flags("tokens list", "[--user USER_ID] [--json]",
		"List your API tokens, or another user's (needs org.admin on their node). Secrets are never listed.")
	user := f.String("user", "", "user ID whose tokens to list (default: yourself)")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	tokens, err := a.ListTokens(ctx, *user)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	if len(tokens) == 0 {
		fmt.Fprintln(e.Stdout, "No tokens.")
		return ExitOK
	}
	now := time.Now()
	t := newTable(e.Stdout)
	t.row("ID", "NAME", "PREFIX", "STATUS", "CREATED", "EXPIRES", "LAST USED")
	for _, tok := range tokens {
		t.row(tok.ID, tok.Name, tok.Prefix, tokenStatus(tok, now), fmtTime(tok.CreatedAt), fmtTimePtr(tok.ExpiresAt), fmtTimePtr(tok.LastUsedAt))
	}
	t.flush()
	return ExitOK
}

// tokenStatus is active, expired or revoked.
func tokenStatus(t client.Token, now time.Time) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked"
	case t.ExpiresAt != nil && !t.ExpiresAt.After(now):
		return "expired"
	}
	return "active"
}

func runTokensRevoke(ctx context.Context, e *Env, args []string) int {
	f := e.flags("tokens revoke", "ID", "Revoke an API token: it stops working at once.")
	pos, err := f.parse(args, "ID")
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	if err := a.RevokeToken(ctx, pos[0]); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.Stdout, "Revoked token %s.\n", pos[0])
	return ExitOK
}
