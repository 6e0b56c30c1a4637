package build

import (
	"os"
	"path/filepath"

	"github.com/evanw/esbuild/pkg/api"
)

// Dev is the incremental build behind `govapp dev`. It keeps one esbuild
// context alive so a rebuild after a save only re-parses the files that
// changed (tens of milliseconds instead of a cold build), which is what makes
// a phone reload within the 300 ms budget.
//
// It shares Build's settings (loaders, target, format, the asset URL plugin)
// and relaxes only what serves citizens rather than developers: output is
// not minified, so a stack trace on a phone is readable; script and
// stylesheet names carry no hash, so the dev client can swap a stylesheet by
// its stable URL; source maps are inline, so the browser's devtools find them
// without the dev server serving a second tree. Size budgets are not
// enforced while developing (the report is there for a warning).
//
// A Dev is bound to one govapp.json: when the config changes, Close it and
// make a new one.
type Dev struct {
	dir    string
	shown  string
	cfg    *Config
	ctx    api.BuildContext
	hasCtx bool
}

// NewDev reads the project config (or takes opts.Config), checks the files
// it names and prepares the esbuild context. Errors are those of Build: a
// *ConfigError for a bad or missing govapp.json.
func NewDev(opts Options) (*Dev, error) {
	shown, dir, cfg, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	d := &Dev{dir: dir, shown: shown, cfg: cfg}
	if len(cfg.Scripts) > 0 {
		o := esbuildOptions(dir, cfg)
		o.MinifyWhitespace, o.MinifyIdentifiers, o.MinifySyntax = false, false, false
		o.EntryNames = "assets/[name]"
		o.Sourcemap = api.SourceMapInline
		o.Define = defines("development")
		ctx, cerr := api.Context(o)
		if cerr != nil {
			return nil, &Error{Messages: messages(cerr.Errors)}
		}
		d.ctx, d.hasCtx = ctx, true
	}
	return d, nil
}

// Config is the project config the Dev builds, with defaults applied.
func (d *Dev) Config() Config { return *d.cfg }

// Rebuild builds the project again, reusing what esbuild cached. The entry
// HTML and the public folder are read afresh every time (they are small and
// not esbuild's). Errors are those of Build except that a bundle over its
// size budget is not an error here.
func (d *Dev) Rebuild() (*Result, error) {
	cfg := *d.cfg
	if err := checkFiles(d.dir, d.shown, &cfg); err != nil {
		return nil, err
	}
	res := &Result{Config: cfg, Files: map[string][]byte{}, SourceMaps: map[string][]byte{}}
	origin := map[string]string{}
	var tags []tag
	if d.hasCtx {
		var err error
		if tags, err = collect(d.dir, &cfg, d.ctx.Rebuild(), res, origin); err != nil {
			return nil, err
		}
	}
	html, err := os.ReadFile(filepath.Join(d.dir, filepath.FromSlash(cfg.Entry)))
	if err != nil {
		return nil, &ConfigError{Field: "entry", Msg: err.Error()}
	}
	if err := add(res, origin, cfg.Entry, injectAssets(html, tags, relRoot(cfg.Entry)), OriginEntry); err != nil {
		return nil, err
	}
	if cfg.Public != "" {
		if err := copyPublic(d.dir, &cfg, res, origin); err != nil {
			return nil, err
		}
	}
	res.Report = newReport(res.Files, origin, cfg.SizeBudgetKB)
	return res, nil
}

// Close releases esbuild's context (its caches and worker goroutines).
func (d *Dev) Close() {
	if d.hasCtx {
		d.ctx.Dispose()
		d.hasCtx = false
	}
}
