package client

import (
	"context"
	"net/http"
	"net/url"
)

// ListApps lists the apps owned inside the caller's subtrees, filtered by
// opts.
func (c *Client) ListApps(ctx context.Context, opts ListAppsOptions) ([]App, error) {
	q := url.Values{}
	if opts.Status != "" {
		q.Set("status", opts.Status)
	}
	if opts.Owner != "" {
		q.Set("owner", opts.Owner)
	}
	var out struct {
		Apps []App `json:"apps"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/apps", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Apps, nil
}

// CreateApp registers a light app as a draft (needs app.create on the owner
// node).
func (c *Client) CreateApp(ctx context.Context, a AppCreate) (*App, error) {
	var out App
	if err := c.do(ctx, http.MethodPost, "/v1/apps", nil, a, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetApp returns one app.
func (c *Client) GetApp(ctx context.Context, id string) (*App, error) {
	var out App
	if err := c.do(ctx, http.MethodGet, "/v1/apps/"+escape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateApp changes the fields of u that are set.
func (c *Client) UpdateApp(ctx context.Context, id string, u AppUpdate) (*App, error) {
	var out App
	if err := c.do(ctx, http.MethodPatch, "/v1/apps/"+escape(id), nil, u, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SubmitApp sends a draft or offline app to review (→ in_review).
func (c *Client) SubmitApp(ctx context.Context, id, comment string) (*App, error) {
	return c.transition(ctx, id, "submit", comment)
}

// ApproveApp puts an app in review online; the reviewer must not be its
// submitter nor belong to the owning department.
func (c *Client) ApproveApp(ctx context.Context, id, comment string) (*App, error) {
	return c.transition(ctx, id, "approve", comment)
}

// RejectApp sends an app in review back to draft; the comment, which tells
// the developer what to fix, is required.
func (c *Client) RejectApp(ctx context.Context, id, comment string) (*App, error) {
	return c.transition(ctx, id, "reject", comment)
}

// OfflineApp takes an online app offline.
func (c *Client) OfflineApp(ctx context.Context, id, comment string) (*App, error) {
	return c.transition(ctx, id, "offline", comment)
}

func (c *Client) transition(ctx context.Context, id, action, text string) (*App, error) {
	var out App
	if err := c.do(ctx, http.MethodPost, "/v1/apps/"+escape(id)+"/"+action, nil, comment{Comment: text}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AppHistory returns an app's review transitions, oldest first.
func (c *Client) AppHistory(ctx context.Context, id string) ([]Transition, error) {
	var out struct {
		Transitions []Transition `json:"transitions"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/apps/"+escape(id)+"/history", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Transitions, nil
}
