package devcli

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/govapp/govapp/devcli/internal/sandboxmode"
	"github.com/govapp/govapp/platform"
)

// sandboxEnv is a platform in sandbox mode (fakes of WeChat, Alipay, the gov app and SMS on
// loopback), serving on a real port for the test's lifetime.
type sandboxEnv struct {
	t     *testing.T
	fakes *sandboxmode.Fakes
	cfg   platform.Config
	p     *platform.Platform
	base  string
	admin string
	ctx   context.Context
}

func startSandbox(t *testing.T, dbURL string) *sandboxEnv {
	t.Helper()
	fakes, cfg, err := sandboxmode.Start(platform.DefaultConfig())
	must(t, err)
	t.Cleanup(fakes.Close)
	cfg.DataDir, cfg.DatabaseURL, cfg.Addr = t.TempDir(), dbURL, "127.0.0.1:0"
	p, err := platform.New(cfg, platform.WithLogger(slog.New(slog.DiscardHandler)))
	must(t, err)
	ln, err := p.Listen()
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = p.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done; p.Close() })
	return &sandboxEnv{t: t, fakes: fakes, cfg: cfg, p: p, base: "http://" + ln.Addr().String(), admin: p.FirstStart().AdminToken, ctx: ctx}
}

// api sends a JSON request (bearer may be an API token or a citizen's access token).
func (s *sandboxEnv) api(method, path, body, bearer string) (int, map[string]any) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	must(s.t, err)
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}
