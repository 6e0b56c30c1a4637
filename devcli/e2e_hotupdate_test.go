package devcli

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govapp/govapp/platform"
	"github.com/govapp/govapp/platform/client"
	"github.com/govapp/govapp/templates"
)

// device asks the update check as a phone would; it returns "update:<bundle>",
// "rollback:<bundle>" (or "rollback:embedded") or "none".
func device(t *testing.T, server, app, id, current string) string {
	t.Helper()
	resp, err := http.Get(server + "/v1/runtime/apps/" + app + "/update?channel=production&container=govapp&container_version=3.2.0&device=" + id + "&bundle=" + current)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusNoContent:
		return "none"
	case http.StatusOK:
		var ans struct {
			BundleID string `json:"bundle_id"`
			Rollback bool   `json:"rollback"`
		}
		if err := json.Unmarshal(b, &ans); err != nil {
			t.Fatal(err)
		}
		if ans.Rollback {
			if ans.BundleID == "" {
				return "rollback:embedded"
			}
			return "rollback:" + ans.BundleID
		}
		return "update:" + ans.BundleID
	}
	t.Fatalf("update check: %d %s", resp.StatusCode, b)
	return ""
}

// TestE2EHotUpdate is issue 3's "Done when": a template built and published at 10 %, a device
// in the cohort gets it and one outside does not, 100 %, a one-file change uploads one file,
// rollback tells every device to go back — through the CLI, on SQLite and PostgreSQL.
func TestE2EHotUpdate(t *testing.T) {
	e2eEngines(t, func(t *testing.T, dbURL string) {
		srv := startPlatform(t, t.TempDir(), dbURL)
		admin := readSecret(t, filepath.Join(srv.dataDir, platform.AdminTokenFile))
		reviewer := readSecret(t, filepath.Join(srv.dataDir, platform.ReviewerTokenFile))
		cli := newCLI(t)
		cli.must(ExitOK, "login", "--server", srv.url, "--token", admin)
		const appID = "housing-fund" // a demo app that is online
		var app client.App
		cli.mustJSON(&app, "apps", "show", appID, "--json")
		cli.must(ExitOK, "keys", "create", "--org", app.OwnerNode, "--name", "发布密钥")

		dir := t.TempDir()
		sub, err := fs.Sub(templates.FS, "query")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(dir, sub); err != nil {
			t.Fatal(err)
		}
		cfgPath := filepath.Join(dir, "govapp.json")
		// The template calls govapp.phoneCall: a build without phone_call declared is refused.
		setProject(t, cfgPath, appID, []string{"location"})
		if _, stderr := cli.must(ExitFailure, "build", "--dir", dir); !strings.Contains(stderr, "phone_call") {
			t.Fatalf("build with an undeclared call: %s", stderr)
		}
		setProject(t, cfgPath, appID, []string{"location", "phone_call"})
		cli.must(ExitOK, "apps", "update", appID, "--jsapi", "location,scan,phone_call")
		cli.must(ExitOK, "build", "--dir", dir)

		// A bundle that uses a device feature the app is not registered for is refused before
		// anything is uploaded; once the registration has it, publishing proceeds.
		setProject(t, cfgPath, appID, []string{"location", "phone_call", "camera"})
		if _, stderr := cli.must(ExitFailure, "publish", "--dir", dir, "--channel", "staging"); !strings.Contains(stderr, "camera") {
			t.Fatalf("publish with an undeclared permission: %s", stderr)
		}
		cli.must(ExitOK, "apps", "update", appID, "--jsapi", "location,scan,phone_call,camera")

		var pub publishOutput
		cli.mustJSON(&pub, "publish", "--dir", dir, "--channel", "production", "--rollout", "10", "--json")
		if pub.Release == nil || pub.FilesUploaded != pub.FilesTotal || pub.Release.Status != "pending_review" {
			t.Fatalf("first publish: %+v (release %+v)", pub, pub.Release)
		}
		r1, b1 := pub.Release.ID, pub.BundleID
		// The developer cannot approve; the platform reviewer can.
		if _, stderr := cli.must(ExitFailure, "releases", "approve", r1); !strings.Contains(stderr, "outside the owning department") && !strings.Contains(stderr, "app.review") {
			t.Fatalf("approve by the publisher: %s", stderr)
		}
		cli.with(envToken, reviewer).must(ExitOK, "releases", "approve", r1)

		devs := make([]string, 300)
		in := map[string]bool{}
		for i := range devs {
			devs[i] = fmt.Sprintf("phone-%04d", i)
			switch got := device(t, srv.url, appID, devs[i], ""); got {
			case "update:" + b1:
				in[devs[i]] = true
			case "none":
			default:
				t.Fatalf("device %s at 10%%: %s", devs[i], got)
			}
		}
		if len(in) == 0 || len(in) == len(devs) {
			t.Fatalf("10%% rollout reached %d of %d devices", len(in), len(devs))
		}

		cli.must(ExitOK, "releases", "rollout", r1, "100")
		for _, d := range devs {
			if got := device(t, srv.url, appID, d, ""); got != "update:"+b1 {
				t.Fatalf("device %s at 100%%: %s", d, got)
			}
		}

		// A one-file change (the logo) uploads that file only.
		if err := os.WriteFile(filepath.Join(dir, "public", "logo.svg"), []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 28 28"><circle cx="14" cy="14" r="12" fill="#c00"/></svg>`), 0o644); err != nil {
			t.Fatal(err)
		}
		var pub2 publishOutput
		cli.mustJSON(&pub2, "publish", "--dir", dir, "--channel", "production", "--rollout", "100", "--json")
		if pub2.FilesUploaded != 1 || pub2.Release.Status != "active" {
			t.Fatalf("publish after a one-file change uploaded %d of %d files (status %s)", pub2.FilesUploaded, pub2.FilesTotal, pub2.Release.Status)
		}
		b2 := pub2.BundleID
		if got := device(t, srv.url, appID, devs[0], b1); got != "update:"+b2 {
			t.Fatalf("device on v1 after v2: %s", got)
		}

		// Rollback: devices on v2 are told to go back to v1; then, with nothing left, every
		// device is told to go back to its embedded bundle.
		cli.must(ExitOK, "releases", "rollback", "--app", appID, "--channel", "production")
		for _, d := range devs[:50] {
			if got := device(t, srv.url, appID, d, b2); got != "rollback:"+b1 {
				t.Fatalf("device %s on rolled-back v2: %s", d, got)
			}
		}
		cli.must(ExitOK, "releases", "rollback", "--app", appID, "--channel", "production")
		for _, d := range devs {
			if got := device(t, srv.url, appID, d, b1); got != "rollback:embedded" {
				t.Fatalf("device %s after the last rollback: %s", d, got)
			}
		}
		var list []client.Release
		stdout, _ := cli.must(ExitOK, "releases", "list", "--app", appID, "--json")
		var wrapped struct {
			Releases []client.Release `json:"releases"`
		}
		if err := json.Unmarshal([]byte(stdout), &wrapped); err != nil {
			t.Fatal(err)
		}
		list = wrapped.Releases
		if len(list) != 2 || list[0].Status != "rolled_back" || list[1].Status != "rolled_back" {
			t.Fatalf("releases after two rollbacks: %+v", list)
		}
		cli.must(ExitOK, "audit", "verify", "--data", srv.dataDir, "--database-url", dbURL)
	})
}

// setProject points a template's govapp.json at an app and declares what it uses.
func setProject(t *testing.T, path, appID string, perms []string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg["app_id"], cfg["jsapi_permissions"] = appID, perms
	out, _ := json.MarshalIndent(cfg, "", "  ")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
