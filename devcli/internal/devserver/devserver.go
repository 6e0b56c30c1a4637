// Package devserver is `govapp dev`: it builds a light app with the shared
// incremental build (hotupdate/build.Dev), serves it on the LAN so a phone can
// open it, reloads every connected device on a save, and relays what happens
// on the devices (console, uncaught errors, network requests) to the
// developer's terminal.
//
// It is a library rather than code in the CLI command so tests (and later a
// cloud mode) drive the real server with a buffer as the terminal.
//
// The device channel is server-sent events (server → device: reload, CSS
// swap, build errors) plus fetch POSTs (device → server: log batches).
// Both are plain HTTP, which the oldest WebViews speak without polyfills and
// which pass through the proxies of government intranets that break
// WebSockets.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sourcemap/sourcemap"

	"github.com/govapp/govapp/devcli/internal/inspector"
	"github.com/govapp/govapp/hotupdate/build"
)

// DefaultAddr is where `govapp dev` listens: every interface, so phones on
// the LAN reach it, on Vite's port, which developers' firewalls often allow.
const DefaultAddr = "0.0.0.0:5173"

// MaxMessage bounds one relay POST from a device. A misbehaving page (a log
// loop, a huge object) must not make the terminal or the server's memory pay.
const MaxMessage = 64 << 10

// Options configure a Server.
type Options struct {
	// Dir is the project folder holding govapp.json ("" is the current one).
	Dir string
	// Addr is HOST:PORT to listen on; "" is DefaultAddr. When the port is
	// taken the next free one is used (and said so), up to 20 ports on.
	Addr string
	// Out is the terminal: URLs, build results and device logs. nil discards.
	Out io.Writer
	// Color gives every device its own ANSI colour (set when Out is a
	// terminal).
	Color bool
	// QR prints a QR code of the LAN URL at start, for a phone's camera.
	QR bool
	// Poll is how often the project files are checked for changes; 0 is
	// 100 ms.
	Poll time.Duration
	// OnBuild, when set, gets every good build (bundle path → content, and the entry), e.g. to
	// sync it to a cloud session. It runs on the watcher's goroutine.
	OnBuild func(files map[string][]byte, entry string)
}

// Server is a running `govapp dev`.
type Server struct {
	opts Options
	dir  string
	out  *printer

	mu    sync.Mutex
	dev   *build.Dev
	files map[string][]byte // the last good build, by bundle path
	cfg   build.Config
	// maps are the inline source maps of the last good build, by bundle path.
	maps map[string]*sourcemap.Consumer
	// lastPreflight is the last preflight findings printed, so they are said once.
	lastPreflight string
	buildID       int             // bumped on every successful build
	errs          []build.Message // current build errors; nil when the build is good
	errText       string          // a non-esbuild build error (config, files)
	clients       map[*client]struct{}
	devices       map[string]*device
	// inspector, once set, makes every page inspectable with Chrome DevTools.
	inspector *inspector.Hub

	srv    *http.Server
	ln     net.Listener
	urls   []string
	cancel context.CancelFunc
	done   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once
}

// New checks the project and makes its first build. A project without
// govapp.json, or with a bad one, is an error; a build with compile errors
// is not (the server starts and shows them, as they will be fixed while it
// runs).
func New(opts Options) (*Server, error) {
	if opts.Dir == "" {
		opts.Dir = "."
	}
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.Poll <= 0 {
		opts.Poll = 100 * time.Millisecond
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, build.ConfigFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no %s in %s: this is not a light-app project; run 'govapp init NAME' to create one, or pass --dir", build.ConfigFile, opts.Dir)
	}
	dev, err := build.NewDev(build.Options{Dir: opts.Dir})
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts: opts, dir: opts.Dir, out: &printer{w: opts.Out, color: opts.Color},
		dev: dev, cfg: dev.Config(), files: map[string][]byte{},
		clients: map[*client]struct{}{}, devices: map[string]*device{}, done: make(chan struct{}),
	}
	return s, nil
}

// Start listens, makes the first build, prints the URLs and starts watching
// the project. It returns the URL to open on this machine. The server stops
// when ctx ends or Close is called.
func (s *Server) Start(ctx context.Context) (string, error) {
	ln, err := s.listen()
	if err != nil {
		return "", err
	}
	s.ln = ln
	port := ln.Addr().(*net.TCPAddr).Port
	s.urls = urlsFor(s.opts.Addr, port)

	start := time.Now()
	s.rebuild(false)
	s.mu.Lock()
	ok := s.errs == nil && s.errText == ""
	s.mu.Unlock()
	if ok {
		s.out.linef("built %s in %s", s.cfg.AppID, time.Since(start).Round(time.Millisecond))
	}

	s.srv = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.out.linef("server stopped: %v", err)
		}
	}()
	go func() {
		defer s.wg.Done()
		s.watch(ctx)
	}()
	go func() {
		<-ctx.Done()
		s.Close()
	}()

	s.out.linef("govapp dev: %s (%s) is served at", s.cfg.Name, s.cfg.AppID)
	for _, u := range s.urls {
		s.out.linef("  %s", u)
	}
	if s.opts.QR {
		if lan := s.LANURL(); lan != "" {
			s.out.raw(qrText(lan))
			s.out.linef("scan to open %s on a phone on the same network", lan)
		}
	}
	s.out.linef("on a desktop browser, %s offers the container simulation (微信, 支付宝, 浙里办, 浏览器)", s.urls[len(s.urls)-1])
	return "http://" + net.JoinHostPort(localHost(s.opts.Addr), strconv.Itoa(port)) + "/", nil
}

// listen binds Addr, or the next free port when it is taken: a second
// `govapp dev` (or Vite) on the machine is common and not worth an error.
func (s *Server) listen() (net.Listener, error) {
	host, portStr, err := net.SplitHostPort(s.opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("--addr %q: want HOST:PORT, e.g. 0.0.0.0:5173", s.opts.Addr)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("--addr %q: the port must be a number from 0 to 65535", s.opts.Addr)
	}
	var first error
	for i := 0; i < 20 && port+i <= 65535; i++ {
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port+i)))
		if err == nil {
			if i > 0 {
				s.out.linef("port %d is in use; using %d instead", port, port+i)
			}
			return ln, nil
		}
		if first == nil {
			first = err
		}
		if port == 0 {
			break
		}
	}
	return nil, fmt.Errorf("listen on %s: %w (and the next ports are taken too; pass --addr)", s.opts.Addr, first)
}

// URLs are the addresses to open the app at: every LAN address, then
// localhost.
func (s *Server) URLs() []string { return append([]string(nil), s.urls...) }

// EnableInspector serves h under inspector.Prefix and injects its target script into every
// page from now on; the pages already open get it when they reload.
func (s *Server) EnableInspector(h *inspector.Hub) {
	s.mu.Lock()
	s.inspector = h
	s.mu.Unlock()
}

func (s *Server) serveInspector(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.inspector
	s.mu.Unlock()
	if h == nil {
		http.Error(w, "the inspector is off: press o in govapp dev, or start it with --inspect", http.StatusNotFound)
		return
	}
	h.ServeHTTP(w, r)
}

// LANURL is the first URL a phone can reach, or "" when the server listens
// on loopback only.
func (s *Server) LANURL() string {
	for _, u := range s.urls {
		if !strings.Contains(u, "//localhost:") && !strings.Contains(u, "//127.") {
			return u
		}
	}
	return ""
}

// Close stops the server, the watcher and esbuild. It is safe to call more
// than once.
func (s *Server) Close() {
	s.closed.Do(func() {
		close(s.done) // ends the event streams, so Shutdown does not wait on them
		if s.cancel != nil {
			s.cancel()
		}
		if s.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = s.srv.Shutdown(ctx)
			cancel()
		}
		s.wg.Wait()
		s.mu.Lock()
		s.dev.Close()
		s.mu.Unlock()
	})
}

// Done is closed when the server has been closed.
func (s *Server) Done() <-chan struct{} { return s.done }

// urlsFor lists the URLs for a listen host: every non-loopback IPv4 of the
// machine for a wildcard host, then localhost.
func urlsFor(addr string, port int) []string {
	host, _, _ := net.SplitHostPort(addr)
	p := strconv.Itoa(port)
	var urls []string
	if host == "" || host == "0.0.0.0" || host == "::" {
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				ipn, ok := a.(*net.IPNet)
				if !ok || ipn.IP.IsLoopback() || ipn.IP.To4() == nil || ipn.IP.IsLinkLocalUnicast() {
					continue
				}
				urls = append(urls, "http://"+net.JoinHostPort(ipn.IP.String(), p)+"/")
			}
		}
		return append(urls, "http://localhost:"+p+"/")
	}
	return []string{"http://" + net.JoinHostPort(host, p) + "/"}
}

// localHost is the host to reach the server from this machine.
func localHost(addr string) string {
	host, _, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		return "localhost"
	}
	return host
}
