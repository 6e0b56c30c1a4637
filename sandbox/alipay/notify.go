package alipay

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Notify posts a signed asynchronous notification to notifyURL, as Alipay does after a
// payment or an authorisation, and returns the body the app answered (Alipay stops
// retrying when it reads "success"). params are the notification's fields; app_id is
// required, and notify_id, notify_time, charset, version and sign_type are filled in
// when absent. To replay a notification, as Alipay does when it did not read
// "success", pass the same notify_id again.
//
// The signature covers every field except sign and sign_type, sorted, empty values left
// out, with the gateway's key.
func (g *Gateway) Notify(ctx context.Context, notifyURL string, params url.Values) (string, error) {
	form := cloneValues(params)
	if form.Get("app_id") == "" {
		return "", fmt.Errorf("sandbox/alipay: Notify needs app_id in params")
	}
	g.mu.Lock()
	now := g.now()
	setDefault(form, "notify_id", randomID(16))
	setDefault(form, "notify_time", now.In(beijing).Format(timestampLayout))
	setDefault(form, "charset", "utf-8")
	setDefault(form, "version", "1.0")
	setDefault(form, "sign_type", "RSA2")
	sig, err := rsa2Sign(g.signingKey(), []byte(signContent(form, "sign", "sign_type")))
	if err == nil {
		form.Set("sign", sig)
		g.calls = append(g.calls, Call{Time: now, Path: "notify", Method: "notify", AppID: form.Get("app_id"), Params: cloneValues(form)})
	}
	g.mu.Unlock()
	if err != nil {
		return "", fmt.Errorf("sandbox/alipay: signing the notification: %w", err)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, notifyURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("sandbox/alipay: notify: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	hc := g.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("sandbox/alipay: notify: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return "", fmt.Errorf("sandbox/alipay: notify: reading the answer: %w", err)
	}
	return strings.TrimSpace(string(body)), nil
}

// setDefault sets key to value when it has no non-empty value.
func setDefault(v url.Values, key, value string) {
	if v.Get(key) == "" {
		v.Set(key, value)
	}
}
