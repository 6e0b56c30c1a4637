package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Unified push (统一消息推送): see `govapp push` and /v1/push/.

// Audience is a union of terms minus the exclusions; each term is an intersection.
type Audience struct {
	Terms   []AudienceTerm `json:"terms"`
	Exclude []AudienceTerm `json:"exclude,omitempty"`
}

// AudienceTerm is one intersection of criteria.
type AudienceTerm struct {
	Users       []string  `json:"users,omitempty"`
	Nodes       []NodeRef `json:"nodes,omitempty"`
	Roles       []string  `json:"roles,omitempty"`
	Permissions []string  `json:"permissions,omitempty"`
	Regions     []string  `json:"regions,omitempty"`
	Apps        []string  `json:"apps,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
}

// NodeRef names an organisation node, with or without its subtree.
type NodeRef struct {
	ID      string `json:"id"`
	Subtree bool   `json:"subtree"`
}

// NoticeCreate is a notice to send.
type NoticeCreate struct {
	Scope          string          `json:"scope"`
	Audience       Audience        `json:"audience"`
	Title          string          `json:"title"`
	Body           string          `json:"body"`
	AppID          string          `json:"app_id,omitempty"`
	Link           string          `json:"link,omitempty"`
	Priority       string          `json:"priority,omitempty"`
	SendAt         *time.Time      `json:"send_at,omitempty"`
	ExpiresAt      *time.Time      `json:"expires_at,omitempty"`
	CollapseID     string          `json:"collapse_id,omitempty"`
	IdempotencyKey string          `json:"idempotency_key,omitempty"`
	Channels       []string        `json:"channels,omitempty"`
	Sensitive      bool            `json:"sensitive,omitempty"`
	WeChat         *WeChatTemplate `json:"wechat,omitempty"`
	Alipay         *AlipayTemplate `json:"alipay,omitempty"`
}

// WeChatTemplate configures the WeChat subscribe-message channel.
type WeChatTemplate struct {
	Account    string            `json:"account"`
	TemplateID string            `json:"template_id"`
	Data       map[string]string `json:"data"`
	Page       string            `json:"page,omitempty"`
}

// AlipayTemplate configures the Alipay template-message channel.
type AlipayTemplate struct {
	TemplateID string            `json:"template_id"`
	Data       map[string]string `json:"data"`
	URL        string            `json:"url,omitempty"`
}

// Notice is a stored notice.
type Notice struct {
	NoticeCreate
	ID         string     `json:"id"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	State      string     `json:"state"`
	Estimated  int        `json:"estimated"`
	Resolved   int        `json:"resolved"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// AudiencePreview is the size of an audience and a sample of it.
type AudiencePreview struct {
	Count  int      `json:"count"`
	Sample []string `json:"sample"`
}

// NoticeStats are a notice's delivery figures.
type NoticeStats struct {
	Notice    string         `json:"notice"`
	State     string         `json:"state"`
	Resolved  int            `json:"resolved"`
	Pending   int            `json:"pending"`
	Sent      int            `json:"sent"`
	Failed    map[string]int `json:"failed"`
	Opened    int            `json:"opened"`
	Fallbacks int            `json:"fallbacks"`
	Channels  map[string]int `json:"channels"`
	InboxOnly int            `json:"inbox_only"`
}

// PreviewAudience counts who an audience reaches from scope.
func (c *Client) PreviewAudience(ctx context.Context, scope string, a Audience) (*AudiencePreview, error) {
	var out AudiencePreview
	in := struct {
		Scope    string   `json:"scope"`
		Audience Audience `json:"audience"`
	}{scope, a}
	if err := c.do(ctx, http.MethodPost, "/v1/push/preview", nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SendNotice creates a notice; a retry with the same idempotency key returns the first.
func (c *Client) SendNotice(ctx context.Context, n NoticeCreate) (*Notice, error) {
	var out Notice
	if err := c.do(ctx, http.MethodPost, "/v1/push/notices", nil, n, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListNotices lists the newest notices the caller may see.
func (c *Client) ListNotices(ctx context.Context, limit int) ([]Notice, error) {
	var out struct {
		Notices []Notice `json:"notices"`
	}
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if err := c.do(ctx, http.MethodGet, "/v1/push/notices", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Notices, nil
}

// GetNotice returns one notice.
func (c *Client) GetNotice(ctx context.Context, id string) (*Notice, error) {
	var out Notice
	if err := c.do(ctx, http.MethodGet, "/v1/push/notices/"+escape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// NoticeStats returns a notice's delivery figures.
func (c *Client) NoticeStats(ctx context.Context, id string) (*NoticeStats, error) {
	var out NoticeStats
	if err := c.do(ctx, http.MethodGet, "/v1/push/notices/"+escape(id)+"/stats", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CancelNotice stops a scheduled or sending notice.
func (c *Client) CancelNotice(ctx context.Context, id string) (*Notice, error) {
	var out Notice
	if err := c.do(ctx, http.MethodPost, "/v1/push/notices/"+escape(id)+"/cancel", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
