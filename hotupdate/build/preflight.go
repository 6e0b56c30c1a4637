package build

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Problem is one thing preflight found: `govapp dev` prints it as a warning, `govapp build`
// fails on it.
type Problem struct {
	File string // where it was found, relative to the project ("" for the project)
	Line int    // 1-based; 0 when not tied to a line
	Msg  string
}

func (p Problem) String() string {
	switch {
	case p.File == "":
		return p.Msg
	case p.Line == 0:
		return p.File + ": " + p.Msg
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
}

// apiPermission says which jsapi_permissions each sdk-js call needs (docs: sdk-js README).
var apiPermission = map[string][]string{
	"scan":        {"scan"},
	"getLocation": {"location"},
	"chooseImage": {"camera", "album"}, // either one
	"share":       {"share"},
	"phoneCall":   {"phone_call"},
}

// unavailable lists calls a container cannot serve at all (sdk-js answers "unsupported").
var unavailable = map[string][]string{
	"web": {"scan"},
}

var (
	reCall     = regexp.MustCompile(`govapp\??\.\s*(scan|getLocation|chooseImage|share|phoneCall)\s*\(`)
	reViewport = regexp.MustCompile(`(?is)<meta[^>]+name\s*=\s*["']viewport["'][^>]*>`)
	reNoZoom   = regexp.MustCompile(`(?i)user-scalable\s*=\s*(no|0)|maximum-scale\s*=\s*1(\.0*)?\b`)
)

// Preflight checks a project before it ships: device features used without being declared in
// govapp.json, features one of the app's containers cannot offer, and pages that forbid
// zooming without the elder-friendly mode (适老化) offered instead. It reads sources, so it
// sees calls the way the developer wrote them (govapp.scan(…), window.govapp?.share(…)).
// containers are the app's registered containers ("" = unknown: that check is skipped).
func Preflight(dir string, cfg *Config, containers []string) ([]Problem, error) {
	var problems []Problem
	used := map[string]Problem{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == "node_modules" || name == "dist" || name == "dist-maps" || strings.HasPrefix(name, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		ext := strings.ToLower(filepath.Ext(name))
		if !slices.Contains([]string{".js", ".mjs", ".ts", ".tsx", ".jsx", ".vue", ".html", ".htm"}, ext) {
			return nil
		}
		b, err := readLimited(path, 4<<20)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		for _, m := range reCall.FindAllSubmatchIndex(b, -1) {
			call := string(b[m[2]:m[3]])
			if _, seen := used[call]; !seen {
				used[call] = Problem{File: rel, Line: 1 + strings.Count(string(b[:m[0]]), "\n")}
			}
		}
		if (ext == ".html" || ext == ".htm") && rel == cfg.Entry {
			if vp := reViewport.Find(b); vp != nil && reNoZoom.Match(vp) && !strings.Contains(string(b), "data-govapp-elder") {
				problems = append(problems, Problem{File: rel, Line: 1 + strings.Count(string(b[:reViewport.FindIndex(b)[0]]), "\n"),
					Msg: "the viewport forbids zooming (user-scalable=no / maximum-scale=1) and the page offers no elder-friendly mode (an element with data-govapp-elder); allow zoom or add the large-font switch (适老化)"})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	calls := make([]string, 0, len(used))
	for c := range used {
		calls = append(calls, c)
	}
	sort.Strings(calls)
	for _, call := range calls {
		at := used[call]
		need := apiPermission[call]
		ok := false
		for _, p := range need {
			if slices.Contains(cfg.JSAPIPermissions, p) {
				ok = true
			}
		}
		if !ok {
			problems = append(problems, Problem{File: at.File, Line: at.Line,
				Msg: fmt.Sprintf("govapp.%s needs %s in jsapi_permissions of govapp.json; without it the call is refused at run time", call, strings.Join(need, " or "))})
		}
		for _, c := range containers {
			if slices.Contains(unavailable[c], call) {
				problems = append(problems, Problem{File: at.File, Line: at.Line,
					Msg: fmt.Sprintf("govapp.%s is not available in the %s container the app runs in; offer another way there (check govapp.getSystemInfo().container)", call, c)})
			}
		}
	}
	return problems, nil
}

func readLimited(path string, max int64) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		b = b[:max]
	}
	return b, nil
}
