package build

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDev: the dev build shares Build's settings but keeps names stable,
// output readable and maps inline, and a rebuild sees a save.
func TestDev(t *testing.T) {
	dir := writeProject(t, sampleProject())
	d, err := NewDev(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	res, err := d.Rebuild()
	if err != nil {
		t.Fatal(err)
	}
	js := string(res.Files["assets/main.js"])
	if js == "" || !strings.Contains(js, "sourceMappingURL=data:") || !strings.Contains(js, "function greet(who)") {
		t.Fatalf("assets/main.js is not a readable dev build with an inline map:\n%.300s", js)
	}
	if _, ok := res.Files["assets/main.css"]; !ok {
		t.Fatalf("no assets/main.css among %v", res.Report.Files)
	}
	if !strings.Contains(string(res.Files["index.html"]), `src="assets/main.js"`) {
		t.Fatalf("entry HTML lacks the script tag:\n%s", res.Files["index.html"])
	}
	if strings.Contains(js, "?? ") || strings.Contains(js, "opts.name ??") {
		t.Fatal("?? not lowered to ES2017 in the dev build")
	}

	greet := filepath.Join(dir, "src", "greet.ts")
	if err := os.WriteFile(greet, []byte("export function greet(who: string): string { return `您好，${who}`; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err = d.Rebuild()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Files["assets/main.js"]), `\u60A8\u597D`) {
		t.Fatalf("rebuild missed the save:\n%.600s", res.Files["assets/main.js"])
	}

	if err := os.WriteFile(greet, []byte("export function greet(: string {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = d.Rebuild()
	var be *Error
	if !errors.As(err, &be) || be.Messages[0].File != "src/greet.ts" || be.Messages[0].Line != 1 {
		t.Fatalf("err = %v, want a compile error at src/greet.ts:1", err)
	}
}
