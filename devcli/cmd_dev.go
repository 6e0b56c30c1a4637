package devcli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"

	"github.com/govapp/govapp/devcli/internal/devserver"
	"github.com/govapp/govapp/devcli/internal/inspector"
	"github.com/govapp/govapp/hotupdate/build"
)

// runDev implements `govapp dev`. The server is devserver; this only maps
// flags and the terminal (keys, colour, QR) onto it.
func runDev(ctx context.Context, e *Env, args []string) int {
	f := e.flags("dev", "[--dir DIR] [--addr HOST:PORT] [--no-qr] [--inspect] [--cloud]", `Build the light app in DIR, serve it on the LAN and rebuild on every save: every open page
reloads (a stylesheet-only change swaps the CSS without a reload) and build errors show in the
terminal and as an overlay on the page, with file:line.

Open the printed URL on a phone (scan the QR code; same Wi-Fi): its console, uncaught errors
and network requests appear here, prefixed with the device ("[iPhone/WeChat#a1b2] log: …").
A desktop browser gets a chooser to run the app in a simulated container (微信, 支付宝, 浙里办)
answered by sdk-js's simulation, or as a plain browser.

Keys (when stdin is a terminal; on Linux a key press, elsewhere the letter and Enter):
r reload every device, d list the devices, q quit, o open the inspector: Chrome DevTools
(elements, console, network) for each device's page, through chii's DevTools frontend and
chobitsu, fetched once from the npm registry (GOVAPP_NPM_REGISTRY for a mirror) and cached.`)
	dir := f.String("dir", ".", "project folder holding govapp.json")
	addr := f.String("addr", devserver.DefaultAddr, "HOST:PORT to listen on; the next free port is used when it is taken")
	noQR := f.Bool("no-qr", false, "do not print the QR code")
	inspect := f.Bool("inspect", false, "make every page inspectable with Chrome DevTools from the start (the o key does it later)")
	cloud := f.Bool("cloud", false, "serve through the logged-in platform, for phones that cannot reach this PC (intranets, guest Wi-Fi)")
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	tty := isTerminal(e.Stdout)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	opts := devserver.Options{Dir: *dir, Addr: *addr, Out: e.Stdout, Color: tty, QR: tty && !*noQR}
	var cs *cloudSession
	if *cloud {
		cfg, err := build.LoadConfig(*dir)
		if err != nil {
			return e.fail(err)
		}
		if cs, err = startCloud(ctx, e, cfg.AppID); err != nil {
			return e.fail(err)
		}
		defer cs.close()
		opts.QR = false // the phone opens the platform's URL, printed below
		opts.OnBuild = func(files map[string][]byte, entry string) { cs.sync(ctx, files, entry) }
	}
	srv, err := devserver.New(opts)
	if err != nil {
		return e.fail(err)
	}
	local, err := srv.Start(ctx)
	if err != nil {
		srv.Close()
		return e.fail(err)
	}
	ds := &devSession{Server: srv, out: e.Stdout, local: local}
	if *inspect {
		if u, err := ds.Inspect(ctx); err != nil {
			fmt.Fprintf(e.Stderr, "warning: %v\n", err)
		} else {
			fmt.Fprintf(e.Stdout, "inspector: open %s on this PC\n", u)
		}
	}
	if cs != nil {
		fmt.Fprintf(e.Stdout, "cloud: phones open %s (expires %s)\n", cs.URL(), fmtTime(cs.ses.ExpiresAt))
		if tty && !*noQR {
			fmt.Fprint(e.Stdout, devserver.QR(cs.URL()))
		}
		go cs.logs(ctx, srv)
	}
	if stdinIsTerminal(e.Stdin) {
		restore, single := singleKeys(e.Stdin.(*os.File))
		defer restore()
		if single {
			fmt.Fprintln(e.Stdout, keysHelp)
		} else {
			fmt.Fprintln(e.Stdout, keysHelp+" (then Enter)")
		}
		go devKeys(ctx, e.Stdin, e.Stdout, ds, cancel)
	}
	select {
	case <-ctx.Done():
	case <-srv.Done():
	}
	srv.Close()
	return ExitOK
}

const keysHelp = "keys: r reload all · d devices · o inspector · q quit"

// devControls is what the keys drive: a *devSession.
type devControls interface {
	ReloadAll() int
	Devices() []string
	Inspect(ctx context.Context) (string, error)
}

// devSession is the running dev server with what the keys add to it.
type devSession struct {
	*devserver.Server
	out   io.Writer
	local string // the server's URL on this machine

	mu  sync.Mutex
	hub *inspector.Hub
}

// Inspect turns the inspector on (loading chii, from the cache or once from the npm
// registry), reloads the devices so their pages connect, and returns the inspector's URL.
func (d *devSession) Inspect(ctx context.Context) (string, error) {
	u := strings.TrimSuffix(d.local, "/") + inspector.Prefix
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.hub != nil {
		return u, nil
	}
	cache, err := inspector.CachePath()
	if err != nil {
		return "", fmt.Errorf("inspector: %w", err)
	}
	if _, err := os.Stat(cache); err != nil {
		fmt.Fprintf(d.out, "inspector: fetching %s@%s (Chrome DevTools frontend, once) from %s\n", inspector.Package, inspector.Version, inspector.Registry())
	}
	a, err := inspector.Load(ctx, http.DefaultClient, inspector.Registry(), cache)
	if err != nil {
		return "", err
	}
	d.hub = inspector.NewHub(a)
	d.EnableInspector(d.hub)
	d.ReloadAll()
	return u, nil
}

// devKeys acts on each key typed: one byte at a time, so it serves a terminal in cbreak mode
// (a key press) and one in line mode ("r⏎") alike.
func devKeys(ctx context.Context, in io.Reader, out io.Writer, srv devControls, quit func()) {
	br := bufio.NewReader(in)
	for {
		b, err := br.ReadByte()
		if err != nil {
			return
		}
		switch b {
		case 'r', 'R':
			n := srv.ReloadAll()
			fmt.Fprintf(out, "reloading %d device(s)\n", n)
		case 'd', 'D':
			devs := srv.Devices()
			if len(devs) == 0 {
				fmt.Fprintln(out, "no device has connected yet")
			}
			for _, d := range devs {
				fmt.Fprintln(out, "  "+d)
			}
		case 'o', 'O':
			u, err := srv.Inspect(ctx)
			if err != nil {
				fmt.Fprintf(out, "inspector: %v\n", err)
				continue
			}
			fmt.Fprintf(out, "inspector: open %s on this PC (Chrome or Edge); every device is listed there\n", u)
			openBrowser(u)
		case 'q', 'Q', 3, 4: // Ctrl-C and Ctrl-D too, should a terminal deliver them as bytes
			quit()
			return
		case '\n', '\r', ' ', '\t':
		default:
			fmt.Fprintln(out, keysHelp)
		}
	}
}

// openBrowser tries to show u in the desktop's browser; the URL is printed either way.
func openBrowser(u string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return // no desktop (SSH, CI)
		}
		cmd = exec.Command("xdg-open", u)
	}
	if cmd.Start() == nil {
		go cmd.Wait() //nolint:errcheck // reaped only
	}
}

// stdinIsTerminal says whether the keys can come from a person: piped or
// redirected input (CI, tests) is not read.
func stdinIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
