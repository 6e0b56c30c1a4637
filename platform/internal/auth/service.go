package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// Config is what the provider needs beyond the database.
type Config struct {
	// Issuer is the provider's public URL (".../oidc"); "" derives it from each request's
	// host, for laptops and tests.
	Issuer string
	// SecretKey encrypts the signing key at rest and the provider's opaque codes and tokens.
	SecretKey [32]byte
	// Upstreams are the sign-in methods by name (wechat, alipay, govapp).
	Upstreams map[string]Upstream
	// Logger receives the provider's request errors (nil: discarded).
	Logger *slog.Logger
	// SMS sends phone verification codes (nil: phone verification is off).
	SMS SMS
}

// SMS sends a text to a phone.
type SMS interface {
	Send(ctx context.Context, phone, text string) error
}

// Service is unified sign-in.
type Service struct {
	db       *db.DB
	ids      *identity.Service
	apps     *apps.Service
	audit    *audit.Store
	cfg      Config
	key      *signingKey
	provider *op.Provider
}

// NewService migrates the auth tables, loads (or makes, on first start) the signing key and
// builds the OpenID provider.
func NewService(ctx context.Context, d *db.DB, ids *identity.Service, reg *apps.Service, a *audit.Store, cfg Config) (*Service, error) {
	if err := d.Migrate(ctx, "auth", migrations); err != nil {
		return nil, err
	}
	s := &Service{db: d, ids: ids, apps: reg, audit: a, cfg: cfg}
	var err error
	if s.key, err = s.loadKey(ctx); err != nil {
		return nil, err
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	issuer := op.IssuerFromHost("/oidc")
	if cfg.Issuer != "" {
		issuer = op.StaticIssuer(cfg.Issuer)
	}
	s.provider, err = op.NewProvider(&op.Config{
		CryptoKey:                cfg.SecretKey,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		SupportedUILocales:       nil,
		SupportedClaims:          []string{"sub", "name", "nickname", "phone_number", "phone_number_verified", "region", "verified_level"},
		DefaultLogoutRedirectURI: "/",
	}, storage{s}, issuer, op.WithAllowInsecure(), op.WithLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("auth: provider: %w", err)
	}
	return s, nil
}

// Provider is the OpenID provider, an http.Handler the HTTP layer mounts at /oidc.
func (s *Service) Provider() *op.Provider { return s.provider }

func (s *Service) loginURL(id string) string { return "/auth/login?id=" + url.QueryEscape(id) }

func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// ---- signing key, encrypted at rest ----

func (s *Service) gcm() (cipher.AEAD, error) {
	block, err := aes.NewCipher(s.cfg.SecretKey[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (s *Service) loadKey(ctx context.Context) (*signingKey, error) {
	aead, err := s.gcm()
	if err != nil {
		return nil, err
	}
	var id, enc string
	err = s.db.QueryRowContext(ctx, `SELECT id, private_enc FROM auth_keys ORDER BY created_at DESC LIMIT 1`).Scan(&id, &enc)
	if errors.Is(err, sql.ErrNoRows) {
		return s.newKey(ctx, aead)
	}
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, errors.New("auth: stored signing key is corrupt")
	}
	der, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(id))
	if err != nil {
		return nil, errors.New("auth: cannot decrypt the signing key: the secret key (secret_key / GOVAPP_SECRET_KEY_FILE) differs from the one it was made with")
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("auth: stored signing key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("auth: stored signing key is not RSA")
	}
	return &signingKey{id: id, key: rk}, nil
}

func (s *Service) newKey(ctx context.Context, aead cipher.AEAD) (*signingKey, error) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(rk)
	if err != nil {
		return nil, err
	}
	id := newID("k-")
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	sealed := aead.Seal(nonce, nonce, der, []byte(id))
	if _, err := s.db.ExecContext(ctx, `INSERT INTO auth_keys (id, alg, private_enc, created_at) VALUES ($1, 'RS256', $2, $3)`,
		id, base64.StdEncoding.EncodeToString(sealed), db.Now()); err != nil {
		return nil, err
	}
	return &signingKey{id: id, key: rk}, nil
}

// ---- clients (console) ----

func (s *Service) client(ctx context.Context, clientID string) (Client, string, error) {
	var c Client
	var uris, scopes, hash string
	err := s.db.QueryRowContext(ctx, `SELECT client_id, app_id, secret_hash, redirect_uris, scopes, confidential, created_at FROM auth_clients WHERE client_id = $1`, clientID).
		Scan(&c.ClientID, &c.AppID, &hash, &uris, &scopes, &c.Confidential, &c.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Client{}, "", fmt.Errorf("%w: %q; register the app with POST /v1/apps/{id}/oidc-client", ErrClientNotFound, clientID)
	}
	if err != nil {
		return Client{}, "", err
	}
	_ = json.Unmarshal([]byte(uris), &c.RedirectURIs)
	_ = json.Unmarshal([]byte(scopes), &c.Scopes)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, hash, nil
}

// GetClient returns an app's client registration.
func (s *Service) GetClient(ctx context.Context, p *identity.Principal, appID string) (Client, error) {
	a, err := s.apps.Get(ctx, p, appID)
	if err != nil {
		return Client{}, err
	}
	c, _, err := s.client(ctx, a.ID)
	return c, err
}

// RegisterClient makes (or replaces) an app's OIDC client. The client id is the app id; a
// confidential client gets a new secret, shown once.
func (s *Service) RegisterClient(ctx context.Context, p *identity.Principal, appID string, in ClientRegistration) (ClientCreated, error) {
	a, err := s.apps.Lookup(ctx, appID)
	if err != nil {
		return ClientCreated{}, err
	}
	if err := p.Require(identity.PermAppPublish, a.OwnerPath(), "app "+appID+"'s department"); err != nil {
		return ClientCreated{}, err
	}
	if len(in.RedirectURIs) == 0 || len(in.RedirectURIs) > 10 {
		return ClientCreated{}, errs.Invalid("redirect_uris", "give 1 to 10 redirect URIs where the app receives the sign-in code")
	}
	for i, u := range in.RedirectURIs {
		if err := validRedirect(u); err != nil {
			return ClientCreated{}, errs.Invalid(fmt.Sprintf("redirect_uris[%d]", i), "%v", err)
		}
	}
	scopes := in.Scopes
	if len(scopes) == 0 {
		scopes = []string{ScopeOpenID, ScopeProfile}
	}
	for i, sc := range scopes {
		if !slices.Contains(AllScopes, sc) {
			return ClientCreated{}, errs.Invalid(fmt.Sprintf("scopes[%d]", i), "%q is not a scope; use %s", sc, strings.Join(AllScopes, ", "))
		}
	}
	if !slices.Contains(scopes, ScopeOpenID) {
		scopes = append([]string{ScopeOpenID}, scopes...)
	}
	out := ClientCreated{Client: Client{ClientID: appID, AppID: appID, RedirectURIs: in.RedirectURIs, Scopes: scopes, Confidential: in.Confidential, CreatedAt: db.Now()}}
	hash := ""
	if in.Confidential {
		var b [32]byte
		_, _ = rand.Read(b[:])
		out.Secret = "gvs_" + base64.RawURLEncoding.EncodeToString(b[:])
		hash = hashOf(out.Secret)
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM auth_clients WHERE client_id = $1`, appID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO auth_clients (client_id, app_id, secret_hash, redirect_uris, scopes, confidential, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			appID, appID, hash, jsonList(in.RedirectURIs), jsonList(scopes), in.Confidential, out.CreatedAt); err != nil {
			return err
		}
		_, err := s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "oidc_client.register", TargetType: "app", TargetID: appID, NodeID: a.OwnerNode, NodePath: a.OwnerPath(), After: out.Client})
		return err
	})
	if err != nil {
		return ClientCreated{}, err
	}
	return out, nil
}

func validRedirect(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute URL without a #fragment", raw)
	}
	host := u.Hostname()
	loopback := host == "localhost" || host == "127.0.0.1" || host == "::1"
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback) {
		return fmt.Errorf("%q must use https (http only on localhost)", raw)
	}
	return nil
}

// ---- sign-in ----

func (s *Service) insertAuthRequest(ctx context.Context, q db.Querier, a *authRequest) error {
	_, err := q.ExecContext(ctx, `INSERT INTO auth_requests (`+authRequestCols+`, code_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, '')`,
		a.ID, a.ClientID, a.RedirectURI, a.State, a.Nonce, strings.Join(a.Scopes, " "), a.ResponseType, a.ResponseMode,
		a.CodeChallenge, a.CodeMethod, a.UserID, strings.Join(a.AMR, " "), nullTime(a.AuthTime), a.IsDone, a.CreatedAt)
	return err
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func (s *Service) authRequest(ctx context.Context, q db.Querier, id string) (*authRequest, error) {
	a, err := scanAuthRequest(q.QueryRowContext(ctx, `SELECT `+authRequestCols+` FROM auth_requests WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: unknown sign-in request; start again from the app", ErrAuthRequest)
	}
	if err != nil {
		return nil, err
	}
	if db.Now().Sub(a.CreatedAt) > AuthRequestTTL {
		return nil, fmt.Errorf("%w: the sign-in request expired; start again from the app", ErrAuthRequest)
	}
	return a, nil
}

// Upstreams lists the sign-in methods configured, for the login page.
func (s *Service) Upstreams() []string {
	var out []string
	for name := range s.cfg.Upstreams {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// StartUpstream begins signing in for request id through provider: it records a one-time
// state and returns where to send the browser.
func (s *Service) StartUpstream(ctx context.Context, id, provider, callbackURL string) (string, error) {
	up, ok := s.cfg.Upstreams[provider]
	if !ok {
		return "", fmt.Errorf("%w: %q; available: %s", ErrUnknownUpstream, provider, strings.Join(s.Upstreams(), ", "))
	}
	a, err := s.authRequest(ctx, s.db, id)
	if err != nil {
		return "", err
	}
	if a.IsDone {
		return "", fmt.Errorf("%w: this sign-in is already complete", ErrAuthRequest)
	}
	state := newID("st-")
	if _, err := s.db.ExecContext(ctx, `INSERT INTO auth_states (state_hash, request_id, provider, created_at) VALUES ($1, $2, $3, $4)`,
		hashOf(state), id, provider, db.Now()); err != nil {
		return "", err
	}
	return up.AuthorizeURL(callbackURL, state, slices.Contains(a.Scopes, ScopeProfile) || slices.Contains(a.Scopes, ScopePhone)), nil
}

// FinishUpstream completes an upstream sign-in: the state must be one this platform issued,
// unused and fresh (a forged or replayed state is refused), the code is exchanged upstream,
// and the citizen is found, linked or created. It returns the auth request id to resume.
func (s *Service) FinishUpstream(ctx context.Context, provider, state, code string) (string, error) {
	up, ok := s.cfg.Upstreams[provider]
	if !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownUpstream, provider)
	}
	var requestID, stateProvider string
	var created time.Time
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT request_id, provider, created_at FROM auth_states WHERE state_hash = $1`, hashOf(state)).Scan(&requestID, &stateProvider, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: unknown or already used; start the sign-in again", ErrBadState)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM auth_states WHERE state_hash = $1`, hashOf(state))
		return err
	})
	if err != nil {
		return "", err
	}
	if stateProvider != provider || db.Now().Sub(created) > AuthRequestTTL {
		return "", fmt.Errorf("%w: it was issued for another method or has expired; start again", ErrBadState)
	}
	who, err := up.Exchange(ctx, code)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrUpstream, provider, err)
	}
	userID, err := s.citizenFor(ctx, who)
	if err != nil {
		return "", err
	}
	_, err = s.db.ExecContext(ctx, `UPDATE auth_requests SET user_id = $1, amr = $2, auth_time = $3, done = $4 WHERE id = $5 AND done = $6`,
		userID, provider, db.Now(), true, requestID, false)
	return requestID, err
}

// ContainerLogin serves govapp.login() inside a container: the credential the container
// gave (a WeChat OAuth code, an Alipay auth code, a gov-app ticket) becomes a standard OIDC
// authorization code for the app, which the app's backend exchanges at the token endpoint
// with its redirect URI and secret. The app never sees WeChat or Alipay credentials.
func (s *Service) ContainerLogin(ctx context.Context, appID, provider, credential string) (string, int, error) {
	up, ok := s.cfg.Upstreams[provider]
	if !ok {
		return "", 0, errs.Invalid("container", "%q has no sign-in method here; available: %s", provider, strings.Join(s.Upstreams(), ", "))
	}
	c, _, err := s.client(ctx, appID)
	if err != nil {
		return "", 0, err
	}
	if credential == "" {
		return "", 0, errs.Invalid("credential", "is required: the code or ticket the container gave")
	}
	who, err := up.Exchange(ctx, credential)
	if err != nil {
		return "", 0, fmt.Errorf("%w: %s: %v", ErrUpstream, provider, err)
	}
	userID, err := s.citizenFor(ctx, who)
	if err != nil {
		return "", 0, err
	}
	a := &authRequest{ID: newID("ar-"), ClientID: c.ClientID, RedirectURI: c.RedirectURIs[0], Scopes: c.Scopes,
		ResponseType: string(oidc.ResponseTypeCode), UserID: userID, AMR: []string{provider}, AuthTime: db.Now(), IsDone: true, CreatedAt: db.Now()}
	if err := s.insertAuthRequest(ctx, s.db, a); err != nil {
		return "", 0, err
	}
	code, err := op.CreateAuthRequestCode(ctx, a, storage{s}, s.provider.Crypto())
	if err != nil {
		return "", 0, err
	}
	return code, int(AuthRequestTTL.Seconds()), nil
}

// CallbackURL is where the browser resumes the provider after sign-in.
func CallbackURL(issuer, requestID string) string {
	return strings.TrimRight(issuer, "/") + "/authorize/callback?id=" + url.QueryEscape(requestID)
}

// citizenFor finds the citizen behind an upstream identity, links it to an existing citizen
// through a verified phone, or creates one — in one transaction with its audit entries.
func (s *Service) citizenFor(ctx context.Context, who UpstreamIdentity) (string, error) {
	if who.Provider == "" || who.Subject == "" {
		return "", fmt.Errorf("%w: the upstream gave no user id", ErrUpstream)
	}
	var userID string
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT user_id FROM auth_identities WHERE provider = $1 AND subject = $2`, who.Provider, who.Subject).Scan(&userID)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		root, err := s.ids.RootNode(ctx)
		if err != nil {
			return err
		}
		linkedBy := "created"
		if who.PhoneVerified && who.Phone != "" {
			err := tx.QueryRowContext(ctx, `SELECT user_id FROM auth_phones WHERE phone = $1`, who.Phone).Scan(&userID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if err == nil {
				linkedBy = "verified_phone"
			}
		}
		sys := identity.SystemPrincipal()
		if userID == "" {
			name := who.Nickname
			if strings.TrimSpace(name) == "" {
				name = "市民"
			}
			if r := []rune(name); len(r) > identity.MaxNameLen {
				name = string(r[:identity.MaxNameLen])
			}
			node := root.ID
			if who.Region != "" {
				if n, err := s.ids.Node(ctx, who.Region); err == nil && n.IsRegion() {
					node = n.ID
				}
			}
			u, err := s.ids.CreateUserTx(ctx, tx, sys, identity.UserCreate{Name: newCitizenName(), DisplayName: name, Kind: identity.UserCitizen, NodeID: node, VerifiedLevel: who.VerifiedLevel})
			if err != nil {
				return err
			}
			userID = u.ID
			if who.PhoneVerified && who.Phone != "" {
				if _, err := tx.ExecContext(ctx, `INSERT INTO auth_phones (user_id, phone, verified_at) VALUES ($1, $2, $3)`, userID, who.Phone, db.Now()); err != nil {
					return err
				}
			}
		}
		id := Identity{Provider: who.Provider, Subject: who.Subject, UserID: userID, LinkedBy: linkedBy, CreatedAt: db.Now()}
		if _, err := tx.ExecContext(ctx, `INSERT INTO auth_identities (provider, subject, user_id, linked_by, created_at) VALUES ($1, $2, $3, $4, $5)`,
			id.Provider, id.Subject, id.UserID, id.LinkedBy, id.CreatedAt); err != nil {
			return err
		}
		_, err = s.audit.Record(ctx, tx, sys.Actor(), audit.Change{Action: "identity.link", TargetType: "user", TargetID: userID, NodeID: root.ID, NodePath: root.Path, After: id})
		return err
	})
	return userID, err
}

func newCitizenName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "c" + hex.EncodeToString(b[:])
}

// VerifyPhone records a phone the platform itself verified for a citizen (an SMS code, a
// real-name check), which later sign-ins through other channels may link on.
func (s *Service) VerifyPhone(ctx context.Context, userID, phone string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM auth_phones WHERE user_id = $1`, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO auth_phones (user_id, phone, verified_at) VALUES ($1, $2, $3)`, userID, phone, db.Now()); err != nil {
			if db.IsUniqueViolation(err) {
				return fmt.Errorf("%w: that phone is verified for another citizen", errs.ErrConflict)
			}
			return err
		}
		root, err := s.ids.RootNode(ctx)
		if err != nil {
			return err
		}
		_, err = s.audit.Record(ctx, tx, audit.System, audit.Change{Action: "identity.phone_verified", TargetType: "user", TargetID: userID, NodeID: root.ID, NodePath: root.Path,
			After: map[string]string{"phone": maskPhone(phone)}})
		return err
	})
}

func maskPhone(p string) string {
	if len(p) < 7 {
		return "***"
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

// ---- claims ----

func (s *Service) userinfo(ctx context.Context, ui *oidc.UserInfo, userID string, scopes []string) error {
	u, err := s.ids.User(ctx, userID)
	if err != nil {
		return err
	}
	ui.Subject = u.ID
	for _, sc := range scopes {
		switch sc {
		case ScopeProfile:
			ui.Name, ui.Nickname = u.DisplayName, u.DisplayName
		case ScopePhone:
			var phone string
			if err := s.db.QueryRowContext(ctx, `SELECT phone FROM auth_phones WHERE user_id = $1`, userID).Scan(&phone); err == nil {
				ui.PhoneNumber, ui.PhoneNumberVerified = phone, true
			}
		}
	}
	claims, err := s.privateClaims(ctx, userID, scopes)
	if err != nil {
		return err
	}
	for k, v := range claims {
		ui.AppendClaims(k, v)
	}
	return nil
}

func (s *Service) privateClaims(ctx context.Context, userID string, scopes []string) (map[string]any, error) {
	u, err := s.ids.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	if slices.Contains(scopes, ScopeRegion) {
		out["region"] = u.Region
	}
	if slices.Contains(scopes, ScopeVerified) {
		out["verified_level"] = u.VerifiedLevel
	}
	return out, nil
}

// ---- phone verification by SMS ----

// Phone code limits: a code lives five minutes and survives five wrong guesses.
const (
	PhoneCodeTTL      = 5 * time.Minute
	PhoneCodeAttempts = 5
)

var rePhone = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// ErrPhoneCode marks a wrong, expired or exhausted verification code.
var ErrPhoneCode = errors.New("phone verification code not valid")

// SubjectFromAccessToken returns the citizen behind an access token this provider issued.
func (s *Service) SubjectFromAccessToken(ctx context.Context, token string) (string, error) {
	plain, err := s.provider.Crypto().Decrypt(token)
	if err != nil {
		return "", fmt.Errorf("%w: the access token is not one of this platform's", errs.ErrUnauthenticated)
	}
	tokenID, subject, ok := strings.Cut(plain, ":")
	if !ok {
		return "", fmt.Errorf("%w: malformed access token", errs.ErrUnauthenticated)
	}
	var userID string
	var exp time.Time
	err = s.db.QueryRowContext(ctx, `SELECT user_id, expires_at FROM auth_tokens WHERE id = $1`, tokenID).Scan(&userID, &exp)
	if err != nil || userID != subject || db.Now().After(exp) {
		return "", fmt.Errorf("%w: the access token expired or was revoked; sign in again", errs.ErrUnauthenticated)
	}
	return userID, nil
}

// SendPhoneCode texts a six-digit code to phone for the citizen to confirm.
func (s *Service) SendPhoneCode(ctx context.Context, userID, phone string) error {
	if s.cfg.SMS == nil {
		return fmt.Errorf("%w: phone verification is not configured on this platform", ErrUnknownUpstream)
	}
	if !rePhone.MatchString(phone) {
		return errs.Invalid("phone", "%q is not a mainland mobile number (11 digits starting with 1)", phone)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	code := fmt.Sprintf("%06d", (uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8|uint32(b[3]))%1000000)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM auth_phone_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO auth_phone_codes (user_id, phone, code_hash, attempts, created_at) VALUES ($1, $2, $3, 0, $4)`,
		userID, phone, hashOf(userID+":"+code), db.Now()); err != nil {
		return err
	}
	return s.cfg.SMS.Send(ctx, phone, "【政务服务】您的验证码是 "+code+"，5分钟内有效。如非本人操作请忽略。")
}

// ConfirmPhone checks the code and records the phone as verified for the citizen.
func (s *Service) ConfirmPhone(ctx context.Context, userID, phone, code string) error {
	var wantPhone, hash string
	var attempts int
	var created time.Time
	err := s.db.QueryRowContext(ctx, `SELECT phone, code_hash, attempts, created_at FROM auth_phone_codes WHERE user_id = $1`, userID).Scan(&wantPhone, &hash, &attempts, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: ask for a code first", ErrPhoneCode)
	}
	if err != nil {
		return err
	}
	if attempts >= PhoneCodeAttempts || db.Now().Sub(created) > PhoneCodeTTL {
		_, _ = s.db.ExecContext(ctx, `DELETE FROM auth_phone_codes WHERE user_id = $1`, userID)
		return fmt.Errorf("%w: the code expired or was guessed wrong too often; ask for a new one", ErrPhoneCode)
	}
	if phone != wantPhone || hashOf(userID+":"+code) != hash {
		_, _ = s.db.ExecContext(ctx, `UPDATE auth_phone_codes SET attempts = attempts + 1 WHERE user_id = $1`, userID)
		return fmt.Errorf("%w: wrong code", ErrPhoneCode)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM auth_phone_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	return s.VerifyPhone(ctx, userID, phone)
}

// ---- linked identities ----

// Identities lists the upstream accounts linked to a citizen, for the citizen's administrators.
func (s *Service) Identities(ctx context.Context, p *identity.Principal, userID string) ([]Identity, error) {
	if _, err := s.ids.GetUser(ctx, p, userID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT provider, subject, user_id, linked_by, created_at FROM auth_identities WHERE user_id = $1 ORDER BY created_at, provider`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Identity{}
	for rows.Next() {
		var id Identity
		if err := rows.Scan(&id.Provider, &id.Subject, &id.UserID, &id.LinkedBy, &id.CreatedAt); err != nil {
			return nil, err
		}
		id.CreatedAt = id.CreatedAt.UTC()
		out = append(out, id)
	}
	return out, rows.Err()
}

// ErrIdentityNotFound marks an unknown link.
var ErrIdentityNotFound = errors.New("linked identity not found")

// Unlink removes a linked upstream account (a wrong link, a lost phone): the next sign-in
// through it makes or finds a citizen afresh. Audited like the link was.
func (s *Service) Unlink(ctx context.Context, p *identity.Principal, userID, provider string) error {
	u, err := s.ids.GetUser(ctx, p, userID)
	if err != nil {
		return err
	}
	home, err := s.ids.Node(ctx, u.NodeID)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		var id Identity
		err := tx.QueryRowContext(ctx, `SELECT provider, subject, user_id, linked_by, created_at FROM auth_identities WHERE user_id = $1 AND provider = $2`, userID, provider).
			Scan(&id.Provider, &id.Subject, &id.UserID, &id.LinkedBy, &id.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: user %s has no %s account linked", ErrIdentityNotFound, userID, provider)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM auth_identities WHERE user_id = $1 AND provider = $2`, userID, provider); err != nil {
			return err
		}
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "identity.unlink", TargetType: "user", TargetID: userID, NodeID: u.NodeID, NodePath: home.Path, Before: id})
		return err
	})
}
