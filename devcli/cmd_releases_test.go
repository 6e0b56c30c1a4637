package devcli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const releaseJSON = `{"id":"r-2","app_id":"housing-fund","channel":"production","bundle_id":"3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8",
  "version":"1.4.2","percent":12.5,"mandatory":true,"notes":"修复缴存查询","target":{"regions":["330100"],"containers":{"govapp":">=3.2.0"}},
  "status":"paused","status_reason":"paused by u-1","created_by":"u-1","created_at":"2025-03-01T08:30:00Z","updated_at":"2025-03-01T09:30:00Z",
  "stats":{"devices":120,"ready":117,"failed":3}}`

func TestReleasesList(t *testing.T) {
	f := setup(t)
	body := `{"releases":[` + releaseJSON + `,{"id":"r-1","app_id":"housing-fund","channel":"staging","bundle_id":"ab","version":"1.4.1",
	  "percent":100,"mandatory":false,"notes":"","target":{},"status":"active","created_by":"u-1","created_at":"2025-03-01T08:30:00Z",
	  "updated_at":"2025-03-01T08:30:00Z","stats":{"devices":0,"ready":0,"failed":0}}]}`
	f.on("GET /v1/apps/housing-fund/releases", 200, body)

	stdout, _ := mustRun(t, 0, "releases", "list", "--app", "housing-fund", "--channel", "production")
	if q := f.only(t).query; q != "channel=production" {
		t.Errorf("query = %q", q)
	}
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("stdout:\n%s", stdout)
	}
	for _, want := range []string{"r-2", "production", "1.4.2", "3f9a1c2b4d5e ", "12.5%", "paused, mandatory", "117/3"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("row %q lacks %q", lines[1], want)
		}
	}
	if !strings.Contains(lines[2], "100%") || !strings.Contains(lines[2], "active") {
		t.Errorf("row = %q", lines[2])
	}

	stdout, _ = mustRun(t, 0, "releases", "list", "--app", "housing-fund", "--json")
	if stdout != indented(t, body) {
		t.Errorf("--json = %q", stdout)
	}
}

func TestReleasesAppFromGovappJSON(t *testing.T) {
	f := setup(t)
	f.on("GET /v1/apps/housing-fund/releases", 200, `{"releases":[]}`)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "govapp.json"), []byte(`{"app_id":"housing-fund","name":"x","version":"1"}`), 0o644)
	t.Chdir(dir)
	stdout, _ := mustRun(t, 0, "releases", "list")
	if req := f.only(t); req.path != "/v1/apps/housing-fund/releases" {
		t.Errorf("request = %+v", req)
	}
	if !strings.Contains(stdout, "No releases of housing-fund") {
		t.Errorf("stdout = %q", stdout)
	}
}

func TestReleasesShow(t *testing.T) {
	f := setup(t)
	f.on("GET /v1/releases/r-2", 200, releaseJSON)
	stdout, _ := mustRun(t, 0, "releases", "show", "r-2")
	for _, want := range []string{
		"3f9a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8", "12.5%", "paused (paused by u-1)",
		"regions 330100; containers govapp >=3.2.0", "120 reported: 117 ready, 3 failed", "修复缴存查询", "Mandatory  yes",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	stdout, _ = mustRun(t, 0, "releases", "show", "r-2", "--json")
	if stdout != indented(t, releaseJSON) {
		t.Errorf("--json = %q", stdout)
	}
}

func TestReleasesActions(t *testing.T) {
	tests := []struct {
		args []string
		path string
		body string // "" for none
		want string
	}{
		{[]string{"rollout", "r-2", "12.5"}, "/v1/releases/r-2/rollout", `{"percent":12.5}`, "now reaches 12.5% of devices"},
		{[]string{"rollout", "r-2", "50%"}, "/v1/releases/r-2/rollout", `{"percent":50}`, "Release r-2"},
		{[]string{"pause", "r-2"}, "/v1/releases/r-2/pause", "", "Paused release r-2 (housing-fund 1.4.2 on production); status paused."},
		{[]string{"resume", "r-2"}, "/v1/releases/r-2/resume", "", "Resumed release r-2"},
		{[]string{"rollback", "--app", "housing-fund", "--channel", "production"}, "/v1/apps/housing-fund/channels/production/rollback", `{}`,
			"Rolled back production of housing-fund; now serving release r-2 (1.4.2, bundle 3f9a1c2b4d5e) to 12.5% of devices."},
		{[]string{"rollback", "--app", "housing-fund", "--channel", "production", "--to", "r-1"}, "/v1/apps/housing-fund/channels/production/rollback", `{"to_release_id":"r-1"}`, "now serving release r-2"},
		{[]string{"promote", "--app", "housing-fund", "--from", "staging", "--to", "production"}, "/v1/apps/housing-fund/promote", `{"from":"staging","to":"production"}`,
			"Promoted housing-fund 1.4.2 from staging to production: release r-2"},
		{[]string{"promote", "--app", "housing-fund", "--from", "staging", "--to", "production", "--release", "r-1"}, "/v1/apps/housing-fund/promote",
			`{"from":"staging","to":"production","release_id":"r-1"}`, "Promoted"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			f := setup(t)
			f.on("POST "+tt.path, 200, releaseJSON)
			stdout, _ := mustRun(t, 0, append([]string{"releases"}, tt.args...)...)
			req := f.only(t)
			if req.method != "POST" || req.path != tt.path {
				t.Errorf("request = %s %s", req.method, req.path)
			}
			if tt.body == "" {
				if req.body != "" {
					t.Errorf("body = %q, want none", req.body)
				}
			} else {
				assertJSON(t, req.body, tt.body)
			}
			if !strings.Contains(stdout, tt.want) {
				t.Errorf("stdout = %q, want %q", stdout, tt.want)
			}
			stdout, _ = mustRun(t, 0, append(append([]string{"releases"}, tt.args...), "--json")...)
			if stdout != indented(t, releaseJSON) {
				t.Errorf("--json = %q", stdout)
			}
		})
	}
}

func TestReleasesRollbackToNothing(t *testing.T) {
	f := setup(t)
	f.on("POST /v1/apps/housing-fund/channels/staging/rollback", 200, `{"id":"","app_id":"housing-fund","channel":"staging","percent":0,"status":""}`)
	stdout, _ := mustRun(t, 0, "releases", "rollback", "--app", "housing-fund", "--channel", "staging")
	if !strings.Contains(stdout, "nothing is released there now") {
		t.Errorf("stdout = %q", stdout)
	}
}

func TestReleaseCommandsUsageErrors(t *testing.T) {
	f := setup(t)
	t.Chdir(t.TempDir()) // no govapp.json here
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"releases"}, "usage: govapp releases <command>"},
		{[]string{"releases", "frob"}, `unknown command "releases frob"`},
		{[]string{"releases", "list"}, "releases list: missing --app (there is no govapp.json in the current folder"},
		{[]string{"releases", "show"}, "releases show: missing ID"},
		{[]string{"releases", "rollout", "r-1"}, "releases rollout: missing PERCENT"},
		{[]string{"releases", "rollout", "r-1", "lots"}, `PERCENT "lots" is not a number`},
		{[]string{"releases", "rollout", "r-1", "0"}, "must be between 0.01 and 100"},
		{[]string{"releases", "rollout", "r-1", "150"}, "must be between 0.01 and 100"},
		{[]string{"releases", "rollout", "r-1", "1.005"}, "more than two decimals"},
		{[]string{"releases", "pause"}, "missing ID"},
		{[]string{"releases", "resume", "a", "b"}, `unexpected argument "b"`},
		{[]string{"releases", "rollback", "--app", "x"}, "releases rollback: missing --channel"},
		{[]string{"releases", "rollback", "--channel", "production"}, "missing --app"},
		{[]string{"releases", "promote", "--app", "x", "--from", "staging"}, "missing --to"},
		{[]string{"releases", "promote", "--app", "x", "--from", "staging", "--to", "staging"}, "name two channels"},
		{[]string{"publish", "--rollout", "0"}, "publish: --rollout 0 must be between"},
		{[]string{"publish", "--rollout", "abc"}, "is not a number"},
		{[]string{"publish", "--channel", ""}, "--channel must not be empty"},
		{[]string{"publish", "extra"}, `unexpected argument "extra"`},
		{[]string{"publish", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"keys"}, "usage: govapp keys <command>"},
		{[]string{"keys", "create"}, "keys create: missing --org"},
		{[]string{"keys", "create", "--org", "d-1", "--alg", "rsa"}, "--alg must be ed25519 or sm2-sm3"},
		{[]string{"keys", "rotate"}, "keys rotate: missing --org"},
		{[]string{"keys", "rotate", "--org", "d-1", "--alg", "ecdsa"}, "--alg must be"},
		{[]string{"keys", "retire"}, "missing KEY_ID"},
		{[]string{"build", "extra"}, `unexpected argument "extra"`},
		{[]string{"build", "--dir"}, "flag needs an argument: -dir"},
	}
	for _, tt := range tests {
		code, stdout, stderr := run(t, tt.args...)
		if code != ExitUsage {
			t.Errorf("govapp %s: exit %d, want 2 (stderr %q)", strings.Join(tt.args, " "), code, stderr)
		}
		if !strings.Contains(stderr, tt.want) {
			t.Errorf("govapp %s: stderr = %q, want it to contain %q", strings.Join(tt.args, " "), stderr, tt.want)
		}
		if stdout != "" {
			t.Errorf("govapp %s: stdout = %q, want nothing", strings.Join(tt.args, " "), stdout)
		}
	}
	if reqs := f.requests(); len(reqs) != 0 {
		t.Errorf("usage errors sent requests: %+v", reqs)
	}
	if entries, _ := os.ReadDir(filepath.Join(filepath.Dir(os.Getenv(envConfig)), "keys")); len(entries) != 0 {
		t.Errorf("usage errors wrote keys: %v", entries)
	}
}

func TestHotUpdateHelp(t *testing.T) {
	isolate(t)
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"help"}, []string{"build", "publish", "releases", "keys"}},
		{[]string{"help", "build"}, []string{"usage: govapp build [--dir DIR] [--out DIR]", "size_budget_kb", "min_container", "<!-- govapp:assets -->", "dist-maps"}},
		{[]string{"publish", "-h"}, []string{"usage: govapp publish [--dir DIR] [--channel C] [--rollout PERCENT]", "-mandatory", "run the same command again"}},
		{[]string{"releases", "-h"}, []string{"usage: govapp releases <command>", "rollout", "rollback", "promote"}},
		{[]string{"releases", "help", "rollback"}, []string{"usage: govapp releases rollback [--app ID] --channel C [--to RELEASE_ID]"}},
		{[]string{"keys", "create", "-h"}, []string{"usage: govapp keys create --org NODE [--alg ed25519|sm2-sm3]", "0600"}},
		{[]string{"help", "keys", "rotate"}, []string{"usage: govapp keys rotate --org NODE"}},
	}
	for _, tt := range tests {
		stdout, stderr := mustRun(t, 0, tt.args...)
		for _, w := range tt.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("govapp %s: stdout lacks %q:\n%s", strings.Join(tt.args, " "), w, stdout)
			}
		}
		if stderr != "" {
			t.Errorf("govapp %s: stderr = %q", strings.Join(tt.args, " "), stderr)
		}
	}
}
