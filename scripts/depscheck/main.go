// Command depscheck enforces the import arrows of docs/ARCHITECTURE.md
// (DESIGN.md "Arrows") so that the layering cannot erode one convenient
// import at a time. It runs `go list -e -json` on the module's own package
// patterns (never ./..., so node_modules is not walked), checks every import
// of every package against the rules in Check, prints one line per violation
// and exits 1, or prints "depscheck: ok (N packages)".
//
// Usage: go run ./scripts/depscheck [package patterns...]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// defaultPatterns are the module's top-level Go trees; a pattern whose
// directory does not exist (yet) is skipped.
var defaultPatterns = []string{
	"./platform/...", "./devcli/...", "./hotupdate/...", "./templates/...",
	"./sandbox/...", "./bench/...", "./scripts/...",
}

// Package is the part of `go list -json` output that the rules look at.
type Package struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// Violation is one import that breaks a rule.
type Violation struct {
	Pkg  string // importing package, relative to the module ("platform/internal/push")
	Imp  string // imported package, full path
	Msg  string // the rule and the fix
	Test bool   // the import appears only in _test.go files
}

// String formats the violation as depscheck prints it.
func (v Violation) String() string {
	where := ""
	if v.Test {
		where = " (in _test.go files)"
	}
	return fmt.Sprintf("depscheck: %s imports %s%s: %s", v.Pkg, v.Imp, where, v.Msg)
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run lists the packages, checks them and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	patterns := args
	if len(patterns) == 0 {
		for _, p := range defaultPatterns {
			dir := strings.TrimSuffix(strings.TrimSuffix(p, "/..."), "/")
			if st, err := os.Stat(filepath.FromSlash(dir)); err == nil && st.IsDir() {
				patterns = append(patterns, p)
			}
		}
	}
	if len(patterns) == 0 {
		fmt.Fprintln(stderr, "depscheck: no package directories found; run it from the module root")
		return 2
	}
	module, err := goOutput("list", "-m")
	if err != nil {
		fmt.Fprintf(stderr, "depscheck: go list -m: %v\n", err)
		return 2
	}
	module = strings.TrimSpace(module)
	out, err := goOutput(append([]string{"list", "-e", "-json"}, patterns...)...)
	if err != nil {
		fmt.Fprintf(stderr, "depscheck: go list: %v\n", err)
		return 2
	}
	pkgs, err := decodePackages(strings.NewReader(out))
	if err != nil {
		fmt.Fprintf(stderr, "depscheck: reading go list output: %v\n", err)
		return 2
	}
	vs := Check(module, pkgs)
	for _, v := range vs {
		fmt.Fprintln(stdout, v)
	}
	if len(vs) > 0 {
		fmt.Fprintf(stdout, "depscheck: %d violation(s); the arrows are in docs/ARCHITECTURE.md\n", len(vs))
		return 1
	}
	fmt.Fprintf(stdout, "depscheck: ok (%d packages)\n", len(pkgs))
	return 0
}

// goOutput runs the go command and returns its standard output.
func goOutput(args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// decodePackages reads the stream of JSON objects `go list -json` prints.
// Entries for patterns that matched nothing (import path "./...") are
// dropped; packages with compile errors are kept, since their imports are
// still known.
func decodePackages(r io.Reader) ([]Package, error) {
	dec := json.NewDecoder(r)
	var pkgs []Package
	for {
		var p Package
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, err
		}
		if p.ImportPath == "" || strings.HasPrefix(p.ImportPath, ".") {
			continue
		}
		pkgs = append(pkgs, p)
	}
}

// Check returns the violations of the import rules by pkgs, whose import
// paths start with module. Each (package, import) pair is reported once,
// under the first rule it breaks. The result is sorted.
func Check(module string, pkgs []Package) []Violation {
	var vs []Violation
	for _, p := range pkgs {
		rel, ok := relPath(module, p.ImportPath)
		if !ok {
			continue // not ours
		}
		prod := set(p.Imports)
		all := map[string]bool{}
		for _, l := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
			for _, imp := range l {
				all[imp] = true
			}
		}
		imps := make([]string, 0, len(all))
		for imp := range all {
			imps = append(imps, imp)
		}
		sort.Strings(imps)
		for _, imp := range imps {
			if msg := rule(module, rel, imp, !prod[imp]); msg != "" {
				vs = append(vs, Violation{Pkg: rel, Imp: imp, Msg: msg, Test: !prod[imp]})
			}
		}
	}
	sort.Slice(vs, func(i, j int) bool {
		if vs[i].Pkg != vs[j].Pkg {
			return vs[i].Pkg < vs[j].Pkg
		}
		return vs[i].Imp < vs[j].Imp
	})
	return vs
}

// Package groups used by the rules, relative to the module root.
var (
	// netHTTPAllowed may import net/http in non-test files: the HTTP layer,
	// the clients of outside services, the blob store (S3 later), the device
	// log relay, the public client, the server root, the CLI, the fakes of
	// the outside, and the benchmarks.
	netHTTPAllowed = []string{
		"platform/internal/httpapi", "platform/internal/ext", "platform/internal/blob",
		"platform/internal/devrelay", "platform/client", "devcli", "sandbox", "bench", "platform/bench",
	}
	// notDomains are the directories under platform/internal that are not
	// domain packages (layers, shared bases, helpers).
	notDomains = set([]string{"httpapi", "db", "errs", "ext", "blob", "audit", "identity", "apps", "demo", "dbtest"})
	// domainMayImport are the platform/internal packages any domain may import.
	domainMayImport = set([]string{"identity", "apps", "audit", "db", "errs", "blob", "ext", "dbtest"})
)

// rule returns why importing imp from the package at rel (relative to the
// module) is not allowed and what to do instead, or "" when it is allowed.
// testOnly says that only _test.go files import it.
func rule(module, rel, imp string, testOnly bool) string {
	impRel, ours := relPath(module, imp)

	// The root of the WeChat SDK turns the global logrus logger to debug.
	if imp == "github.com/silenceper/wechat/v2" {
		return "the root package of silenceper/wechat sets the global logrus level to debug; import its subpackage (github.com/silenceper/wechat/v2/officialaccount ...) and build it with officialaccount.NewOfficialAccount"
	}

	// The sandbox fakes the outside; it must not know the platform.
	if under(rel, "sandbox") {
		switch {
		case ours && under(impRel, "sandbox"):
			return ""
		case ours:
			return "sandbox fakes the outside world and must not know the platform; copy the few constants it needs, or move shared protocol code into sandbox/"
		case !isStd(imp):
			return "sandbox may import only the standard library; reimplement the piece with the standard library"
		}
	}

	// hotupdate is the bundle format: no HTTP, no database, no platform.
	if under(rel, "hotupdate") {
		switch {
		case ours && under(impRel, "platform"):
			return "hotupdate is the bundle format shared by the platform and the CLI and must not depend on the platform; move the code that needs the platform into platform/internal/releases"
		case imp == "database/sql" || strings.HasPrefix(imp, "database/sql/"):
			return "hotupdate must not touch a database; return values and let the platform's store persist them"
		case !testOnly && under(imp, "net/http"):
			return "hotupdate must not speak HTTP; take an io.Reader or fs.FS and let the caller fetch"
		}
	}

	// echo lives only in the HTTP layer.
	if under(imp, "github.com/labstack/echo") && !under(rel, "platform/internal/httpapi") {
		return "echo may be imported only under platform/internal/httpapi; take plain values (or an http.Handler from httpapi.New) instead of echo types"
	}

	// net/http only at the edges.
	if !testOnly && under(imp, "net/http") && rel != "platform" && !underAny(rel, netHTTPAllowed) {
		return "net/http may be imported only by platform (root), platform/internal/{httpapi,ext,blob,devrelay}, platform/client, devcli, sandbox, bench and platform/bench; return values and domain errors and let platform/internal/httpapi speak HTTP"
	}

	// Domain packages do not import each other, except the bases.
	if dom, ok := domainOf(rel); ok && ours {
		if other, ok := internalDir(impRel); ok && other != dom && !domainMayImport[other] {
			return "a domain package may import only the base ones (platform/internal/{identity,apps,audit,db,errs,blob,ext}); pass IDs and plain values instead of platform/internal/" + other + " types, or combine the two domains in platform/internal/httpapi"
		}
	}
	return ""
}

// domainOf returns the domain of a package under platform/internal/<domain>,
// or false when rel is not in a domain.
func domainOf(rel string) (string, bool) {
	d, ok := internalDir(rel)
	if !ok || notDomains[d] {
		return "", false
	}
	return d, true
}

// internalDir returns the first directory under platform/internal of rel.
func internalDir(rel string) (string, bool) {
	const prefix = "platform/internal/"
	if !strings.HasPrefix(rel, prefix) {
		return "", false
	}
	d, _, _ := strings.Cut(strings.TrimPrefix(rel, prefix), "/")
	return d, d != ""
}

// relPath returns path relative to module, and whether it is in the module.
func relPath(module, path string) (string, bool) {
	if path == module {
		return ".", true
	}
	if strings.HasPrefix(path, module+"/") {
		return strings.TrimPrefix(path, module+"/"), true
	}
	return "", false
}

// under reports whether path is prefix or below it.
func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// underAny reports whether path is under one of prefixes.
func underAny(path string, prefixes []string) bool {
	for _, p := range prefixes {
		if under(path, p) {
			return true
		}
	}
	return false
}

// isStd reports whether an import path belongs to the standard library: its
// first element has no dot, as the go command decides too.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// set makes a membership map.
func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}
