package templates_test

import (
	"io/fs"
	"os"
	"testing"

	"github.com/govapp/govapp/hotupdate/build"
	"github.com/govapp/govapp/templates"
)

// TestTemplatesBuild builds every template as `govapp build` would.
func TestTemplatesBuild(t *testing.T) {
	for _, name := range templates.Names() {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			sub, err := fs.Sub(templates.FS, name)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.CopyFS(dir, sub); err != nil {
				t.Fatal(err)
			}
			res, err := build.Build(build.Options{Dir: dir})
			if err != nil {
				t.Fatalf("template %s does not build: %v", name, err)
			}
			if _, ok := res.Files["index.html"]; !ok {
				t.Fatalf("no index.html in %v", keys(res.Files))
			}
			if _, ok := res.Files["logo.svg"]; !ok {
				t.Fatalf("public/logo.svg not copied: %v", keys(res.Files))
			}
		})
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
