package devcli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/govapp/govapp/devcli/internal/devserver"
	"github.com/govapp/govapp/hotupdate/build"
)

// runDev implements `govapp dev`. The server is devserver; this only maps
// flags and the terminal (keys, colour, QR) onto it.
func runDev(ctx context.Context, e *Env, args []string) int {
	f := e.flags("dev", "[--dir DIR] [--addr HOST:PORT] [--no-qr] [--cloud]", `Build the light app in DIR, serve it on the LAN and rebuild on every save: every open page
reloads (a stylesheet-only change swaps the CSS without a reload) and build errors show in the
terminal and as an overlay on the page, with file:line.

Open the printed URL on a phone (scan the QR code; same Wi-Fi): its console, uncaught errors
and network requests appear here, prefixed with the device ("[iPhone/WeChat#a1b2] log: …").
A desktop browser gets a chooser to run the app in a simulated container (微信, 支付宝, 浙里办)
answered by sdk-js's simulation, or as a plain browser.

Keys (when stdin is a terminal; on Linux a key press, elsewhere the letter and Enter):
r reload every device, d list the devices, q quit.`)
	dir := f.String("dir", ".", "project folder holding govapp.json")
	addr := f.String("addr", devserver.DefaultAddr, "HOST:PORT to listen on; the next free port is used when it is taken")
	noQR := f.Bool("no-qr", false, "do not print the QR code")
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
	if _, err := srv.Start(ctx); err != nil {
		srv.Close()
		return e.fail(err)
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
			fmt.Fprintln(e.Stdout, "keys: r reload all · d devices · q quit")
		} else {
			fmt.Fprintln(e.Stdout, "keys: r reload all · d devices · q quit (then Enter)")
		}
		go devKeys(e.Stdin, e.Stdout, srv, cancel)
	}
	select {
	case <-ctx.Done():
	case <-srv.Done():
	}
	srv.Close()
	return ExitOK
}

// devControls is what the keys drive: a *devserver.Server.
type devControls interface {
	ReloadAll() int
	Devices() []string
}

// devKeys acts on each key typed: one byte at a time, so it serves a terminal in cbreak mode
// (a key press) and one in line mode ("r⏎") alike.
func devKeys(in io.Reader, out io.Writer, srv devControls, quit func()) {
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
		case 'q', 'Q', 3, 4: // Ctrl-C and Ctrl-D too, should a terminal deliver them as bytes
			quit()
			return
		case '\n', '\r', ' ', '\t':
		default:
			fmt.Fprintln(out, "keys: r reload all · d devices · q quit")
		}
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
