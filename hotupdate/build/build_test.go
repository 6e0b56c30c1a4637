package build

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// writeProject creates files (path → content) under a new temp dir and
// returns it.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// pngBytes is not a real image; the file loader does not care.
const pngBytes = "\x89PNG\r\n\x1a\nnot-really-an-image"

// sampleProject is a small TS + CSS + image app.
func sampleProject() map[string]string {
	return map[string]string{
		"govapp.json": `{"app_id": "housing-fund", "name": "住房公积金", "version": "1.0.0",
		  "entry": "index.html", "scripts": ["src/main.ts"], "public": "public",
		  "min_container": {"govapp": "3.0.0"}, "size_budget_kb": 500}`,
		"index.html": "<!doctype html>\n<html>\n  <head>\n    <title>公积金</title>\n  </head>\n  <body>\n    <div id=\"app\"></div>\n  </body>\n</html>\n",
		"src/main.ts": `import logo from "../img/logo.png";
import "./style.css";
import { greet } from "./greet";

interface Options { name?: string }
const opts: Options = {};
const name = opts.name ?? "市民";
const { a, ...rest } = { a: 1, b: 2 };
document.getElementById("app")!.innerHTML = greet(name) + '<img src="' + logo + '">' + JSON.stringify(rest) + a;
`,
		"src/greet.ts":             "export function greet(who: string): string { return `你好，${who}`; }\n",
		"src/style.css":            "body { background: url(../img/logo.png) no-repeat; color: #333333; }\n",
		"img/logo.png":             pngBytes,
		"public/favicon.ico":       "ICO",
		"public/data/regions.json": `{"330100": "杭州市"}`,
		"public/.DS_Store":         "junk",
		"public/.git/HEAD":         "junk",
	}
}

func TestBuildTypeScriptCSSAndImage(t *testing.T) {
	dir := writeProject(t, sampleProject())
	res, err := Build(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	paths := slices.Sorted(maps.Keys(res.Files))
	var logo, css, js string
	for _, p := range paths {
		switch {
		case regexp.MustCompile(`^assets/logo-[A-Z0-9]{8}\.png$`).MatchString(p):
			logo = p
		case regexp.MustCompile(`^assets/main-[A-Z0-9]{8}\.css$`).MatchString(p):
			css = p
		case regexp.MustCompile(`^assets/main-[A-Z0-9]{8}\.js$`).MatchString(p):
			js = p
		case p == "data/regions.json", p == "favicon.ico", p == "index.html":
		default:
			t.Errorf("unexpected file %q", p)
		}
	}
	if len(paths) != 6 || logo == "" || css == "" || js == "" {
		t.Fatalf("files = %v", paths)
	}

	if got := string(res.Files[logo]); got != pngBytes {
		t.Errorf("image = %q", got)
	}
	if got := string(res.Files["favicon.ico"]); got != "ICO" {
		t.Errorf("public file = %q", got)
	}

	// Lowered to ES2017, minified, an IIFE, no source map reference.
	code := string(res.Files[js])
	if !strings.HasPrefix(code, "(()=>{") {
		t.Errorf("JS is not an IIFE: %.80s", code)
	}
	for _, bad := range []string{"??", "...", "interface", "sourceMappingURL", "\n  "} {
		if strings.Contains(code, bad) {
			t.Errorf("JS contains %q: %s", bad, code)
		}
	}
	// The image URL the script sees is relative to index.html.
	if !strings.Contains(code, `"assets/"`) || !strings.Contains(code, strings.TrimPrefix(logo, "assets/")) {
		t.Errorf("JS does not build the image URL from assets/: %s", code)
	}
	// The stylesheet's url() is relative to the stylesheet.
	if sheet := string(res.Files[css]); !strings.Contains(sheet, `url("./`+strings.TrimPrefix(logo, "assets/")+`")`) || strings.Contains(sheet, "sourceMappingURL") {
		t.Errorf("CSS = %s", sheet)
	}

	page := string(res.Files["index.html"])
	wantPage := "<!doctype html>\n<html>\n  <head>\n    <title>公积金</title>\n" +
		`    <link rel="stylesheet" href="` + css + "\">\n  </head>\n  <body>\n    <div id=\"app\"></div>\n" +
		`    <script src="` + js + "\"></script>\n  </body>\n</html>\n"
	if page != wantPage {
		t.Errorf("index.html =\n%s\nwant\n%s", page, wantPage)
	}

	if len(res.SourceMaps) != 2 || res.SourceMaps[js+".map"] == nil || res.SourceMaps[css+".map"] == nil {
		t.Errorf("source maps = %v", slices.Sorted(maps.Keys(res.SourceMaps)))
	}
	if m := string(res.SourceMaps[js+".map"]); !strings.Contains(m, `"../../src/main.ts"`) || strings.Contains(m, dir) {
		t.Errorf("JS source map sources: %s", m)
	}

	var total int64
	for _, f := range res.Report.Files {
		if int64(len(res.Files[f.Path])) != f.Size || f.Gzip <= 0 {
			t.Errorf("report %+v", f)
		}
		total += f.Size
	}
	if len(res.Report.Files) != len(res.Files) || res.Report.Total != total || res.Report.BudgetKB != 500 || res.Report.GzipTotal <= 0 {
		t.Errorf("report = %+v", res.Report)
	}
	if res.Config.AppID != "housing-fund" || res.Config.MinContainer["govapp"] != "3.0.0" {
		t.Errorf("config = %+v", res.Config)
	}
	if res.Metafile == "" {
		t.Error("no metafile")
	}
}

func TestBuildDeterministic(t *testing.T) {
	// Two copies in different folders: the output must not depend on where
	// the project is, nor on the run.
	a, err := Build(Options{Dir: writeProject(t, sampleProject())})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		b, err := Build(Options{Dir: writeProject(t, sampleProject())})
		if err != nil {
			t.Fatal(err)
		}
		if !maps.EqualFunc(a.Files, b.Files, bytes.Equal) {
			t.Errorf("run %d: files differ: %v vs %v", i, slices.Sorted(maps.Keys(a.Files)), slices.Sorted(maps.Keys(b.Files)))
		}
		if !maps.EqualFunc(a.SourceMaps, b.SourceMaps, bytes.Equal) {
			t.Errorf("run %d: source maps differ", i)
		}
	}
}

func TestBuildChangingOneFileChangesOnlyItsOutputs(t *testing.T) {
	p := sampleProject()
	a, err := Build(Options{Dir: writeProject(t, p)})
	if err != nil {
		t.Fatal(err)
	}
	p["src/greet.ts"] = "export function greet(who: string): string { return `您好，${who}`; }\n"
	b, err := Build(Options{Dir: writeProject(t, p)})
	if err != nil {
		t.Fatal(err)
	}
	var changed []string
	for path, data := range b.Files {
		if !bytes.Equal(a.Files[path], data) {
			changed = append(changed, path)
		}
	}
	slices.Sort(changed)
	// The script (new name, new bytes) and the page that points at it.
	if len(changed) != 2 || !strings.HasPrefix(changed[0], "assets/main-") || !strings.HasSuffix(changed[0], ".js") || changed[1] != "index.html" {
		t.Errorf("changed = %v", changed)
	}
}

func TestBuildBudgetExceeded(t *testing.T) {
	p := sampleProject()
	p["govapp.json"] = `{"app_id": "housing-fund", "name": "住房公积金", "version": "1.0.0", "scripts": ["src/main.ts"], "size_budget_kb": 2}`
	p["public/big.bin"] = strings.Repeat("x", 3000)
	res, err := Build(Options{Dir: writeProject(t, p)})
	var be *BudgetError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a *BudgetError", err)
	}
	if res == nil || res.Report.Total != be.Total || be.Total <= 2048 || be.BudgetKB != 2 {
		t.Fatalf("res = %v, err = %+v", res, be)
	}
	msg := err.Error()
	for _, want := range []string{"size budget of 2 KB", "size_budget_kb in govapp.json", "big.bin 2.9 KB"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if be.Largest[0].Path != "big.bin" {
		t.Errorf("largest = %+v", be.Largest)
	}
}

func TestBuildCompileError(t *testing.T) {
	p := sampleProject()
	p["src/greet.ts"] = "export function greet(who: string): string {\n  return who +;\n}\n"
	_, err := Build(Options{Dir: writeProject(t, p)})
	var be *Error
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if len(be.Messages) == 0 || be.Messages[0].File != "src/greet.ts" || be.Messages[0].Line != 2 {
		t.Fatalf("messages = %+v", be.Messages)
	}
	if !strings.Contains(err.Error(), "src/greet.ts:2:") {
		t.Errorf("error = %q", err)
	}

	p = sampleProject()
	p["src/main.ts"] = `import "./missing";`
	_, err = Build(Options{Dir: writeProject(t, p)})
	if !errors.As(err, &be) || !strings.Contains(err.Error(), `src/main.ts:1:8: Could not resolve "./missing"`) {
		t.Errorf("err = %v", err)
	}
}

func TestBuildEntryInSubfolderAndMarker(t *testing.T) {
	p := sampleProject()
	p["govapp.json"] = `{"app_id": "housing-fund", "name": "x", "version": "1", "entry": "pages/home.html", "scripts": ["src/main.ts"]}`
	p["pages/home.html"] = "<html><head>\n\t<!-- govapp:assets -->\n</head><body></body></html>"
	res, err := Build(Options{Dir: writeProject(t, p)})
	if err != nil {
		t.Fatal(err)
	}
	page := string(res.Files["pages/home.html"])
	if !regexp.MustCompile(`^<html><head>\n\t<link rel="stylesheet" href="\.\./assets/main-\w+\.css">\n\t<script src="\.\./assets/main-\w+\.js"></script>\n</head><body></body></html>$`).MatchString(page) {
		t.Errorf("page = %q", page)
	}
	for path, data := range res.Files {
		if strings.HasSuffix(path, ".js") && !strings.Contains(string(data), `"../assets/"`) {
			t.Errorf("JS image prefix not relative to pages/: %s", data)
		}
	}
	if _, ok := res.Files["index.html"]; ok {
		t.Error("index.html shipped although it is not the entry")
	}
}

func TestBuildWithoutScripts(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"govapp.json":  `{"app_id": "micro-site", "name": "微网站", "version": "2"}`,
		"index.html":   "<p>你好<!--govapp:assets--></p>",
		"public/a.css": "p{}",
	})
	res, err := Build(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(res.Files)); !slices.Equal(got, []string{"a.css", "index.html"}) {
		t.Errorf("files = %v", got)
	}
	if got := string(res.Files["index.html"]); got != "<p>你好</p>" {
		t.Errorf("page = %q", got)
	}
}

func TestBuildConfigInMemory(t *testing.T) {
	dir := writeProject(t, map[string]string{"index.html": "<p></p>"})
	res, err := Build(Options{Dir: dir, Config: &Config{AppID: "demo-app", Name: "Demo", Version: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || res.Config.Entry != "index.html" {
		t.Errorf("res = %+v", res)
	}
	if _, err := Build(Options{Dir: dir, Config: &Config{AppID: "x", Name: "Demo", Version: "1"}}); err == nil || !strings.Contains(err.Error(), "app_id") {
		t.Errorf("bad in-memory config: err = %v", err)
	}
}

func TestBuildPathClash(t *testing.T) {
	p := sampleProject()
	p["public/Index.html"] = "<p>other</p>"
	_, err := Build(Options{Dir: writeProject(t, p)})
	if err == nil || !strings.Contains(err.Error(), "public file Index.html") || !strings.Contains(err.Error(), "rename one") {
		t.Errorf("err = %v", err)
	}
}

func TestBuildConfigErrors(t *testing.T) {
	files := func(conf string) map[string]string {
		p := sampleProject()
		p["govapp.json"] = conf
		return p
	}
	const base = `"app_id": "housing-fund", "name": "n", "version": "1.0.0"`
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"missing file", map[string]string{"index.html": ""}, []string{"govapp.json: not found"}},
		{"syntax", files("{\n" + base + ",\n}"), []string{"not valid JSON at line 3"}},
		{"not an object", files(`[]`), []string{"want a JSON object"}},
		{"unknown member", files(`{` + base + `, "script": ["a.ts"]}`), []string{`govapp.json: script: unknown member`, "scripts"}},
		{"wrong type", files(`{` + base + `, "scripts": "src/main.ts"}`), []string{"govapp.json: scripts: want a list of strings, got string"}},
		{"budget type", files(`{` + base + `, "size_budget_kb": "500"}`), []string{"size_budget_kb: want a whole number"}},
		{"required", files(`{}`), []string{"app_id: required", "name: required", "version: required"}},
		{"app id", files(`{"app_id": "Housing_Fund", "name": "n", "version": "1"}`), []string{`app_id: "Housing_Fund" must be`}},
		{"version", files(`{"app_id": "abc", "name": "n", "version": "v 1"}`), []string{`version: "v 1" must be`}},
		{"entry ext", files(`{` + base + `, "entry": "main.js"}`), []string{`entry: "main.js" must be an .html file`}},
		{"entry escapes", files(`{` + base + `, "entry": "../index.html"}`), []string{`entry: "../index.html": must stay inside the project`}},
		{"entry missing", files(`{` + base + `, "entry": "home.html"}`), []string{"entry: home.html does not exist"}},
		{"script ext", files(`{` + base + `, "scripts": ["src/main.ts", "img/logo.png"]}`), []string{"scripts[1]", "must end in .js"}},
		{"script missing", files(`{` + base + `, "scripts": ["src/nope.ts"]}`), []string{"scripts[0]: src/nope.ts does not exist"}},
		{"script absolute", files(`{` + base + `, "scripts": ["/src/main.ts"]}`), []string{"scripts[0]", "relative to the project root"}},
		{"public missing", files(`{` + base + `, "public": "static"}`), []string{"public: folder static does not exist"}},
		{"container kind", files(`{` + base + `, "min_container": {"dingtalk": "1.0"}}`), []string{"min_container.dingtalk: unknown container kind"}},
		{"container version", files(`{` + base + `, "min_container": {"govapp": "3.x"}}`), []string{`min_container.govapp: "3.x" must be a dotted version`}},
		{"container type", files(`{` + base + `, "min_container": {"govapp": 3}}`), []string{"min_container: want a string, got number"}},
		{"budget", files(`{` + base + `, "size_budget_kb": -1}`), []string{"size_budget_kb: must be 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(Options{Dir: writeProject(t, tt.files)})
			if err == nil {
				t.Fatal("no error")
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("err %T is not a *ConfigError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestInjectAssets(t *testing.T) {
	tags := []tag{{path: "assets/a.css", style: true}, {path: "assets/a.js"}}
	tests := []struct{ in, want string }{
		{"<html><head></head><body></body></html>",
			`<html><head><link rel="stylesheet" href="assets/a.css"></head><body><script src="assets/a.js"></script></body></html>`},
		{"<HTML><HEAD></HEAD><BODY></BODY></HTML>",
			`<HTML><HEAD><link rel="stylesheet" href="assets/a.css"></HEAD><BODY><script src="assets/a.js"></script></BODY></HTML>`},
		{"<p>no tags</p>",
			"<p>no tags</p>\n<link rel=\"stylesheet\" href=\"assets/a.css\">\n<script src=\"assets/a.js\"></script>\n"},
		{"<body><p></p></body>",
			`<body><p></p><link rel="stylesheet" href="assets/a.css"><script src="assets/a.js"></script></body>`},
		{"<head>\n  <!-- govapp:assets -->\n</head>",
			"<head>\n  <link rel=\"stylesheet\" href=\"assets/a.css\">\n  <script src=\"assets/a.js\"></script>\n</head>"},
	}
	for _, tt := range tests {
		if got := string(injectAssets([]byte(tt.in), tags, "")); got != tt.want {
			t.Errorf("injectAssets(%q) =\n%q\nwant\n%q", tt.in, got, tt.want)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KB", 1536: "1.5 KB", 5 << 20: "5.0 MB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestBuildRefusesPublicFilesNoBundleMayHold(t *testing.T) {
	p := sampleProject()
	p["public/a:b.txt"] = "x"
	_, err := Build(Options{Dir: writeProject(t, p)})
	if err == nil || !strings.Contains(err.Error(), "public file public/a:b.txt cannot be in a bundle") {
		t.Errorf("err = %v", err)
	}
}

func TestBuildStylesheetAndTwoScripts(t *testing.T) {
	p := sampleProject()
	p["govapp.json"] = `{"app_id": "housing-fund", "name": "x", "version": "1", "scripts": ["src/theme.css", "src/main.ts", "src/extra/main.js"]}`
	p["src/theme.css"] = ":root { --brand: #c00; }\n"
	p["src/extra/main.js"] = "window.extra = 1;\n"
	res, err := Build(Options{Dir: writeProject(t, p)})
	if err != nil {
		t.Fatal(err)
	}
	page := string(res.Files["index.html"])
	// Tags follow the order of scripts: theme first, then main's own CSS;
	// main's script before the other main's.
	re := regexp.MustCompile(`href="assets/theme-\w+\.css">\n    <link rel="stylesheet" href="assets/main-\w+\.css">\n  </head>` +
		`[\s\S]*<script src="(assets/main-\w+\.js)"></script>\n    <script src="(assets/main-\w+\.js)"></script>\n  </body>`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("page =\n%s", page)
	}
	if !strings.Contains(string(res.Files[m[1]]), "getElementById") || !strings.Contains(string(res.Files[m[2]]), "extra") {
		t.Errorf("script order: %s then %s", res.Files[m[1]], res.Files[m[2]])
	}
}

// A project with npm dependencies but no node_modules is told to run npm install, by Build
// and by the dev build alike; once node_modules is there, bare imports resolve from it and
// process.env.NODE_ENV is the build's mode.
func TestBuildNPMDependencies(t *testing.T) {
	files := sampleProject()
	files["package.json"] = `{"dependencies": {"tiny": "1.0.0"}}`
	files["src/greet.ts"] = "import { hi } from 'tiny';\nexport function greet(who: string): string { return hi(who) + process.env.NODE_ENV; }\n"
	dir := writeProject(t, files)
	_, err := Build(Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "npm install") {
		t.Fatalf("Build without node_modules: %v, want a hint to run npm install", err)
	}
	dev, err := NewDev(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	if _, err := dev.Rebuild(); err == nil || !strings.Contains(err.Error(), "npm install") {
		t.Fatalf("dev Rebuild without node_modules: %v, want a hint to run npm install", err)
	}
	for p, c := range map[string]string{
		"node_modules/tiny/package.json": `{"name": "tiny", "main": "index.js"}`,
		"node_modules/tiny/index.js":     "exports.hi = function (w) { return 'hi ' + w + ' '; };\n",
	} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Build(Options{Dir: dir})
	if err != nil {
		t.Fatalf("Build with node_modules: %v", err)
	}
	var js string
	for p, b := range res.Files {
		if strings.HasSuffix(p, ".js") {
			js += string(b)
		}
	}
	if !strings.Contains(js, "hi ") || !strings.Contains(js, `"production"`) || strings.Contains(js, "process.env") {
		t.Errorf("the bundle did not take tiny from node_modules with NODE_ENV set:\n%s", js)
	}
}
