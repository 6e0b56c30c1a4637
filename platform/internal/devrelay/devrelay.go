// Package devrelay is the platform side of `govapp dev --cloud`: for networks where a phone
// cannot reach the developer's PC (government intranets, guest Wi-Fi), the dev build is
// synced to the platform (files by hash, into the blob store), served at an unguessable
// session URL, and the phones' logs travel back to the developer's terminal through the
// platform. Sessions expire, and only their owner may change them or read their logs.
package devrelay

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/blob"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// SessionTTL is how long a dev session lives without being renewed (each sync renews it).
const SessionTTL = 4 * time.Hour

var migrations = []db.Migration{{
	SQLite: `CREATE TABLE dev_sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, app_id TEXT NOT NULL, entry TEXT NOT NULL,
		files TEXT NOT NULL, expires_at TIMESTAMP NOT NULL, created_at TIMESTAMP NOT NULL);`,
	Postgres: `CREATE TABLE dev_sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, app_id TEXT NOT NULL, entry TEXT NOT NULL,
		files TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL, created_at TIMESTAMPTZ NOT NULL);`,
}}

// Session is a developer's cloud dev session.
type Session struct {
	ID        string    `json:"id"`
	AppID     string    `json:"app_id"`
	Path      string    `json:"path"` // where phones open it: /d/{id}/
	ExpiresAt time.Time `json:"expires_at"`
}

// Sync is the build a session serves: entry and path → SHA-256 of files already uploaded.
type Sync struct {
	Entry string            `json:"entry"`
	Files map[string]string `json:"files"`
}

// Errors.
var (
	ErrSessionNotFound = errors.New("dev session not found")
	ErrSessionExpired  = errors.New("dev session expired")
)

// Service keeps sessions and relays messages between phones and developers.
type Service struct {
	db    *db.DB
	apps  *apps.Service
	blobs *blob.Local
	audit *audit.Store

	mu   sync.Mutex
	subs map[string]map[chan []byte]bool // session id + ":" + role → subscribers
}

// NewService migrates the dev-session table.
func NewService(ctx context.Context, d *db.DB, reg *apps.Service, blobs *blob.Local, a *audit.Store) (*Service, error) {
	if err := d.Migrate(ctx, "devrelay", migrations); err != nil {
		return nil, err
	}
	return &Service{db: d, apps: reg, blobs: blobs, audit: a, subs: map[string]map[chan []byte]bool{}}, nil
}

func newSessionID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// Create opens a session for an app the principal develops (app.create on its department).
func (s *Service) Create(ctx context.Context, p *identity.Principal, appID string) (Session, error) {
	a, err := s.apps.Lookup(ctx, appID)
	if err != nil {
		return Session{}, err
	}
	if err := p.Require(identity.PermAppCreate, a.OwnerPath(), "app "+appID+"'s department"); err != nil {
		return Session{}, err
	}
	now := db.Now()
	ses := Session{ID: newSessionID(), AppID: appID, ExpiresAt: now.Add(SessionTTL)}
	ses.Path = "/d/" + ses.ID + "/"
	// Opening a session publishes unreviewed code at a URL anyone holding it can open: audited.
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dev_sessions (id, user_id, app_id, entry, files, expires_at, created_at) VALUES ($1, $2, $3, '', '{}', $4, $5)`,
			ses.ID, p.User.ID, appID, ses.ExpiresAt, now); err != nil {
			return err
		}
		_, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "dev_session.create", TargetType: "dev_session", TargetID: ses.ID[:8] + "…", NodeID: a.OwnerNode, NodePath: a.OwnerPath(),
			After: map[string]any{"app_id": appID, "expires_at": ses.ExpiresAt}})
		return err
	})
	return ses, err
}

type row struct {
	userID, appID, entry string
	files                map[string]string
	expires              time.Time
}

func (s *Service) load(ctx context.Context, id string) (row, error) {
	var r row
	var files string
	err := s.db.QueryRowContext(ctx, `SELECT user_id, app_id, entry, files, expires_at FROM dev_sessions WHERE id = $1`, id).Scan(&r.userID, &r.appID, &r.entry, &files, &r.expires)
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, fmt.Errorf("%w: %q; start `govapp dev --cloud` again", ErrSessionNotFound, id)
	}
	if err != nil {
		return row{}, err
	}
	if db.Now().After(r.expires) {
		return row{}, fmt.Errorf("%w: it ended at %s; start `govapp dev --cloud` again (and `govapp login` if your token expired)", ErrSessionExpired, r.expires.Format(time.RFC3339))
	}
	_ = json.Unmarshal([]byte(files), &r.files)
	return r, nil
}

// owned loads a session for its owner; anyone else is told it does not exist.
func (s *Service) owned(ctx context.Context, p *identity.Principal, id string) (row, error) {
	r, err := s.load(ctx, id)
	if err != nil {
		return row{}, err
	}
	if r.userID != p.User.ID {
		return row{}, fmt.Errorf("%w: %q", ErrSessionNotFound, id)
	}
	return r, nil
}

// SetFiles points the session at a new build whose files are uploaded, renews it and tells the
// phones to reload.
func (s *Service) SetFiles(ctx context.Context, p *identity.Principal, id string, in Sync) (Session, error) {
	r, err := s.owned(ctx, p, id)
	if err != nil {
		return Session{}, err
	}
	if len(in.Files) == 0 || len(in.Files) > hotupdate.DefaultMaxFiles {
		return Session{}, errs.Invalid("files", "give 1 to %d files", hotupdate.DefaultMaxFiles)
	}
	for path, sha := range in.Files {
		if err := hotupdate.ValidPath(path); err != nil {
			return Session{}, errs.Invalid("files", "%q: %v", path, err)
		}
		if !s.blobs.Has(sha) {
			return Session{}, errs.Invalid("files", "%s (%s) is not uploaded; PUT it to /v1/apps/%s/blobs/{sha256} first", path, sha, r.appID)
		}
	}
	if _, ok := in.Files[in.Entry]; !ok {
		return Session{}, errs.Invalid("entry", "%q is not one of the files", in.Entry)
	}
	b, _ := json.Marshal(in.Files)
	exp := db.Now().Add(SessionTTL)
	if _, err := s.db.ExecContext(ctx, `UPDATE dev_sessions SET entry = $1, files = $2, expires_at = $3 WHERE id = $4`, in.Entry, string(b), exp, id); err != nil {
		return Session{}, err
	}
	s.Publish(id, RoleDevice, []byte(`{"type":"reload"}`))
	return Session{ID: id, AppID: r.appID, Path: "/d/" + id + "/", ExpiresAt: exp}, nil
}

// Delete ends a session.
func (s *Service) Delete(ctx context.Context, p *identity.Principal, id string) error {
	r, err := s.owned(ctx, p, id)
	if err != nil {
		return err
	}
	a, err := s.apps.Lookup(ctx, r.appID)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM dev_sessions WHERE id = $1`, id); err != nil {
			return err
		}
		_, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "dev_session.delete", TargetType: "dev_session", TargetID: id[:8] + "…", NodeID: a.OwnerNode, NodePath: a.OwnerPath()})
		return err
	})
}

// Authorize checks that the principal owns a live session (for the log stream).
func (s *Service) Authorize(ctx context.Context, p *identity.Principal, id string) error {
	_, err := s.owned(ctx, p, id)
	return err
}

// File resolves a path of a session's build for phones; "" is the entry.
func (s *Service) File(ctx context.Context, id, path string) (sha, entry string, err error) {
	r, err := s.load(ctx, id)
	if err != nil {
		return "", "", err
	}
	if path == "" {
		path = r.entry
	}
	sha, ok := r.files[path]
	if !ok {
		return "", r.entry, fmt.Errorf("%w: no file %q in this dev build", ErrSessionNotFound, path)
	}
	return sha, r.entry, nil
}

// Alive reports whether a session exists and has not expired (phones' sockets).
func (s *Service) Alive(ctx context.Context, id string) error {
	_, err := s.load(ctx, id)
	return err
}

// Roles of a subscriber.
const (
	RoleDevice    = "device"    // phones: receive reloads
	RoleDeveloper = "developer" // the terminal: receives the phones' logs
)

// MaxMessage bounds one relayed message; a larger one is dropped.
const MaxMessage = 64 << 10

// Subscribe registers a listener for a session and role; cancel with the returned func.
func (s *Service) Subscribe(id, role string) (<-chan []byte, func()) {
	ch := make(chan []byte, 256)
	key := id + ":" + role
	s.mu.Lock()
	if s.subs[key] == nil {
		s.subs[key] = map[chan []byte]bool{}
	}
	s.subs[key][ch] = true
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		delete(s.subs[key], ch)
		s.mu.Unlock()
	}
}

// Publish sends msg to every subscriber of a session and role; a slow subscriber loses
// messages rather than slowing the others.
func (s *Service) Publish(id, role string, msg []byte) {
	if len(msg) > MaxMessage {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.subs[id+":"+role] {
		select {
		case ch <- msg:
		default:
		}
	}
}
