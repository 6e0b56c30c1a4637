package auth

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/govapp/govapp/platform/internal/db"
)

// Lifetimes of what the provider hands out.
const (
	AuthRequestTTL = 10 * time.Minute
	AccessTokenTTL = time.Hour
	IDTokenTTL     = time.Hour
	LoginCodeTTL   = 5 * time.Minute
)

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// ---- op.Client ----

type opClient struct {
	c          Client
	loginURL   func(id string) string
	secretHash string
}

var _ op.Client = (*opClient)(nil)

func (c *opClient) GetID() string                    { return c.c.ClientID }
func (c *opClient) RedirectURIs() []string           { return c.c.RedirectURIs }
func (c *opClient) PostLogoutRedirectURIs() []string { return nil }
func (c *opClient) ApplicationType() op.ApplicationType {
	return op.ApplicationTypeWeb
}
func (c *opClient) AuthMethod() oidc.AuthMethod {
	if c.c.Confidential {
		return oidc.AuthMethodBasic
	}
	return oidc.AuthMethodNone
}
func (c *opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *opClient) GrantTypes() []oidc.GrantType { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *opClient) LoginURL(id string) string    { return c.loginURL(id) }
func (c *opClient) AccessTokenType() op.AccessTokenType {
	return op.AccessTokenTypeBearer
}
func (c *opClient) IDTokenLifetime() time.Duration { return IDTokenTTL }

// DevMode stays off: redirect URIs must match exactly, http only for loopback.
func (c *opClient) DevMode() bool { return false }
func (c *opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *opClient) IsScopeAllowed(scope string) bool {
	for _, s := range c.c.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// IDTokenUserinfoClaimsAssertion puts the consented claims in the ID token, so a light app
// without a backend call still gets the identity.
func (c *opClient) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *opClient) ClockSkew() time.Duration             { return 0 }

// ---- op.AuthRequest ----

type authRequest struct {
	ID, ClientID, RedirectURI, State, Nonce string
	Scopes                                  []string
	ResponseType, ResponseMode              string
	CodeChallenge, CodeMethod, UserID       string
	AMR                                     []string
	AuthTime                                time.Time
	IsDone                                  bool
	CreatedAt                               time.Time
}

var _ op.AuthRequest = (*authRequest)(nil)

func (a *authRequest) GetID() string             { return a.ID }
func (a *authRequest) GetACR() string            { return "" }
func (a *authRequest) GetAMR() []string          { return a.AMR }
func (a *authRequest) GetAudience() []string     { return []string{a.ClientID} }
func (a *authRequest) GetAuthTime() time.Time    { return a.AuthTime }
func (a *authRequest) GetClientID() string       { return a.ClientID }
func (a *authRequest) GetNonce() string          { return a.Nonce }
func (a *authRequest) GetRedirectURI() string    { return a.RedirectURI }
func (a *authRequest) GetScopes() []string       { return a.Scopes }
func (a *authRequest) GetState() string          { return a.State }
func (a *authRequest) GetSubject() string        { return a.UserID }
func (a *authRequest) Done() bool                { return a.IsDone }
func (a *authRequest) SetCurrentScopes([]string) {}
func (a *authRequest) GetResponseType() oidc.ResponseType {
	return oidc.ResponseType(a.ResponseType)
}
func (a *authRequest) GetResponseMode() oidc.ResponseMode {
	return oidc.ResponseMode(a.ResponseMode)
}
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.CodeChallenge, Method: oidc.CodeChallengeMethod(a.CodeMethod)}
}

const authRequestCols = `id, client_id, redirect_uri, state, nonce, scopes, response_type, response_mode, code_challenge, code_method, user_id, amr, auth_time, done, created_at`

func scanAuthRequest(sc interface{ Scan(...any) error }) (*authRequest, error) {
	var a authRequest
	var scopes, amr string
	var authTime sql.NullTime
	if err := sc.Scan(&a.ID, &a.ClientID, &a.RedirectURI, &a.State, &a.Nonce, &scopes, &a.ResponseType, &a.ResponseMode,
		&a.CodeChallenge, &a.CodeMethod, &a.UserID, &amr, &authTime, &a.IsDone, &a.CreatedAt); err != nil {
		return nil, err
	}
	a.Scopes = strings.Fields(scopes)
	a.AMR = strings.Fields(amr)
	if authTime.Valid {
		a.AuthTime = authTime.Time.UTC()
	}
	return &a, nil
}

// ---- op.Storage ----

// storage implements op.Storage on the platform database.
type storage struct{ s *Service }

var _ op.Storage = storage{}

func (st storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	a := &authRequest{ID: newID("ar-"), ClientID: req.ClientID, RedirectURI: req.RedirectURI, State: req.State, Nonce: req.Nonce,
		Scopes: req.Scopes, ResponseType: string(req.ResponseType), ResponseMode: string(req.ResponseMode),
		CodeChallenge: req.CodeChallenge, CodeMethod: string(req.CodeChallengeMethod), UserID: userID, CreatedAt: db.Now()}
	return a, st.s.insertAuthRequest(ctx, st.s.db, a)
}

func (st storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	return st.s.authRequest(ctx, st.s.db, id)
}

func (st storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	a, err := scanAuthRequest(st.s.db.QueryRowContext(ctx, `SELECT `+authRequestCols+` FROM auth_requests WHERE code_hash = $1`, hashOf(code)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: unknown or used code", ErrAuthRequest)
	}
	if err != nil {
		return nil, err
	}
	if db.Now().Sub(a.CreatedAt) > AuthRequestTTL {
		return nil, fmt.Errorf("%w: the code expired", ErrAuthRequest)
	}
	return a, nil
}

func (st storage) SaveAuthCode(ctx context.Context, id, code string) error {
	_, err := st.s.db.ExecContext(ctx, `UPDATE auth_requests SET code_hash = $1 WHERE id = $2`, hashOf(code), id)
	return err
}

// DeleteAuthRequest runs once the code is exchanged, so a code works exactly once.
func (st storage) DeleteAuthRequest(ctx context.Context, id string) error {
	_, err := st.s.db.ExecContext(ctx, `DELETE FROM auth_requests WHERE id = $1`, id)
	return err
}

func (st storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	id := newID("at-")
	exp := db.Now().Add(AccessTokenTTL)
	clientID := ""
	if a, ok := req.(*authRequest); ok {
		clientID = a.ClientID
	}
	_, err := st.s.db.ExecContext(ctx, `INSERT INTO auth_tokens (id, client_id, user_id, scopes, audience, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		id, clientID, req.GetSubject(), strings.Join(req.GetScopes(), " "), strings.Join(req.GetAudience(), " "), exp, db.Now())
	return id, exp, err
}

func (st storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("refresh tokens are not issued")
}

func (st storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (st storage) TerminateSession(ctx context.Context, userID, clientID string) error {
	_, err := st.s.db.ExecContext(ctx, `DELETE FROM auth_tokens WHERE user_id = $1 AND client_id = $2`, userID, clientID)
	return err
}

func (st storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	if _, err := st.s.db.ExecContext(ctx, `DELETE FROM auth_tokens WHERE id = $1 AND client_id = $2`, tokenOrID, clientID); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (st storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (st storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	return st.s.key, nil
}

func (st storage) SignatureAlgorithms(ctx context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (st storage) KeySet(ctx context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{st.s.key}}, nil
}

func (st storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	c, hash, err := st.s.client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return &opClient{c: c, secretHash: hash, loginURL: st.s.loginURL}, nil
}

func (st storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	_, hash, err := st.s.client(ctx, clientID)
	if err != nil {
		return err
	}
	if hash == "" || hashOf(secret) != hash {
		return errors.New("client secret not valid")
	}
	return nil
}

func (st storage) SetUserinfoFromScopes(ctx context.Context, ui *oidc.UserInfo, userID, clientID string, scopes []string) error {
	return st.s.userinfo(ctx, ui, userID, scopes)
}

func (st storage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	var userID, scopes string
	var exp time.Time
	err := st.s.db.QueryRowContext(ctx, `SELECT user_id, scopes, expires_at FROM auth_tokens WHERE id = $1`, tokenID).Scan(&userID, &scopes, &exp)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && db.Now().After(exp)) {
		return errors.New("access token not valid")
	}
	if err != nil {
		return err
	}
	return st.s.userinfo(ctx, ui, userID, strings.Fields(scopes))
}

func (st storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	var ui oidc.UserInfo
	if err := st.SetUserinfoFromToken(ctx, &ui, tokenID, subject, ""); err != nil {
		return err
	}
	resp.SetUserInfo(&ui)
	resp.ClientID = clientID
	resp.Active = true
	return nil
}

func (st storage) GetPrivateClaimsFromScopes(ctx context.Context, userID, clientID string, scopes []string) (map[string]any, error) {
	return st.s.privateClaims(ctx, userID, scopes)
}

func (st storage) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	return nil, errors.New("JWT client authentication is not supported")
}

func (st storage) ValidateJWTProfileScopes(ctx context.Context, userID string, scopes []string) ([]string, error) {
	return nil, errors.New("JWT profile grants are not supported")
}

func (st storage) Health(ctx context.Context) error { return st.s.db.PingContext(ctx) }

// ---- keys ----

type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

type publicKey struct{ k *signingKey }

func (p publicKey) ID() string                         { return p.k.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.k.key.PublicKey }

func jsonList(v []string) string {
	b, _ := json.Marshal(v)
	return string(b)
}
