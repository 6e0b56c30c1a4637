package devcli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/platform/client"
)

// keysCommands is the table of `govapp keys …`.
func keysCommands() []command {
	return []command{
		{"create", "make a signing key here and register its public half", runKeysCreate},
		{"list", "list an organisation's signing keys, or the ones on this machine", runKeysList},
		{"rotate", "make a new key and retire this machine's previous ones", runKeysRotate},
		{"retire", "retire a signing key", runKeysRetire},
	}
}

// runKeys dispatches `govapp keys …`.
func runKeys(ctx context.Context, e *Env, args []string) int {
	return runGroup(ctx, e, "keys",
		"Bundle signing keys. A department signs its bundles; devices run only bundles signed by a key\n"+
			"registered for the app's department. The private key stays on this machine (in keys/ next to\n"+
			"the CLI config); the platform holds only the public half.", keysCommands(), args)
}

// localKey is a signing key file in the keys folder: the private key as
// hotupdate writes it, plus what the CLI needs to pick one for a publish.
type localKey struct {
	hotupdate.PrivateKey
	NodeID    string    `json:"node_id,omitempty"`
	Name      string    `json:"name,omitempty"`
	CreatedAt time.Time `json:"created_at"`

	file string // where it was read from
}

// keysDir is where private keys live: the folder "keys" next to the CLI
// config, so GOVAPP_CLI_CONFIG and XDG_CONFIG_HOME move both together
// (~/.config/govapp/keys by default, as docs/HOTUPDATE.md says).
func (e *Env) keysDir() string {
	return filepath.Join(filepath.Dir(e.ConfigPath), "keys")
}

// keyPath is the file of one key.
func (e *Env) keyPath(keyID string) string {
	return filepath.Join(e.keysDir(), keyID+".json")
}

// saveKey writes k with mode 0600 in a folder of mode 0700, through a
// temporary file and a rename, never over an existing key.
func (e *Env) saveKey(k localKey) (string, error) {
	dir := e.keysDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("save the signing key: %w", err)
	}
	// MkdirAll keeps the mode of a folder that exists; a keys folder others
	// can read is tightened rather than trusted.
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("save the signing key: %w", err)
	}
	data, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return "", err
	}
	path := e.keyPath(k.KeyID)
	if _, err := os.Stat(path); err == nil {
		return "", fmt.Errorf("a key file %s exists already", path)
	}
	tmp, err := os.CreateTemp(dir, ".key-*.json")
	if err != nil {
		return "", fmt.Errorf("save the signing key: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", fmt.Errorf("save the signing key: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return "", fmt.Errorf("save the signing key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("save the signing key: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("save the signing key: %w", err)
	}
	return path, nil
}

// loadKey reads the key file of keyID.
func (e *Env) loadKey(keyID string) (*localKey, error) {
	path := e.keyPath(keyID)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no private key %s on this machine (looked for %s); copy the key file there, or create a key with 'govapp keys create --org NODE'", keyID, path)
	}
	if err != nil {
		return nil, err
	}
	var k localKey
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("key file %s is not valid JSON: %v", path, err)
	}
	if k.KeyID != keyID || k.Private == "" {
		return nil, fmt.Errorf("key file %s does not hold the private key %s", path, keyID)
	}
	k.file = path
	return &k, nil
}

// localKeys reads every key file in the keys folder, newest first. Files
// that are not keys are skipped: the folder is the developer's.
func (e *Env) localKeys() ([]localKey, error) {
	entries, err := os.ReadDir(e.keysDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var keys []localKey
	for _, ent := range entries {
		name := ent.Name()
		if ent.IsDir() || !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		k, err := e.loadKey(strings.TrimSuffix(name, ".json"))
		if err != nil {
			continue
		}
		keys = append(keys, *k)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if !keys[i].CreatedAt.Equal(keys[j].CreatedAt) {
			return keys[i].CreatedAt.After(keys[j].CreatedAt)
		}
		return keys[i].KeyID < keys[j].KeyID
	})
	return keys, nil
}

// checkAlg accepts the two algorithms of the contract.
func checkAlg(cmd, alg string) error {
	if alg != hotupdate.AlgEd25519 && alg != hotupdate.AlgSM2 {
		return usageErrorf(cmd, "%s: --alg must be %s or %s (国密)", cmd, hotupdate.AlgEd25519, hotupdate.AlgSM2)
	}
	return nil
}

// defaultKeyName names a key after the machine and the day, so a list of
// keys says where each private half lives.
func defaultKeyName(now time.Time) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "govapp-cli"
	}
	return host + " " + now.Format("2006-01-02")
}

// createKey generates a key, saves it here and registers its public half on
// node. When the platform refuses the key, the file is removed again; when
// the platform could not be reached, it is kept (the key may have been
// registered) and the error says so.
func (e *Env) createKey(ctx context.Context, a *api, node, alg, name string) (*client.SigningKey, string, error) {
	priv, err := hotupdate.GenerateKey(alg, nil)
	if err != nil {
		return nil, "", err
	}
	now := time.Now().UTC()
	if name == "" {
		name = defaultKeyName(now)
	}
	path, err := e.saveKey(localKey{PrivateKey: priv, NodeID: node, Name: name, CreatedAt: now})
	if err != nil {
		return nil, "", err
	}
	k, err := a.CreateKey(ctx, node, client.SigningKeyCreate{Name: name, Alg: alg, PublicKey: priv.PublicKey})
	if err != nil {
		var apiErr *client.APIError
		if errors.As(err, &apiErr) {
			os.Remove(path)
			return nil, "", fmt.Errorf("register the signing key on %s: %w", node, err)
		}
		return nil, "", fmt.Errorf("register the signing key on %s: %w\nThe private key is kept in %s; see whether it got registered with 'govapp keys list --org %s'", node, err, path, node)
	}
	return k, path, nil
}

// runKeysCreate implements `govapp keys create`.
func runKeysCreate(ctx context.Context, e *Env, args []string) int {
	f := e.flags("keys create", "--org NODE [--alg ed25519|sm2-sm3] [--name N] [--json]",
		"Generate a signing key on this machine, save the private key in keys/<key_id>.json next to the CLI\n"+
			"config (mode 0600; back it up, it cannot be recovered), and register the public key on the\n"+
			"organisation node that owns your apps. Needs app.publish on that node.")
	org := f.String("org", "", "organisation node the key signs for (the department owning the apps)")
	alg := f.String("alg", hotupdate.AlgEd25519, "signature algorithm: ed25519, or sm2-sm3 (国密 SM2 with SM3)")
	name := f.String("name", "", "what the key is, e.g. 张三's laptop (default: host name and date)")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	if err := f.require("org"); err != nil {
		return e.fail(err)
	}
	if err := checkAlg(f.cmd, *alg); err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	k, path, err := e.createKey(ctx, a, *org, *alg, *name)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, "Created signing key %s (%s) %q for %s.\n", k.KeyID, k.Alg, k.Name, k.NodeID)
	fmt.Fprintf(e.Stdout, "Private key: %s (readable only by you; back it up: it cannot be recovered).\n", path)
	return ExitOK
}

// runKeysList implements `govapp keys list`.
func runKeysList(ctx context.Context, e *Env, args []string) int {
	f := e.flags("keys list", "[--org NODE] [--json]",
		"List the signing keys registered on an organisation node, marking those whose private key\n"+
			"is on this machine. Without --org, list the private keys on this machine.")
	org := f.String("org", "", "organisation node whose keys to list")
	asJSON := f.jsonFlag()
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	local, err := e.localKeys()
	if err != nil {
		return e.fail(err)
	}
	if *org == "" {
		return e.listLocalKeys(local, *asJSON)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	keys, err := a.ListKeys(ctx, *org)
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	if len(keys) == 0 {
		fmt.Fprintf(e.Stdout, "No signing keys on %s: create one with 'govapp keys create --org %s'.\n", *org, *org)
		return ExitOK
	}
	here := map[string]bool{}
	for _, k := range local {
		here[k.KeyID] = true
	}
	t := newTable(e.Stdout)
	t.row("KEY ID", "ALG", "NAME", "STATUS", "CREATED", "RETIRED", "HERE")
	for _, k := range keys {
		t.row(k.KeyID, k.Alg, orDash(k.Name), keyStatus(k), fmtTime(k.CreatedAt), fmtTimePtr(k.RetiredAt), yesNo(here[k.KeyID]))
	}
	t.flush()
	return ExitOK
}

// listLocalKeys prints the keys of this machine. The JSON leaves the private
// keys out: a listing is not a backup.
func (e *Env) listLocalKeys(local []localKey, asJSON bool) int {
	type out struct {
		KeyID     string    `json:"key_id"`
		Alg       string    `json:"alg"`
		PublicKey string    `json:"public_key"`
		NodeID    string    `json:"node_id"`
		Name      string    `json:"name"`
		CreatedAt time.Time `json:"created_at"`
		File      string    `json:"file"`
	}
	if asJSON {
		list := []out{}
		for _, k := range local {
			list = append(list, out{k.KeyID, k.Alg, k.PublicKey, k.NodeID, k.Name, k.CreatedAt, k.file})
		}
		return e.done(printValueJSON(e, map[string]any{"keys": list}))
	}
	if len(local) == 0 {
		fmt.Fprintf(e.Stdout, "No signing keys in %s: create one with 'govapp keys create --org NODE'.\n", e.keysDir())
		return ExitOK
	}
	t := newTable(e.Stdout)
	t.row("KEY ID", "ALG", "ORG", "NAME", "CREATED")
	for _, k := range local {
		t.row(k.KeyID, k.Alg, orDash(k.NodeID), orDash(k.Name), fmtTime(k.CreatedAt))
	}
	t.flush()
	fmt.Fprintf(e.Stdout, "\nIn %s.\n", e.keysDir())
	return ExitOK
}

// keyStatus is active or retired.
func keyStatus(k client.SigningKey) string {
	if k.RetiredAt != nil {
		return "retired"
	}
	return "active"
}

// yesNo shows a flag in a table column, "-" for no so the yeses stand out.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "-"
}

// runKeysRotate implements `govapp keys rotate`.
func runKeysRotate(ctx context.Context, e *Env, args []string) int {
	f := e.flags("keys rotate", "--org NODE [--alg ed25519|sm2-sm3] [--name N] [--json]",
		"Create a new signing key (as 'keys create' does), then retire the node's previous active keys\n"+
			"whose private key is on this machine. Keys of other machines (a CI server, a colleague) stay\n"+
			"active: retire them with 'govapp keys retire KEY_ID'. Bundles already released keep working.")
	org := f.String("org", "", "organisation node the key signs for")
	alg := f.String("alg", hotupdate.AlgEd25519, "algorithm of the new key: ed25519 or sm2-sm3")
	name := f.String("name", "", "what the new key is (default: host name and date)")
	asJSON := f.Bool("json", false, `print {"created": key, "retired": [keys]} as JSON`)
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	if err := f.require("org"); err != nil {
		return e.fail(err)
	}
	if err := checkAlg(f.cmd, *alg); err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	before, err := a.ListKeys(ctx, *org)
	if err != nil {
		return e.fail(err)
	}
	local, err := e.localKeys()
	if err != nil {
		return e.fail(err)
	}
	here := map[string]bool{}
	for _, k := range local {
		here[k.KeyID] = true
	}

	created, path, err := e.createKey(ctx, a, *org, *alg, *name)
	if err != nil {
		return e.fail(err)
	}
	var retired []client.SigningKey
	var others []string
	for _, k := range before {
		switch {
		case k.RetiredAt != nil || k.KeyID == created.KeyID:
		case !here[k.KeyID]:
			others = append(others, k.KeyID)
		default:
			r, err := a.RetireKey(ctx, k.KeyID)
			if err != nil {
				return e.fail(fmt.Errorf("the new key %s is registered, but retiring %s failed: %w; retry with 'govapp keys retire %s'", created.KeyID, k.KeyID, err, k.KeyID))
			}
			retired = append(retired, *r)
		}
	}
	if *asJSON {
		if retired == nil {
			retired = []client.SigningKey{}
		}
		return e.done(printValueJSON(e, map[string]any{"created": created, "retired": retired}))
	}
	fmt.Fprintf(e.Stdout, "Created signing key %s (%s) for %s; private key in %s.\n", created.KeyID, created.Alg, *org, path)
	if len(retired) == 0 {
		fmt.Fprintln(e.Stdout, "No previous key of this machine to retire.")
	}
	for _, k := range retired {
		fmt.Fprintf(e.Stdout, "Retired %s (%s).\n", k.KeyID, orDash(k.Name))
	}
	if len(others) > 0 {
		fmt.Fprintf(e.Stdout, "Still active, private key not on this machine: %s.\n", strings.Join(others, ", "))
	}
	return ExitOK
}

// runKeysRetire implements `govapp keys retire`.
func runKeysRetire(ctx context.Context, e *Env, args []string) int {
	f := e.flags("keys retire", "KEY_ID [--json]",
		"Retire a signing key: bundles signed with it are refused from now on; releases made before keep\n"+
			"working. The private key file, if it is on this machine, is left in place.")
	asJSON := f.jsonFlag()
	pos, err := f.parse(args, "KEY_ID")
	if err != nil {
		return e.fail(err)
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}
	k, err := a.RetireKey(ctx, pos[0])
	if err != nil {
		return e.fail(err)
	}
	if *asJSON {
		return e.done(e.printJSON(a.last))
	}
	fmt.Fprintf(e.Stdout, "Retired signing key %s of %s.\n", k.KeyID, k.NodeID)
	return ExitOK
}
