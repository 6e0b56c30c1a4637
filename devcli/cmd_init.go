package devcli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/govapp/govapp/hotupdate/build"
	"github.com/govapp/govapp/templates"
)

// initAppID is the app id rule of govapp.json (hotupdate/build), checked here first so the
// message can say what to pass instead.
var initAppID = regexp.MustCompile(`^[a-z][a-z0-9-]{2,39}$`)

// runInit implements `govapp init NAME [--template T] [--app-id ID] [--dir DIR]`: it writes
// a template project, with no prompts (it runs the same in CI and in a terminal).
func runInit(ctx context.Context, e *Env, args []string) int {
	f := e.flags("init", "NAME [--template T] [--app-id ID] [--name TEXT] [--dir DIR]", `Create a light-app project (轻应用项目) from a template in ./NAME (or --dir): govapp.json,
index.html, src/ and public/, ready for 'govapp dev' and 'govapp build'. The app id in
govapp.json is --app-id, else NAME when NAME is a valid app id (3 to 40 lowercase letters,
digits or dashes, starting with a letter). The target folder must be missing or empty.

templates:
`+templateList()+`
`)
	tmpl := f.String("template", templates.Default, "template to start from (模板)")
	appID := f.String("app-id", "", "app id in govapp.json, as registered with 'govapp apps create' (default NAME)")
	name := f.String("name", "", "the app's display name in govapp.json (default NAME)")
	dir := f.String("dir", "", "folder to create the project in (default ./NAME)")
	pos, err := f.parse(args, "NAME")
	if err != nil {
		return e.fail(err)
	}
	project := pos[0]
	if strings.TrimSpace(project) == "" {
		return e.fail(usageErrorf("init", "init: NAME must not be empty"))
	}
	if templates.Describe(*tmpl) == "" {
		fmt.Fprintf(e.Stderr, "error: unknown template %q (没有这个模板); the templates are:\n%s", *tmpl, templateList())
		fmt.Fprintf(e.Stderr, "Run 'govapp init -h' for usage.\n")
		return ExitUsage
	}
	if *appID == "" {
		if !initAppID.MatchString(project) {
			return e.fail(usageErrorf("init", "init: %q is not a valid app id (3 to 40 lowercase letters, digits or dashes, starting with a letter); pass one with --app-id, e.g. --app-id housing-fund", project))
		}
		*appID = project
	} else if !initAppID.MatchString(*appID) {
		return e.fail(usageErrorf("init", "init: --app-id %q must be 3 to 40 lowercase letters, digits or dashes, starting with a letter, e.g. housing-fund", *appID))
	}
	if *name == "" {
		*name = project
	}
	if *dir == "" {
		*dir = project
	}
	if err := writeTemplate(*dir, *tmpl, *appID, *name); err != nil {
		return e.fail(err)
	}
	printNextSteps(e.Stdout, *dir, *tmpl, *appID)
	return ExitOK
}

// templateList is one line per template: name and description.
func templateList() string {
	var b strings.Builder
	t := newTable(&b)
	for _, n := range templates.Names() {
		label := n
		if n == templates.Default {
			label += " (default)"
		}
		t.row("  "+label, templates.Describe(n))
	}
	t.flush()
	return b.String()
}

// writeTemplate copies template tmpl into dir with app id and name set in govapp.json. It
// refuses a dir that holds anything, so it never overwrites a project.
func writeTemplate(dir, tmpl, appID, name string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return fmt.Errorf("%s is not empty (目录非空); pick another NAME or --dir, or empty it first", dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}
	sub, err := fs.Sub(templates.FS, tmpl)
	if err != nil {
		return err
	}
	cfg, err := fs.ReadFile(sub, build.ConfigFile)
	if err != nil {
		return err
	}
	cfg, err = setConfig(cfg, appID, name)
	if err != nil {
		return err
	}
	if _, err := build.ParseConfig(cfg); err != nil {
		return fmt.Errorf("the project's %s would be invalid: %w", build.ConfigFile, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data := cfg
		if p != build.ConfigFile {
			if data, err = fs.ReadFile(sub, p); err != nil {
				return err
			}
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("writing the project to %s: %w", dir, err)
	}
	return nil
}

var (
	reConfigAppID = regexp.MustCompile(`("app_id"\s*:\s*)"[^"]*"`)
	reConfigName  = regexp.MustCompile(`("name"\s*:\s*)"(?:[^"\\]|\\.)*"`)
)

// setConfig sets app_id and name in a template's govapp.json, keeping its layout.
func setConfig(cfg []byte, appID, name string) ([]byte, error) {
	if !reConfigAppID.Match(cfg) || !reConfigName.Match(cfg) {
		return nil, errors.New("the template's govapp.json has no app_id or name; this is a bug in govapp")
	}
	quote := func(s string) []byte {
		b, _ := json.Marshal(s)
		return b
	}
	done := false
	cfg = reConfigAppID.ReplaceAllFunc(cfg, func(m []byte) []byte {
		if done {
			return m
		}
		done = true
		return append(append([]byte{}, reConfigAppID.FindSubmatch(m)[1]...), quote(appID)...)
	})
	done = false
	cfg = reConfigName.ReplaceAllFunc(cfg, func(m []byte) []byte {
		if done {
			return m
		}
		done = true
		return append(append([]byte{}, reConfigName.FindSubmatch(m)[1]...), quote(name)...)
	})
	return cfg, nil
}

// printNextSteps says what was made and what to run next, in Chinese and English.
func printNextSteps(w io.Writer, dir, tmpl, appID string) {
	fmt.Fprintf(w, "已创建轻应用项目 / Created the light-app project %s (template %s, app id %s) in %s.\n\n", appID, tmpl, appID, dir)
	fmt.Fprintf(w, "下一步 / Next steps:\n")
	t := newTable(w)
	t.row("  cd "+dir, "进入项目 / enter the project")
	if templates.NeedsNPM(tmpl) {
		t.row("  npm install", "安装依赖（需要 Node.js）/ install the npm dependencies (needs Node.js)")
	}
	t.row("  govapp dev", "在手机上实时预览 / live preview on your phone")
	t.row("  govapp build", "打包到 dist/ / bundle into dist/")
	t.row("  govapp publish", "签名、上传并发布 / sign, upload and release")
	t.flush()
	fmt.Fprintf(w, "\n发布前先注册应用 / Register the app before publishing: govapp apps create (app id %s).\n", appID)
	if tmpl == "query" || tmpl == "microsite" {
		fmt.Fprintf(w, "数据在 public/data/ 中，接口地址见 src/main.ts / Demo data is in public/data/; the service URL is in src/main.ts.\n")
	}
}
