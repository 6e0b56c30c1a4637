package devcli

import (
	"os"

	"golang.org/x/sys/unix"
)

// singleKeys puts the terminal on f in cbreak mode, so `govapp dev` acts on a key press
// without Enter. Unlike raw mode it keeps ISIG (Ctrl-C still stops the server cleanly) and
// OPOST (log lines still end in CR LF). The returned func restores the terminal; ok is false
// when f is no terminal whose mode could be changed, and keys then need Enter.
func singleKeys(f *os.File) (restore func(), ok bool) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return func() {}, false
	}
	t := *old
	t.Lflag &^= unix.ICANON | unix.ECHO
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return func() {}, false
	}
	return func() { unix.IoctlSetTermios(fd, unix.TCSETS, old) }, true //nolint:errcheck // best effort on the way out
}
