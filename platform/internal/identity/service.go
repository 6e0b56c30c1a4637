package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/govapp/govapp/platform/internal/audit"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
)

// OwnerGuard counts what other domains keep under the given organisations (apps, say), so
// identity can refuse to move or delete a node that still owns something without
// importing those domains. It returns the count and a plural noun for the message.
type OwnerGuard func(ctx context.Context, q db.Querier, nodeIDs []string) (int, string, error)

// Service is identity's API for the HTTP layer and the other domains.
type Service struct {
	db     *db.DB
	st     store
	audit  *audit.Store
	guards []OwnerGuard
}

// NewService migrates identity's tables, seeds the built-in roles and returns the service.
func NewService(ctx context.Context, d *db.DB, a *audit.Store) (*Service, error) {
	if err := d.Migrate(ctx, "identity", migrations); err != nil {
		return nil, err
	}
	s := &Service{db: d, st: store{db: d}, audit: a}
	for _, r := range BuiltinRoles {
		if err := s.st.upsertRole(ctx, d, r); err != nil {
			return nil, fmt.Errorf("identity: seed role %s: %w", r.Name, err)
		}
	}
	return s, nil
}

// DB is the store identity runs on, for wiring that must coordinate with it (seeding).
func (s *Service) DB() *db.DB { return s.db }

// AddOwnerGuard registers a domain's ownership check; call during wiring, before serving.
func (s *Service) AddOwnerGuard(g OwnerGuard) { s.guards = append(s.guards, g) }

// ---- authentication ----

// TokenPrefix starts every API token, so leaked tokens are easy to scan for.
const TokenPrefix = "gvt_"

const tokenSecretLen = 43 // base64url of 32 random bytes

// HashToken is how tokens are stored: only the SHA-256 of the secret is kept.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// WellFormedToken checks the token's shape without touching the database.
func WellFormedToken(secret string) bool {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) != len(TokenPrefix)+tokenSecretLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(secret[len(TokenPrefix):])
	return err == nil
}

// Authenticate resolves a bearer token to a principal with its grants.
func (s *Service) Authenticate(ctx context.Context, secret, ip, requestID string) (*Principal, error) {
	if !WellFormedToken(secret) {
		return nil, fmt.Errorf("%w: the token is malformed; a token looks like gvt_ followed by 43 characters — copy it again or create one with `govapp tokens create`", ErrTokenInvalid)
	}
	t, err := s.st.tokenByHash(ctx, s.db, HashToken(secret))
	if errors.Is(err, ErrTokenNotFound) {
		return nil, fmt.Errorf("%w: the token is not known to this server; log in again with a current token", ErrTokenInvalid)
	} else if err != nil {
		return nil, err
	}
	now := db.Now()
	if t.RevokedAt != nil {
		return nil, fmt.Errorf("%w: the token %s was revoked; create a new one", ErrTokenInvalid, t.Prefix)
	}
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return nil, fmt.Errorf("%w: the token %s expired at %s; create a new one", ErrTokenInvalid, t.Prefix, t.ExpiresAt.Format(time.RFC3339))
	}
	// Record use at most once a minute, so reads do not turn into a write per request.
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		_, _ = s.db.ExecContext(ctx, `UPDATE tokens SET last_used_at = $1 WHERE id = $2`, now, t.ID)
	}
	p, err := s.principal(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	p.TokenID, p.IP, p.RequestID = t.ID, ip, requestID
	return p, nil
}

func (s *Service) principal(ctx context.Context, userID string) (*Principal, error) {
	u, err := s.st.user(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	home, err := s.st.node(ctx, s.db, u.NodeID)
	if err != nil {
		return nil, err
	}
	grants, err := s.st.principalGrants(ctx, s.db, userID)
	if err != nil {
		return nil, err
	}
	return &Principal{User: u, HomePath: home.Path, Grants: grants}, nil
}

// SystemPrincipal is the platform acting on its own (first start), with every permission at the root.
func SystemPrincipal() *Principal {
	return &Principal{
		User:   User{ID: audit.System.ID, Name: audit.System.Name},
		Grants: []PrincipalGrant{{Role: "admin", NodePath: "/", Permissions: AllPermissions}},
	}
}

// ---- organisations ----

// Node returns a node without an authorisation check, for other domains resolving paths.
func (s *Service) Node(ctx context.Context, id string) (Node, error) {
	return s.st.node(ctx, s.db, id)
}

// GetNode returns a node the principal holds some grant over.
func (s *Service) GetNode(ctx context.Context, p *Principal, id string) (Node, error) {
	n, err := s.st.node(ctx, s.db, id)
	if err != nil {
		return Node{}, err
	}
	if !p.CanAny(n.Path) {
		return Node{}, &ForbiddenError{What: "organisation " + id}
	}
	return n, nil
}

// ListNodes returns the subtrees the principal holds grants on, ordered by path.
func (s *Service) ListNodes(ctx context.Context, p *Principal) ([]Node, error) {
	return s.st.nodesUnder(ctx, s.db, p.Subtrees(""))
}

// NodeCreate is the input of CreateNode.
type NodeCreate struct {
	ParentID string `json:"parent_id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Code     string `json:"code,omitempty"`
}

// CreateNode adds a region or department under a parent the principal administers.
func (s *Service) CreateNode(ctx context.Context, p *Principal, in NodeCreate) (Node, error) {
	var out Node
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.createNode(ctx, tx, p, in)
		return err
	})
	return out, err
}

func (s *Service) createNode(ctx context.Context, tx *sql.Tx, p *Principal, in NodeCreate) (Node, error) {
	name, err := ValidName("name", in.Name, MaxNameLen)
	if err != nil {
		return Node{}, err
	}
	allowed, ok := parentKinds[in.Kind]
	if !ok {
		return Node{}, errs.Invalid("kind", "%q is not a kind; use one of province, city, district, county, department", in.Kind)
	}
	n := Node{Kind: in.Kind, Name: name, CreatedAt: db.Now()}
	var parent Node
	if in.ParentID == "" {
		if in.Kind != KindProvince {
			return Node{}, errs.Invalid("parent_id", "is required; every organisation but the province sits under a parent")
		}
		if !p.Can(PermOrgAdmin, "/") {
			return Node{}, &ForbiddenError{Perm: PermOrgAdmin, What: "the root of the tree"}
		}
	} else {
		if err := ValidNodeID("parent_id", in.ParentID); err != nil {
			return Node{}, err
		}
		parent, err = s.st.node(ctx, tx, in.ParentID)
		if err != nil {
			return Node{}, err
		}
		if err := p.Require(PermOrgAdmin, parent.Path, "organisation "+parent.ID); err != nil {
			return Node{}, err
		}
		if !has(allowed, parent.Kind) {
			return Node{}, errs.Invalid("kind", "a %s cannot sit under a %s (%s); allowed parents: %s", in.Kind, parent.Kind, parent.Name, strings.Join(allowed, ", "))
		}
	}
	if n.IsRegion() {
		if err := ValidRegionCode("code", in.Code); err != nil {
			return Node{}, err
		}
		if parent.ID != "" && !regionCodeFits(in.Kind, in.Code, parent.Code) {
			return Node{}, errs.Invalid("code", "%s does not continue the parent's code %s (%s); a %s under it has a code like %s", in.Code, parent.Code, parent.Name, in.Kind, exampleCode(in.Kind, parent.Code))
		}
		n.ID, n.Code = in.Code, in.Code
	} else {
		if in.Code != "" {
			return Node{}, errs.Invalid("code", "departments take their region code from their parent; leave code empty")
		}
		n.ID, n.Code = newID("d-"), parent.Code
	}
	n.ParentID = parent.ID
	n.Path = parent.Path + n.ID + "/"
	if parent.ID == "" {
		n.Path = "/" + n.ID + "/"
	}
	if err := s.st.insertNode(ctx, tx, n); err != nil {
		if db.IsUniqueViolation(err) {
			return Node{}, fmt.Errorf("%w: an organisation with id %s or the name %q under %s already exists", ErrNodeExists, n.ID, n.Name, parent.Name)
		}
		return Node{}, err
	}
	_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "org.create", TargetType: "org", TargetID: n.ID, NodeID: n.ID, NodePath: n.Path, After: n})
	return n, err
}

func exampleCode(kind, parent string) string {
	if kind == KindCity {
		return parent[:2] + "0100"
	}
	return parent[:4] + "02"
}

// NodeUpdate renames and/or moves a node.
type NodeUpdate struct {
	Name     *string `json:"name,omitempty"`
	ParentID *string `json:"parent_id,omitempty"`
}

// UpdateNode renames or moves a node. A move needs org.admin on both ends and is refused
// while the subtree owns users or apps: their permissions and audiences would change silently.
func (s *Service) UpdateNode(ctx context.Context, p *Principal, id string, in NodeUpdate) (Node, error) {
	var out Node
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		before, err := s.st.node(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := p.Require(PermOrgAdmin, before.Path, "organisation "+id); err != nil {
			return err
		}
		after := before
		if in.Name != nil {
			if after.Name, err = ValidName("name", *in.Name, MaxNameLen); err != nil {
				return err
			}
		}
		if in.ParentID != nil && *in.ParentID != before.ParentID {
			if err := s.move(ctx, tx, p, &after, *in.ParentID); err != nil {
				return err
			}
		}
		if after == before {
			out = before
			return nil // nothing changed: nothing to write or audit
		}
		if _, err := tx.ExecContext(ctx, `UPDATE org_nodes SET name = $1 WHERE id = $2`, after.Name, id); err != nil {
			if db.IsUniqueViolation(err) {
				return fmt.Errorf("%w: a sibling is already named %q; pick another name", ErrNodeExists, after.Name)
			}
			return err
		}
		out = after
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "org.update", TargetType: "org", TargetID: id, NodeID: id, NodePath: after.Path, Before: before, After: after})
		return err
	})
	return out, err
}

func (s *Service) move(ctx context.Context, tx *sql.Tx, p *Principal, n *Node, parentID string) error {
	if n.ParentID == "" {
		return errs.Invalid("parent_id", "the root of the tree cannot be moved")
	}
	if err := ValidNodeID("parent_id", parentID); err != nil {
		return err
	}
	parent, err := s.st.node(ctx, tx, parentID)
	if err != nil {
		return err
	}
	if err := p.Require(PermOrgAdmin, parent.Path, "organisation "+parent.ID); err != nil {
		return err
	}
	if strings.HasPrefix(parent.Path, n.Path) {
		return errs.Invalid("parent_id", "%s lies inside %s; a node cannot move under itself", parent.Name, n.Name)
	}
	if !has(parentKinds[n.Kind], parent.Kind) {
		return errs.Invalid("parent_id", "a %s cannot sit under a %s", n.Kind, parent.Kind)
	}
	if n.IsRegion() && !regionCodeFits(n.Kind, n.Code, parent.Code) {
		return errs.Invalid("parent_id", "region %s does not belong under %s (%s)", n.Code, parent.Code, parent.Name)
	}
	if err := s.refuseIfOwned(ctx, tx, *n, "moved"); err != nil {
		return err
	}
	oldPath := n.Path
	n.ParentID, n.Path = parent.ID, parent.Path+n.ID+"/"
	if !n.IsRegion() {
		n.Code = parent.Code
	}
	if _, err := tx.ExecContext(ctx, `UPDATE org_nodes SET path = $1 || substr(path, $2) WHERE path LIKE $3`, n.Path, len(oldPath)+1, oldPath+"%"); err != nil {
		return err
	}
	if !n.IsRegion() {
		if _, err := tx.ExecContext(ctx, `UPDATE org_nodes SET code = $1 WHERE path LIKE $2 AND kind = 'department'`, n.Code, n.Path+"%"); err != nil {
			return err
		}
	}
	if _, err = tx.ExecContext(ctx, `UPDATE org_nodes SET parent_id = $1 WHERE id = $2`, parent.ID, n.ID); db.IsUniqueViolation(err) {
		return fmt.Errorf("%w: %s already has a sub-organisation named %q; rename one of them first", ErrNodeExists, parent.Name, n.Name)
	}
	return err
}

func (s *Service) refuseIfOwned(ctx context.Context, tx *sql.Tx, n Node, verb string) error {
	users, err := s.st.countUnder(ctx, tx, "users", "node_id", n.Path)
	if err != nil {
		return err
	}
	if users > 0 {
		return fmt.Errorf("%w: %s (%s) cannot be %s while %d user(s) belong to it or below; move or remove those users first", ErrNodeInUse, n.Name, n.ID, verb, users)
	}
	ids, err := s.st.idsUnder(ctx, tx, n.Path)
	if err != nil {
		return err
	}
	for _, g := range s.guards {
		count, what, err := g(ctx, tx, ids)
		if err != nil {
			return err
		}
		if count > 0 {
			return fmt.Errorf("%w: %s (%s) cannot be %s while it or its sub-organisations own %d %s; transfer or take them offline first", ErrNodeInUse, n.Name, n.ID, verb, count, what)
		}
	}
	return nil
}

// DeleteNode removes a leaf node that owns nothing.
func (s *Service) DeleteNode(ctx context.Context, p *Principal, id string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		n, err := s.st.node(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := p.Require(PermOrgAdmin, n.Path, "organisation "+id); err != nil {
			return err
		}
		if n.ParentID == "" {
			return errs.Invalid("id", "the root of the tree cannot be deleted")
		}
		var children int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM org_nodes WHERE parent_id = $1`, id).Scan(&children); err != nil {
			return err
		}
		if children > 0 {
			return fmt.Errorf("%w: %s (%s) still has %d sub-organisation(s); delete or move them first", ErrNodeInUse, n.Name, id, children)
		}
		if err := s.refuseIfOwned(ctx, tx, n, "deleted"); err != nil {
			return err
		}
		var grants int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM grants WHERE node_id = $1`, id).Scan(&grants); err != nil {
			return err
		}
		if grants > 0 {
			return fmt.Errorf("%w: %s (%s) is the scope of %d role grant(s); revoke them first", ErrNodeInUse, n.Name, id, grants)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_nodes WHERE id = $1`, id); err != nil {
			return err
		}
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "org.delete", TargetType: "org", TargetID: id, NodeID: id, NodePath: n.Path, Before: n})
		return err
	})
}

// RegionTree is the JSON shape of shared/data/regions-*.json.
type RegionTree struct {
	Code     string       `json:"code"`
	Name     string       `json:"name"`
	Level    string       `json:"level"`
	Children []RegionTree `json:"children"`
}

// LoadRegions inserts the regions of tree that are missing, as the system actor; existing
// nodes are left alone so a restart never undoes an operator's renames.
func (s *Service) LoadRegions(ctx context.Context, tree RegionTree) (int, error) {
	added := 0
	sys := SystemPrincipal()
	var walk func(t RegionTree, parentID string) error
	walk = func(t RegionTree, parentID string) error {
		_, err := s.st.node(ctx, s.db, t.Code)
		if errors.Is(err, ErrNodeNotFound) {
			_, err := s.CreateNode(ctx, sys, NodeCreate{ParentID: parentID, Kind: t.Level, Name: t.Name, Code: t.Code})
			switch {
			case err == nil:
				added++
			case errors.Is(err, ErrNodeExists):
				// Another instance starting beside us created it first.
			default:
				return fmt.Errorf("region %s %s: %w", t.Code, t.Name, err)
			}
		} else if err != nil {
			return err
		}
		for _, c := range t.Children {
			if err := walk(c, t.Code); err != nil {
				return err
			}
		}
		return nil
	}
	return added, walk(tree, "")
}

// FindNodeByName returns the child of parentID named name, for seeding.
func (s *Service) FindNodeByName(ctx context.Context, parentID, name string) (Node, error) {
	n, err := scanNode(s.db.QueryRowContext(ctx, `SELECT `+nodeCols+` FROM org_nodes WHERE parent_id = $1 AND name = $2`, parentID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return Node{}, fmt.Errorf("%w: %q under %s", ErrNodeNotFound, name, parentID)
	}
	return n, err
}

// RootNode returns the root of the tree.
func (s *Service) RootNode(ctx context.Context) (Node, error) {
	n, err := scanNode(s.db.QueryRowContext(ctx, `SELECT `+nodeCols+` FROM org_nodes WHERE parent_id IS NULL ORDER BY path LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return Node{}, fmt.Errorf("%w: the tree is empty", ErrNodeNotFound)
	}
	return n, err
}

// ---- users and grants ----

// Roles lists the roles.
func (s *Service) Roles(ctx context.Context) ([]Role, error) { return s.st.roles(ctx, s.db) }

// Me returns the principal's user and grants.
func (s *Service) Me(ctx context.Context, p *Principal) (User, []Grant, error) {
	g, err := s.st.grantsOf(ctx, s.db, p.User.ID)
	return p.User, g, err
}

// UserCreate is the input of CreateUser.
type UserCreate struct {
	Name          string `json:"name"`
	DisplayName   string `json:"display_name,omitempty"`
	Kind          string `json:"kind"`
	NodeID        string `json:"node_id"`
	Region        string `json:"region,omitempty"`
	VerifiedLevel int    `json:"verified_level,omitempty"`
}

// CreateUser adds a staff member or citizen under a node the principal administers.
func (s *Service) CreateUser(ctx context.Context, p *Principal, in UserCreate) (User, error) {
	var out User
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.createUser(ctx, tx, p, in)
		return err
	})
	return out, err
}

func (s *Service) createUser(ctx context.Context, tx *sql.Tx, p *Principal, in UserCreate) (User, error) {
	if !reUserName.MatchString(in.Name) {
		return User{}, errs.Invalid("name", "%q is not a login name; use 2–32 lowercase letters, digits, '.', '_' or '-', starting with a letter", in.Name)
	}
	if in.Kind == "" {
		in.Kind = UserStaff
	}
	if in.Kind != UserStaff && in.Kind != UserCitizen {
		return User{}, errs.Invalid("kind", "%q is not a user kind; use staff or citizen", in.Kind)
	}
	display := in.DisplayName
	if display == "" {
		display = in.Name
	}
	display, err := ValidName("display_name", display, MaxNameLen)
	if err != nil {
		return User{}, err
	}
	if in.VerifiedLevel < 0 || in.VerifiedLevel > 3 {
		return User{}, errs.Invalid("verified_level", "is %d; allowed 0 (unverified) to 3 (in-person)", in.VerifiedLevel)
	}
	if err := ValidNodeID("node_id", in.NodeID); err != nil {
		return User{}, err
	}
	n, err := s.st.node(ctx, tx, in.NodeID)
	if err != nil {
		return User{}, err
	}
	if err := p.Require(PermOrgAdmin, n.Path, "organisation "+n.ID); err != nil {
		return User{}, err
	}
	region := in.Region
	if region == "" {
		region = n.Code
	} else if err := ValidRegionCode("region", region); err != nil {
		return User{}, err
	}
	u := User{ID: newID("u-"), Name: in.Name, DisplayName: display, Kind: in.Kind, NodeID: n.ID, Region: region, VerifiedLevel: in.VerifiedLevel, CreatedAt: db.Now()}
	if err := s.st.insertUser(ctx, tx, u); err != nil {
		if db.IsUniqueViolation(err) {
			return User{}, fmt.Errorf("%w: a user named %q exists; pick another login name", ErrUserExists, u.Name)
		}
		return User{}, err
	}
	_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "user.create", TargetType: "user", TargetID: u.ID, NodeID: n.ID, NodePath: n.Path, After: u})
	return u, err
}

// ListUsers returns users whose home node lies where the principal holds org.admin.
func (s *Service) ListUsers(ctx context.Context, p *Principal) ([]User, error) {
	return s.st.usersUnder(ctx, s.db, p.Subtrees(PermOrgAdmin))
}

// userForAdmin loads a user and checks org.admin over their home node.
func (s *Service) userForAdmin(ctx context.Context, q db.Querier, p *Principal, id string) (User, Node, error) {
	u, err := s.st.user(ctx, q, id)
	if err != nil {
		return User{}, Node{}, err
	}
	n, err := s.st.node(ctx, q, u.NodeID)
	if err != nil {
		return User{}, Node{}, err
	}
	return u, n, p.Require(PermOrgAdmin, n.Path, "user "+u.Name+"'s organisation")
}

// GetUser returns a user with grants, for administrators of the user's node.
func (s *Service) GetUser(ctx context.Context, p *Principal, id string) (User, error) {
	u, _, err := s.userForAdmin(ctx, s.db, p, id)
	if err != nil {
		return User{}, err
	}
	u.Grants, err = s.st.grantsOf(ctx, s.db, id)
	return u, err
}

// UserByName returns a user without an authorisation check, for seeding.
func (s *Service) UserByName(ctx context.Context, name string) (User, error) {
	return s.st.userByName(ctx, s.db, name)
}

// GrantCreate is the input of CreateGrant.
type GrantCreate struct {
	Role   string `json:"role"`
	NodeID string `json:"node_id"`
}

// CreateGrant gives a user a role on a node. The principal needs org.admin there and must
// hold every permission of the role there itself, so no one can hand out more than they have.
func (s *Service) CreateGrant(ctx context.Context, p *Principal, userID string, in GrantCreate) (Grant, error) {
	var out Grant
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		u, err := s.st.user(ctx, tx, userID)
		if err != nil {
			return err
		}
		if in.Role == "" {
			return errs.Invalid("role", "is required; see GET /v1/roles")
		}
		r, err := s.st.role(ctx, tx, in.Role)
		if err != nil {
			return err
		}
		if err := ValidNodeID("node_id", in.NodeID); err != nil {
			return err
		}
		n, err := s.st.node(ctx, tx, in.NodeID)
		if err != nil {
			return err
		}
		if err := p.Require(PermOrgAdmin, n.Path, "organisation "+n.ID); err != nil {
			return err
		}
		for _, perm := range r.Permissions {
			if err := p.Require(perm, n.Path, "organisation "+n.ID+" to grant role "+r.Name); err != nil {
				return err
			}
		}
		if u.Kind != UserStaff {
			return errs.Invalid("role", "citizens cannot hold staff roles")
		}
		g := Grant{ID: newID("g-"), UserID: u.ID, Role: r.Name, NodeID: n.ID, CreatedAt: db.Now()}
		if _, err := tx.ExecContext(ctx, `INSERT INTO grants (id, user_id, role, node_id, created_at) VALUES ($1, $2, $3, $4, $5)`, g.ID, g.UserID, g.Role, g.NodeID, g.CreatedAt); err != nil {
			if db.IsUniqueViolation(err) {
				return fmt.Errorf("%w: %s already holds %s on %s", ErrGrantExists, u.Name, r.Name, n.Name)
			}
			return err
		}
		out = g
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "grant.create", TargetType: "grant", TargetID: g.ID, NodeID: n.ID, NodePath: n.Path, After: g})
		return err
	})
	return out, err
}

// DeleteGrant revokes a grant; the principal needs org.admin on the grant's node.
func (s *Service) DeleteGrant(ctx context.Context, p *Principal, userID, grantID string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		g, err := s.st.grant(ctx, tx, grantID)
		if err != nil {
			return err
		}
		if g.UserID != userID {
			return fmt.Errorf("%w: %q is not a grant of user %q", ErrGrantNotFound, grantID, userID)
		}
		n, err := s.st.node(ctx, tx, g.NodeID)
		if err != nil {
			return err
		}
		if err := p.Require(PermOrgAdmin, n.Path, "organisation "+n.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM grants WHERE id = $1`, grantID); err != nil {
			return err
		}
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "grant.delete", TargetType: "grant", TargetID: g.ID, NodeID: n.ID, NodePath: n.Path, Before: g})
		return err
	})
}

// ---- tokens ----

// TokenCreate is the input of CreateToken.
type TokenCreate struct {
	Name          string `json:"name"`
	UserID        string `json:"user_id,omitempty"`
	ExpiresInDays int    `json:"expires_in_days,omitempty"`
}

// MaxTokenDays bounds token lifetime (0 = no expiry).
const MaxTokenDays = 3650

// CreateToken issues a token for the principal, or for another user when the principal
// administers that user's node (automation accounts). The secret is returned once.
func (s *Service) CreateToken(ctx context.Context, p *Principal, in TokenCreate) (TokenCreated, error) {
	var out TokenCreated
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.createToken(ctx, tx, p, p.Actor(), in)
		return err
	})
	return out, err
}

// createToken issues a token; actor is who the audit log names (the system at first start).
func (s *Service) createToken(ctx context.Context, tx *sql.Tx, p *Principal, actor audit.Actor, in TokenCreate) (TokenCreated, error) {
	name, err := ValidName("name", in.Name, MaxNameLen)
	if err != nil {
		return TokenCreated{}, err
	}
	if in.ExpiresInDays < 0 || in.ExpiresInDays > MaxTokenDays {
		return TokenCreated{}, errs.Invalid("expires_in_days", "is %d; allowed 0 (never) to %d", in.ExpiresInDays, MaxTokenDays)
	}
	owner, home := p.User, Node{Path: p.HomePath}
	if in.UserID != "" && in.UserID != p.User.ID {
		if owner, home, err = s.userForAdmin(ctx, tx, p, in.UserID); err != nil {
			return TokenCreated{}, err
		}
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return TokenCreated{}, err
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	t := Token{ID: newID("t-"), UserID: owner.ID, Name: name, Prefix: secret[:len(TokenPrefix)+6], CreatedAt: db.Now()}
	var exp any
	if in.ExpiresInDays > 0 {
		e := t.CreatedAt.AddDate(0, 0, in.ExpiresInDays)
		t.ExpiresAt, exp = &e, e
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tokens (id, user_id, name, prefix, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		t.ID, t.UserID, t.Name, t.Prefix, HashToken(secret), t.CreatedAt, exp); err != nil {
		return TokenCreated{}, err
	}
	_, err = s.audit.Record(ctx, tx, actor, audit.Change{Action: "token.create", TargetType: "token", TargetID: t.ID, NodeID: owner.NodeID, NodePath: home.Path, After: t})
	return TokenCreated{Token: t, Secret: secret}, err
}

// ListTokens lists the principal's tokens, or another user's for their administrators.
func (s *Service) ListTokens(ctx context.Context, p *Principal, userID string) ([]Token, error) {
	if userID != "" && userID != p.User.ID {
		if _, _, err := s.userForAdmin(ctx, s.db, p, userID); err != nil {
			return nil, err
		}
		return s.st.tokensOf(ctx, s.db, userID)
	}
	return s.st.tokensOf(ctx, s.db, p.User.ID)
}

// RevokeToken revokes the principal's own token, or any token of a user they administer.
func (s *Service) RevokeToken(ctx context.Context, p *Principal, id string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		t, err := s.st.token(ctx, tx, id)
		if err != nil {
			return err
		}
		home := p.HomePath
		nodeID := p.User.NodeID
		if t.UserID != p.User.ID {
			u, n, err := s.userForAdmin(ctx, tx, p, t.UserID)
			if err != nil {
				return err
			}
			home, nodeID = n.Path, u.NodeID
		}
		if t.RevokedAt != nil {
			return nil
		}
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = $1 WHERE id = $2`, now, id); err != nil {
			return err
		}
		after := t
		after.RevokedAt = &now
		_, err = s.audit.Record(ctx, tx, p.Actor(), audit.Change{Action: "token.revoke", TargetType: "token", TargetID: id, NodeID: nodeID, NodePath: home, Before: t, After: after})
		return err
	})
}

// Bootstrap creates a user with a grant and a token as the system actor, in one
// transaction: the first-start admin either exists completely or not at all.
func (s *Service) Bootstrap(ctx context.Context, in UserCreate, role, grantNode, tokenName string) (User, TokenCreated, error) {
	sys := SystemPrincipal()
	var u User
	var tok TokenCreated
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		if u, err = s.createUser(ctx, tx, sys, in); err != nil {
			return err
		}
		n, err := s.st.node(ctx, tx, grantNode)
		if err != nil {
			return err
		}
		g := Grant{ID: newID("g-"), UserID: u.ID, Role: role, NodeID: n.ID, CreatedAt: db.Now()}
		if _, err := tx.ExecContext(ctx, `INSERT INTO grants (id, user_id, role, node_id, created_at) VALUES ($1, $2, $3, $4, $5)`, g.ID, g.UserID, g.Role, g.NodeID, g.CreatedAt); err != nil {
			return err
		}
		if _, err := s.audit.Record(ctx, tx, sys.Actor(), audit.Change{Action: "grant.create", TargetType: "grant", TargetID: g.ID, NodeID: n.ID, NodePath: n.Path, After: g}); err != nil {
			return err
		}
		if tokenName == "" {
			return nil
		}
		p, err := func() (*Principal, error) {
			home, err := s.st.node(ctx, tx, u.NodeID)
			return &Principal{User: u, HomePath: home.Path, Grants: sys.Grants}, err
		}()
		if err != nil {
			return err
		}
		tok, err = s.createToken(ctx, tx, p, sys.Actor(), TokenCreate{Name: tokenName})
		return err
	})
	return u, tok, err
}

// PrincipalFor loads a user as a principal without a token, for seeding and tests.
func (s *Service) PrincipalFor(ctx context.Context, userID string) (*Principal, error) {
	return s.principal(ctx, userID)
}

// CreateUserTx creates a user inside the caller's transaction, so another domain (sign-in
// creating a citizen with its linked identity) commits both or neither.
func (s *Service) CreateUserTx(ctx context.Context, tx *sql.Tx, p *Principal, in UserCreate) (User, error) {
	return s.createUser(ctx, tx, p, in)
}

// User returns a user without an authorisation check, for sign-in and claims.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	return s.st.user(ctx, s.db, id)
}
