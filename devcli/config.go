package devcli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/govapp/govapp/platform/client"
)

// Environment variables the CLI reads.
const (
	envServer = "GOVAPP_SERVER"     // overrides the saved server URL
	envToken  = "GOVAPP_TOKEN"      // overrides the saved API token
	envConfig = "GOVAPP_CLI_CONFIG" // path of the CLI config file
)

// cliConfig is the CLI config file: the login saved by `govapp login`.
type cliConfig struct {
	Server string `json:"server,omitempty"`
	Token  string `json:"token,omitempty"`
}

// configPath chooses the CLI config file: $GOVAPP_CLI_CONFIG, else
// $XDG_CONFIG_HOME/govapp/cli.json, else ~/.config/govapp/cli.json.
func configPath(getenv func(string) string) string {
	if p := getenv(envConfig); p != "" {
		return p
	}
	if dir := getenv("XDG_CONFIG_HOME"); dir != "" && filepath.IsAbs(dir) {
		return filepath.Join(dir, "govapp", "cli.json")
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		// No home at all (a bare container): keep the file next to the user.
		return filepath.Join(".govapp", "cli.json")
	}
	return filepath.Join(home, ".config", "govapp", "cli.json")
}

// loadConfig reads the config file; a missing file is an empty config.
func (e *Env) loadConfig() (cliConfig, error) {
	var cfg cliConfig
	data, err := os.ReadFile(e.ConfigPath)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("read CLI config: %w", err)
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, fmt.Errorf("CLI config %s is not valid JSON (%v): fix it, or delete it and run 'govapp login' again", e.ConfigPath, err)
	}
	return cfg, nil
}

// saveConfig writes cfg with mode 0600 in a directory of mode 0700, through a
// temporary file and a rename so a crash never leaves half a token behind.
func (e *Env) saveConfig(cfg cliConfig) error {
	dir := filepath.Dir(e.ConfigPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save CLI config: %w", err)
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".cli-*.json")
	if err != nil {
		return fmt.Errorf("save CLI config: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save CLI config: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save CLI config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save CLI config: %w", err)
	}
	if err := os.Rename(tmp.Name(), e.ConfigPath); err != nil {
		return fmt.Errorf("save CLI config: %w", err)
	}
	return nil
}

// credentials returns the server and token to use: GOVAPP_SERVER and
// GOVAPP_TOKEN when set, else the saved ones.
func (e *Env) credentials() (server, token string, err error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return "", "", err
	}
	server, token = cfg.Server, cfg.Token
	if v := e.Getenv(envServer); v != "" {
		server = v
	}
	if v := e.Getenv(envToken); v != "" {
		token = v
	}
	return server, token, nil
}

// notLoggedIn says how to log in.
const notLoggedIn = "not logged in: run 'govapp login --server URL --token TOKEN' " +
	"(ask an administrator for a token, or create one in the web console), or set " + envServer + " and " + envToken

// api is a client of the logged-in server that remembers the body of its last
// reply, which --json prints as the server sent it.
type api struct {
	*client.Client
	last []byte
}

// api returns a client for the logged-in server, or an error that says how to
// log in.
func (e *Env) api() (*api, error) {
	server, token, err := e.credentials()
	if err != nil {
		return nil, err
	}
	if server == "" || token == "" {
		return nil, errors.New(notLoggedIn)
	}
	return e.newAPI(server, token), nil
}

func (e *Env) newAPI(server, token string) *api {
	a := &api{}
	a.Client = client.New(server, token,
		client.WithUserAgent(userAgent()),
		client.WithResponseHook(func(r client.Response) { a.last = r.Body }))
	return a
}

// checkServerURL accepts http(s)://host[:port][/prefix] and returns it without
// a trailing slash.
func checkServerURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("server %q is not an http:// or https:// URL, e.g. http://localhost:8080", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("server %q: leave out the query and fragment", s)
	}
	return strings.TrimRight(s, "/"), nil
}
