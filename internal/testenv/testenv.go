// Package testenv finds the outside tools tests drive — headless Chromium as "the phone",
// npm for templates with dependencies — with one rule everywhere: without the tool a test
// skips on a laptop, and fails in CI, which sets GOVAPP_TEST_REQUIRE_BROWSER and
// GOVAPP_TEST_REQUIRE_NPM so a missing install step cannot pass as green.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// Chromium returns the path of Debian's chromium (or another Chrome) for chromedp.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("GOVAPP_TEST_REQUIRE_BROWSER") != "" {
		t.Fatal("no chromium on PATH but GOVAPP_TEST_REQUIRE_BROWSER is set; apt-get install chromium")
	}
	t.Skip("no chromium on PATH; apt-get install chromium to run the browser test")
	return ""
}

// NPMCI installs the locked npm dependencies of the project in dir.
func NPMCI(t testing.TB, dir string) {
	t.Helper()
	npm, err := exec.LookPath("npm")
	if err != nil {
		NeedNPM(t, "no npm on PATH; this project needs `npm install` (install Node.js)")
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--prefer-offline")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}

// NeedNPM stops a test that cannot get what npm or its registry provides (the reason says
// what): it skips on a laptop and fails when GOVAPP_TEST_REQUIRE_NPM is set.
func NeedNPM(t testing.TB, reason any) {
	t.Helper()
	if os.Getenv("GOVAPP_TEST_REQUIRE_NPM") != "" {
		t.Fatal(reason)
	}
	t.Skip(reason)
}
