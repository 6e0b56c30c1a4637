package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Hot update (docs/HOTUPDATE.md "Platform API"): signing keys, file blobs,
// bundles, channels, releases, and the device-side endpoints.

// ListKeys returns the signing keys registered on an organisation node,
// retired ones included.
func (c *Client) ListKeys(ctx context.Context, nodeID string) ([]SigningKey, error) {
	var out struct {
		Keys []SigningKey `json:"keys"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/orgs/"+escape(nodeID)+"/keys", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Keys, nil
}

// CreateKey registers the public half of a signing key on a node (needs
// app.publish there); bundles of the node's apps may then be signed with it.
func (c *Client) CreateKey(ctx context.Context, nodeID string, k SigningKeyCreate) (*SigningKey, error) {
	var out SigningKey
	if err := c.do(ctx, http.MethodPost, "/v1/orgs/"+escape(nodeID)+"/keys", nil, k, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RetireKey retires a signing key: bundles signed with it are no longer
// accepted, while releases already made keep working.
func (c *Client) RetireKey(ctx context.Context, keyID string) (*SigningKey, error) {
	var out SigningKey
	if err := c.do(ctx, http.MethodPost, "/v1/keys/"+escape(keyID)+"/retire", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// MissingBlobs returns which of hashes (lowercase hex SHA-256) the platform
// does not have yet, so a publish uploads only those. Asking again after an
// interrupted upload is how a publish resumes.
func (c *Client) MissingBlobs(ctx context.Context, appID string, hashes []string) ([]string, error) {
	in := struct {
		Hashes []string `json:"hashes"`
	}{Hashes: hashes}
	if in.Hashes == nil {
		in.Hashes = []string{}
	}
	var out struct {
		Missing []string `json:"missing"`
	}
	if err := c.do(ctx, http.MethodPost, "/v1/apps/"+escape(appID)+"/blobs/missing", nil, in, &out); err != nil {
		return nil, err
	}
	return out.Missing, nil
}

// UploadStallTimeout is how long PutBlob waits without a byte going out (or,
// once the body is sent, without the reply): an upload may take far longer
// than DefaultTimeout on a slow link, but it must keep moving.
const UploadStallTimeout = 60 * time.Second

// PutBlob uploads one bundle file of size bytes, read from r, stored under
// its SHA-256 sha (the platform checks the hash). Unlike the other calls it
// is not bound by the http.Client's overall timeout, which would cut large
// files on slow links, but fails after UploadStallTimeout without progress.
// Callers show progress by wrapping r.
func (c *Client) PutBlob(ctx context.Context, appID, sha string, r io.Reader, size int64) (*BlobStored, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w := newWatchdog(UploadStallTimeout, func() {
		cancel(fmt.Errorf("upload of %s stalled: nothing sent or received for %s", sha, UploadStallTimeout))
	})
	defer w.stop()

	hc := *c.http // same transport, no overall timeout; the watchdog bounds stalls
	hc.Timeout = 0
	path := "/v1/apps/" + escape(appID) + "/blobs/" + escape(sha)
	body := io.NopCloser(&watchedReader{r: r, w: w})
	resp, data, err := c.send(ctx, &hc, http.MethodPut, path, nil, body, size, "application/octet-stream", nil)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil && cause != context.Canceled {
			return nil, cause
		}
		return nil, err
	}
	var out BlobStored
	if err := c.decode(resp, data, &out); err != nil {
		return nil, err
	}
	out.Created = resp.StatusCode == http.StatusCreated
	return &out, nil
}

// CreateBundle registers a signed bundle whose files are all uploaded.
// envelope is a hotupdate.Envelope or its JSON (json.RawMessage); the
// platform verifies it against the keys of the app's department. created is
// false when the same bundle existed (HTTP 200).
func (c *Client) CreateBundle(ctx context.Context, appID string, envelope any) (b *Bundle, created bool, err error) {
	payload, err := json.Marshal(envelope)
	if err != nil {
		return nil, false, fmt.Errorf("govapp client: encode the envelope: %w", err)
	}
	path := "/v1/apps/" + escape(appID) + "/bundles"
	resp, data, err := c.send(ctx, c.http, http.MethodPost, path, nil, io.NopCloser(bytes.NewReader(payload)), int64(len(payload)), "application/json", nil)
	if err != nil {
		return nil, false, err
	}
	var out Bundle
	if err := c.decode(resp, data, &out); err != nil {
		return nil, false, err
	}
	return &out, resp.StatusCode == http.StatusCreated, nil
}

// ListBundles returns an app's bundles.
func (c *Client) ListBundles(ctx context.Context, appID string) ([]Bundle, error) {
	var out struct {
		Bundles []Bundle `json:"bundles"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/apps/"+escape(appID)+"/bundles", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Bundles, nil
}

// ListChannels returns an app's release channels (development, staging and
// production always exist).
func (c *Client) ListChannels(ctx context.Context, appID string) ([]Channel, error) {
	var out struct {
		Channels []Channel `json:"channels"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/apps/"+escape(appID)+"/channels", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Channels, nil
}

// CreateChannel adds a release channel to an app (e.g. "beta-hangzhou").
func (c *Client) CreateChannel(ctx context.Context, appID, name string) (*Channel, error) {
	in := struct {
		Name string `json:"name"`
	}{Name: name}
	var out Channel
	if err := c.do(ctx, http.MethodPost, "/v1/apps/"+escape(appID)+"/channels", nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateRelease puts a bundle on a channel for a share of devices.
// Publishing to production needs the app to be online.
func (c *Client) CreateRelease(ctx context.Context, appID string, r ReleaseCreate) (*Release, error) {
	var out Release
	if err := c.do(ctx, http.MethodPost, "/v1/apps/"+escape(appID)+"/releases", nil, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListReleases returns an app's releases, newest first, on one channel when
// channel is not empty.
func (c *Client) ListReleases(ctx context.Context, appID, channel string) ([]Release, error) {
	q := url.Values{}
	if channel != "" {
		q.Set("channel", channel)
	}
	var out struct {
		Releases []Release `json:"releases"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/apps/"+escape(appID)+"/releases", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Releases, nil
}

// GetRelease returns one release with its device counts.
func (c *Client) GetRelease(ctx context.Context, id string) (*Release, error) {
	var out Release
	if err := c.do(ctx, http.MethodGet, "/v1/releases/"+escape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetRollout changes a release's share of devices (0.01–100). Raising it only
// adds devices; lowering it only removes some.
func (c *Client) SetRollout(ctx context.Context, id string, percent float64) (*Release, error) {
	in := struct {
		Percent float64 `json:"percent"`
	}{Percent: percent}
	var out Release
	if err := c.do(ctx, http.MethodPost, "/v1/releases/"+escape(id)+"/rollout", nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PauseRelease stops a release from reaching new devices; devices that run
// it keep it.
func (c *Client) PauseRelease(ctx context.Context, id string) (*Release, error) {
	return c.releaseAction(ctx, id, "pause")
}

// ResumeRelease lets a paused or halted release reach new devices again.
func (c *Client) ResumeRelease(ctx context.Context, id string) (*Release, error) {
	return c.releaseAction(ctx, id, "resume")
}

// ApproveRelease lets a production release that waits for review go out
// (needs app.review outside the owning department).
func (c *Client) ApproveRelease(ctx context.Context, id string) (*Release, error) {
	return c.releaseAction(ctx, id, "approve")
}

// releaseAction posts one of the bodiless state changes of a release.
func (c *Client) releaseAction(ctx context.Context, id, action string) (*Release, error) {
	var out Release
	if err := c.do(ctx, http.MethodPost, "/v1/releases/"+escape(id)+"/"+action, nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Rollback takes back the head release of a channel (or, with toReleaseID,
// every release above that one) and returns the release now served.
func (c *Client) Rollback(ctx context.Context, appID, channel, toReleaseID string) (*Release, error) {
	in := struct {
		ToReleaseID string `json:"to_release_id,omitempty"`
	}{ToReleaseID: toReleaseID}
	var out Release
	if err := c.do(ctx, http.MethodPost, "/v1/apps/"+escape(appID)+"/channels/"+escape(channel)+"/rollback", nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PromoteRelease puts the bundle of a release of one channel on another
// (staging → production) and returns the new release.
func (c *Client) PromoteRelease(ctx context.Context, appID string, p Promote) (*Release, error) {
	var out Release
	if err := c.do(ctx, http.MethodPost, "/v1/apps/"+escape(appID)+"/promote", nil, p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CheckUpdate asks, as a device, which bundle it should run. See UpdateCheck
// for the 200/204/304 answers. It needs no token.
func (c *Client) CheckUpdate(ctx context.Context, q UpdateQuery) (*UpdateCheck, error) {
	v := url.Values{}
	for k, val := range map[string]string{
		"channel": q.Channel, "bundle": q.Bundle, "container": q.Container,
		"container_version": q.ContainerVersion, "device": q.Device, "region": q.Region,
	} {
		if val != "" {
			v.Set(k, val)
		}
	}
	var hdr http.Header
	if q.IfNoneMatch != "" {
		hdr = http.Header{"If-None-Match": {q.IfNoneMatch}}
	}
	path := "/v1/runtime/apps/" + escape(q.AppID) + "/update"
	resp, data, err := c.send(ctx, c.http, http.MethodGet, path, v, nil, 0, "", hdr)
	if err != nil {
		return nil, err
	}
	out := UpdateCheck{}
	if resp.StatusCode == http.StatusOK {
		if err := c.decode(resp, data, &out); err != nil {
			return nil, err
		}
	} else if resp.StatusCode >= 400 {
		return nil, decodeError(resp, data)
	}
	out.Status = resp.StatusCode
	out.ETag = resp.Header.Get("ETag")
	return &out, nil
}

// GetFile downloads a bundle file by its SHA-256, as a device does. It needs
// no token; the caller checks the hash.
func (c *Client) GetFile(ctx context.Context, sha string) ([]byte, error) {
	path := "/v1/runtime/files/" + escape(sha)
	resp, data, err := c.send(ctx, c.http, http.MethodGet, path, nil, nil, 0, "", http.Header{"Accept": {"*/*"}})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 400 {
		return nil, decodeError(resp, data)
	}
	return data, nil
}

// ReportDevice tells the platform what happened to a release on one device;
// the counts feed the release stats and the automatic halt.
func (c *Client) ReportDevice(ctx context.Context, r DeviceReport) error {
	return c.do(ctx, http.MethodPost, "/v1/runtime/reports", nil, r, nil)
}

// send performs one request with a streamed body and returns the reply and
// its body, whatever the status: the callers here need the status (201 vs
// 200, 204, 304) and the headers, which do hides. The response hook sees the
// reply as it does for do.
func (c *Client) send(ctx context.Context, hc *http.Client, method, path string, query url.Values, body io.ReadCloser, size int64, contentType string, hdr http.Header) (*http.Response, []byte, error) {
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var reqBody io.Reader
	if body != nil {
		reqBody = body
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+target, reqBody)
	if err != nil {
		return nil, nil, fmt.Errorf("govapp client: bad server URL %q: %w", c.baseURL, err)
	}
	if body != nil {
		req.ContentLength = size
		if size == 0 {
			req.Body = http.NoBody
		}
	}
	req.Header.Set("Accept", "application/json")
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, c.networkError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, c.networkError(fmt.Errorf("read reply to %s %s: %w", method, path, err))
	}
	if len(data) > maxResponseBytes {
		return nil, nil, fmt.Errorf("govapp client: reply to %s %s is larger than %d bytes", method, path, maxResponseBytes)
	}
	if c.hook != nil {
		c.hook(Response{Method: method, Path: target, Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id"), Body: data})
	}
	return resp, data, nil
}

// decode turns a reply fetched by send into out, or into an *APIError.
func (c *Client) decode(resp *http.Response, data []byte, out any) error {
	if resp.StatusCode >= 400 {
		return decodeError(resp, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("govapp client: cannot decode reply to %s %s (HTTP %d): %w; is %s a govapp server?",
			resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, err, c.baseURL)
	}
	return nil
}

// watchdog calls fire once when kick has not been called for d.
type watchdog struct {
	mu    sync.Mutex
	timer *time.Timer
	d     time.Duration
}

// newWatchdog starts the countdown at once: an upload that never starts
// is a stall too.
func newWatchdog(d time.Duration, fire func()) *watchdog {
	return &watchdog{timer: time.AfterFunc(d, fire), d: d}
}

// kick restarts the countdown: there was progress.
func (w *watchdog) kick() {
	w.mu.Lock()
	w.timer.Reset(w.d)
	w.mu.Unlock()
}

// stop disarms the watchdog once the upload is over.
func (w *watchdog) stop() {
	w.mu.Lock()
	w.timer.Stop()
	w.mu.Unlock()
}

// watchedReader kicks the watchdog on every read the transport makes.
type watchedReader struct {
	r io.Reader
	w *watchdog
}

// Read passes the read through and kicks the watchdog.
func (r *watchedReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.w.kick()
	return n, err
}
