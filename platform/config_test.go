package platform

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// envMap turns a map into a getenv function.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeFile writes content to a new file in a temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultConfigIsValid(t *testing.T) {
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v", err)
	}
	if c.Addr != DefaultAddr || c.DataDir != DefaultDataDir || c.BodyLimit != DefaultBodyLimit ||
		c.ShutdownTimeout != DefaultShutdownTimeout || c.LogLevel != "info" || c.LogFormat != "text" ||
		c.DatabaseURL != "" || c.NoDemo {
		t.Fatalf("DefaultConfig() = %+v", c)
	}
	got, err := LoadConfig("", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != c {
		t.Fatalf("LoadConfig with nothing = %+v, want defaults %+v", got, c)
	}
}

// TestConfigFieldTable keeps the loader's table in step with the struct tags.
func TestConfigFieldTable(t *testing.T) {
	typ := reflect.TypeOf(Config{})
	fs := configFields()
	if len(fs) != typ.NumField() {
		t.Fatalf("configFields has %d entries, Config has %d fields", len(fs), typ.NumField())
	}
	for i, f := range fs {
		if tag := typ.Field(i).Tag.Get("yaml"); tag != f.key {
			t.Errorf("field %d: yaml tag %q, table key %q", i, tag, f.key)
		}
	}
}

func TestLoadConfigPrecedence(t *testing.T) {
	file := writeFile(t, "govapp.yaml", `
addr: 127.0.0.1:9001
data_dir: /srv/file
log_level: warn
log_format: json
body_limit: 2MiB
shutdown_timeout: 20s
no_demo: true
regions_file: /srv/regions.json
public_url: https://file.example.gov.cn
database_url: postgres://file@db/govapp
`)
	tests := []struct {
		name  string
		path  string
		env   map[string]string
		flags map[string]string
		want  func(*Config)
	}{
		{
			name: "defaults only",
			want: func(c *Config) {},
		},
		{
			name: "file over defaults",
			path: file,
			want: func(c *Config) {
				c.Addr = "127.0.0.1:9001"
				c.DataDir = "/srv/file"
				c.LogLevel = "warn"
				c.LogFormat = "json"
				c.BodyLimit = 2 << 20
				c.ShutdownTimeout = 20 * time.Second
				c.NoDemo = true
				c.RegionsFile = "/srv/regions.json"
				c.PublicURL = "https://file.example.gov.cn"
				c.DatabaseURL = "postgres://file@db/govapp"
			},
		},
		{
			name: "env over file",
			path: file,
			env: map[string]string{
				"GOVAPP_ADDR":             ":9002",
				"GOVAPP_LOG_LEVEL":        "debug",
				"GOVAPP_BODY_LIMIT":       "4096",
				"GOVAPP_SHUTDOWN_TIMEOUT": "1m",
				"GOVAPP_NO_DEMO":          "false",
				"GOVAPP_DATABASE_URL":     "postgres://env@db/govapp",
			},
			want: func(c *Config) {
				c.Addr = ":9002"
				c.DataDir = "/srv/file"
				c.LogLevel = "debug"
				c.LogFormat = "json"
				c.BodyLimit = 4096
				c.ShutdownTimeout = time.Minute
				c.NoDemo = false
				c.RegionsFile = "/srv/regions.json"
				c.PublicURL = "https://file.example.gov.cn"
				c.DatabaseURL = "postgres://env@db/govapp"
			},
		},
		{
			name: "empty env value counts as unset",
			path: file,
			env:  map[string]string{"GOVAPP_ADDR": "", "GOVAPP_NO_DEMO": ""},
			want: func(c *Config) {
				c.Addr = "127.0.0.1:9001"
				c.DataDir = "/srv/file"
				c.LogLevel = "warn"
				c.LogFormat = "json"
				c.BodyLimit = 2 << 20
				c.ShutdownTimeout = 20 * time.Second
				c.NoDemo = true
				c.RegionsFile = "/srv/regions.json"
				c.PublicURL = "https://file.example.gov.cn"
				c.DatabaseURL = "postgres://file@db/govapp"
			},
		},
		{
			name: "flags over env",
			path: file,
			env:  map[string]string{"GOVAPP_ADDR": ":9002", "GOVAPP_LOG_LEVEL": "debug", "GOVAPP_DATA_DIR": "/srv/env"},
			flags: map[string]string{
				"addr":             ":9003",
				"no_demo":          "false",
				"shutdown_timeout": "2s",
				"body_limit":       "1KiB",
			},
			want: func(c *Config) {
				c.Addr = ":9003"
				c.DataDir = "/srv/env"
				c.LogLevel = "debug"
				c.LogFormat = "json"
				c.BodyLimit = 1024
				c.ShutdownTimeout = 2 * time.Second
				c.NoDemo = false
				c.RegionsFile = "/srv/regions.json"
				c.PublicURL = "https://file.example.gov.cn"
				c.DatabaseURL = "postgres://file@db/govapp"
			},
		},
		{
			name:  "flags without file or env",
			flags: map[string]string{"database_url": "sqlite:///tmp/x.db", "log_format": "json"},
			want: func(c *Config) {
				c.DatabaseURL = "sqlite:///tmp/x.db"
				c.LogFormat = "json"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := DefaultConfig()
			tt.want(&want)
			got, err := LoadConfig(tt.path, envMap(tt.env), tt.flags)
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			if got != want {
				t.Fatalf("LoadConfig =\n  %+v\nwant\n  %+v", got, want)
			}
		})
	}
}

func TestLoadConfigSecretFile(t *testing.T) {
	secret := writeFile(t, "db-url", "postgres://govapp:s3cret@db:5432/govapp\n")
	crlf := writeFile(t, "db-url-crlf", "postgres://govapp:s3cret@db:5432/govapp\r\n\n")
	empty := writeFile(t, "empty", "\n")
	missing := filepath.Join(t.TempDir(), "missing")
	const want = "postgres://govapp:s3cret@db:5432/govapp"

	tests := []struct {
		name    string
		env     map[string]string
		flags   map[string]string
		want    string
		wantErr []string
	}{
		{name: "file trimmed", env: map[string]string{"GOVAPP_DATABASE_URL_FILE": secret}, want: want},
		{name: "crlf trimmed", env: map[string]string{"GOVAPP_DATABASE_URL_FILE": crlf}, want: want},
		{
			name:  "flag beats file",
			env:   map[string]string{"GOVAPP_DATABASE_URL_FILE": secret},
			flags: map[string]string{"database_url": "postgres://flag@db/govapp"},
			want:  "postgres://flag@db/govapp",
		},
		{
			name:    "both set",
			env:     map[string]string{"GOVAPP_DATABASE_URL_FILE": secret, "GOVAPP_DATABASE_URL": want},
			wantErr: []string{"database_url", "GOVAPP_DATABASE_URL", "GOVAPP_DATABASE_URL_FILE", "set only one"},
		},
		{
			name:    "missing file",
			env:     map[string]string{"GOVAPP_DATABASE_URL_FILE": missing},
			wantErr: []string{"database_url", "GOVAPP_DATABASE_URL_FILE", missing},
		},
		{
			name:    "empty file",
			env:     map[string]string{"GOVAPP_DATABASE_URL_FILE": empty},
			wantErr: []string{"database_url", "GOVAPP_DATABASE_URL_FILE", "empty"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadConfig("", envMap(tt.env), tt.flags)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("LoadConfig = %+v, want error", got)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not mention %q", err, s)
					}
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error %q leaks the password", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadConfig: %v", err)
			}
			if got.DatabaseURL != tt.want {
				t.Fatalf("DatabaseURL = %q, want %q", got.DatabaseURL, tt.want)
			}
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string // written to a file when not empty
		path    string // used when yaml is empty
		env     map[string]string
		flags   map[string]string
		wantErr []string
	}{
		{
			name:    "unknown yaml key",
			yaml:    "addr: :8080\nlog_levle: debug\n",
			wantErr: []string{`unknown key "log_levle"`, "line 2", "allowed:", "log_level"},
		},
		{
			name:    "duplicate yaml key",
			yaml:    "addr: :8080\naddr: :8081\n",
			wantErr: []string{`"addr"`, "line 2", "line 1"},
		},
		{
			name:    "yaml list value",
			yaml:    "addr: [a, b]\n",
			wantErr: []string{"addr (GOVAPP_ADDR)", "single value"},
		},
		{
			name:    "yaml not a mapping",
			yaml:    "- addr\n",
			wantErr: []string{"mapping"},
		},
		{
			name:    "yaml syntax",
			yaml:    "addr: [\n",
			wantErr: []string{"not valid YAML"},
		},
		{
			name:    "missing file",
			path:    "/nonexistent/govapp.yaml",
			wantErr: []string{"/nonexistent/govapp.yaml"},
		},
		{
			name:    "bad duration in yaml",
			yaml:    "shutdown_timeout: 10\n",
			wantErr: []string{`shutdown_timeout (GOVAPP_SHUTDOWN_TIMEOUT) is "10"`, "line 1", "e.g. 10s"},
		},
		{
			name:    "bad bool in env",
			env:     map[string]string{"GOVAPP_NO_DEMO": "maybe"},
			wantErr: []string{`no_demo (GOVAPP_NO_DEMO) is "maybe"`, "environment variable GOVAPP_NO_DEMO", "true or false"},
		},
		{
			name:    "bad body limit in env",
			env:     map[string]string{"GOVAPP_BODY_LIMIT": "big"},
			wantErr: []string{`body_limit (GOVAPP_BODY_LIMIT) is "big"`, "1024"},
		},
		{
			name:    "bad flag value",
			flags:   map[string]string{"shutdown_timeout": "soon"},
			wantErr: []string{`shutdown_timeout (GOVAPP_SHUTDOWN_TIMEOUT) is "soon"`, "command-line flag"},
		},
		{
			name:    "unknown flag key",
			flags:   map[string]string{"adr": ":1"},
			wantErr: []string{`unknown flag key "adr"`},
		},
		{
			name:    "validation after merge",
			env:     map[string]string{"GOVAPP_LOG_LEVEL": "loud"},
			wantErr: []string{`config: log_level (GOVAPP_LOG_LEVEL) is "loud" (from environment variable GOVAPP_LOG_LEVEL); allowed: debug, info, warn, error`},
		},
		{
			name:    "several errors reported together",
			yaml:    "addr: nowhere\n",
			env:     map[string]string{"GOVAPP_NO_DEMO": "maybe", "GOVAPP_BODY_LIMIT": "big"},
			wantErr: []string{"no_demo", "body_limit", `addr (GOVAPP_ADDR) is "nowhere"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if tt.yaml != "" {
				path = writeFile(t, "govapp.yaml", tt.yaml)
			}
			got, err := LoadConfig(path, envMap(tt.env), tt.flags)
			if err == nil {
				t.Fatalf("LoadConfig = %+v, want error", got)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if got != (Config{}) {
				t.Errorf("LoadConfig returned %+v with an error, want zero Config", got)
			}
		})
	}
}

func TestLoadConfigEmptyFile(t *testing.T) {
	for _, content := range []string{"", "# only a comment\n", "---\n"} {
		got, err := LoadConfig(writeFile(t, "govapp.yaml", content), nil, nil)
		if err != nil {
			t.Fatalf("LoadConfig(%q): %v", content, err)
		}
		if got != DefaultConfig() {
			t.Fatalf("LoadConfig(%q) = %+v, want defaults", content, got)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*Config)
		wantErr []string // empty: valid
	}{
		{name: "port zero", mod: func(c *Config) { c.Addr = "127.0.0.1:0" }},
		{name: "all interfaces", mod: func(c *Config) { c.Addr = ":8080" }},
		{name: "ipv6", mod: func(c *Config) { c.Addr = "[::1]:8080" }},
		{name: "postgres", mod: func(c *Config) { c.DatabaseURL = "postgres://u:p@127.0.0.1:5432/db?sslmode=disable" }},
		{name: "postgresql", mod: func(c *Config) { c.DatabaseURL = "postgresql:///db?host=/var/run/postgresql" }},
		{name: "sqlite", mod: func(c *Config) { c.DatabaseURL = "sqlite:///var/lib/govapp/x.db" }},
		{name: "file", mod: func(c *Config) { c.DatabaseURL = "file:govapp.db?_pragma=busy_timeout(5000)" }},
		{name: "public url", mod: func(c *Config) { c.PublicURL = "https://govapp.example.gov.cn/prefix" }},
		{name: "limits low", mod: func(c *Config) { c.BodyLimit = MinBodyLimit; c.ShutdownTimeout = MinShutdownTimeout }},
		{name: "limits high", mod: func(c *Config) { c.BodyLimit = MaxBodyLimit; c.ShutdownTimeout = MaxShutdownTimeout }},

		{name: "addr no port", mod: func(c *Config) { c.Addr = "localhost" }, wantErr: []string{"addr (GOVAPP_ADDR)", `"localhost"`, "host:port"}},
		{name: "addr port too big", mod: func(c *Config) { c.Addr = ":70000" }, wantErr: []string{"addr (GOVAPP_ADDR)", "0-65535"}},
		{name: "addr named port", mod: func(c *Config) { c.Addr = ":http" }, wantErr: []string{"addr (GOVAPP_ADDR)"}},
		{name: "addr empty port", mod: func(c *Config) { c.Addr = "127.0.0.1:" }, wantErr: []string{"addr (GOVAPP_ADDR)"}},
		{name: "data dir empty", mod: func(c *Config) { c.DataDir = " " }, wantErr: []string{"data_dir (GOVAPP_DATA_DIR)"}},
		{name: "database scheme", mod: func(c *Config) { c.DatabaseURL = "mysql://u:hunter2@db/x" }, wantErr: []string{"database_url (GOVAPP_DATABASE_URL)", "postgres://", "sqlite:///"}},
		{name: "database plain path", mod: func(c *Config) { c.DatabaseURL = "/var/lib/x.db" }, wantErr: []string{"database_url (GOVAPP_DATABASE_URL)"}},
		{name: "sqlite no path", mod: func(c *Config) { c.DatabaseURL = "sqlite://x.db" }, wantErr: []string{"database_url (GOVAPP_DATABASE_URL)", "three slashes"}},
		{name: "public url scheme", mod: func(c *Config) { c.PublicURL = "ftp://example.com" }, wantErr: []string{"public_url (GOVAPP_PUBLIC_URL)", "http(s)"}},
		{name: "public url no host", mod: func(c *Config) { c.PublicURL = "https://" }, wantErr: []string{"public_url (GOVAPP_PUBLIC_URL)"}},
		{name: "public url relative", mod: func(c *Config) { c.PublicURL = "example.com" }, wantErr: []string{"public_url (GOVAPP_PUBLIC_URL)"}},
		{name: "public url query", mod: func(c *Config) { c.PublicURL = "https://example.com/?a=1" }, wantErr: []string{"public_url (GOVAPP_PUBLIC_URL)"}},
		{name: "log level", mod: func(c *Config) { c.LogLevel = "loud" }, wantErr: []string{`config: log_level (GOVAPP_LOG_LEVEL) is "loud"; allowed: debug, info, warn, error`}},
		{name: "log level case", mod: func(c *Config) { c.LogLevel = "INFO" }, wantErr: []string{"log_level (GOVAPP_LOG_LEVEL)"}},
		{name: "log format", mod: func(c *Config) { c.LogFormat = "xml" }, wantErr: []string{`log_format (GOVAPP_LOG_FORMAT) is "xml"; allowed: text, json`}},
		{name: "body limit low", mod: func(c *Config) { c.BodyLimit = 1023 }, wantErr: []string{"body_limit (GOVAPP_BODY_LIMIT)", "1024"}},
		{name: "body limit high", mod: func(c *Config) { c.BodyLimit = MaxBodyLimit + 1 }, wantErr: []string{"body_limit (GOVAPP_BODY_LIMIT)", "64MiB"}},
		{name: "shutdown low", mod: func(c *Config) { c.ShutdownTimeout = 999 * time.Millisecond }, wantErr: []string{"shutdown_timeout (GOVAPP_SHUTDOWN_TIMEOUT)", "1s to 5m"}},
		{name: "shutdown high", mod: func(c *Config) { c.ShutdownTimeout = 6 * time.Minute }, wantErr: []string{"shutdown_timeout (GOVAPP_SHUTDOWN_TIMEOUT)", `"6m0s"`}},
		{
			name: "all at once",
			mod: func(c *Config) {
				c.Addr = "x"
				c.LogLevel = "x"
				c.LogFormat = "x"
			},
			wantErr: []string{"addr (GOVAPP_ADDR)", "log_level (GOVAPP_LOG_LEVEL)", "log_format (GOVAPP_LOG_FORMAT)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.mod(&c)
			err := c.Validate()
			if len(tt.wantErr) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want error mentioning %q", tt.wantErr)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
}

func TestConfigRedacted(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"postgres://govapp:s3cret@db:5432/govapp?sslmode=disable", "postgres://govapp:xxxxx@db:5432/govapp?sslmode=disable"},
		{"postgres://govapp@db/govapp", "postgres://govapp@db/govapp"},
		{"postgres://govapp:@db/govapp", "postgres://govapp:xxxxx@db/govapp"},
		{"postgres://db/govapp?user=govapp&password=s3cret", "postgres://db/govapp?password=xxxxx&user=govapp"},
		{"sqlite:///var/lib/govapp.db", "sqlite:///var/lib/govapp.db"},
		{"file:govapp.db?_pragma=busy_timeout(5000)", "file:govapp.db?_pragma=busy_timeout(5000)"},
		{"postgres://u:p%zz@db/x", "xxxxx"}, // unparsable: hide it all
	}
	for _, tt := range tests {
		c := DefaultConfig()
		c.DatabaseURL = tt.in
		r := c.Redacted()
		if r.DatabaseURL != tt.want {
			t.Errorf("Redacted(%q).DatabaseURL = %q, want %q", tt.in, r.DatabaseURL, tt.want)
		}
		if c.DatabaseURL != tt.in {
			t.Errorf("Redacted changed its receiver: %q", c.DatabaseURL)
		}
		r.DatabaseURL = c.DatabaseURL
		if r != c {
			t.Errorf("Redacted changed other fields: %+v", r)
		}
	}
}

func TestConfigYAMLRoundTrip(t *testing.T) {
	c := DefaultConfig()
	c.Addr = ":9000"
	c.DatabaseURL = "postgres://govapp:s3cret@db:5432/govapp"
	c.NoDemo = true
	c.PublicURL = "https://govapp.example.gov.cn"
	c.BodyLimit = 4096
	c.ShutdownTimeout = 90 * time.Second
	out := c.YAML()
	if strings.Contains(string(out), "s3cret") {
		t.Fatalf("YAML leaks the password:\n%s", out)
	}
	for _, s := range []string{"shutdown_timeout: 1m30s", "no_demo: true", "body_limit: 4096", "database_url: postgres://govapp:xxxxx@db:5432/govapp"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("YAML lacks %q:\n%s", s, out)
		}
	}
	got, err := LoadConfig(writeFile(t, "printed.yaml", string(out)), nil, nil)
	if err != nil {
		t.Fatalf("LoadConfig of YAML(): %v\n%s", err, out)
	}
	if want := c.Redacted(); got != want {
		t.Fatalf("round trip = %+v, want %+v", got, want)
	}
	// Every key is printed, so the output is a complete starting file.
	for _, f := range configFields() {
		if !strings.Contains(string(out), f.key+":") {
			t.Errorf("YAML lacks key %q", f.key)
		}
	}
}
