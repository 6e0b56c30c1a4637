// Package devcli is the govapp command line: the developers' and operators'
// tool (apps, orgs, users, tokens) and the entry point of `govapp serve`.
//
// Everything runs through Main, which takes its arguments, streams and
// context as parameters and returns an exit code, so tests drive the real CLI
// with buffers instead of a built binary.
package devcli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Version is the release of this binary, set at build time with
// -ldflags "-X github.com/govapp/govapp/devcli.Version=v1.2.3" so bug reports
// and the server's logs (through the User-Agent) say what was running.
var Version = "dev"

// Commit is the source revision of this binary, set at build time with
// -ldflags "-X github.com/govapp/govapp/devcli.Commit=…", for the same reason.
var Commit = "unknown"

// Exit codes of every command, so scripts can tell a refusal from a typo.
const (
	// ExitOK means the command did what was asked.
	ExitOK = 0
	// ExitFailure means the server said no, the network failed or the login
	// is missing: retrying the same line may work once that is fixed.
	ExitFailure = 1
	// ExitUsage means the command line itself is wrong (unknown command, bad
	// flags, missing arguments): retrying it as is never works.
	ExitUsage = 2
)

// Env is what a command may touch of the outside world. Commands get it
// instead of reaching for os.*, so tests run them with buffers and a fake
// environment.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable (os.Getenv in the binary).
	Getenv func(string) string
	// ConfigPath is the CLI config file holding the saved login; see
	// configPath for how it is chosen.
	ConfigPath string
}

// command is one entry of a command table: the top-level one (commands) or a
// group's (apps, orgs, tokens, users).
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *Env, args []string) int
}

// commands is the one table of top-level commands; help lists it in this
// order.
func commands() []command {
	return []command{
		{"version", "print the version of this binary", runVersion},
		{"help", "show help for govapp or one of its commands", runHelp},
		{"login", "check an API token against a server and save both", runLogin},
		{"logout", "forget the saved API token", runLogout},
		{"whoami", "show the user and grants of the current token", runWhoami},
		{"apps", "register light apps (轻应用) and move them through review", runApps},
		{"orgs", "show the organisation tree (省 > 市 > 区, departments)", runOrgs},
		{"users", "list and create users, grant roles", runUsers},
		{"tokens", "create, list and revoke API tokens", runTokens},
		{"audit", "read and verify the audit log", runAudit},
		{"init", "create a light-app project from a template (basic, query, microsite)", runInit},
		{"build", "bundle a light app (govapp.json) into dist/ and show its size", runBuild},
		{"dev", "serve a light app on the LAN with live reload and device logs (QR for a phone)", runDev},
		{"publish", "build, sign and upload a bundle, then release it on a channel (热更新)", runPublish},
		{"releases", "list releases; roll out, pause, resume, roll back, promote", runReleases},
		{"keys", "create, list and rotate the keys that sign bundles", runKeys},
		{"stats", "usage statistics: top apps, regions, channels, trend, DAU/MAU, retention (应用统计分析)", runStats},
		{"push", "send notices to citizens and staff by region, department or role (统一消息推送)", runPush},
		{"serve", "run the platform: API, console, portal", runServe},
	}
}

// Main runs the govapp command line with args (without the program name) and
// returns the process exit code. It stops commands on SIGINT/SIGTERM through
// ctx.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	e.ConfigPath = configPath(e.Getenv)
	return e.run(ctx, args)
}

// run dispatches args through the command table.
func (e *Env) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		e.printUsage(e.Stderr)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		e.printUsage(e.Stdout)
		return ExitOK
	case "-v", "-version", "--version":
		return runVersion(ctx, e, nil)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	return e.fail(usageErrorf("", "unknown command %q", args[0]))
}

// printUsage writes the top-level help.
func (e *Env) printUsage(w io.Writer) {
	fmt.Fprintf(w, "govapp — mobile open platform for government light apps (政务轻应用)\n\n")
	fmt.Fprintf(w, "usage: govapp <command> [flags] [arguments]\n\ncommands:\n")
	t := newTable(w)
	for _, c := range commands() {
		t.row("  "+c.name, c.summary)
	}
	t.flush()
	fmt.Fprintf(w, "\nRun 'govapp help <command>' or 'govapp <command> -h' for details.\n")
	fmt.Fprintf(w, "\nenvironment:\n")
	t = newTable(w)
	t.row("  "+envServer, "server URL; overrides the one saved by login")
	t.row("  "+envToken, "API token; overrides the one saved by login")
	t.row("  "+envConfig, "CLI config file (now "+e.ConfigPath+")")
	t.flush()
}

// runHelp implements `govapp help [command [subcommand]]`: help for a command
// is that command run with -h, so there is one usage text per command.
func runHelp(ctx context.Context, e *Env, args []string) int {
	if len(args) == 0 {
		e.printUsage(e.Stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			if c.name == "help" {
				e.printUsage(e.Stdout)
				return ExitOK
			}
			return c.run(ctx, e, append(append([]string{}, args[1:]...), "-h"))
		}
	}
	return e.fail(usageErrorf("", "unknown command %q", args[0]))
}

// runGroup dispatches `govapp <group> <sub> …` through the group's table.
func runGroup(ctx context.Context, e *Env, group, about string, table []command, args []string) int {
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "%s\n\nusage: govapp %s <command> [flags] [arguments]\n\ncommands:\n", about, group)
		t := newTable(w)
		for _, c := range table {
			t.row("  "+c.name, c.summary)
		}
		t.flush()
		fmt.Fprintf(w, "\nRun 'govapp %s <command> -h' for details.\n", group)
	}
	if len(args) == 0 {
		usage(e.Stderr)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(e.Stdout)
		return ExitOK
	case "help":
		if len(args) == 1 {
			usage(e.Stdout)
			return ExitOK
		}
		args = append(append([]string{}, args[1:]...), "-h")
	}
	for _, c := range table {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	return e.fail(usageErrorf(group, "unknown command %q", group+" "+args[0]))
}
