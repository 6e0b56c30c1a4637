package devcli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/govapp/govapp/hotupdate/build"
)

// buildMarker is the file `govapp build` leaves in the folders it writes, so
// a later build may empty them (stale hashed files would pile up otherwise)
// without ever deleting a folder it did not make.
const buildMarker = ".govapp-build"

// buildAbout documents govapp.json once, for build and publish.
const buildAbout = `Bundle a light app with esbuild: the scripts of govapp.json (TypeScript, JavaScript, CSS and
the images and fonts they import) become minified ES2017 files with hashed names under assets/,
the entry HTML gets their <link> and <script> tags (at <!-- govapp:assets -->, else before
</head> and </body>), and the public folder is copied as-is. Source maps are kept apart.

govapp.json, at the project root:
  {
    "app_id": "housing-fund",              required; the app registered with 'govapp apps create'
    "name": "住房公积金",                   required
    "version": "1.0.0",                    required; a label, e.g. 1.4.2 or 2025.3.1-beta
    "entry": "index.html",                 default index.html
    "scripts": ["src/main.ts"],            entry points: .js .mjs .cjs .jsx .ts .mts .cts .tsx .css
    "public": "public",                    copied as-is; default public (may then be missing)
    "min_container": {"govapp": "3.0.0"},  oldest container per kind: wechat, alipay, govapp, web
    "size_budget_kb": 500                  fail when the bundle is larger; 0: no budget
  }`

// runBuild implements `govapp build`.
func runBuild(ctx context.Context, e *Env, args []string) int {
	relaxGC()
	f := e.flags("build", "[--dir DIR] [--out DIR] [--json]", buildAbout+`

The files go to --out (default DIR/dist) and the source maps to the same path with "-maps"
added (DIR/dist-maps). Both folders are replaced on every build. Exit status 1 on compile
errors (shown as file:line:col), a bad govapp.json, or a bundle over its size budget.`)
	dir := f.String("dir", ".", "project folder holding govapp.json")
	out := f.String("out", "", "folder to write the bundle to (default DIR/dist)")
	asJSON := f.Bool("json", false, "print the size report as JSON instead of a table")
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	if *out == "" {
		*out = filepath.Join(*dir, "dist")
	}
	maps := strings.TrimRight(filepath.Clean(*out), string(filepath.Separator)) + "-maps"

	res, err := e.buildProject(*dir)
	if res != nil && !*asJSON {
		printReport(e.Stdout, res.Report)
	}
	if err != nil {
		return e.fail(err)
	}
	if err := writeTree(*out, res.Files); err != nil {
		return e.fail(err)
	}
	if err := writeTree(maps, res.SourceMaps); err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(printValueJSON(e, buildJSON(res, *out, maps)))
	}
	fmt.Fprintf(e.Stdout, "\nWrote %s %s to %s (source maps in %s).\n", res.Config.AppID, res.Config.Version, *out, maps)
	return ExitOK
}

// buildProject runs the build of the project in dir, printing esbuild's
// warnings and errors to stderr the way compilers do (file:line:col, the
// line, a caret). A compile error comes back as a short error, the details
// being printed already; a budget error comes back with the result, so the
// report can be shown.
func (e *Env) buildProject(dir string) (*build.Result, error) {
	res, err := build.Build(build.Options{Dir: dir})
	if res != nil {
		for _, w := range res.Warnings {
			printMessage(e.Stderr, "warning", w)
		}
	}
	var be *build.Error
	if errors.As(err, &be) {
		for _, m := range be.Messages {
			printMessage(e.Stderr, "error", m)
		}
		n := len(be.Messages)
		return nil, fmt.Errorf("build failed with %d error%s; fix %s and run the command again", n, plural(n), firstFile(be.Messages))
	}
	if err != nil {
		return res, err
	}
	// Preflight: what `govapp dev` warns about, build and publish refuse.
	cfg := res.Config
	problems, err := build.Preflight(dir, &cfg, nil)
	if err != nil {
		return nil, err
	}
	for _, p := range problems {
		fmt.Fprintf(e.Stderr, "preflight: %s\n", p)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%d preflight problem(s); fix them, or declare what the app uses in govapp.json", len(problems))
	}
	return res, nil
}

// printMessage writes one compiler message with its source line and a caret
// under the column.
func printMessage(w io.Writer, kind string, m build.Message) {
	if m.File != "" && m.Line > 0 {
		fmt.Fprintf(w, "%s:%d:%d: %s: %s\n", m.File, m.Line, m.Column, kind, m.Text)
	} else if m.File != "" {
		fmt.Fprintf(w, "%s: %s: %s\n", m.File, kind, m.Text)
	} else {
		fmt.Fprintf(w, "%s: %s\n", kind, m.Text)
	}
	if m.LineText != "" && m.Line > 0 {
		gutter := fmt.Sprintf("%5d | ", m.Line)
		fmt.Fprintf(w, "%s%s\n", gutter, m.LineText)
		if col := m.Column - 1; col >= 0 && col <= len(m.LineText) {
			pad := strings.Map(func(r rune) rune {
				if r == '\t' {
					return '\t'
				}
				return ' '
			}, m.LineText[:col])
			fmt.Fprintf(w, "%s| %s^\n", strings.Repeat(" ", len(gutter)-2), pad)
		}
	}
	for _, n := range m.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

// firstFile names the file of the first message, for "fix X".
func firstFile(ms []build.Message) string {
	for _, m := range ms {
		if m.File != "" {
			return m.File
		}
	}
	return "the errors above"
}

// plural is the "s" of "2 files", so messages read naturally for one.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// printReport writes the size table: every file, then the total against
// the budget.
func printReport(w io.Writer, r build.Report) {
	t := newTable(w)
	t.row("FILE", "SIZE", "GZIP", "FROM")
	for _, f := range r.Files {
		t.row(f.Path, build.FormatSize(f.Size), build.FormatSize(f.Gzip), f.Origin)
	}
	budget := "no size budget"
	if r.BudgetKB > 0 {
		budget = fmt.Sprintf("%.0f%% of the %d KB budget", 100*float64(r.Total)/float64(int64(r.BudgetKB)*1024), r.BudgetKB)
	}
	t.row(fmt.Sprintf("total: %d file%s", len(r.Files), plural(len(r.Files))), build.FormatSize(r.Total), build.FormatSize(r.GzipTotal), budget)
	t.flush()
}

// buildOutput is what `govapp build --json` prints.
type buildOutput struct {
	AppID      string          `json:"app_id"`
	Version    string          `json:"version"`
	Out        string          `json:"out"`
	SourceMaps string          `json:"source_maps"`
	Files      []buildFileJSON `json:"files"`
	Total      int64           `json:"total"`
	GzipTotal  int64           `json:"gzip_total"`
	BudgetKB   int             `json:"size_budget_kb"`
}

type buildFileJSON struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Gzip   int64  `json:"gzip"`
	Origin string `json:"origin"`
}

// buildJSON shapes a build result for --json, with stable member names
// that scripts can rely on (the Go types of hotupdate/build may change).
func buildJSON(res *build.Result, out, maps string) buildOutput {
	o := buildOutput{AppID: res.Config.AppID, Version: res.Config.Version, Out: out, SourceMaps: maps,
		Files: []buildFileJSON{}, Total: res.Report.Total, GzipTotal: res.Report.GzipTotal, BudgetKB: res.Report.BudgetKB}
	for _, f := range res.Report.Files {
		o.Files = append(o.Files, buildFileJSON{Path: f.Path, Size: f.Size, Gzip: f.Gzip, Origin: f.Origin})
	}
	return o
}

// writeTree replaces the folder dir with files (bundle path → content). It
// refuses to empty a folder that holds files but no buildMarker: that
// folder was not made by govapp build and may be the developer's work.
func writeTree(dir string, files map[string][]byte) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("write %s: %w", dir, err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, buildMarker)); err != nil {
			return fmt.Errorf("%s is not empty and was not written by 'govapp build'; choose another --out or empty it", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("empty %s: %w", dir, err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, buildMarker), []byte("written by govapp build; emptied on every build\n"), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", dir, err)
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", full, err)
		}
		if err := os.WriteFile(full, files[p], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", full, err)
		}
	}
	return nil
}

// relaxGC turns the collector off for a one-shot build, as esbuild's own command line does:
// a build allocates a burst and exits, and collecting mid-way only costs time. The memory
// limit brings the collector back should a huge project need it.
func relaxGC() {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(2 << 30)
}
