package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// ListAudit returns audit entries with seq > afterSeq, at most limit of them
// (0: the server's default), so a caller can page through the log by passing
// the last seq it saw.
func (c *Client) ListAudit(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error) {
	q := url.Values{}
	if afterSeq > 0 {
		q.Set("after_seq", strconv.FormatInt(afterSeq, 10))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out struct {
		Entries []AuditEntry `json:"entries"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/audit", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Entries, nil
}

// VerifyAudit asks the server to recompute the audit hash chain (needs
// audit.read on the root node).
func (c *Client) VerifyAudit(ctx context.Context) (*AuditVerification, error) {
	var out AuditVerification
	if err := c.do(ctx, http.MethodGet, "/v1/audit/verify", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Health reports whether the platform is up; it needs no token.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var out Health
	if err := c.do(ctx, http.MethodGet, "/healthz", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
