// Package identity owns the organisation tree, users, roles, grants and API tokens, and
// answers the one question every request asks: may this principal do this on that node?
// A grant on a node covers its whole subtree; the tree follows the administrative
// divisions (GB/T 2260) with departments under any node.
package identity

import (
	"errors"
	"strings"
	"time"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/errs"
)

// Permissions a role can bundle.
const (
	PermOrgAdmin   = "org.admin"
	PermAppCreate  = "app.create"
	PermAppPublish = "app.publish"
	PermAppReview  = "app.review"
	PermPushSend   = "push.send"
	PermStatsRead  = "stats.read"
	PermAuditRead  = "audit.read"
)

// AllPermissions lists every permission, in a stable order.
var AllPermissions = []string{PermOrgAdmin, PermAppCreate, PermAppPublish, PermAppReview, PermPushSend, PermStatsRead, PermAuditRead}

// Node kinds.
const (
	KindProvince   = "province"
	KindCity       = "city"
	KindDistrict   = "district"
	KindCounty     = "county"
	KindDepartment = "department"
)

// Node is one organisation: a region or a department.
type Node struct {
	ID        string    `json:"id"`
	ParentID  string    `json:"parent_id"`
	Kind      string    `json:"kind"`
	Name      string    `json:"name"`
	Code      string    `json:"code"`
	Path      string    `json:"path"`
	CreatedAt time.Time `json:"created_at"`
}

// IsRegion tells regions (which carry their own GB/T 2260 code) from departments.
func (n Node) IsRegion() bool { return n.Kind != KindDepartment }

// User kinds.
const (
	UserStaff   = "staff"
	UserCitizen = "citizen"
)

// User is a staff member or a citizen.
type User struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	DisplayName   string    `json:"display_name"`
	Kind          string    `json:"kind"`
	NodeID        string    `json:"node_id"`
	Region        string    `json:"region"`
	VerifiedLevel int       `json:"verified_level"`
	CreatedAt     time.Time `json:"created_at"`
	Grants        []Grant   `json:"grants,omitempty"`
}

// Role bundles permissions under a name.
type Role struct {
	Name        string   `json:"name"`
	Title       string   `json:"title"`
	Permissions []string `json:"permissions"`
}

// Grant gives a user a role on a node's subtree.
type Grant struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Role      string    `json:"role"`
	NodeID    string    `json:"node_id"`
	CreatedAt time.Time `json:"created_at"`
}

// Token is an API token's public record; the secret is only ever shown at creation.
type Token struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// TokenCreated carries the secret once.
type TokenCreated struct {
	Token
	Secret string `json:"token"`
}

// Domain errors; httpapi maps each to a status and a stable code.
var (
	ErrNodeNotFound  = errors.New("organisation not found")
	ErrNodeInUse     = errors.New("organisation still in use")
	ErrUserNotFound  = errors.New("user not found")
	ErrUserExists    = errors.New("user name taken")
	ErrRoleNotFound  = errors.New("role not found")
	ErrGrantNotFound = errors.New("grant not found")
	ErrGrantExists   = errors.New("grant exists")
	ErrTokenNotFound = errors.New("token not found")
	ErrTokenInvalid  = errors.New("invalid token")
	ErrNodeExists    = errors.New("organisation exists")
)

// PrincipalGrant is a grant resolved for authorisation: the role's permissions and the
// node's path, so checks are prefix comparisons with no further queries.
type PrincipalGrant struct {
	Role        string
	NodeID      string
	NodePath    string
	Permissions []string
}

// Principal is an authenticated caller.
type Principal struct {
	User      User
	HomePath  string
	TokenID   string
	Grants    []PrincipalGrant
	IP        string
	RequestID string
}

// Actor is the principal as the audit log records it.
func (p *Principal) Actor() audit.Actor {
	return audit.Actor{ID: p.User.ID, Name: p.User.Name, IP: p.IP, RequestID: p.RequestID}
}

// Can reports whether the principal holds perm on the node at path (through any ancestor).
func (p *Principal) Can(perm, path string) bool {
	for _, g := range p.Grants {
		if strings.HasPrefix(path, g.NodePath) && has(g.Permissions, perm) {
			return true
		}
	}
	return false
}

// CanAny reports whether the principal holds any grant covering path.
func (p *Principal) CanAny(path string) bool {
	for _, g := range p.Grants {
		if strings.HasPrefix(path, g.NodePath) {
			return true
		}
	}
	return false
}

// Subtrees returns the minimal set of node paths where the principal holds perm (any
// permission when perm is ""), for filtering lists in SQL.
func (p *Principal) Subtrees(perm string) []string {
	var paths []string
	for _, g := range p.Grants {
		if perm == "" || has(g.Permissions, perm) {
			paths = append(paths, g.NodePath)
		}
	}
	return minimalPrefixes(paths)
}

// Require returns a forbidden error naming what is missing, or nil.
func (p *Principal) Require(perm, path, what string) error {
	if p.Can(perm, path) {
		return nil
	}
	return &ForbiddenError{Perm: perm, What: what}
}

// ForbiddenError says which permission on which target was missing.
type ForbiddenError struct {
	Perm string
	What string
}

func (e *ForbiddenError) Error() string {
	if e.Perm == "" {
		return "you hold no role covering " + e.What + "; ask an administrator of that organisation for a grant"
	}
	return "you need " + e.Perm + " on " + e.What + "; ask an administrator of that organisation for a grant"
}

// Unwrap makes errors.Is(err, errs.ErrForbidden) hold.
func (e *ForbiddenError) Unwrap() error { return errs.ErrForbidden }

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func minimalPrefixes(paths []string) []string {
	var out []string
	for _, p := range paths {
		covered := false
		for _, q := range paths {
			if q != p && strings.HasPrefix(p, q) {
				covered = true
				break
			}
		}
		if !covered && !has(out, p) {
			out = append(out, p)
		}
	}
	return out
}
