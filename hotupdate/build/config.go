package build

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// ConfigFile is the name of the project config at the root of a light-app
// project; `govapp build` and `govapp publish` look for it in --dir.
const ConfigFile = "govapp.json"

// Defaults applied by LoadConfig to members left out of govapp.json, so a
// minimal project needs only app_id, name, version and its scripts.
const (
	// DefaultEntry is the entry HTML when govapp.json names none.
	DefaultEntry = "index.html"
	// DefaultPublic is the folder copied as-is when govapp.json names none;
	// unlike a folder named explicitly, it may be missing.
	DefaultPublic = "public"
)

// Config is govapp.json, the light app's build and publish settings. It is
// kept small on purpose: everything else (bundling rules, target) is fixed by
// the platform so that every bundle runs in every supported container.
//
//	{
//	  "app_id": "housing-fund",          // required; ^[a-z][a-z0-9-]{2,39}$, the app registered with `govapp apps create`
//	  "name": "住房公积金",               // required; shown in reports, at most 64 characters
//	  "version": "1.0.0",                // required; ^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$, a label for people
//	  "entry": "index.html",             // the entry HTML, relative to the project root; default index.html
//	  "scripts": ["src/main.ts"],        // entry points bundled by esbuild (.js .mjs .cjs .jsx .ts .mts .cts .tsx .css)
//	  "public": "public",                // folder copied into the bundle as-is; default public (may then be missing)
//	  "min_container": {"govapp": "3.0.0"}, // oldest container per kind (wechat, alipay, govapp, web)
//	  "size_budget_kb": 500              // fail the build when the bundle is larger; 0 or absent: no budget
//	}
//
// Unknown members are refused, so a typo ("script") is an error rather than
// a silently ignored setting.
type Config struct {
	AppID        string            `json:"app_id"`
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Entry        string            `json:"entry,omitempty"`
	Scripts      []string          `json:"scripts,omitempty"`
	Public       string            `json:"public,omitempty"`
	MinContainer map[string]string `json:"min_container,omitempty"`
	SizeBudgetKB int               `json:"size_budget_kb,omitempty"`
	// Containers are where the app runs (wechat, alipay, govapp, web); preflight warns about
	// features one of them cannot offer. Empty: not checked.
	Containers []string `json:"containers,omitempty"`
	// JSAPIPermissions are the device features the app's pages use (location, scan, …);
	// publish refuses a bundle that needs more than the app's approved registration.
	JSAPIPermissions []string `json:"jsapi_permissions,omitempty"`

	// publicOptional is set when LoadConfig filled in DefaultPublic: the
	// default folder may be missing, a folder named by the developer may not.
	publicOptional bool
}

// ConfigError is one thing wrong with govapp.json. Field names the member
// at fault ("scripts[1]", "min_container.wechat"), so the message points at
// the line to fix.
type ConfigError struct {
	File  string // path of govapp.json as given to LoadConfig; empty for a Config built in code
	Field string // the member at fault; empty when the file as a whole is
	Msg   string // what is wrong and what to do
}

// Error formats the problem as "govapp.json: field: message".
func (e *ConfigError) Error() string {
	file := e.File
	if file == "" {
		file = ConfigFile
	}
	if e.Field == "" {
		return file + ": " + e.Msg
	}
	return file + ": " + e.Field + ": " + e.Msg
}

var (
	appIDPattern     = regexp.MustCompile(`^[a-z][a-z0-9-]{2,39}$`)
	versionPattern   = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$`)
	containerVersion = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,3}$`)
)

// jsapiPermissions are the device features a light app may declare (the registry's list).
var jsapiPermissions = []string{"location", "camera", "scan", "album", "share", "phone_call", "contacts", "record", "bluetooth", "nfc", "biometric", "file"}

// containerKinds are the keys min_container accepts (docs/HOTUPDATE.md).
var containerKinds = map[string]bool{"wechat": true, "alipay": true, "govapp": true, "web": true}

// scriptExts are the entry point types esbuild bundles for us; anything else
// (an image, an HTML page) belongs in public/ or is imported from a script.
var scriptExts = map[string]bool{
	".js": true, ".mjs": true, ".cjs": true, ".jsx": true,
	".ts": true, ".mts": true, ".cts": true, ".tsx": true, ".css": true,
}

// configFields lists the members of govapp.json, for the "unknown field"
// message.
const configFields = "app_id, name, version, entry, scripts, public, min_container, size_budget_kb, containers, jsapi_permissions"

// LoadConfig reads govapp.json from the project root dir, applies the
// defaults and validates it. Every error is a *ConfigError (several are
// joined with errors.Join), naming the member at fault.
func LoadConfig(dir string) (*Config, error) {
	file := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &ConfigError{File: file, Msg: "not found: run the command in the project folder, pass --dir, or create it (see 'govapp build -h')"}
	}
	if err != nil {
		return nil, &ConfigError{File: file, Msg: err.Error()}
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return nil, setFile(err, file)
	}
	return cfg, nil
}

// ParseConfig decodes govapp.json bytes, applies the defaults and validates
// the result (but not the files it names: Build checks those).
func ParseConfig(data []byte) (*Config, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, jsonError(data, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cfg Config
	if err := dec.Decode(&cfg); err != nil {
		return nil, jsonError(data, err)
	}
	if dec.More() {
		return nil, &ConfigError{Msg: "extra data after the JSON object; keep one object in the file"}
	}
	if _, ok := raw["entry"]; !ok {
		cfg.Entry = DefaultEntry
	}
	if _, ok := raw["public"]; !ok {
		cfg.Public = DefaultPublic
		cfg.publicOptional = true
	}
	if cfg.MinContainer == nil {
		cfg.MinContainer = map[string]string{}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// jsonError turns a decoding error into a ConfigError that names the member
// or the line, which encoding/json's own messages do not do for people.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line := 1 + bytes.Count(data[:min(int(syn.Offset), len(data))], []byte("\n"))
		return &ConfigError{Msg: fmt.Sprintf("not valid JSON at line %d: %v", line, syn)}
	case errors.As(err, &typ):
		if typ.Field == "" {
			return &ConfigError{Msg: fmt.Sprintf("want a JSON object, got %s", typ.Value)}
		}
		return &ConfigError{Field: typ.Field, Msg: fmt.Sprintf("want %s, got %s", jsonKind(typ.Type.Kind().String()), typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return &ConfigError{Field: strings.Trim(name, `"`), Msg: "unknown member; the members are " + configFields}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &ConfigError{Msg: "empty or cut short; it must hold one JSON object"}
	}
	return &ConfigError{Msg: err.Error()}
}

// jsonKind names a Go kind the way govapp.json's author thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int64", "uint", "float64":
		return "a whole number"
	case "slice":
		return "a list of strings"
	case "map":
		return "an object of strings"
	}
	return kind
}

// Validate checks the members' shapes (not the files they name) and returns
// every problem found, each a *ConfigError, joined with errors.Join.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	for i, k := range c.Containers {
		if !containerKinds[k] {
			bad(fmt.Sprintf("containers[%d]", i), "%q is not a container; use wechat, alipay, govapp or web", k)
		}
	}
	for i, p := range c.JSAPIPermissions {
		if !slices.Contains(jsapiPermissions, p) {
			bad(fmt.Sprintf("jsapi_permissions[%d]", i), "%q is not a permission; use %s", p, strings.Join(jsapiPermissions, ", "))
		}
	}
	switch {
	case c.AppID == "":
		bad("app_id", "required: the ID of the app registered with 'govapp apps create', e.g. \"housing-fund\"")
	case !appIDPattern.MatchString(c.AppID):
		bad("app_id", "%q must be 3 to 40 lowercase letters, digits or dashes, starting with a letter", c.AppID)
	}
	switch {
	case strings.TrimSpace(c.Name) == "":
		bad("name", "required: the app's name, e.g. \"住房公积金\"")
	case utf8.RuneCountInString(c.Name) > 64:
		bad("name", "must be at most 64 characters; shorten it")
	}
	switch {
	case c.Version == "":
		bad("version", "required: a label such as \"1.0.0\"")
	case !versionPattern.MatchString(c.Version):
		bad("version", "%q must be 1 to 32 letters, digits, '.', '+' or '-', starting with a letter or digit, e.g. \"1.0.0\"", c.Version)
	}
	if msg := checkRelPath(c.Entry); msg != "" {
		bad("entry", "%q: %s", c.Entry, msg)
	} else if ext := strings.ToLower(path.Ext(c.Entry)); ext != ".html" && ext != ".htm" {
		bad("entry", "%q must be an .html file", c.Entry)
	}
	seen := map[string]bool{}
	for i, s := range c.Scripts {
		field := fmt.Sprintf("scripts[%d]", i)
		switch msg := checkRelPath(s); {
		case msg != "":
			bad(field, "%q: %s", s, msg)
		case !scriptExts[strings.ToLower(path.Ext(s))]:
			bad(field, "%q: a script must end in .js, .mjs, .cjs, .jsx, .ts, .mts, .cts, .tsx or .css; import other files from a script or put them in public/", s)
		case seen[path.Clean(s)]:
			bad(field, "%q is listed twice", s)
		}
		seen[path.Clean(s)] = true
	}
	if c.Public != "" {
		if msg := checkRelPath(c.Public); msg != "" {
			bad("public", "%q: %s", c.Public, msg)
		} else if c.Entry != "" && strings.HasPrefix(c.Entry, strings.TrimSuffix(c.Public, "/")+"/") {
			bad("entry", "%q is inside the public folder %q, which is copied as-is; move the entry HTML to the project root", c.Entry, c.Public)
		}
	}
	kinds := make([]string, 0, len(c.MinContainer))
	for k := range c.MinContainer {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		v := c.MinContainer[k]
		switch {
		case !containerKinds[k]:
			bad("min_container."+k, "unknown container kind; use wechat, alipay, govapp or web")
		case !containerVersion.MatchString(v):
			bad("min_container."+k, "%q must be a dotted version of 1 to 4 numbers, e.g. \"3.2.0\"", v)
		}
	}
	if c.SizeBudgetKB < 0 {
		bad("size_budget_kb", "must be 0 (no budget) or a positive number of KiB, e.g. 500")
	}
	return errors.Join(errs...)
}

// checkRelPath returns why p is not a clean path inside the project (the
// bundle's safe-path rules of docs/HOTUPDATE.md, plus no "./" prefix), or "".
func checkRelPath(p string) string {
	switch {
	case p == "":
		return "must not be empty"
	case !utf8.ValidString(p):
		return "must be valid UTF-8"
	case len(p) > 512:
		return "must be at most 512 bytes"
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p):
		return "must be relative to the project root"
	case strings.ContainsAny(p, "\\:"):
		return "must use '/' between folders and contain no '\\' or ':'"
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return "must not contain control characters"
		}
	}
	for _, seg := range strings.Split(strings.TrimSuffix(p, "/"), "/") {
		switch seg {
		case "":
			return "must not contain empty segments (\"//\")"
		case ".", "..":
			return "must stay inside the project, without \".\" or \"..\" segments"
		}
	}
	return ""
}

// setFile records file in every ConfigError inside err.
func setFile(err error, file string) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			var ce *ConfigError
			if errors.As(e, &ce) {
				ce.File = file
			}
		}
		return err
	}
	var ce *ConfigError
	if errors.As(err, &ce) {
		ce.File = file
	}
	return err
}
