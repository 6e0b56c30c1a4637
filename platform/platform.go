package platform

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/auth"
	"github.com/govapp/govapp/platform/internal/blob"
	"github.com/govapp/govapp/platform/internal/bridge"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/demo"
	"github.com/govapp/govapp/platform/internal/devrelay"
	"github.com/govapp/govapp/platform/internal/httpapi"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/push"
	"github.com/govapp/govapp/platform/internal/releases"
	"github.com/govapp/govapp/platform/internal/stats"
	sdkjs "github.com/govapp/govapp/sdk-js"
)

// Platform is the whole backend in one value, so `govapp serve`, `govapp dev` and tests
// run the same thing (PocketBase-style).
type Platform struct {
	cfg      Config
	log      *slog.Logger
	db       *db.DB
	handler  http.Handler
	first    demo.Result
	releases *releases.Service
	// dispatcher delivers push notices while the platform serves.
	dispatcher *push.Dispatcher
	// stats buffers usage events; Close flushes it.
	stats *stats.Store
}

// Option adjusts New for embedding programs and tests.
type Option func(*options)

type options struct {
	devClient []byte
	logger    *slog.Logger
	version   string
	upstreams map[string]auth.Upstream
	arrivals  func() []Arrival
}

// Arrival is one notification a sandbox push provider delivered to a device.
type Arrival = httpapi.Arrival

// WithSandboxPhone turns on the sandbox phone page (/sandbox/phone), which shows per device
// what arrived (as arrivals reports it) and the owner's inbox; serve sets it in sandbox mode.
func WithSandboxPhone(arrivals func() []Arrival) Option {
	return func(o *options) { o.arrivals = arrivals }
}

// WithUpstream adds a sign-in method behind the OpenID provider (WeChat, Alipay, gov-app
// ticket); serve wires the configured or sandbox ones, tests their own.
func WithUpstream(u auth.Upstream) Option {
	return func(o *options) {
		if o.upstreams == nil {
			o.upstreams = map[string]auth.Upstream{}
		}
		o.upstreams[u.Name()] = u
	}
}

// WithDevClient sets the dev client script phones load in cloud dev sessions (devcli passes
// the one `govapp dev` injects locally, so both speak one protocol).
func WithDevClient(js []byte) Option { return func(o *options) { o.devClient = js } }

// SecretKeyFile keeps the generated secret key when none is configured.
const SecretKeyFile = "secret.key"

// secretKey is the configured key, or the one generated on first start in the data dir.
func secretKey(cfg Config) ([32]byte, error) {
	var k [32]byte
	raw := cfg.SecretKey
	path := filepath.Join(cfg.DataDir, SecretKeyFile)
	if raw == "" {
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			raw = strings.TrimSpace(string(b))
		case errors.Is(err, os.ErrNotExist):
			if _, err := rand.Read(k[:]); err != nil {
				return k, err
			}
			if err := os.WriteFile(path, []byte(base64.StdEncoding.EncodeToString(k[:])+"\n"), 0o600); err != nil {
				return k, fmt.Errorf("secret_key: cannot write %s: %w", path, err)
			}
			return k, nil
		default:
			return k, fmt.Errorf("secret_key: cannot read %s: %w", path, err)
		}
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(b) != 32 {
		return k, fmt.Errorf("secret_key: %s does not hold base64 of 32 bytes", path)
	}
	copy(k[:], b)
	return k, nil
}

// WithLogger sends the platform's logs to l instead of stderr.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithVersion names the build in /v1/openapi.json.
func WithVersion(v string) Option { return func(o *options) { o.version = v } }

// New validates cfg, opens the store, runs migrations, seeds a fresh store and builds the
// HTTP handler. On any error nothing is left open.
func New(cfg Config, opts ...Option) (_ *Platform, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := options{version: "dev"}
	for _, f := range opts {
		f(&o)
	}
	if o.logger == nil {
		o.logger = NewLogger(os.Stderr, cfg.LogLevel, cfg.LogFormat)
	}
	ctx := context.Background()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data_dir: cannot create %s: %w; pick a writable directory with --data", cfg.DataDir, err)
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	tree, err := demo.Regions(cfg.RegionsFile)
	if err != nil {
		return nil, err
	}
	au, err := audit.NewStore(ctx, d)
	if err != nil {
		return nil, err
	}
	ids, err := identity.NewService(ctx, d, au)
	if err != nil {
		return nil, err
	}
	reg, err := apps.NewService(ctx, d, ids, au)
	if err != nil {
		return nil, err
	}
	blobs, err := blob.NewLocal(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		return nil, err
	}
	rel, err := releases.NewService(ctx, d, ids, reg, au, blobs)
	if err != nil {
		return nil, err
	}
	secret, err := secretKey(cfg)
	if err != nil {
		return nil, err
	}
	issuer := ""
	if cfg.PublicURL != "" {
		issuer = strings.TrimRight(cfg.PublicURL, "/") + "/oidc"
	}
	br, err := bridge.NewService(ctx, d, reg, au, secret)
	if err != nil {
		return nil, err
	}
	out, err := outside(ctx, cfg, br)
	if err != nil {
		return nil, err
	}
	for name, u := range o.upstreams {
		out.ups[name] = u
	}
	authn, err := auth.NewService(ctx, d, ids, reg, au, auth.Config{Issuer: issuer, SecretKey: secret, Upstreams: out.ups, Logger: o.logger, SMS: out.sms})
	if err != nil {
		return nil, err
	}
	dev, err := devrelay.NewService(ctx, d, reg, blobs, au)
	if err != nil {
		return nil, err
	}
	pushSvc, err := push.NewService(ctx, d, ids, au, push.Config{})
	if err != nil {
		return nil, err
	}
	first, err := demo.Seed(ctx, ids, reg, tree, cfg.NoDemo)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	st, err := openStats(ctx, d, reg, secret, cfg, o.logger)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = st.Close(context.Background())
		}
	}()
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h, err := httpapi.New(httpapi.Deps{
		Identity: ids, Apps: reg, Audit: au, Releases: rel, Auth: authn, Bridge: br, Dev: dev, Push: pushSvc, Arrivals: o.arrivals, Stats: st, DevClient: o.devClient, AlipayNotify: out.notify, Issuer: issuer,
		WeChatAppID: cfg.WeChatAppID, WeChatOAuthURL: wechatOAuthURL(cfg), AlipayAppID: cfg.AlipayAppID, SDK: sdkjs.Dist, Logger: o.logger, Registry: registry,
		BodyLimit: cfg.BodyLimit, Version: o.version, Ping: d.PingContext,
	})
	if err != nil {
		return nil, err
	}
	p := &Platform{cfg: cfg, log: o.logger, db: d, handler: h, first: first, releases: rel, stats: st,
		dispatcher: pushSvc.NewDispatcher(push.DispatchConfig{Senders: out.push, Log: o.logger})}
	if first.FirstStart {
		if err := p.writeTokenFiles(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// NewLogger builds the slog logger the config asks for.
func NewLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	ho := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

// AdminTokenFile and ReviewerTokenFile hold the first-start tokens (mode 0600), like
// Jenkins' initial admin password, so scripts can pick them up.
const (
	AdminTokenFile    = "admin-token"
	ReviewerTokenFile = "reviewer-token"
)

func (p *Platform) writeTokenFiles() error {
	write := func(name, secret string) error {
		if secret == "" {
			return nil
		}
		path := filepath.Join(p.cfg.DataDir, name)
		if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		return os.Chmod(path, 0o600)
	}
	return errors.Join(write(AdminTokenFile, p.first.AdminToken), write(ReviewerTokenFile, p.first.ReviewerToken))
}

// FirstStart reports what the first start created; zero on later starts.
type FirstStart struct {
	Created       bool
	AdminToken    string
	ReviewerToken string
	DemoApps      int
	TokenFile     string
}

// FirstStart tells the caller (serve) what to print once.
func (p *Platform) FirstStart() FirstStart {
	return FirstStart{Created: p.first.FirstStart, AdminToken: p.first.AdminToken, ReviewerToken: p.first.ReviewerToken,
		DemoApps: p.first.Apps, TokenFile: filepath.Join(p.cfg.DataDir, AdminTokenFile)}
}

// Handler is the platform's HTTP handler, for tests and embedding.
func (p *Platform) Handler() http.Handler { return p.handler }

// Database describes where state lives, with secrets removed.
func (p *Platform) Database() string { return p.db.Where }

// Listen opens the configured address; with port 0 the returned listener has the real one.
func (p *Platform) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", p.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("addr: cannot listen on %s: %w; pick another with --addr HOST:PORT", p.cfg.Addr, err)
	}
	return ln, nil
}

// Serve answers on ln until ctx is cancelled, then stops gracefully: new connections are
// refused and requests in flight get ShutdownTimeout to finish.
func (p *Platform) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           p.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(p.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	lctx, stopListen := context.WithCancel(ctx)
	defer stopListen()
	go func() {
		if err := p.releases.Listen(lctx); err != nil {
			p.log.Warn("release notifications off", "err", err)
		}
	}()
	pruneDone := make(chan struct{})
	go func() {
		defer close(pruneDone)
		p.pruneStats(lctx)
	}()
	pushDone := make(chan struct{})
	go func() {
		defer close(pushDone)
		_ = p.dispatcher.Run(lctx)
	}()
	// The dispatcher finishes its batch in flight before the store is closed.
	defer func() { stopListen(); <-pushDone; <-pruneDone }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	p.log.Info("shutting down", "timeout", p.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), p.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Run listens on the configured address and serves until ctx is cancelled.
func (p *Platform) Run(ctx context.Context) error {
	ln, err := p.Listen()
	if err != nil {
		return err
	}
	return p.Serve(ctx, ln)
}

// PublicURL is where people reach the platform: the configured one, else derived from Addr.
func (p *Platform) PublicURL(ln net.Addr) string {
	if p.cfg.PublicURL != "" {
		return strings.TrimRight(p.cfg.PublicURL, "/")
	}
	addr := p.cfg.Addr
	if ln != nil {
		addr = ln.String()
	}
	host, port, _ := net.SplitHostPort(addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Close writes the usage events still buffered and releases the store.
func (p *Platform) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), p.cfg.ShutdownTimeout)
	defer cancel()
	var err error
	if p.stats != nil {
		if err = p.stats.Close(ctx); err != nil {
			err = fmt.Errorf("stats: write the buffered usage events: %w", err)
		}
	}
	return errors.Join(err, p.db.Close())
}

// statsSecret keys the usage statistics' user hashes: derived from the platform's secret
// key with a fixed label, so it needs no configuration of its own and stays stable.
func statsSecret(secret [32]byte) []byte {
	m := hmac.New(sha256.New, secret[:])
	m.Write([]byte("govapp stats user hash v1"))
	return m.Sum(nil)
}

// openStats opens the usage-statistics store; its app lookup asks the apps service
// through a small cache.
func openStats(ctx context.Context, d *db.DB, reg *apps.Service, secret [32]byte, cfg Config, log *slog.Logger) (*stats.Store, error) {
	return stats.New(ctx, d, stats.Config{Secret: statsSecret(secret), Apps: newAppCache(reg).known, Retention: cfg.StatsRetention, Logger: log})
}

// appCache answers "is this app registered?" for ingest: every batch asks, so answers are
// kept, a known app's for 10 minutes (apps are never deleted) and an unknown one's for 30
// seconds (a newly registered app is counted soon). It holds at most appCacheSize ids.
type appCache struct {
	reg *apps.Service
	mu  sync.Mutex
	m   map[string]appCacheEntry
}

type appCacheEntry struct {
	known bool
	until time.Time
}

const appCacheSize = 50_000

func newAppCache(reg *apps.Service) *appCache {
	return &appCache{reg: reg, m: map[string]appCacheEntry{}}
}

func (c *appCache) known(ctx context.Context, id string) (bool, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.known, nil
	}
	_, err := c.reg.Lookup(ctx, id)
	switch {
	case err == nil:
		e = appCacheEntry{known: true, until: now.Add(10 * time.Minute)}
	case errors.Is(err, apps.ErrAppNotFound):
		e = appCacheEntry{until: now.Add(30 * time.Second)}
	default:
		return false, err
	}
	c.mu.Lock()
	if len(c.m) >= appCacheSize {
		c.m = map[string]appCacheEntry{}
	}
	c.m[id] = e
	c.mu.Unlock()
	return e.known, nil
}

// pruneStats deletes raw usage events past the retention once soon after start and then
// once a day, until ctx ends. Rollups stay. Several instances may prune at once: the
// delete is idempotent.
func (p *Platform) pruneStats(ctx context.Context) {
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := p.stats.Prune(ctx, time.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			p.log.Warn("stats: pruning old usage events failed; retrying tomorrow", "err", err)
		case n > 0:
			p.log.Info("stats: pruned usage events past the retention", "events", n, "retention", p.cfg.StatsRetention)
		}
		t.Reset(24 * time.Hour)
	}
}

// StatsDemo fills the configured store with about events realistic usage events over the
// last 30 days, in the proportions of the portal deck (`govapp stats demo`), working on the
// store directly like VerifyAudit. The demo apps (stats.DemoAppIDs) must be registered: the
// first start's demo seeding registers them under these ids. It returns the events accepted.
func StatsDemo(ctx context.Context, cfg Config, events int, seed uint64) (int, error) {
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	if events < 1 {
		return 0, errors.New("stats demo: ask for at least one event")
	}
	if !db.IsPostgres(cfg.DatabaseURL) {
		path, err := db.SQLitePath(cfg.DatabaseURL, cfg.DataDir)
		if err != nil {
			return 0, err
		}
		if _, err := os.Stat(path); err != nil {
			return 0, fmt.Errorf("no platform database at %s; point --data at the platform's data directory or pass --database-url", path)
		}
	}
	if cfg.SecretKey == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, SecretKeyFile)); err != nil {
			return 0, fmt.Errorf("no secret key at %s: point --data at the platform's data directory (or set secret_key), so the demo's users are hashed with the platform's key", filepath.Join(cfg.DataDir, SecretKeyFile))
		}
	}
	secret, err := secretKey(cfg)
	if err != nil {
		return 0, err
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return 0, err
	}
	defer d.Close()
	au, err := audit.NewStore(ctx, d)
	if err != nil {
		return 0, err
	}
	ids, err := identity.NewService(ctx, d, au)
	if err != nil {
		return 0, err
	}
	reg, err := apps.NewService(ctx, d, ids, au)
	if err != nil {
		return 0, err
	}
	var missing []string
	for _, id := range stats.DemoAppIDs {
		if _, err := reg.Lookup(ctx, id); errors.Is(err, apps.ErrAppNotFound) {
			missing = append(missing, id)
		} else if err != nil {
			return 0, err
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return 0, fmt.Errorf("stats demo: the demo apps %s are not registered in %s; they come with the demo data of a first start without --no-demo (or register apps with these ids)", strings.Join(missing, ", "), d.Where)
	}
	st, err := openStats(ctx, d, reg, secret, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return 0, err
	}
	n, err := stats.Demo(ctx, st, events, seed)
	return n, errors.Join(err, st.Close(ctx))
}

// AuditReport is the outcome of VerifyAudit.
type AuditReport = audit.VerifyResult

// VerifyAudit checks the audit chain of the configured store directly, without the HTTP
// API, for `govapp audit verify` run by an operator on the server.
func VerifyAudit(ctx context.Context, cfg Config) (AuditReport, error) {
	if !db.IsPostgres(cfg.DatabaseURL) {
		path, err := db.SQLitePath(cfg.DatabaseURL, cfg.DataDir)
		if err != nil {
			return AuditReport{}, err
		}
		// Opening would create an empty database: check first, so a wrong path changes nothing.
		if _, err := os.Stat(path); err != nil {
			return AuditReport{}, fmt.Errorf("no platform database at %s; point --data at the platform's data directory or pass --database-url", path)
		}
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return AuditReport{}, err
	}
	defer d.Close()
	au, err := audit.OpenStore(ctx, d)
	if err != nil {
		return AuditReport{}, fmt.Errorf("%w in %s; point --data or --database-url at the platform's store", err, d.Where)
	}
	return au.Verify(ctx)
}

// wechatOAuthURL is WeChat's authorize page for the configured (or sandbox) account.
func wechatOAuthURL(cfg Config) string {
	base := cfg.WeChatOpenURL
	if base == "" {
		base = cfg.WeChatAPIURL
	}
	if base == "" {
		base = "https://open.weixin.qq.com"
	}
	return strings.TrimRight(base, "/") + "/connect/oauth2/authorize"
}
