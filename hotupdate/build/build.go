// Package build turns a light-app project (govapp.json, an entry HTML, the
// scripts and a public/ folder) into the files of a hot-update bundle. It is
// the only importer of esbuild in the module, so the bundler can be upgraded
// or replaced in one place; the CLI (`govapp build`, `govapp publish`) and the
// dev server call Build and never see esbuild's types.
//
// The esbuild settings are fixed, not configurable, because a bundle must run
// in every container the app is published to:
//
//   - Target ES2017. The oldest WebViews the platform supports — Android 7's
//     System WebView (Chrome 58), iOS 11 Safari (WKWebView) and WeChat's X5
//     kernel — run ES2017 (async/await) but not ES2018+ syntax (object
//     spread, optional catch binding, ?., ??), so newer syntax is lowered.
//   - Format IIFE, one script per entry. Those WebViews lack or half-support
//     <script type="module">, and an IIFE leaks no globals.
//   - Minified (whitespace, identifiers, syntax): bundles travel over mobile
//     networks and every byte is counted against the app's size budget.
//   - Hashed names (assets/[name]-[hash]) so every file is immutable and a new
//     bundle shares the unchanged files of the previous one; a publish
//     uploads, and a device downloads, only what changed.
//   - External source maps, returned apart from the files (Result.SourceMaps)
//     and never referenced from them: they stay with the developer (and the
//     real-device debugger) instead of being shipped to every phone.
//   - ASCII output (esbuild's default charset): non-ASCII characters in
//     scripts are escaped (\uXXXX), so Chinese text survives a container or
//     proxy that serves the file without a charset or with the wrong one.
//   - Write false: Build returns bytes; the caller decides where they go.
//
// Output is deterministic: the same project gives the same bytes, whatever
// folder it is in, so rebuilding an unchanged app yields the same bundle ID.
package build

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/govapp/govapp/hotupdate"
)

// Options says what to build.
type Options struct {
	// Dir is the project root, holding govapp.json; "" is the current
	// directory.
	Dir string
	// Config, when not nil, is used instead of reading Dir/govapp.json (the
	// dev server and tests build from a config in memory). It is validated
	// all the same; an empty Entry means DefaultEntry, an empty Public means
	// no public folder.
	Config *Config
}

// Result is a built bundle.
type Result struct {
	// Config is the project config the bundle was built from, with defaults
	// applied; publish takes the app ID, version, entry and min_container
	// from it.
	Config Config
	// Files maps bundle paths ("index.html", "assets/main-5F2A9C.js") to
	// contents: exactly what goes into the manifest.
	Files map[string][]byte
	// SourceMaps maps the source map paths ("assets/main-5F2A9C.js.map") to
	// contents. They are not part of the bundle.
	SourceMaps map[string][]byte
	// Report lists the sizes of Files.
	Report Report
	// Warnings are esbuild's warnings, worth showing but not fatal.
	Warnings []Message
	// Metafile is esbuild's metafile (inputs, outputs, imports) as JSON, for
	// bundle analysis tools.
	Metafile string
}

// assetLoaders are the file types a script or a stylesheet may import; they
// are copied into assets/ under a hashed name and referenced by URL.
var assetExts = []string{
	".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico", ".bmp",
	".woff", ".woff2", ".ttf", ".otf", ".eot",
	".mp3", ".mp4", ".webm", ".ogg", ".wav", ".m4a", ".aac", ".pdf",
}

// assetFilter matches the paths of assetExts, for the plugin that fixes the
// URLs scripts get for them.
const assetFilter = `(?i)\.(png|jpe?g|gif|svg|webp|avif|ico|bmp|woff2?|ttf|otf|eot|mp3|mp4|webm|ogg|wav|m4a|aac|pdf)$`

// assetNamespace is the esbuild namespace of the small modules that turn an
// asset's file-loader URL into one relative to the entry HTML.
const assetNamespace = "govapp-asset"

// outDir is where esbuild believes it writes (nothing is written): bundle
// paths are relative to it, and source maps point from it back to the
// sources ("../../src/main.ts"), which stays right when the CLI writes maps
// to <dir>/dist-maps/.
const outDir = "dist"

// Build bundles the project described by opts. On a compile error it returns
// a *Error listing esbuild's messages with file:line; on a bad govapp.json a
// *ConfigError (several joined); when the bundle is over size_budget_kb it
// returns the Result and a *BudgetError, so the caller can still show the
// report.
func Build(opts Options) (*Result, error) {
	shown, dir, cfg, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	if err := checkFiles(dir, shown, cfg); err != nil {
		return nil, err
	}

	res := &Result{Config: *cfg, Files: map[string][]byte{}, SourceMaps: map[string][]byte{}}
	origin := map[string]string{}
	var tags []tag
	if len(cfg.Scripts) > 0 {
		if tags, err = bundle(dir, cfg, res, origin); err != nil {
			return nil, err
		}
	}

	html, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(cfg.Entry)))
	if err != nil {
		return nil, &ConfigError{Field: "entry", Msg: err.Error()}
	}
	if err := add(res, origin, cfg.Entry, injectAssets(html, tags, relRoot(cfg.Entry)), OriginEntry); err != nil {
		return nil, err
	}
	if cfg.Public != "" {
		if err := copyPublic(dir, cfg, res, origin); err != nil {
			return nil, err
		}
	}

	res.Report = newReport(res.Files, origin, cfg.SizeBudgetKB)
	if err := checkLimits(res.Report); err != nil {
		return res, err
	}
	if b := cfg.SizeBudgetKB; b > 0 && res.Report.Total > int64(b)*1024 {
		return res, &BudgetError{Total: res.Report.Total, BudgetKB: b, Largest: res.Report.largest(3)}
	}
	return res, nil
}

// checkFiles makes sure the files govapp.json names exist, so the developer
// reads "scripts[0]: src/main.ts does not exist" rather than an esbuild
// resolution error.
func checkFiles(dir, shown string, cfg *Config) error {
	var errs []error
	isFile := func(field, p string) {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p)))
		switch {
		case err != nil:
			errs = append(errs, &ConfigError{Field: field, Msg: fmt.Sprintf("%s does not exist in %s", p, shown)})
		case !st.Mode().IsRegular():
			errs = append(errs, &ConfigError{Field: field, Msg: fmt.Sprintf("%s is not a file", p)})
		}
	}
	isFile("entry", cfg.Entry)
	for i, s := range cfg.Scripts {
		isFile(fmt.Sprintf("scripts[%d]", i), s)
	}
	if cfg.Public != "" {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(cfg.Public)))
		switch {
		case err != nil && cfg.publicOptional:
			cfg.Public = "" // the default folder is optional
		case err != nil:
			errs = append(errs, &ConfigError{Field: "public", Msg: fmt.Sprintf("folder %s does not exist in %s; create it or remove \"public\"", cfg.Public, shown)})
		case !st.IsDir():
			errs = append(errs, &ConfigError{Field: "public", Msg: fmt.Sprintf("%s is not a folder", cfg.Public)})
		}
	}
	if err := checkNodeModules(dir, shown); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// checkNodeModules catches the first build of a project with npm dependencies (the vue
// template) before `npm install`: esbuild would only say it cannot resolve "vue".
func checkNodeModules(dir, shown string) error {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil // no npm project: nothing to install
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if json.Unmarshal(b, &pkg) != nil || len(pkg.Dependencies) == 0 {
		return nil
	}
	if st, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil && st.IsDir() {
		return nil
	}
	return fmt.Errorf("%s/package.json lists npm dependencies but there is no node_modules; run `npm install` in %s first (需要 Node.js)", shown, shown)
}

// tag is one <script> or <link> the entry HTML gets.
type tag struct {
	path  string // bundle path of the built file
	style bool   // a stylesheet rather than a script
}

// bundle runs esbuild over the scripts, stores its outputs in res and
// returns the tags to inject, in the order of cfg.Scripts.
func bundle(dir string, cfg *Config, res *Result, origin map[string]string) ([]tag, error) {
	return collect(dir, cfg, api.Build(esbuildOptions(dir, cfg)), res, origin)
}

// resolve returns the folder as the caller named it (shown, for messages), its absolute
// path (dir, as esbuild wants it) and the config with defaults applied: read from
// govapp.json, or opts.Config checked the same way. Build and the dev build share it.
func (opts Options) resolve() (shown, dir string, cfg *Config, err error) {
	shown = opts.Dir
	if shown == "" {
		shown = "."
	}
	if dir, err = filepath.Abs(shown); err != nil {
		return "", "", nil, fmt.Errorf("build: %w", err)
	}
	if opts.Config == nil {
		cfg, err = LoadConfig(shown)
		return shown, dir, cfg, err
	}
	c := *opts.Config
	if c.Entry == "" {
		c.Entry = DefaultEntry
	}
	if c.MinContainer == nil {
		c.MinContainer = map[string]string{}
	}
	if err := c.Validate(); err != nil {
		return "", "", nil, err
	}
	return shown, dir, &c, nil
}

// esbuildOptions are the fixed settings of a release build (see the package
// comment). The dev build (Dev) starts from them and relaxes what only
// matters on the way to citizens' phones, so both builds resolve, load and
// lower the same way.
func esbuildOptions(dir string, cfg *Config) api.BuildOptions {
	loaders := map[string]api.Loader{}
	for _, ext := range assetExts {
		loaders[ext] = api.LoaderFile
		loaders[strings.ToUpper(ext)] = api.LoaderFile
	}
	return api.BuildOptions{
		EntryPoints:       cfg.Scripts,
		AbsWorkingDir:     dir,
		Outdir:            filepath.Join(dir, outDir),
		Bundle:            true,
		Write:             false,
		Metafile:          true,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		Format:            api.FormatIIFE,
		Target:            api.ES2017,
		Platform:          api.PlatformBrowser,
		EntryNames:        "assets/[name]-[hash]",
		AssetNames:        "assets/[name]-[hash]",
		Sourcemap:         api.SourceMapExternal,
		Loader:            loaders,
		LogLevel:          api.LogLevelSilent,
		Plugins:           []api.Plugin{assetURLPlugin(dir, relRoot(cfg.Entry))},
		Define:            defines("production"),
	}
}

// defines are the compile-time constants npm packages for browsers expect a bundler to set,
// as Vite does: process.env.NODE_ENV (there is no process in a WebView) and Vue 3's feature
// flags, so the vue template tree-shakes devtools hooks out of release builds.
func defines(mode string) map[string]string {
	return map[string]string{
		"process.env.NODE_ENV":                    `"` + mode + `"`,
		"__VUE_OPTIONS_API__":                     "true",
		"__VUE_PROD_DEVTOOLS__":                   "false",
		"__VUE_PROD_HYDRATION_MISMATCH_DETAILS__": "false",
	}
}

// collect stores the outputs of an esbuild run in res and returns the tags
// to inject, in the order of cfg.Scripts; shared by Build and Dev.
func collect(dir string, cfg *Config, r api.BuildResult, res *Result, origin map[string]string) ([]tag, error) {
	res.Warnings = messages(r.Warnings)
	if len(r.Errors) > 0 {
		return nil, &Error{Messages: messages(r.Errors)}
	}
	res.Metafile = r.Metafile
	out := filepath.Join(dir, outDir)
	for _, f := range r.OutputFiles {
		rel, err := filepath.Rel(out, f.Path)
		if err != nil || strings.HasPrefix(rel, "..") {
			return nil, fmt.Errorf("build: esbuild wrote %s outside %s", f.Path, out)
		}
		rel = filepath.ToSlash(rel)
		if strings.HasSuffix(rel, ".map") {
			res.SourceMaps[rel] = f.Contents
			continue
		}
		if err := add(res, origin, rel, f.Contents, OriginBundle); err != nil {
			return nil, err
		}
	}
	return entryTags(r.Metafile, cfg.Scripts)
}

// entryTags reads the metafile to find, for every script in order, the file
// it became and the stylesheet esbuild split off its CSS imports into.
func entryTags(metafile string, scripts []string) ([]tag, error) {
	var meta struct {
		Outputs map[string]struct {
			EntryPoint string `json:"entryPoint"`
			CSSBundle  string `json:"cssBundle"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(metafile), &meta); err != nil {
		return nil, fmt.Errorf("build: esbuild's metafile: %w", err)
	}
	bundlePath := func(p string) string { return strings.TrimPrefix(p, outDir+"/") }
	// Walk the outputs in sorted order so the tags never depend on map order.
	outs := make([]string, 0, len(meta.Outputs))
	for o := range meta.Outputs {
		outs = append(outs, o)
	}
	sort.Strings(outs)
	var tags []tag
	for _, s := range scripts {
		found := false
		for _, o := range outs {
			m := meta.Outputs[o]
			if m.EntryPoint != path.Clean(s) || strings.HasSuffix(o, ".map") {
				continue
			}
			found = true
			if strings.HasSuffix(o, ".css") {
				tags = append(tags, tag{path: bundlePath(o), style: true})
				continue
			}
			if m.CSSBundle != "" {
				tags = append(tags, tag{path: bundlePath(m.CSSBundle), style: true})
			}
			tags = append(tags, tag{path: bundlePath(o)})
		}
		if !found {
			return nil, fmt.Errorf("build: esbuild produced no output for %s", s)
		}
	}
	return tags, nil
}

// assetURLPlugin makes `import logo from "./logo.png"` in a script yield a
// URL relative to the entry HTML. esbuild's file loader yields one relative
// to the script ("./logo-HASH.png", right for CSS url(), which the browser
// resolves against the stylesheet), but a script's strings are resolved
// against the document, so an <img src> set from it would miss assets/.
// Each such import goes through a one-line module that prefixes the path
// from the entry HTML to assets/; stylesheets keep the plain file loader.
func assetURLPlugin(dir, toRoot string) api.Plugin {
	type skip struct{}
	return api.Plugin{
		Name: "govapp-asset-url",
		Setup: func(b api.PluginBuild) {
			b.OnResolve(api.OnResolveOptions{Filter: assetFilter}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
				switch {
				case args.Namespace == assetNamespace, args.PluginData == skip{}:
					return api.OnResolveResult{}, nil // the wrapper's own import: plain file loader
				case args.Kind != api.ResolveJSImportStatement && args.Kind != api.ResolveJSRequireCall && args.Kind != api.ResolveJSDynamicImport:
					return api.OnResolveResult{}, nil // CSS url() and friends
				}
				r := b.Resolve(args.Path, api.ResolveOptions{
					Importer: args.Importer, Namespace: args.Namespace, ResolveDir: args.ResolveDir,
					Kind: args.Kind, PluginData: skip{}, With: args.With,
				})
				if len(r.Errors) > 0 {
					return api.OnResolveResult{Errors: r.Errors}, nil
				}
				if r.External || r.Namespace != "file" {
					return api.OnResolveResult{Path: r.Path, External: r.External, Namespace: r.Namespace}, nil
				}
				rel, err := filepath.Rel(dir, r.Path)
				if err != nil {
					return api.OnResolveResult{}, err
				}
				// A path relative to the project keeps absolute paths (which
				// differ per machine) out of the source maps and the hashes.
				return api.OnResolveResult{Path: filepath.ToSlash(rel), Namespace: assetNamespace}, nil
			})
			b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: assetNamespace}, func(args api.OnLoadArgs) (api.OnLoadResult, error) {
				imp, _ := json.Marshal("./" + args.Path)
				prefix, _ := json.Marshal(toRoot + "assets/")
				// The file loader's URL is "./NAME-HASH.ext": both the script
				// and the asset are in assets/.
				js := fmt.Sprintf("import u from %s;\nexport default %s+u.slice(2);\n", imp, prefix)
				return api.OnLoadResult{Contents: &js, ResolveDir: dir, Loader: api.LoaderJS}, nil
			})
		},
	}
}

// relRoot is the relative path from the entry HTML's folder to the bundle
// root: "" for "index.html", "../" for "pages/index.html".
func relRoot(entry string) string {
	return strings.Repeat("../", strings.Count(entry, "/"))
}

// Origins of the files in a bundle, as the report shows them.
const (
	// OriginEntry is the entry HTML, with the built tags injected.
	OriginEntry = "entry"
	// OriginBundle is a file esbuild produced: a script, a stylesheet or an
	// asset they import.
	OriginBundle = "bundle"
	// OriginPublic is a file copied as-is from the public folder.
	OriginPublic = "public"
)

// add stores one file, refusing two files at the same bundle path (or at
// paths equal under case folding, which the manifest refuses and
// case-insensitive file systems on phones would merge).
func add(res *Result, origin map[string]string, p string, data []byte, from string) error {
	for other, o := range origin {
		if strings.EqualFold(other, p) {
			return fmt.Errorf("build: %s (%s) and %s (%s) would both be %s in the bundle; rename one", describe(o, other), o, describe(from, p), from, p)
		}
	}
	res.Files[p] = data
	origin[p] = from
	return nil
}

// describe says where a file of the given origin came from.
func describe(origin, p string) string {
	switch origin {
	case OriginPublic:
		return "public file " + p
	case OriginEntry:
		return "the entry HTML " + p
	}
	return "built file " + p
}

// copyPublic adds every file under the public folder at its path relative
// to it. Hidden files (".DS_Store", ".gitkeep") are left out: they are never
// meant to be served.
func copyPublic(dir string, cfg *Config, res *Result, origin map[string]string) error {
	root := filepath.Join(dir, filepath.FromSlash(cfg.Public))
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			st, err := os.Stat(p)
			if err != nil || !st.Mode().IsRegular() {
				return nil // a dangling link or a link to a folder is not a file to ship
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("build: read %s: %w", cfg.Public, err)
	}
	for _, p := range paths { // WalkDir walks in lexical order: deterministic
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if err := hotupdate.ValidPath(rel); err != nil {
			return fmt.Errorf("build: public file %s cannot be in a bundle (%v); rename it", path.Join(cfg.Public, rel), err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("build: %w", err)
		}
		if err := add(res, origin, rel, data, OriginPublic); err != nil {
			return err
		}
	}
	return nil
}

// checkLimits refuses a bundle that breaks the platform's default limits
// (docs/HOTUPDATE.md: 2000 files, 20 MiB a file, 50 MiB in all): devices
// would refuse it, so it is better refused here, before anything is uploaded.
func checkLimits(r Report) error {
	lim := hotupdate.DefaultLimits()
	if len(r.Files) > lim.MaxFiles {
		return fmt.Errorf("build: the bundle has %d files, more than the %d a bundle may have; merge or drop files", len(r.Files), lim.MaxFiles)
	}
	for _, f := range r.Files {
		if f.Size > lim.MaxFileSize {
			return fmt.Errorf("build: %s is %s, more than the %s a bundle file may be; shrink it or serve it from elsewhere", f.Path, FormatSize(f.Size), FormatSize(lim.MaxFileSize))
		}
	}
	if r.Total > lim.MaxTotalSize {
		return fmt.Errorf("build: the bundle is %s, more than the %s a bundle may be", FormatSize(r.Total), FormatSize(lim.MaxTotalSize))
	}
	return nil
}
