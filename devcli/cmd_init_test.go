package devcli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govapp/govapp/internal/testenv"
	"github.com/govapp/govapp/templates"
)

// TestInitThenBuild creates a project from every template without a terminal and builds it.
func TestInitThenBuild(t *testing.T) {
	isolate(t)
	for _, tmpl := range templates.Names() {
		t.Run(tmpl, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "demo-"+tmpl)
			stdout, stderr := mustRun(t, 0, "init", "demo-"+tmpl, "--template", tmpl, "--dir", dir, "--name", "示例 \"应用\"")
			if stderr != "" {
				t.Errorf("stderr = %q", stderr)
			}
			for _, want := range []string{"cd " + dir, "govapp dev", "govapp build", "govapp publish", "下一步", "Next steps"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			b, err := os.ReadFile(filepath.Join(dir, "govapp.json"))
			if err != nil {
				t.Fatal(err)
			}
			var cfg struct {
				AppID string `json:"app_id"`
				Name  string `json:"name"`
			}
			if err := json.Unmarshal(b, &cfg); err != nil || cfg.AppID != "demo-"+tmpl || cfg.Name != "示例 \"应用\"" {
				t.Fatalf("govapp.json = %s (%v)", b, err)
			}
			if templates.NeedsNPM(tmpl) {
				// Before npm install the build says what to do; then it builds.
				if !strings.Contains(stdout, "npm install") {
					t.Errorf("the next steps do not say npm install:\n%s", stdout)
				}
				if code, _, stderr := run(t, "build", "--dir", dir); code == 0 || !strings.Contains(stderr, "npm install") {
					t.Errorf("build before npm install: exit %d, stderr %q; want a hint to run npm install", code, stderr)
				}
				testenv.NPMCI(t, dir)
			}
			stdout, _ = mustRun(t, 0, "build", "--dir", dir)
			if !strings.Contains(stdout, "Wrote demo-"+tmpl+" 1.0.0") {
				t.Errorf("build: %s", stdout)
			}
			if _, err := os.Stat(filepath.Join(dir, "dist", "index.html")); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestInitDefaults writes ./NAME with the default template and NAME as app id and name.
func TestInitDefaults(t *testing.T) {
	isolate(t)
	t.Chdir(t.TempDir())
	mustRun(t, 0, "init", "housing-fund")
	b, err := os.ReadFile(filepath.Join("housing-fund", "govapp.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"app_id": "housing-fund"`) || !strings.Contains(string(b), `"name": "housing-fund"`) {
		t.Errorf("govapp.json = %s", b)
	}
	if _, err := os.Stat(filepath.Join("housing-fund", "src", "main.ts")); err != nil {
		t.Error(err)
	}
	// An existing empty folder is fine.
	os.Mkdir("empty", 0o755)
	mustRun(t, 0, "init", "my-site", "--dir", "empty", "--template", "microsite")
	if _, err := os.Stat(filepath.Join("empty", "public", "data", "articles.json")); err != nil {
		t.Error(err)
	}
}

func TestInitUnknownTemplate(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "x")
	code, _, stderr := run(t, "init", "demo", "--template", "react", "--dir", dir)
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	for _, name := range templates.Names() {
		if !strings.Contains(stderr, name) || !strings.Contains(stderr, templates.Describe(name)) {
			t.Errorf("stderr lacks %s and its description:\n%s", name, stderr)
		}
	}
	if !strings.Contains(stderr, `"react"`) {
		t.Errorf("stderr = %s", stderr)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the folder was created for an unknown template")
	}
}

func TestInitRefusesNonEmptyDir(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	code, _, stderr := run(t, "init", "demo", "--dir", dir)
	if code != ExitFailure || !strings.Contains(stderr, "not empty") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "govapp.json")); err == nil {
		t.Error("govapp.json written into a non-empty folder")
	}
}

func TestInitBadAppID(t *testing.T) {
	isolate(t)
	dir := filepath.Join(t.TempDir(), "x")
	code, _, stderr := run(t, "init", "我的应用", "--dir", dir)
	if code != ExitUsage || !strings.Contains(stderr, "--app-id") || !strings.Contains(stderr, "not a valid app id") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = run(t, "init", "demo", "--app-id", "Bad_ID", "--dir", dir)
	if code != ExitUsage || !strings.Contains(stderr, "lowercase") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// With --app-id, any NAME works.
	mustRun(t, 0, "init", "我的应用", "--app-id", "my-app-1", "--dir", dir)
	code, _, _ = run(t, "init")
	if code != ExitUsage {
		t.Fatalf("init without NAME: exit %d", code)
	}
}

func TestInitHelp(t *testing.T) {
	isolate(t)
	stdout, _ := mustRun(t, 0, "init", "-h")
	for _, name := range templates.Names() {
		if !strings.Contains(stdout, name) {
			t.Errorf("help lacks %s:\n%s", name, stdout)
		}
	}
}
