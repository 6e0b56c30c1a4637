package devcli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/govapp/govapp/platform/client"
)

// usageError is a mistake in the command line: it exits with ExitUsage and
// points at the command's help.
type usageError struct {
	cmd string // "apps create"; empty for the top level
	msg string
}

// Error returns the message alone; fail adds the pointer to the help.
func (u *usageError) Error() string { return u.msg }

func usageErrorf(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// fail prints err the way every command does and returns its exit code:
// ExitOK for an answered -h, ExitUsage for usage errors, ExitFailure for the
// rest.
func (e *Env) fail(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.Stderr, "error: %s\n", ue.msg)
		if ue.cmd != "" {
			fmt.Fprintf(e.Stderr, "Run 'govapp %s -h' for usage.\n", ue.cmd)
		} else {
			fmt.Fprintf(e.Stderr, "Run 'govapp help' for usage.\n")
		}
		return ExitUsage
	}
	fmt.Fprintf(e.Stderr, "error: %v\n", err)
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.HTTP {
		case 401:
			fmt.Fprintf(e.Stderr, "The token was refused: log in again with 'govapp login --server URL --token TOKEN' or fix %s.\n", envToken)
		case 403:
			fmt.Fprintf(e.Stderr, "Ask an administrator of the node for a role that allows this ('govapp whoami' shows your grants).\n")
		}
	}
	return ExitFailure
}

// flagSet is one command's flags plus what its help says.
type flagSet struct {
	*flag.FlagSet
	e        *Env
	cmd      string // "apps create"
	synopsis string // arguments part of the usage line
	about    string // one paragraph on what the command does
}

// flags starts the flag set of command cmd. Flag errors are not printed by
// the flag package: parse turns them into usage errors.
func (e *Env) flags(cmd, synopsis, about string) *flagSet {
	fs := flag.NewFlagSet("govapp "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := &flagSet{FlagSet: fs, e: e, cmd: cmd, synopsis: synopsis, about: about}
	fs.Usage = func() {}
	return f
}

// jsonFlag adds --json, which prints the API's JSON instead of a table.
func (f *flagSet) jsonFlag() *bool {
	return f.Bool("json", false, "print the API's JSON reply instead of text")
}

// printUsage writes the command's help to w.
func (f *flagSet) printUsage(w io.Writer) {
	line := "govapp " + f.cmd
	if f.synopsis != "" {
		line += " " + f.synopsis
	}
	fmt.Fprintf(w, "usage: %s\n\n%s\n", line, f.about)
	hasFlags := false
	f.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintf(w, "\nflags:\n")
		f.SetOutput(w)
		f.PrintDefaults()
		f.SetOutput(io.Discard)
	}
}

// parse parses args, letting flags come before, between or after the
// positional arguments ("apps show ID --json"), and checks that exactly the
// positional arguments named in names are there. A "--" ends the flags. It
// returns flag.ErrHelp (after printing the help to stdout) for -h.
func (f *flagSet) parse(args []string, names ...string) ([]string, error) {
	pos, err := parseInterleaved(f.FlagSet, args)
	if errors.Is(err, flag.ErrHelp) {
		f.printUsage(f.e.Stdout)
		return nil, err
	}
	if err != nil {
		return nil, usageErrorf(f.cmd, "%s: %v", f.cmd, err)
	}
	if len(pos) < len(names) {
		return nil, usageErrorf(f.cmd, "%s: missing %s", f.cmd, strings.Join(names[len(pos):], " "))
	}
	if len(pos) > len(names) {
		return nil, usageErrorf(f.cmd, "%s: unexpected argument %q", f.cmd, pos[len(names)])
	}
	return pos, nil
}

// parseInterleaved runs fs.Parse repeatedly, collecting the positional
// arguments the flag package stops at, so flags may follow them.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// If Parse stopped at a "--" terminator (not at a flag's value), all
		// the rest is positional.
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" && !isFlagValue(fs, args[:consumed-1]) {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// isFlagValue reports whether the argument after before is the value of a
// non-boolean flag given as "--name value".
func isFlagValue(fs *flag.FlagSet, before []string) bool {
	if len(before) == 0 {
		return false
	}
	last := before[len(before)-1]
	if !strings.HasPrefix(last, "-") || strings.Contains(last, "=") {
		return false
	}
	fl := fs.Lookup(strings.TrimLeft(last, "-"))
	if fl == nil {
		return false
	}
	if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}

// require fails with a usage error naming the first of the flags that was
// left empty.
func (f *flagSet) require(names ...string) error {
	for _, n := range names {
		fl := f.Lookup(n)
		if fl == nil {
			panic("devcli: require of undefined flag " + n)
		}
		if fl.Value.String() == "" {
			return usageErrorf(f.cmd, "%s: missing --%s", f.cmd, n)
		}
	}
	return nil
}

// listFlag is a flag that takes a comma-separated list and may be repeated:
// "--region 330100,330106" or "--region 330100 --region 330106".
type listFlag []string

// String joins the values back with commas, as flag.Value requires.
func (l *listFlag) String() string { return strings.Join(*l, ",") }

// Set appends the comma-separated values of one occurrence of the flag.
func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// multiFlag is a flag that may be repeated, each value kept whole (commas
// included): "--contact 张三:0571-1:a@b.cn --contact 李四::".
type multiFlag []string

// String joins the values with spaces, as flag.Value requires.
func (m *multiFlag) String() string { return strings.Join(*m, " ") }

// Set appends one occurrence of the flag, whole.
func (m *multiFlag) Set(s string) error {
	*m = append(*m, s)
	return nil
}
