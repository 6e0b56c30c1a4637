// Package push is unified push (统一消息推送): notices to an audience described as data and
// resolved on the server against the platform's own identity tables, delivered through
// APNs, FCM, WeChat, Alipay and the in-app inbox (issue 6).
//
// This file is the audience: what a sender may ask for, and the scope rule that keeps a
// district inside its district. Provider topics and tags are never the security boundary;
// the resolution always intersects with the sender's scope node as well.
package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
)

// Limits of one audience spec; an audience larger than this is a list, not a spec.
const (
	MaxTerms      = 50
	MaxTermValues = 1000
)

// Audience is a union of Terms minus the union of Exclude.
type Audience struct {
	Terms   []Term `json:"terms"`
	Exclude []Term `json:"exclude,omitempty"`
}

// Term is an intersection: a user matches when every criterion that is set matches. Within
// one criterion the values are alternatives.
type Term struct {
	// Users by id.
	Users []string `json:"users,omitempty"`
	// Nodes are organisation nodes; users whose home node is the node (or, with Subtree,
	// inside it).
	Nodes []NodeRef `json:"nodes,omitempty"`
	// Roles and Permissions held by a grant (on any node inside the sender's scope).
	Roles       []string `json:"roles,omitempty"`
	Permissions []string `json:"permissions,omitempty"`
	// Regions are GB/T 2260 codes; users of that region or any region below it.
	Regions []string `json:"regions,omitempty"`
	// Apps: users subscribed to these light apps.
	Apps []string `json:"apps,omitempty"`
	// Tags the sender's department put on users.
	Tags []string `json:"tags,omitempty"`
}

// NodeRef names an organisation node, with or without its subtree.
type NodeRef struct {
	ID      string `json:"id"`
	Subtree bool   `json:"subtree"`
}

var (
	reID  = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)
	reGB  = regexp.MustCompile(`^[1-8][0-9]{5}$`)
	reTag = regexp.MustCompile(`^[\p{L}\p{N}_.-]{1,32}$`)
)

// ParseAudience decodes and checks the shape of a spec; unknown fields are refused so a
// misspelt criterion ("region" for "regions") cannot silently widen the audience.
func ParseAudience(raw []byte) (Audience, error) {
	var a Audience
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return Audience{}, errs.Invalid("audience", "is not an audience spec: %v; write {\"terms\": [{\"regions\": [\"330111\"]}]}", err)
	}
	return a, a.Validate()
}

// Validate checks the shape: at least one term, each with at least one criterion, values
// well formed and within the limits.
func (a Audience) Validate() error {
	if len(a.Terms) == 0 {
		return errs.Invalid("audience.terms", "is empty; give at least one term, e.g. {\"regions\": [\"330111\"]}")
	}
	if len(a.Terms)+len(a.Exclude) > MaxTerms {
		return errs.Invalid("audience", "has %d terms; at most %d are allowed", len(a.Terms)+len(a.Exclude), MaxTerms)
	}
	for i, t := range a.Terms {
		if err := t.validate(fmt.Sprintf("audience.terms[%d]", i)); err != nil {
			return err
		}
	}
	for i, t := range a.Exclude {
		if err := t.validate(fmt.Sprintf("audience.exclude[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

func (t Term) validate(field string) error {
	n := len(t.Users) + len(t.Nodes) + len(t.Roles) + len(t.Permissions) + len(t.Regions) + len(t.Apps) + len(t.Tags)
	if n == 0 {
		return errs.Invalid(field, "has no criterion; set users, nodes, roles, permissions, regions, apps or tags")
	}
	if n > MaxTermValues {
		return errs.Invalid(field, "has %d values; at most %d — send a list that large as several notices or tag the users", n, MaxTermValues)
	}
	check := func(name string, vals []string, re *regexp.Regexp, hint string) error {
		for _, v := range vals {
			if !re.MatchString(v) {
				return errs.Invalid(field+"."+name, "%q is not %s", v, hint)
			}
		}
		return nil
	}
	for _, c := range []struct {
		name string
		vals []string
		re   *regexp.Regexp
		hint string
	}{
		{"users", t.Users, reID, "a user id"},
		{"roles", t.Roles, reID, "a role name"},
		{"permissions", t.Permissions, reID, "a permission name"},
		{"regions", t.Regions, reGB, "a GB/T 2260 region code (six digits, e.g. 330111)"},
		{"apps", t.Apps, reID, "an app id"},
		{"tags", t.Tags, reTag, "a tag (letters, digits, _ . -, at most 32)"},
	} {
		if err := check(c.name, c.vals, c.re, c.hint); err != nil {
			return err
		}
	}
	for _, r := range t.Nodes {
		if !reID.MatchString(r.ID) {
			return errs.Invalid(field+".nodes", "%q is not a node id", r.ID)
		}
	}
	return nil
}

// ScopeError names the term that reaches outside the sender's scope.
type ScopeError struct {
	Term  string // "terms[1].regions"
	Value string // "西湖区 (330106)"
	Scope string // the scope node's name
}

func (e *ScopeError) Error() string {
	return fmt.Sprintf("%s: %s lies outside %s; a sender reaches only its own subtree — send from a node that covers it", e.Term, e.Value, e.Scope)
}

func (e *ScopeError) Unwrap() error { return errs.ErrForbidden }

// Directory is what the scope check reads of identity: nodes, users and the role catalogue.
type Directory interface {
	Node(ctx context.Context, id string) (identity.Node, error)
	User(ctx context.Context, id string) (identity.User, error)
	Roles(ctx context.Context) ([]identity.Role, error)
}

// CheckScope says whether p may send a to the subtree of node scopeID: p needs push.send
// there, and every node, region and user the spec names must lie inside it. Roles and
// permissions must exist. Criteria without a place (roles, permissions, apps, tags) are
// bounded by the scope at resolution, so they cannot reach outside either.
func CheckScope(ctx context.Context, dir Directory, p *identity.Principal, scopeID string, a Audience) error {
	scope, err := dir.Node(ctx, scopeID)
	if errors.Is(err, identity.ErrNodeNotFound) {
		return errs.Invalid("scope", "node %q does not exist; pick the department or region you send for (`govapp orgs list`)", scopeID)
	}
	if err != nil {
		return err
	}
	if err := p.Require(identity.PermPushSend, scope.Path, scope.Name); err != nil {
		return err
	}
	roles, err := dir.Roles(ctx)
	if err != nil {
		return err
	}
	known := map[string][]string{}
	perms := map[string]bool{}
	for _, r := range roles {
		known[r.Name] = r.Permissions
		for _, pm := range r.Permissions {
			perms[pm] = true
		}
	}
	inside := func(n identity.Node) bool { return strings.HasPrefix(n.Path, scope.Path) }
	check := func(field string, t Term) error {
		for _, r := range t.Nodes {
			n, err := dir.Node(ctx, r.ID)
			if errors.Is(err, identity.ErrNodeNotFound) {
				return errs.Invalid(field+".nodes", "node %q does not exist", r.ID)
			} else if err != nil {
				return err
			}
			if !inside(n) {
				return &ScopeError{Term: field + ".nodes", Value: n.Name + " (" + n.ID + ")", Scope: scope.Name}
			}
		}
		for _, code := range t.Regions {
			n, err := dir.Node(ctx, code) // a region node's id is its code
			if errors.Is(err, identity.ErrNodeNotFound) || (err == nil && !n.IsRegion()) {
				return errs.Invalid(field+".regions", "%s is not a region code of this platform; use the six-digit GB/T 2260 code (e.g. 330111 for 富阳区)", code)
			} else if err != nil {
				return err
			}
			if !inside(n) {
				return &ScopeError{Term: field + ".regions", Value: n.Name + " (" + code + ")", Scope: scope.Name}
			}
		}
		for _, id := range t.Users {
			u, err := dir.User(ctx, id)
			if errors.Is(err, identity.ErrUserNotFound) {
				return errs.Invalid(field+".users", "user %q does not exist", id)
			} else if err != nil {
				return err
			}
			home, err := dir.Node(ctx, homeOf(u))
			if err != nil {
				return err
			}
			if !inside(home) {
				return &ScopeError{Term: field + ".users", Value: "user " + id + " of " + home.Name, Scope: scope.Name}
			}
		}
		for _, r := range t.Roles {
			if _, ok := known[r]; !ok {
				return errs.Invalid(field+".roles", "%q is not a role; the roles are %s", r, strings.Join(sortedKeys(known), ", "))
			}
		}
		for _, pm := range t.Permissions {
			if !perms[pm] {
				return errs.Invalid(field+".permissions", "%q is not a permission any role holds", pm)
			}
		}
		return nil
	}
	for i, t := range a.Terms {
		if err := check(fmt.Sprintf("terms[%d]", i), t); err != nil {
			return err
		}
	}
	for i, t := range a.Exclude {
		if err := check(fmt.Sprintf("exclude[%d]", i), t); err != nil {
			return err
		}
	}
	return nil
}

// homeOf is where a user belongs for scoping: staff by their department node, citizens by
// their region (falling back to their node).
func homeOf(u identity.User) string {
	if u.Kind == identity.UserCitizen && u.Region != "" {
		return u.Region
	}
	return u.NodeID
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
