package devcli

import (
	"context"
	"flag"
	"fmt"
	"runtime"

	"github.com/govapp/govapp/devcli/internal/devserver"
	"github.com/govapp/govapp/devcli/internal/sandboxmode"
	"github.com/govapp/govapp/platform"
)

// serveFlags binds the serve/audit flags that mirror config keys and returns the set
// flags as a key→value map for platform.LoadConfig (only flags the user typed override).
type configFlags struct {
	f      *flagSet
	config *string
	keys   map[string]string // flag name -> yaml key
}

func addConfigFlags(f *flagSet) *configFlags {
	c := &configFlags{f: f, config: f.String("config", "", "YAML config file (defaults < file < GOVAPP_* env < flags)"), keys: map[string]string{}}
	str := func(name, key, usage string) {
		f.String(name, "", usage)
		c.keys[name] = key
	}
	str("data", "data_dir", "data directory (default "+platform.DefaultDataDir+")")
	str("database-url", "database_url", "postgres://user@host:5432/db for PostgreSQL; empty = SQLite in the data directory")
	return c
}

func (c *configFlags) values() map[string]string {
	out := map[string]string{}
	c.f.Visit(func(fl *flag.Flag) {
		if key, ok := c.keys[fl.Name]; ok {
			out[key] = fl.Value.String()
		}
	})
	return out
}

func (c *configFlags) load(e *Env) (platform.Config, error) {
	return platform.LoadConfig(*c.config, e.Getenv, c.values())
}

func runServe(ctx context.Context, e *Env, args []string) int {
	f := e.flags("serve", "[--addr HOST:PORT] [--data DIR] [--database-url URL] [--config FILE] [--no-demo] [--print-config]",
		"Run the platform: the console API, /healthz and /metrics. On an empty store it creates the region tree, "+
			"the first administrator (its token is printed once and written to <data>/admin-token) and, unless --no-demo, demo departments and apps.")
	cf := addConfigFlags(f)
	for name, key := range map[string]string{"addr": "addr", "regions": "regions_file", "public-url": "public_url", "log-level": "log_level", "log-format": "log_format"} {
		f.String(name, "", "sets "+key)
		cf.keys[name] = key
	}
	f.Bool("no-demo", false, "skip the demo departments, reviewer and apps (the admin is still created)")
	cf.keys["no-demo"] = "no_demo"
	printConfig := f.Bool("print-config", false, "print the effective config (secrets redacted) and exit")
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	cfg, err := cf.load(e)
	if err != nil {
		fmt.Fprintln(e.Stderr, err)
		return ExitUsage
	}
	if *printConfig {
		_, _ = e.Stdout.Write(cfg.YAML())
		return ExitOK
	}
	var fakes *sandboxmode.Fakes
	if cfg.Sandboxed() {
		// No WeChat, Alipay or SMS configured: run their fakes beside the platform.
		if fakes, cfg, err = sandboxmode.Start(cfg); err != nil {
			return e.fail(err)
		}
		defer fakes.Close()
	}
	opts := []platform.Option{platform.WithVersion(Version), platform.WithDevClient(devserver.ClientJS()), platform.WithLogger(platform.NewLogger(e.Stderr, cfg.LogLevel, cfg.LogFormat))}
	if fakes != nil {
		opts = append(opts, platform.WithSandboxPhone(fakes.Arrivals))
	}
	p, err := platform.New(cfg, opts...)
	if err != nil {
		return e.fail(err)
	}
	defer p.Close()
	ln, err := p.Listen()
	if err != nil {
		return e.fail(err)
	}
	url := p.PublicURL(ln.Addr())
	fmt.Fprintf(e.Stdout, "govapp %s — 政务轻应用开放平台 (%s/%s)\n", Version, runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(e.Stdout, "  API       %s/v1/   (OpenAPI: %s/v1/openapi.json)\n", url, url)
	fmt.Fprintf(e.Stdout, "  health    %s/healthz   metrics: %s/metrics\n", url, url)
	fmt.Fprintf(e.Stdout, "  database  %s\n", p.Database())
	fmt.Fprintf(e.Stdout, "  sign-in   %s/oidc/.well-known/openid-configuration\n", url)
	if fakes != nil {
		fmt.Fprintf(e.Stdout, "  sandbox   no outside services configured: WeChat %s, Alipay %s, SMS %s, APNs %s, FCM %s (fakes, recorded)\n",
			fakes.URL["wechat"], fakes.URL["alipay"], fakes.URL["sms"], fakes.URL["apns"], fakes.URL["fcm"])
		fmt.Fprintf(e.Stdout, "  phone     %s/sandbox/phone   (what each simulated device received, and its inbox)\n", url)
	}
	if fs := p.FirstStart(); fs.Created {
		fmt.Fprintf(e.Stdout, "\nFirst start: created the region tree and the administrator (admin, 平台管理员)")
		if fs.DemoApps > 0 {
			fmt.Fprintf(e.Stdout, ", a reviewer and %d demo apps", fs.DemoApps)
		}
		fmt.Fprintf(e.Stdout, ".\n\n  Admin token (shown once; also in %s, mode 0600):\n\n      %s\n\n", fs.TokenFile, fs.AdminToken)
		if fs.ReviewerToken != "" {
			fmt.Fprintf(e.Stdout, "  Demo reviewer token (reviewer, 平台审核员): %s\n\n", fs.ReviewerToken)
		}
		fmt.Fprintf(e.Stdout, "  In a second terminal:\n      govapp login --server %s --token $(cat %s)\n      govapp apps list\n\n", url, fs.TokenFile)
	}
	if err := p.Serve(ctx, ln); err != nil {
		return e.fail(err)
	}
	return ExitOK
}
