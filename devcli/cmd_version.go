package devcli

import (
	"context"
	"fmt"
	"runtime"
)

// runVersion implements `govapp version`.
func runVersion(ctx context.Context, e *Env, args []string) int {
	f := e.flags("version", "", "Print the version, commit, Go release and platform of this binary.")
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.Stdout, "govapp %s (commit %s, %s, %s/%s)\n", Version, Commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return ExitOK
}

// userAgent names this CLI and its version to the server.
func userAgent() string {
	return fmt.Sprintf("govapp-cli/%s (%s/%s)", Version, runtime.GOOS, runtime.GOARCH)
}
