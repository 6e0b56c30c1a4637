package client

import (
	"context"
	"net/http"
	"net/url"
)

// Me returns the token's user and grants; the CLI calls it to check a login.
func (c *Client) Me(ctx context.Context) (*Identity, error) {
	var out Identity
	if err := c.do(ctx, http.MethodGet, "/v1/me", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Roles lists the built-in roles and their permissions.
func (c *Client) Roles(ctx context.Context) ([]Role, error) {
	var out struct {
		Roles []Role `json:"roles"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/roles", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Roles, nil
}

// ListOrgs lists the nodes of the subtrees the caller holds grants on.
func (c *Client) ListOrgs(ctx context.Context) ([]Node, error) {
	var out struct {
		Nodes []Node `json:"nodes"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/orgs", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Nodes, nil
}

// GetOrg returns one node.
func (c *Client) GetOrg(ctx context.Context, id string) (*Node, error) {
	var out Node
	if err := c.do(ctx, http.MethodGet, "/v1/orgs/"+escape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateOrg adds a node under n.ParentID (needs org.admin there).
func (c *Client) CreateOrg(ctx context.Context, n NodeCreate) (*Node, error) {
	var out Node
	if err := c.do(ctx, http.MethodPost, "/v1/orgs", nil, n, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateOrg renames or moves a node.
func (c *Client) UpdateOrg(ctx context.Context, id string, u NodeUpdate) (*Node, error) {
	var out Node
	if err := c.do(ctx, http.MethodPatch, "/v1/orgs/"+escape(id), nil, u, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteOrg removes a node.
func (c *Client) DeleteOrg(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/orgs/"+escape(id), nil, nil, nil)
}

// ListUsers lists the users whose home node is in the caller's org.admin
// subtrees.
func (c *Client) ListUsers(ctx context.Context) ([]User, error) {
	var out struct {
		Users []User `json:"users"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/users", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Users, nil
}

// CreateUser adds a user at u.NodeID.
func (c *Client) CreateUser(ctx context.Context, u UserCreate) (*User, error) {
	var out User
	if err := c.do(ctx, http.MethodPost, "/v1/users", nil, u, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetUser returns one user with their grants.
func (c *Client) GetUser(ctx context.Context, id string) (*User, error) {
	var out User
	if err := c.do(ctx, http.MethodGet, "/v1/users/"+escape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateGrant gives user userID the role g.Role on node g.NodeID.
func (c *Client) CreateGrant(ctx context.Context, userID string, g GrantCreate) (*Grant, error) {
	var out Grant
	if err := c.do(ctx, http.MethodPost, "/v1/users/"+escape(userID)+"/grants", nil, g, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteGrant takes a grant away from a user.
func (c *Client) DeleteGrant(ctx context.Context, userID, grantID string) error {
	return c.do(ctx, http.MethodDelete, "/v1/users/"+escape(userID)+"/grants/"+escape(grantID), nil, nil, nil)
}

// ListTokens lists API tokens: the caller's own when userID is empty, else
// those of userID (needs org.admin on their node).
func (c *Client) ListTokens(ctx context.Context, userID string) ([]Token, error) {
	var q url.Values
	if userID != "" {
		q = url.Values{"user_id": {userID}}
	}
	var out struct {
		Tokens []Token `json:"tokens"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/tokens", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Tokens, nil
}

// CreateToken makes an API token; the reply carries its secret, once.
func (c *Client) CreateToken(ctx context.Context, t TokenCreate) (*TokenCreated, error) {
	var out TokenCreated
	if err := c.do(ctx, http.MethodPost, "/v1/tokens", nil, t, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RevokeToken revokes an API token; it stops working at once.
func (c *Client) RevokeToken(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/tokens/"+escape(id), nil, nil, nil)
}
