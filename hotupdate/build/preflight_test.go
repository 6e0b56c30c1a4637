package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPreflight(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("index.html", `<!doctype html><meta name="viewport" content="width=device-width, user-scalable=no"><body></body>`)
	write("src/main.ts", "const g = 1;\nwindow.govapp?.getLocation();\ngovapp.scan().then(() => {});\n")
	write("node_modules/x/index.js", "govapp.phoneCall('1')") // not the app's code
	cfg := &Config{Entry: "index.html", JSAPIPermissions: []string{"location"}}
	ps, err := Preflight(dir, cfg, []string{"wechat", "web"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		"index.html:1: the viewport forbids zooming",
		"src/main.ts:3: govapp.scan needs scan",
		"src/main.ts:3: govapp.scan is not available in the web container",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
	if strings.Contains(all, "getLocation") || strings.Contains(all, "phoneCall") {
		t.Errorf("declared or vendored calls reported:\n%s", all)
	}
	// Declared, zoomable with the elder mode: clean.
	write("index.html", `<!doctype html><meta name="viewport" content="width=device-width, maximum-scale=1"><button data-govapp-elder>大字</button>`)
	cfg.JSAPIPermissions = []string{"location", "scan"}
	ps, err = Preflight(dir, cfg, []string{"wechat"})
	if err != nil || len(ps) != 0 {
		t.Fatalf("clean project: %v %v", ps, err)
	}
}
