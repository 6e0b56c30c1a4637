package devcli

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair and returns its terminal end.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return tty
}

func TestSingleKeysCbreakAndRestore(t *testing.T) {
	tty := openPTY(t)
	mode := func() *unix.Termios {
		m, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	before := mode()
	if before.Lflag&unix.ICANON == 0 {
		t.Fatal("a fresh pty is expected in canonical mode")
	}
	restore, ok := singleKeys(tty)
	if !ok {
		t.Fatal("singleKeys refused a terminal")
	}
	m := mode()
	if m.Lflag&(unix.ICANON|unix.ECHO) != 0 {
		t.Errorf("cbreak: lflag %#x still has ICANON or ECHO", m.Lflag)
	}
	if m.Lflag&unix.ISIG == 0 || m.Oflag&unix.OPOST == 0 {
		t.Errorf("cbreak dropped ISIG or OPOST (lflag %#x oflag %#x): Ctrl-C or line endings would break", m.Lflag, m.Oflag)
	}
	restore()
	if after := mode(); after.Lflag != before.Lflag || after.Oflag != before.Oflag {
		t.Errorf("restore: lflag %#x oflag %#x, want %#x %#x", after.Lflag, after.Oflag, before.Lflag, before.Oflag)
	}
	f, err := os.CreateTemp(t.TempDir(), "not-a-tty")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := singleKeys(f); ok {
		t.Error("singleKeys accepted a plain file")
	}
}

type recordedControls struct {
	mu       sync.Mutex
	reloads  int
	inspects int
}

func (c *recordedControls) ReloadAll() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reloads++
	return 2
}

func (c *recordedControls) Devices() []string { return []string{"iPhone/WeChat#a1b2"} }

func (c *recordedControls) Inspect(context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inspects++
	return "http://127.0.0.1:5173/__govapp/inspector/", nil
}

// Keys act one byte at a time: no Enter needed, and "r⏎" from a line-mode terminal works too.
func TestDevKeys(t *testing.T) {
	c := &recordedControls{}
	var out strings.Builder
	quit := 0
	devKeys(context.Background(), strings.NewReader("rdr\nox q r"), &out, c, func() { quit++ })
	if c.reloads != 2 || quit != 1 || c.inspects != 1 {
		t.Errorf("reloads %d quits %d inspects %d, want 2, 1 (nothing read after q) and 1", c.reloads, quit, c.inspects)
	}
	for _, want := range []string{"reloading 2 device(s)", "iPhone/WeChat#a1b2", "keys: r reload all", "inspector: open http://127.0.0.1:5173/__govapp/inspector/"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
