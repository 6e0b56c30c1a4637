//go:build !linux

package devcli

import "os"

// singleKeys is Linux-only for now (termios request numbers differ per system); elsewhere
// a key is typed with Enter.
func singleKeys(*os.File) (restore func(), ok bool) { return func() {}, false }
