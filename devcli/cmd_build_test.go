package devcli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuildWritesDistAndMaps(t *testing.T) {
	isolate(t)
	dir := writeApp(t, nil)
	stdout, stderr := mustRun(t, 0, "build", "--dir", dir)
	if stderr != "" {
		t.Errorf("stderr = %q", stderr)
	}
	for _, want := range []string{"FILE", "index.html", "logo.png", "public", "bundle", "total: 6 files", "of the 500 KB budget", "Wrote housing-fund 1.0.0 to " + filepath.Join(dir, "dist")} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "dist", "index.html"))
	if err != nil || !strings.Contains(string(page), `<script src="assets/main-`) {
		t.Errorf("dist/index.html = %q (%v)", page, err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "dist", "data", "a.json")); err != nil || string(data) != `{"a":1}` {
		t.Errorf("public file = %q (%v)", data, err)
	}
	maps, _ := filepath.Glob(filepath.Join(dir, "dist-maps", "assets", "*.map"))
	inDist, _ := filepath.Glob(filepath.Join(dir, "dist", "assets", "*.map"))
	if len(maps) != 2 || len(inDist) != 0 {
		t.Errorf("maps in dist-maps %v, in dist %v", maps, inDist)
	}

	// A rebuild after a change replaces dist: no stale hashed files.
	os.WriteFile(filepath.Join(dir, "src", "main.ts"), []byte("document.title = 'x';\n"), 0o644)
	mustRun(t, 0, "build", "--dir", dir)
	scripts, _ := filepath.Glob(filepath.Join(dir, "dist", "assets", "main-*.js"))
	if len(scripts) != 1 {
		t.Errorf("scripts in dist after a rebuild: %v", scripts)
	}

	// --json and --out.
	out := filepath.Join(t.TempDir(), "www")
	stdout, _ = mustRun(t, 0, "build", "--dir", dir, "--out", out, "--json")
	var got buildOutput
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("--json = %q: %v", stdout, err)
	}
	if got.AppID != "housing-fund" || got.Out != out || got.SourceMaps != out+"-maps" || len(got.Files) != 5 || got.Total <= 0 || got.BudgetKB != 500 {
		t.Errorf("--json = %+v", got)
	}
	if _, err := os.Stat(filepath.Join(out, "index.html")); err != nil {
		t.Error(err)
	}
}

func TestBuildRefusesToEmptyAForeignFolder(t *testing.T) {
	isolate(t)
	dir := writeApp(t, nil)
	_, stderr := mustRun(t, ExitFailure, "build", "--dir", dir, "--out", filepath.Join(dir, "src"))
	if !strings.Contains(stderr, "is not empty and was not written by 'govapp build'") {
		t.Errorf("stderr = %q", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "src", "main.ts")); err != nil {
		t.Errorf("the sources are gone: %v", err)
	}
}

func TestBuildErrors(t *testing.T) {
	isolate(t)
	dir := writeApp(t, map[string]string{"src/main.ts": "import './style.css';\nconst who: string = '市民'\nwho +;\n"})
	stdout, stderr := mustRun(t, ExitFailure, "build", "--dir", dir)
	want := "src/main.ts:3:6: error: Unexpected \";\"\n    3 | who +;\n      |      ^\n"
	if !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "error: build failed with 1 error; fix src/main.ts") {
		t.Errorf("stderr = %q, want it to start with %q", stderr, want)
	}
	if stdout != "" {
		t.Errorf("stdout = %q", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "dist")); err == nil {
		t.Error("dist written by a failed build")
	}

	dir = writeApp(t, map[string]string{"govapp.json": `{"app_id": "Housing", "name": "x", "version": "1", "scripts": ["src/main.ts"], "sript": 1}`})
	_, stderr = mustRun(t, ExitFailure, "build", "--dir", dir)
	if !strings.Contains(stderr, "govapp.json: sript: unknown member") {
		t.Errorf("stderr = %q", stderr)
	}
	dir = writeApp(t, map[string]string{"govapp.json": `{"app_id": "Housing", "name": "x", "version": "1", "scripts": ["src/main.ts"]}`})
	_, stderr = mustRun(t, ExitFailure, "build", "--dir", dir)
	if !strings.Contains(stderr, `app_id: "Housing" must be`) {
		t.Errorf("stderr = %q", stderr)
	}
	_, stderr = mustRun(t, ExitFailure, "build", "--dir", t.TempDir())
	if !strings.Contains(stderr, "govapp.json: not found") {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestBuildOverBudget(t *testing.T) {
	isolate(t)
	dir := writeApp(t, map[string]string{
		"govapp.json":    `{"app_id": "housing-fund", "name": "x", "version": "1", "scripts": ["src/main.ts"], "size_budget_kb": 1}`,
		"public/big.txt": strings.Repeat("公积金", 400),
	})
	stdout, stderr := mustRun(t, ExitFailure, "build", "--dir", dir)
	if !strings.Contains(stdout, "big.txt") || !strings.Contains(stdout, "of the 1 KB budget") {
		t.Errorf("no report on stdout: %q", stdout)
	}
	if !strings.Contains(stderr, "over the size budget of 1 KB (size_budget_kb in govapp.json)") {
		t.Errorf("stderr = %q", stderr)
	}
}
