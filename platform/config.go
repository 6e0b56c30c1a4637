package platform

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/govapp/govapp/platform/internal/db"
)

// Defaults and limits of Config. They are constants, not variables, so that a
// test or an embedding program can never change the defaults of another: every
// Config starts from DefaultConfig, which is built from these.
const (
	// DefaultAddr is where `govapp serve` listens when nothing else is said:
	// loopback only, so a fresh laptop does not expose the platform to its network.
	DefaultAddr = "127.0.0.1:8080"
	// DefaultDataDir holds the embedded SQLite database and the bundle files
	// when no other place is configured; relative to the working directory.
	DefaultDataDir = "./govapp-data"
	// DefaultLogLevel is the log level when none is configured.
	DefaultLogLevel = "info"
	// DefaultLogFormat is the log format when none is configured: text reads
	// best in a terminal; production setups usually pick json.
	DefaultLogFormat = "text"
	// DefaultBodyLimit is the largest request body the API accepts, in bytes
	// (1 MiB, as docs/API.md promises).
	DefaultBodyLimit int64 = 1 << 20
	// MinBodyLimit is the smallest body_limit accepted: below 1 KiB even a
	// small JSON request would be refused.
	MinBodyLimit int64 = 1 << 10
	// MaxBodyLimit is the largest body_limit accepted: bundles are uploaded
	// file by file, so no single request needs more than 64 MiB.
	MaxBodyLimit int64 = 64 << 20
	// DefaultShutdownTimeout is how long Run waits for requests in flight
	// when it is asked to stop.
	DefaultShutdownTimeout = 10 * time.Second
	// MinShutdownTimeout is the shortest shutdown_timeout accepted.
	MinShutdownTimeout = time.Second
	// MaxShutdownTimeout is the longest shutdown_timeout accepted: longer
	// than this and orchestrators kill the process anyway.
	MaxShutdownTimeout = 5 * time.Minute
	// DefaultStatsRetention is how long raw usage events are kept (rollups stay): half a year.
	DefaultStatsRetention = 180 * 24 * time.Hour
	// MinStatsRetention is the shortest stats_retention: longer than the 7 days a phone may
	// hold events, so a resent event still finds its stored twin.
	MinStatsRetention = 8 * 24 * time.Hour

	// EnvPrefix starts the name of every environment variable LoadConfig
	// reads: GOVAPP_ followed by the upper-cased YAML key.
	EnvPrefix = "GOVAPP_"
	// EnvFileSuffix ends the name of the environment variable that names a
	// file holding a secret (GOVAPP_DATABASE_URL_FILE), so that a password
	// need not appear in the environment or on a command line.
	EnvFileSuffix = "_FILE"
)

// Config is everything `govapp serve` (and platform.New) needs to know, as
// plain data: no package-level state is read or written, so tests and
// `govapp dev` can run several platforms side by side in one process.
// Build one with DefaultConfig or LoadConfig; check it with Validate.
type Config struct {
	// Addr is the host:port the HTTP server listens on; port 0 picks a free port.
	Addr string `yaml:"addr"`
	// DataDir holds the embedded database and the bundle files.
	DataDir string `yaml:"data_dir"`
	// DatabaseURL selects the database: "" means SQLite in DataDir/govapp.db;
	// "postgres://..." (or "postgresql://...") means PostgreSQL;
	// "sqlite:///path/x.db" and "file:..." mean SQLite at that path.
	// It may hold a password: print Redacted, never the Config itself.
	DatabaseURL string `yaml:"database_url"`
	// NoDemo leaves out the demo data (regions' departments, sample apps and
	// users) that a fresh platform is otherwise seeded with.
	NoDemo bool `yaml:"no_demo"`
	// RegionsFile is a JSON file with the administrative-division tree, in the
	// format of the embedded one; "" means the embedded Zhejiang tree.
	RegionsFile string `yaml:"regions_file"`
	// SecretKey (base64 of 32 bytes) encrypts secrets at rest (the sign-in
	// signing key, codes and tokens). "" = a key generated on first start
	// and kept in DataDir/secret.key (mode 0600). Several instances sharing
	// one database must share it. GOVAPP_SECRET_KEY or GOVAPP_SECRET_KEY_FILE.
	SecretKey string `yaml:"secret_key"`
	// PublicURL is the http(s) URL at which phones and browsers reach the
	// platform (for OAuth redirects, QR codes, links in notices); "" means
	// derived from Addr.
	PublicURL string `yaml:"public_url"`
	// LogLevel is one of debug, info, warn, error.
	LogLevel string `yaml:"log_level"`
	// LogFormat is text or json.
	LogFormat string `yaml:"log_format"`
	// BodyLimit is the largest request body accepted, in bytes
	// (MinBodyLimit..MaxBodyLimit).
	BodyLimit int64 `yaml:"body_limit"`
	// ShutdownTimeout is how long a graceful stop waits for requests in
	// flight (MinShutdownTimeout..MaxShutdownTimeout); written "10s" in YAML
	// and in the environment.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// StatsRetention is how long raw usage events are kept before the daily prune
	// (at least MinStatsRetention); reports read the rollups, which are kept. "4320h" in YAML.
	StatsRetention time.Duration `yaml:"stats_retention"`

	// The outside services. With none of WeChat, Alipay, the gov-app SSO or SMS configured,
	// `govapp serve` runs in sandbox mode: the fakes of sandbox/ run in-process and these point
	// at them.

	// WeChatAppID and WeChatSecret are the platform's shared official account (公众号).
	WeChatAppID  string `yaml:"wechat_app_id"`
	WeChatSecret string `yaml:"wechat_secret"`
	// WeChatAPIURL and WeChatOpenURL replace api.weixin.qq.com and open.weixin.qq.com.
	WeChatAPIURL  string `yaml:"wechat_api_url"`
	WeChatOpenURL string `yaml:"wechat_open_url"`
	// AlipayAppID, AlipayPrivateKey (PEM, the app's) and AlipayPublicKey (PEM, Alipay's).
	AlipayAppID      string `yaml:"alipay_app_id"`
	AlipayPrivateKey string `yaml:"alipay_private_key"`
	AlipayPublicKey  string `yaml:"alipay_public_key"`
	// AlipayGatewayURL and AlipayAuthorizeURL replace the open-API gateway and OAuth page.
	AlipayGatewayURL   string `yaml:"alipay_gateway_url"`
	AlipayAuthorizeURL string `yaml:"alipay_authorize_url"`
	// ZLBBaseURL (the SSO API with its gateway path prefix), ZLBAccessKey and ZLBSecretKey (the
	// app's gateway AK/SK) reach the gov app's SSO (浙里办 style). ZLBLoginURL is the login page
	// for browsers outside the gov app; ZLBBaseURL + /sso/login when empty.
	ZLBBaseURL   string `yaml:"zlb_base_url"`
	ZLBAccessKey string `yaml:"zlb_access_key"`
	ZLBSecretKey string `yaml:"zlb_secret_key"`
	ZLBLoginURL  string `yaml:"zlb_login_url"`
	// SMSURL and SMSAPIKey reach the SMS gateway that sends verification codes.
	SMSURL    string `yaml:"sms_url"`
	SMSAPIKey string `yaml:"sms_api_key"`

	// Push providers (统一消息推送). APNsKey is the .p8 token-signing key (PEM) with its
	// APNsKeyID and APNsTeamID; APNsTopic the default bundle id. APNsURL replaces Apple's
	// hosts (an intranet relay or the sandbox) and APNsCA, a PEM certificate, is trusted
	// for it besides the system roots.
	APNsKey    string `yaml:"apns_key"`
	APNsKeyID  string `yaml:"apns_key_id"`
	APNsTeamID string `yaml:"apns_team_id"`
	APNsTopic  string `yaml:"apns_topic"`
	APNsURL    string `yaml:"apns_url"`
	APNsCA     string `yaml:"apns_ca"`
	// FCMProjectID and FCMCredentials (the service-account JSON) reach Firebase Cloud
	// Messaging; FCMURL replaces https://fcm.googleapis.com (then no credentials are sent).
	FCMProjectID   string `yaml:"fcm_project_id"`
	FCMCredentials string `yaml:"fcm_credentials"`
	FCMURL         string `yaml:"fcm_url"`
}

// DefaultConfig returns the configuration of a fresh laptop: SQLite in
// ./govapp-data, listening on loopback, demo data on. It is a function, not a
// variable, so nobody can change the defaults for everybody else.
func DefaultConfig() Config {
	return Config{
		Addr:            DefaultAddr,
		DataDir:         DefaultDataDir,
		LogLevel:        DefaultLogLevel,
		LogFormat:       DefaultLogFormat,
		BodyLimit:       DefaultBodyLimit,
		ShutdownTimeout: DefaultShutdownTimeout,
		StatsRetention:  DefaultStatsRetention,
	}
}

// LoadConfig builds the configuration the way every twelve-factor operator
// expects, each step overriding the one before:
//
//  1. DefaultConfig;
//  2. the YAML file at path (skipped when path is ""; an unknown key is an
//     error, so a typo never goes unnoticed);
//  3. environment variables GOVAPP_<UPPER_YAML_KEY>, read through getenv
//     (nil means no environment); an empty value counts as unset. A secret
//     (database_url) may instead come from the file named by
//     GOVAPP_<KEY>_FILE, with trailing newlines trimmed; setting both is an
//     error;
//  4. flags: YAML key to value, holding only the flags the user actually set.
//
// Then it calls Validate. Every error names the YAML key and the environment
// variable of the field at fault, where the bad value came from, and what is
// allowed; several errors are joined so that all can be fixed at once.
func LoadConfig(path string, getenv func(string) string, flags map[string]string) (Config, error) {
	c := DefaultConfig()
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var errs []error
	sources := map[string]string{} // key -> where its final value came from
	if path != "" {
		errs = append(errs, c.applyFile(path, sources)...)
	}
	errs = append(errs, c.applyEnv(getenv, sources)...)
	errs = append(errs, c.applyFlags(flags, sources)...)
	// Validate even when some values did not parse, so that every problem
	// is reported at once; a field that failed to parse is reported once.
	failed := map[string]bool{}
	for _, err := range errs {
		if fe, ok := err.(*fieldError); ok {
			failed[fe.key] = true
		}
	}
	for _, err := range c.validate() {
		fe, ok := err.(*fieldError)
		if ok && failed[fe.key] {
			continue
		}
		if ok {
			fe.source = sources[fe.key]
		}
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return c, nil
}

// Validate reports every field whose value the platform cannot run with, so
// that a bad configuration fails at start-up with a message naming the field,
// not later with an obscure error. Several problems are joined into one error.
func (c Config) Validate() error {
	return errors.Join(c.validate()...)
}

// validate returns one error per field at fault.
func (c Config) validate() []error {
	var errs []error
	bad := func(key, value, allowed string) {
		errs = append(errs, &fieldError{key: key, value: value, allowed: allowed})
	}

	if !validAddr(c.Addr) {
		bad("addr", c.Addr, "host:port with a numeric port 0-65535, e.g. 127.0.0.1:8080 or :8080")
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("data_dir", c.DataDir, "a directory path, e.g. ./govapp-data")
	}
	if msg := checkDatabaseURL(c.DatabaseURL); msg != "" {
		bad("database_url", db.Redact(c.DatabaseURL), msg)
	}
	if c.SecretKey != "" {
		if b, err := base64.StdEncoding.DecodeString(c.SecretKey); err != nil || len(b) != 32 {
			bad("secret_key", "xxxxx", "standard base64 of exactly 32 random bytes, e.g. the output of `head -c32 /dev/urandom | base64`")
		}
	}
	if msg := checkPublicURL(c.PublicURL); msg != "" {
		bad("public_url", c.PublicURL, msg)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", c.LogLevel, "debug, info, warn, error")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		bad("log_format", c.LogFormat, "text, json")
	}
	if c.BodyLimit < MinBodyLimit || c.BodyLimit > MaxBodyLimit {
		bad("body_limit", strconv.FormatInt(c.BodyLimit, 10), bodyLimitAllowed)
	}
	if c.ShutdownTimeout < MinShutdownTimeout || c.ShutdownTimeout > MaxShutdownTimeout {
		bad("shutdown_timeout", c.ShutdownTimeout.String(), shutdownAllowed)
	}
	if c.StatsRetention < MinStatsRetention {
		bad("stats_retention", c.StatsRetention.String(), statsRetentionAllowed)
	}
	return errs
}

// Redacted returns a copy whose DatabaseURL has its password replaced by
// "xxxxx" (in the user-info part and in a password= query parameter), so
// that the configuration can be logged or printed. An unparsable URL is
// replaced whole, since it may hold a password in a place we cannot find.
func (c Config) Redacted() Config {
	c.DatabaseURL = db.Redact(c.DatabaseURL)
	for _, p := range []*string{&c.SecretKey, &c.WeChatSecret, &c.AlipayPrivateKey, &c.ZLBSecretKey, &c.SMSAPIKey, &c.APNsKey, &c.FCMCredentials} {
		if *p != "" {
			*p = "xxxxx"
		}
	}
	return c
}

// YAML returns the redacted configuration as a YAML document in the same
// form LoadConfig reads (durations as "10s"), for `govapp serve
// --print-config`: an operator can see what is in force and save it as a
// starting file.
func (c Config) YAML() []byte {
	r := c.Redacted()
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, f := range configFields() {
		value, tag := f.get(&r)
		doc.Content = append(doc.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: f.key},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value},
		)
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		// Marshalling a flat mapping of scalars cannot fail; if it ever
		// does, say so in the output rather than print nothing.
		return []byte("# config: cannot render as YAML: " + err.Error() + "\n")
	}
	return out
}

// field describes one Config field for the file, environment and flag
// loaders, so that all three parse a value the same way.
type field struct {
	key    string // YAML key; the environment variable is EnvPrefix + upper(key)
	secret bool   // may also come from GOVAPP_<KEY>_FILE; never echoed in errors
	// set parses v into c, or returns what is allowed.
	set func(c *Config, v string) (allowed string, ok bool)
	// get formats the field for YAML, with its YAML tag.
	get func(c *Config) (value, tag string)
}

func (f field) env() string { return EnvPrefix + strings.ToUpper(f.key) }

const (
	bodyLimitAllowed = "a whole number of bytes from 1024 (1KiB) to 67108864 (64MiB), e.g. 1048576 or 1MiB"
	shutdownAllowed  = "a duration from 1s to 5m, e.g. 10s or 1m30s"

	statsRetentionAllowed = "a duration of at least 192h (8 days), in hours, e.g. 4320h for 180 days"
)

// configFields lists the fields in YAML order. It is a function so that the
// table stays immutable.
func configFields() []field {
	str := func(key string, secret bool, p func(*Config) *string) field {
		return field{
			key:    key,
			secret: secret,
			set:    func(c *Config, v string) (string, bool) { *p(c) = v; return "", true },
			get:    func(c *Config) (string, string) { return *p(c), "!!str" },
		}
	}
	return []field{
		str("addr", false, func(c *Config) *string { return &c.Addr }),
		str("data_dir", false, func(c *Config) *string { return &c.DataDir }),
		str("database_url", true, func(c *Config) *string { return &c.DatabaseURL }),
		{
			key: "no_demo",
			set: func(c *Config, v string) (string, bool) {
				b, err := strconv.ParseBool(strings.TrimSpace(v))
				if err != nil {
					return "true or false", false
				}
				c.NoDemo = b
				return "", true
			},
			get: func(c *Config) (string, string) { return strconv.FormatBool(c.NoDemo), "!!bool" },
		},
		str("regions_file", false, func(c *Config) *string { return &c.RegionsFile }),
		str("secret_key", true, func(c *Config) *string { return &c.SecretKey }),
		str("public_url", false, func(c *Config) *string { return &c.PublicURL }),
		str("log_level", false, func(c *Config) *string { return &c.LogLevel }),
		str("log_format", false, func(c *Config) *string { return &c.LogFormat }),
		{
			key: "body_limit",
			set: func(c *Config, v string) (string, bool) {
				n, ok := parseBytes(v)
				if !ok {
					return bodyLimitAllowed, false
				}
				c.BodyLimit = n
				return "", true
			},
			get: func(c *Config) (string, string) { return strconv.FormatInt(c.BodyLimit, 10), "!!int" },
		},
		{
			key: "shutdown_timeout",
			set: func(c *Config, v string) (string, bool) {
				d, err := time.ParseDuration(strings.TrimSpace(v))
				if err != nil {
					return shutdownAllowed, false
				}
				c.ShutdownTimeout = d
				return "", true
			},
			get: func(c *Config) (string, string) { return c.ShutdownTimeout.String(), "!!str" },
		},
		{
			key: "stats_retention",
			set: func(c *Config, v string) (string, bool) {
				d, err := time.ParseDuration(strings.TrimSpace(v))
				if err != nil {
					return statsRetentionAllowed, false
				}
				c.StatsRetention = d
				return "", true
			},
			get: func(c *Config) (string, string) { return c.StatsRetention.String(), "!!str" },
		},
		str("wechat_app_id", false, func(c *Config) *string { return &c.WeChatAppID }),
		str("wechat_secret", true, func(c *Config) *string { return &c.WeChatSecret }),
		str("wechat_api_url", false, func(c *Config) *string { return &c.WeChatAPIURL }),
		str("wechat_open_url", false, func(c *Config) *string { return &c.WeChatOpenURL }),
		str("alipay_app_id", false, func(c *Config) *string { return &c.AlipayAppID }),
		str("alipay_private_key", true, func(c *Config) *string { return &c.AlipayPrivateKey }),
		str("alipay_public_key", false, func(c *Config) *string { return &c.AlipayPublicKey }),
		str("alipay_gateway_url", false, func(c *Config) *string { return &c.AlipayGatewayURL }),
		str("alipay_authorize_url", false, func(c *Config) *string { return &c.AlipayAuthorizeURL }),
		str("zlb_base_url", false, func(c *Config) *string { return &c.ZLBBaseURL }),
		str("zlb_access_key", false, func(c *Config) *string { return &c.ZLBAccessKey }),
		str("zlb_secret_key", true, func(c *Config) *string { return &c.ZLBSecretKey }),
		str("zlb_login_url", false, func(c *Config) *string { return &c.ZLBLoginURL }),
		str("sms_url", false, func(c *Config) *string { return &c.SMSURL }),
		str("sms_api_key", true, func(c *Config) *string { return &c.SMSAPIKey }),
		str("apns_key", true, func(c *Config) *string { return &c.APNsKey }),
		str("apns_key_id", false, func(c *Config) *string { return &c.APNsKeyID }),
		str("apns_team_id", false, func(c *Config) *string { return &c.APNsTeamID }),
		str("apns_topic", false, func(c *Config) *string { return &c.APNsTopic }),
		str("apns_url", false, func(c *Config) *string { return &c.APNsURL }),
		str("apns_ca", false, func(c *Config) *string { return &c.APNsCA }),
		str("fcm_project_id", false, func(c *Config) *string { return &c.FCMProjectID }),
		str("fcm_credentials", true, func(c *Config) *string { return &c.FCMCredentials }),
		str("fcm_url", false, func(c *Config) *string { return &c.FCMURL }),
	}
}

// Sandboxed reports whether no outside service is configured, so serve runs the fakes.
func (c Config) Sandboxed() bool {
	return c.WeChatAppID == "" && c.AlipayAppID == "" && c.ZLBAccessKey == "" && c.SMSURL == "" && c.APNsKey == "" && c.FCMProjectID == ""
}

// lookupField finds the field with the given YAML key.
func lookupField(key string) (field, bool) {
	for _, f := range configFields() {
		if f.key == key {
			return f, true
		}
	}
	return field{}, false
}

// knownKeys lists the YAML keys, for "unknown key" errors.
func knownKeys() string {
	fs := configFields()
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = f.key
	}
	return strings.Join(keys, ", ")
}

// setField parses value into c, returning an error naming the field and the
// source on failure.
func (c *Config) setField(f field, value, source string, sources map[string]string) error {
	sources[f.key] = source
	if allowed, ok := f.set(c, value); !ok {
		shown := value
		if f.secret {
			shown = db.Redact(value)
		}
		return &fieldError{key: f.key, value: shown, source: source, allowed: allowed}
	}
	return nil
}

// applyFile overrides c with the keys of the YAML file at path.
func (c *Config) applyFile(path string, sources map[string]string) []error {
	data, err := os.ReadFile(path)
	if err != nil {
		return []error{fmt.Errorf("config: cannot read the config file: %w; check its path", err)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return []error{fmt.Errorf("config: %s is not valid YAML: %w", path, err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil // an empty file changes nothing
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil // a file holding only comments
	}
	if root.Kind != yaml.MappingNode {
		return []error{fmt.Errorf("config: %s line %d: the file must be a mapping of keys to values, e.g. \"addr: 127.0.0.1:8080\"", path, root.Line)}
	}
	var errs []error
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key := k.Value
		f, ok := lookupField(key)
		if !ok {
			errs = append(errs, fmt.Errorf("config: %s line %d: unknown key %q; allowed: %s", path, k.Line, key, knownKeys()))
			continue
		}
		if line, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("config: %s line %d: key %q already set on line %d; keep one", path, k.Line, key, line))
			continue
		}
		seen[key] = k.Line
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		source := fmt.Sprintf("%s line %d", path, v.Line)
		if v.Kind != yaml.ScalarNode {
			errs = append(errs, &fieldError{key: key, value: "a list or mapping", source: source, allowed: "a single value"})
			continue
		}
		value := v.Value
		if v.Tag == "!!null" {
			value = ""
		}
		if err := c.setField(f, value, source, sources); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// applyEnv overrides c with GOVAPP_* environment variables.
func (c *Config) applyEnv(getenv func(string) string, sources map[string]string) []error {
	var errs []error
	for _, f := range configFields() {
		name := f.env()
		value := getenv(name)
		source := "environment variable " + name
		if f.secret {
			fileVar := name + EnvFileSuffix
			if path := getenv(fileVar); path != "" {
				if value != "" {
					errs = append(errs, fmt.Errorf("config: %s: both %s and %s are set; set only one", f.key, name, fileVar))
					continue
				}
				data, err := os.ReadFile(path)
				if err != nil {
					errs = append(errs, fmt.Errorf("config: %s (%s): cannot read the secret file: %w", f.key, fileVar, err))
					continue
				}
				value = strings.TrimRight(string(data), "\r\n")
				source = "file " + path + " named by " + fileVar
				if value == "" {
					errs = append(errs, fmt.Errorf("config: %s (%s): the file %s is empty; put the value in it or unset %s", f.key, fileVar, path, fileVar))
					continue
				}
			}
		}
		if value == "" {
			continue
		}
		if err := c.setField(f, value, source, sources); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// applyFlags overrides c with the flags the user set, keyed by YAML key.
func (c *Config) applyFlags(flags map[string]string, sources map[string]string) []error {
	keys := make([]string, 0, len(flags))
	for k := range flags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, key := range keys {
		f, ok := lookupField(key)
		if !ok {
			errs = append(errs, fmt.Errorf("config: unknown flag key %q; allowed: %s", key, knownKeys()))
			continue
		}
		if err := c.setField(f, flags[key], "command-line flag", sources); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// fieldError is a bad value of one field: it names the YAML key, the
// environment variable, where the value came from (when known) and what is
// allowed.
type fieldError struct {
	key     string
	value   string
	source  string // "" when the value's origin is not known (Validate)
	allowed string
}

func (e *fieldError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config: %s (%s%s) is %q", e.key, EnvPrefix, strings.ToUpper(e.key), e.value)
	if e.source != "" {
		fmt.Fprintf(&b, " (from %s)", e.source)
	}
	fmt.Fprintf(&b, "; allowed: %s", e.allowed)
	return b.String()
}

// validAddr reports whether s is host:port with a numeric port 0-65535.
func validAddr(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || port == "" {
		return false
	}
	if strings.ContainsAny(host, " /") {
		return false
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return err == nil && n <= 65535
}

// checkDatabaseURL returns what is allowed when s is not a usable database
// URL, or "" when it is.
func checkDatabaseURL(s string) string {
	const allowed = `"" (SQLite in data_dir), postgres://user:password@host:5432/db, sqlite:///path/govapp.db or file:path/govapp.db`
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return allowed + " (it does not parse as a URL)"
	}
	switch u.Scheme {
	case "postgres", "postgresql":
		return ""
	case "sqlite", "file":
		if u.Path == "" && u.Opaque == "" {
			return allowed + " (no file path; note the three slashes in sqlite:///path)"
		}
		return ""
	default:
		return allowed
	}
}

// checkPublicURL returns what is allowed when s is not a usable public URL,
// or "" when it is.
func checkPublicURL(s string) string {
	const allowed = `"" (derived from addr) or an http(s) URL with a host and no query or fragment, e.g. https://govapp.example.gov.cn`
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return allowed
	}
	return ""
}

// parseBytes parses a byte count: a whole number, optionally followed by
// KiB or MiB.
func parseBytes(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "KiB"):
		mult, s = 1<<10, strings.TrimSpace(strings.TrimSuffix(s, "KiB"))
	case strings.HasSuffix(s, "MiB"):
		mult, s = 1<<20, strings.TrimSpace(strings.TrimSuffix(s, "MiB"))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, false
	}
	return n * mult, true
}
