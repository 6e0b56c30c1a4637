package client

import (
	"context"
	"net/http"
	"time"
)

// DevSession is a cloud dev session (govapp dev --cloud).
type DevSession struct {
	ID        string    `json:"id"`
	AppID     string    `json:"app_id"`
	Path      string    `json:"path"`
	ExpiresAt time.Time `json:"expires_at"`
}

// CreateDevSession opens a session for an app the caller develops.
func (c *Client) CreateDevSession(ctx context.Context, appID string) (*DevSession, error) {
	var out DevSession
	in := struct {
		AppID string `json:"app_id"`
	}{appID}
	if err := c.do(ctx, http.MethodPost, "/v1/dev/sessions", nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SyncDevSession points the session at a build whose files (path → SHA-256) are uploaded.
func (c *Client) SyncDevSession(ctx context.Context, id, entry string, files map[string]string) (*DevSession, error) {
	var out DevSession
	in := struct {
		Entry string            `json:"entry"`
		Files map[string]string `json:"files"`
	}{entry, files}
	if err := c.do(ctx, http.MethodPut, "/v1/dev/sessions/"+escape(id)+"/files", nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteDevSession ends a session.
func (c *Client) DeleteDevSession(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/dev/sessions/"+escape(id), nil, nil, nil)
}

// Token is the API token the client sends (for the log WebSocket, which the CLI dials itself).
func (c *Client) Token() string { return c.token }
