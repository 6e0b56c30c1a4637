// Package bridge is the platform side of the container bridges: the WeChat JS-SDK signature
// for wx.config (only for pages on an app's registered domains, only the APIs the app
// declared), the domains each app may call the bridge from, and the database-backed store
// that shares WeChat's access_token and jsapi_ticket among all platform instances.
package bridge

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/ext/wechat"
	"github.com/govapp/govapp/platform/internal/identity"
)

var migrations = []db.Migration{{
	SQLite: `CREATE TABLE bridge_tokens (key TEXT PRIMARY KEY, value_enc TEXT NOT NULL, expires_at TIMESTAMP NOT NULL);
	CREATE TABLE bridge_apps (app_id TEXT PRIMARY KEY, domains TEXT NOT NULL, updated_at TIMESTAMP NOT NULL);`,
	Postgres: `CREATE TABLE bridge_tokens (key TEXT PRIMARY KEY, value_enc TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL);
	CREATE TABLE bridge_apps (app_id TEXT PRIMARY KEY, domains TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL);`,
}, {
	SQLite: `CREATE TABLE bridge_alipay_notifies (notify_id TEXT PRIMARY KEY, at TIMESTAMP NOT NULL);
	CREATE TABLE bridge_alipay_events (notify_id TEXT PRIMARY KEY, notify_type TEXT NOT NULL, params TEXT NOT NULL, at TIMESTAMP NOT NULL);`,
	Postgres: `CREATE TABLE bridge_alipay_notifies (notify_id TEXT PRIMARY KEY, at TIMESTAMPTZ NOT NULL);
	CREATE TABLE bridge_alipay_events (notify_id TEXT PRIMARY KEY, notify_type TEXT NOT NULL, params TEXT NOT NULL, at TIMESTAMPTZ NOT NULL);`,
}, {
	SQLite:   `CREATE TABLE bridge_wechat_accounts (node_id TEXT PRIMARY KEY, node_path TEXT NOT NULL, app_id TEXT NOT NULL, secret_enc TEXT NOT NULL, created_at TIMESTAMP NOT NULL);`,
	Postgres: `CREATE TABLE bridge_wechat_accounts (node_id TEXT PRIMARY KEY, node_path TEXT NOT NULL, app_id TEXT NOT NULL, secret_enc TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL);`,
}}

// Settings are an app's bridge settings.
type Settings struct {
	// Domains are the hosts (besides the platform's own) whose pages may ask for bridge
	// signatures for this app, e.g. "gjj.hangzhou.gov.cn".
	Domains []string `json:"domains"`
}

// Signature is what a page passes to wx.config.
type Signature struct {
	AppID     string   `json:"appId"`
	Timestamp int64    `json:"timestamp"`
	NonceStr  string   `json:"nonceStr"`
	Signature string   `json:"signature"`
	JSAPIList []string `json:"jsApiList"`
}

// Errors.
var (
	ErrForeignDomain = errors.New("page not on the app's domains")
	ErrNoWeChat      = errors.New("wechat not configured")
	// ErrNotDeclared marks a bridge API the app did not declare in govapp.json.
	ErrNotDeclared = errors.New("API not declared by the app")
)

// WeChatSigner signs wx.config for a page URL (ext/wechat's Client).
type WeChatSigner interface {
	SignatureFor(ctx context.Context, pageURL string) (wechat.JSConfig, error)
}

// Service is the bridge API.
type Service struct {
	// newWeChat makes a client for a department's own official account (nil: shared only).
	newWeChat func(appID, secret string) WeChatSigner
	clients   map[string]WeChatSigner // department account app id -> client
	db        *db.DB
	apps      *apps.Service
	audit     *audit.Store
	aead      cipher.AEAD
	wechat    WeChatSigner
	mu        sync.Mutex
	locks     map[string]*sync.Mutex
}

// NewService migrates the bridge tables; secretKey encrypts tokens at rest.
func NewService(ctx context.Context, d *db.DB, reg *apps.Service, a *audit.Store, secretKey [32]byte) (*Service, error) {
	if err := d.Migrate(ctx, "bridge", migrations); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(secretKey[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Service{db: d, apps: reg, audit: a, aead: aead, locks: map[string]*sync.Mutex{}, clients: map[string]WeChatSigner{}}, nil
}

// SetWeChat sets the platform's shared WeChat client and how to make clients for
// departments' own official accounts (wiring: clients need this service as their store).
func (s *Service) SetWeChat(shared WeChatSigner, newClient func(appID, secret string) WeChatSigner) {
	s.wechat, s.newWeChat = shared, newClient
}

// ---- wechat.TokenStore on the database, encrypted at rest ----

var _ wechat.TokenStore = (*Service)(nil)

// Get returns a cached credential.
func (s *Service) Get(ctx context.Context, key string) (string, time.Time, bool, error) {
	var enc string
	var exp time.Time
	err := s.db.QueryRowContext(ctx, `SELECT value_enc, expires_at FROM bridge_tokens WHERE key = $1`, key).Scan(&enc, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, err
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", time.Time{}, false, nil // unreadable: treat as absent, it gets refreshed
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(key))
	if err != nil {
		return "", time.Time{}, false, nil
	}
	return string(plain), exp.UTC(), true, nil
}

// Put stores a credential until expiresAt.
func (s *Service) Put(ctx context.Context, key, value string, expiresAt time.Time) error {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	enc := base64.StdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(value), []byte(key)))
	_, err := s.db.ExecContext(ctx, `INSERT INTO bridge_tokens (key, value_enc, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value_enc = excluded.value_enc, expires_at = excluded.expires_at`, key, enc, expiresAt.UTC().Truncate(time.Microsecond))
	return err
}

// Lock serialises refreshes of key: across instances on PostgreSQL (an advisory lock on its
// own connection), within the process on SQLite (one file, one machine).
func (s *Service) Lock(ctx context.Context, key string, fn func() error) error {
	if s.db.Dialect == db.Postgres {
		h := fnv.New64a()
		h.Write([]byte("bridge:" + key))
		return s.db.WithLock(ctx, int64(h.Sum64()&0x7fffffffffffffff), fn)
	}
	s.mu.Lock()
	m, ok := s.locks[key]
	if !ok {
		m = &sync.Mutex{}
		s.locks[key] = m
	}
	s.mu.Unlock()
	m.Lock()
	defer m.Unlock()
	return fn()
}

// ---- app settings ----

var reHost = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// GetSettings returns an app's bridge settings.
func (s *Service) GetSettings(ctx context.Context, p *identity.Principal, appID string) (Settings, error) {
	if _, err := s.apps.Get(ctx, p, appID); err != nil {
		return Settings{}, err
	}
	return s.settings(ctx, appID)
}

func (s *Service) settings(ctx context.Context, appID string) (Settings, error) {
	var raw string
	err := s.db.QueryRowContext(ctx, `SELECT domains FROM bridge_apps WHERE app_id = $1`, appID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return Settings{Domains: []string{}}, nil
	}
	var st Settings
	if err == nil {
		err = json.Unmarshal([]byte(raw), &st.Domains)
	}
	return st, err
}

// SetSettings replaces an app's bridge settings.
func (s *Service) SetSettings(ctx context.Context, p *identity.Principal, appID string, in Settings) (Settings, error) {
	a, err := s.apps.Lookup(ctx, appID)
	if err != nil {
		return Settings{}, err
	}
	if err := p.Require(identity.PermAppPublish, a.OwnerPath(), "app "+appID+"'s department"); err != nil {
		return Settings{}, err
	}
	if len(in.Domains) > 20 {
		return Settings{}, errs.Invalid("domains", "has %d entries; at most 20", len(in.Domains))
	}
	out := Settings{Domains: []string{}}
	for i, d := range in.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if !reHost.MatchString(d) {
			return Settings{}, errs.Invalid(fmt.Sprintf("domains[%d]", i), "%q is not a host name such as gjj.hangzhou.gov.cn (no scheme, path or port)", in.Domains[i])
		}
		if !slices.Contains(out.Domains, d) {
			out.Domains = append(out.Domains, d)
		}
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := s.settings(ctx, appID)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(out.Domains)
		if _, err := tx.ExecContext(ctx, `INSERT INTO bridge_apps (app_id, domains, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (app_id) DO UPDATE SET domains = excluded.domains, updated_at = excluded.updated_at`, appID, string(b), db.Now()); err != nil {
			return err
		}
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "bridge.settings", TargetType: "app", TargetID: appID, NodeID: a.OwnerNode, NodePath: a.OwnerPath(), Before: before, After: out})
		return err
	})
	return out, err
}

// wechatAPIs maps the JSAPI permissions an app declares to the JS-SDK APIs wx.config may list.
var wechatAPIs = map[string][]string{
	"location": {"getLocation", "openLocation"},
	"camera":   {"chooseImage", "uploadImage", "getLocalImgData"},
	"album":    {"chooseImage", "uploadImage", "getLocalImgData"},
	"scan":     {"scanQRCode"},
	"share":    {"updateAppMessageShareData", "updateTimelineShareData"},
	"record":   {"startRecord", "stopRecord", "translateVoice"},
}

// WeChatSignature signs wx.config for a page of an online app. The page must be on the
// platform's host or one of the app's domains, and only the APIs the app declared are listed:
// a page cannot borrow another app's — or the platform's — WeChat permissions.
func (s *Service) WeChatSignature(ctx context.Context, appID, pageURL, platformHost string, wanted []string) (Signature, error) {
	if s.wechat == nil {
		return Signature{}, fmt.Errorf("%w: this platform has no WeChat official account; set wechat_app_id and wechat_secret", ErrNoWeChat)
	}
	a, err := s.apps.Lookup(ctx, appID)
	if err != nil {
		return Signature{}, err
	}
	if a.Status != apps.StatusOnline {
		return Signature{}, fmt.Errorf("%w: app %s is %s", apps.ErrAppNotFound, appID, a.Status)
	}
	u, err := url.Parse(pageURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Signature{}, errs.Invalid("url", "%q is not the page's full URL (location.href)", pageURL)
	}
	st, err := s.settings(ctx, appID)
	if err != nil {
		return Signature{}, err
	}
	host := strings.ToLower(u.Hostname())
	if host != strings.ToLower(hostOnly(platformHost)) && !slices.Contains(st.Domains, host) {
		return Signature{}, fmt.Errorf("%w: %s is not a domain of app %s; register it with PUT /v1/apps/%s/bridge", ErrForeignDomain, host, appID, appID)
	}
	signer, err := s.signerFor(ctx, a.OwnerPath())
	if err != nil {
		return Signature{}, err
	}
	cfg, err := signer.SignatureFor(ctx, pageURL)
	if err != nil {
		return Signature{}, err
	}
	// Viewing pictures and closing the page need no permission in any container.
	list := []string{"previewImage", "closeWindow"}
	for _, perm := range a.JSAPIPermissions {
		for _, api := range wechatAPIs[perm] {
			if !slices.Contains(list, api) {
				list = append(list, api)
			}
		}
	}
	for _, w := range wanted {
		if !slices.Contains(list, w) {
			return Signature{}, fmt.Errorf("%w: app %s did not declare what %s needs (declared: %s); add it to jsapi_permissions in govapp.json", ErrNotDeclared, appID, w, strings.Join(a.JSAPIPermissions, ", "))
		}
	}
	if len(wanted) > 0 {
		list = wanted
	}
	return Signature{AppID: cfg.AppID, Timestamp: cfg.Timestamp, NonceStr: cfg.NonceStr, Signature: cfg.Signature, JSAPIList: list}, nil
}

func hostOnly(hostport string) string {
	if h, _, ok := strings.Cut(hostport, ":"); ok && !strings.Contains(h, "]") {
		return h
	}
	return hostport
}

// ---- Alipay asynchronous notifications ----

// AlipayNotifyLog remembers handled notify_ids in the database, so a notification Alipay
// delivers again (it retries until it reads "success") is acknowledged without being
// handled twice — across restarts and instances.
type AlipayNotifyLog struct{ s *Service }

// NotifyLog returns the database-backed log.
func (s *Service) NotifyLog() AlipayNotifyLog { return AlipayNotifyLog{s} }

// Handled reports whether notifyID was handled before.
func (l AlipayNotifyLog) Handled(ctx context.Context, notifyID string) (bool, error) {
	var n int
	err := l.s.db.QueryRowContext(ctx, `SELECT count(*) FROM bridge_alipay_notifies WHERE notify_id = $1`, notifyID).Scan(&n)
	return n > 0, err
}

// MarkHandled records notifyID as handled.
func (l AlipayNotifyLog) MarkHandled(ctx context.Context, notifyID string) error {
	_, err := l.s.db.ExecContext(ctx, `INSERT INTO bridge_alipay_notifies (notify_id, at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, notifyID, db.Now())
	return err
}

// RecordNotify keeps a verified notification (its type and the ids it names) for the
// channels that wait on it (push delivery receipts); the payload itself is not a secret.
func (s *Service) RecordNotify(ctx context.Context, notifyType, notifyID string, params map[string]string) error {
	b, _ := json.Marshal(params)
	_, err := s.db.ExecContext(ctx, `INSERT INTO bridge_alipay_events (notify_id, notify_type, params, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, notifyID, notifyType, string(b), db.Now())
	return err
}

// ---- departments' own official accounts ----

// Account is a department's own WeChat official account; its secret is never shown again.
type Account struct {
	NodeID    string    `json:"node_id"`
	AppID     string    `json:"app_id"`
	CreatedAt time.Time `json:"created_at"`
}

// AccountSet is the input of SetAccount.
type AccountSet struct {
	AppID  string `json:"app_id"`
	Secret string `json:"secret"`
}

// ErrNoAccount marks a department without its own account.
var ErrNoAccount = errors.New("no own official account")

var reWeChatAppID = regexp.MustCompile(`^wx[0-9a-z]{14,16}$`)

func (s *Service) seal(plain, aad string) string {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.StdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), []byte(aad)))
}

func (s *Service) open(enc, aad string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", errors.New("bridge: stored secret is corrupt")
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(aad))
	if err != nil {
		return "", errors.New("bridge: cannot decrypt a stored secret; the secret key changed")
	}
	return string(plain), nil
}

// SetAccount lets a department (and its subtree) use its own official account for wx.config
// and, later, its notices; sign-in stays on the platform's account so a citizen keeps one
// identity. The secret is stored encrypted and audited only as "set".
func (s *Service) SetAccount(ctx context.Context, p *identity.Principal, n identity.Node, in AccountSet) (Account, error) {
	if err := p.Require(identity.PermOrgAdmin, n.Path, "organisation "+n.ID); err != nil {
		return Account{}, err
	}
	if !reWeChatAppID.MatchString(in.AppID) {
		return Account{}, errs.Invalid("app_id", "%q is not an official account AppID (wx followed by 16 letters or digits)", in.AppID)
	}
	if len(in.Secret) < 16 || len(in.Secret) > 64 {
		return Account{}, errs.Invalid("secret", "is not an AppSecret (32 hex characters from the official account's console)")
	}
	acc := Account{NodeID: n.ID, AppID: in.AppID, CreatedAt: db.Now()}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM bridge_wechat_accounts WHERE node_id = $1`, n.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO bridge_wechat_accounts (node_id, node_path, app_id, secret_enc, created_at) VALUES ($1, $2, $3, $4, $5)`,
			n.ID, n.Path, in.AppID, s.seal(in.Secret, in.AppID), acc.CreatedAt); err != nil {
			return err
		}
		_, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "wechat_account.set", TargetType: "org", TargetID: n.ID, NodeID: n.ID, NodePath: n.Path,
			After: map[string]string{"app_id": in.AppID, "secret": "set"}})
		return err
	})
	s.mu.Lock()
	delete(s.clients, in.AppID)
	s.mu.Unlock()
	return acc, err
}

// GetAccount returns a department's own account (no secret).
func (s *Service) GetAccount(ctx context.Context, p *identity.Principal, n identity.Node) (Account, error) {
	if !p.CanAny(n.Path) {
		return Account{}, &identity.ForbiddenError{What: "organisation " + n.ID}
	}
	var acc Account
	err := s.db.QueryRowContext(ctx, `SELECT node_id, app_id, created_at FROM bridge_wechat_accounts WHERE node_id = $1`, n.ID).Scan(&acc.NodeID, &acc.AppID, &acc.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("%w: %s uses the platform's shared official account", ErrNoAccount, n.Name)
	}
	acc.CreatedAt = acc.CreatedAt.UTC()
	return acc, err
}

// signerFor picks the official account for an app: the nearest department (owner or
// ancestor) that brought its own, else the platform's shared one.
func (s *Service) signerFor(ctx context.Context, ownerPath string) (WeChatSigner, error) {
	if s.newWeChat == nil {
		return s.wechat, nil
	}
	var appID, enc string
	err := s.db.QueryRowContext(ctx, `SELECT app_id, secret_enc FROM bridge_wechat_accounts WHERE $1 LIKE node_path || '%' ORDER BY length(node_path) DESC LIMIT 1`, ownerPath).Scan(&appID, &enc)
	if errors.Is(err, sql.ErrNoRows) {
		return s.wechat, nil
	}
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c, ok := s.clients[appID]
	s.mu.Unlock()
	if ok {
		return c, nil
	}
	secret, err := s.open(enc, appID)
	if err != nil {
		return nil, err
	}
	c = s.newWeChat(appID, secret)
	s.mu.Lock()
	s.clients[appID] = c
	s.mu.Unlock()
	return c, nil
}
