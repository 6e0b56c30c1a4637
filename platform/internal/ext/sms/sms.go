// Package sms sends texts (verification codes) through an SMS gateway behind a BaseURL:
// sandbox/sms in development and tests, the province's gateway in production.
package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrSend marks a text the gateway did not take.
var ErrSend = errors.New("sms not sent")

// Client talks to the gateway.
type Client struct {
	BaseURL string
	APIKey  string
	HTTP    *http.Client
}

// Send delivers text to phone.
func (c *Client) Send(ctx context.Context, phone, text string) error {
	body, _ := json.Marshal(map[string]string{"phone": phone, "text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.BaseURL, "/")+"/send", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%w: gateway unreachable: %v", ErrSend, err)
	}
	defer resp.Body.Close()
	var out struct{ Code, Message string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return fmt.Errorf("%w: gateway answered %d without JSON", ErrSend, resp.StatusCode)
	}
	if out.Code != "OK" {
		return fmt.Errorf("%w: %s: %s", ErrSend, out.Code, out.Message)
	}
	return nil
}
