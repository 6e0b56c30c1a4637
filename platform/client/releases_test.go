package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/client"
)

const (
	keyJSON = `{"key_id":"0123456789abcdef","alg":"ed25519","public_key":"AAAA","node_id":"d-1","name":"laptop",
	  "created_at":"2025-03-01T08:30:00Z"}`
	releaseJSON = `{"id":"r-1","app_id":"hz-bus","channel":"production","bundle_id":"b1","version":"1.0.0",
	  "percent":12.5,"mandatory":true,"notes":"修复","target":{"regions":["330100"]},"status":"active",
	  "created_by":"u-1","created_at":"2025-03-01T08:30:00Z","updated_at":"2025-03-01T08:30:00Z",
	  "stats":{"devices":10,"ready":9,"failed":1}}`
)

var wantRelease = &client.Release{
	ID: "r-1", AppID: "hz-bus", Channel: "production", BundleID: "b1", Version: "1.0.0", Percent: 12.5,
	Mandatory: true, Notes: "修复", Target: client.Target{Regions: []string{"330100"}}, Status: "active",
	CreatedBy: "u-1", CreatedAt: t0, UpdatedAt: t0, Stats: client.ReleaseStats{Devices: 10, Ready: 9, Failed: 1},
}

func TestReleaseRequestShapes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		call      func(c *client.Client) (any, error)
		status    int
		reply     string
		method    string
		path      string
		query     string
		body      string
		wantValue any
	}{
		{
			name:   "ListKeys",
			call:   func(c *client.Client) (any, error) { return c.ListKeys(ctx, "d-1") },
			status: 200, reply: `{"keys":[` + keyJSON + `]}`,
			method: "GET", path: "/v1/orgs/d-1/keys",
			wantValue: []client.SigningKey{{KeyID: "0123456789abcdef", Alg: "ed25519", PublicKey: "AAAA", NodeID: "d-1", Name: "laptop", CreatedAt: t0}},
		},
		{
			name: "CreateKey",
			call: func(c *client.Client) (any, error) {
				return c.CreateKey(ctx, "d-1", client.SigningKeyCreate{Name: "laptop", Alg: client.AlgSM2, PublicKey: "BBBB"})
			},
			status: 201, reply: keyJSON,
			method: "POST", path: "/v1/orgs/d-1/keys",
			body: `{"name":"laptop","alg":"sm2-sm3","public_key":"BBBB"}`,
		},
		{
			name:   "RetireKey",
			call:   func(c *client.Client) (any, error) { return c.RetireKey(ctx, "0123456789abcdef") },
			status: 200, reply: strings.Replace(keyJSON, `"name"`, `"retired_at":"2025-03-01T08:30:00Z","name"`, 1),
			method: "POST", path: "/v1/keys/0123456789abcdef/retire",
			wantValue: &client.SigningKey{KeyID: "0123456789abcdef", Alg: "ed25519", PublicKey: "AAAA", NodeID: "d-1", Name: "laptop", CreatedAt: t0, RetiredAt: &t0},
		},
		{
			name:   "MissingBlobs",
			call:   func(c *client.Client) (any, error) { return c.MissingBlobs(ctx, "hz-bus", []string{"aa", "bb"}) },
			status: 200, reply: `{"missing":["bb"]}`,
			method: "POST", path: "/v1/apps/hz-bus/blobs/missing",
			body: `{"hashes":["aa","bb"]}`, wantValue: []string{"bb"},
		},
		{
			name:   "MissingBlobs of nothing sends an empty list",
			call:   func(c *client.Client) (any, error) { return c.MissingBlobs(ctx, "hz-bus", nil) },
			status: 200, reply: `{"missing":[]}`,
			method: "POST", path: "/v1/apps/hz-bus/blobs/missing",
			body: `{"hashes":[]}`,
		},
		{
			name:   "ListBundles",
			call:   func(c *client.Client) (any, error) { return c.ListBundles(ctx, "hz-bus") },
			status: 200,
			reply: `{"bundles":[{"bundle_id":"b1","app_id":"hz-bus","version":"1.0.0","entry":"index.html",
			  "files":[{"path":"index.html","size":3,"sha256":"cc","content_type":"text/html; charset=utf-8"}],
			  "size":3,"key_id":"k","created_at":"2025-03-01T08:30:00Z","created_by":"u-1"}]}`,
			method: "GET", path: "/v1/apps/hz-bus/bundles",
			wantValue: []client.Bundle{{BundleID: "b1", AppID: "hz-bus", Version: "1.0.0", Entry: "index.html",
				Files: []client.BundleFile{{Path: "index.html", Size: 3, SHA256: "cc", ContentType: "text/html; charset=utf-8"}},
				Size:  3, KeyID: "k", CreatedAt: t0, CreatedBy: "u-1"}},
		},
		{
			name:   "ListChannels",
			call:   func(c *client.Client) (any, error) { return c.ListChannels(ctx, "hz-bus") },
			status: 200, reply: `{"channels":[{"name":"production","created_at":"2025-03-01T08:30:00Z"}]}`,
			method: "GET", path: "/v1/apps/hz-bus/channels",
			wantValue: []client.Channel{{Name: "production", CreatedAt: t0}},
		},
		{
			name:   "CreateChannel",
			call:   func(c *client.Client) (any, error) { return c.CreateChannel(ctx, "hz-bus", "beta") },
			status: 201, reply: `{"name":"beta","created_at":"2025-03-01T08:30:00Z"}`,
			method: "POST", path: "/v1/apps/hz-bus/channels", body: `{"name":"beta"}`,
			wantValue: &client.Channel{Name: "beta", CreatedAt: t0},
		},
		{
			name: "CreateRelease",
			call: func(c *client.Client) (any, error) {
				return c.CreateRelease(ctx, "hz-bus", client.ReleaseCreate{BundleID: "b1", Channel: "production", Percent: 12.5, Mandatory: true, Notes: "修复",
					Target: &client.Target{Regions: []string{"330100"}}})
			},
			status: 201, reply: releaseJSON,
			method: "POST", path: "/v1/apps/hz-bus/releases",
			body:      `{"bundle_id":"b1","channel":"production","percent":12.5,"mandatory":true,"notes":"修复","target":{"regions":["330100"]}}`,
			wantValue: wantRelease,
		},
		{
			name: "CreateRelease leaves out the optional members",
			call: func(c *client.Client) (any, error) {
				return c.CreateRelease(ctx, "hz-bus", client.ReleaseCreate{BundleID: "b1", Channel: "staging", Percent: 100})
			},
			status: 201, reply: releaseJSON,
			method: "POST", path: "/v1/apps/hz-bus/releases",
			body: `{"bundle_id":"b1","channel":"staging","percent":100}`,
		},
		{
			name:   "ListReleases on a channel",
			call:   func(c *client.Client) (any, error) { return c.ListReleases(ctx, "hz-bus", "production") },
			status: 200, reply: `{"releases":[` + releaseJSON + `]}`,
			method: "GET", path: "/v1/apps/hz-bus/releases", query: "channel=production",
			wantValue: []client.Release{*wantRelease},
		},
		{
			name:   "ListReleases on every channel",
			call:   func(c *client.Client) (any, error) { return c.ListReleases(ctx, "hz-bus", "") },
			status: 200, reply: `{"releases":[]}`,
			method: "GET", path: "/v1/apps/hz-bus/releases",
		},
		{
			name:   "GetRelease",
			call:   func(c *client.Client) (any, error) { return c.GetRelease(ctx, "r-1") },
			status: 200, reply: releaseJSON, method: "GET", path: "/v1/releases/r-1", wantValue: wantRelease,
		},
		{
			name:   "SetRollout",
			call:   func(c *client.Client) (any, error) { return c.SetRollout(ctx, "r-1", 0.01) },
			status: 200, reply: releaseJSON, method: "POST", path: "/v1/releases/r-1/rollout", body: `{"percent":0.01}`,
		},
		{
			name:   "PauseRelease",
			call:   func(c *client.Client) (any, error) { return c.PauseRelease(ctx, "r-1") },
			status: 200, reply: releaseJSON, method: "POST", path: "/v1/releases/r-1/pause",
		},
		{
			name:   "ResumeRelease",
			call:   func(c *client.Client) (any, error) { return c.ResumeRelease(ctx, "r-1") },
			status: 200, reply: releaseJSON, method: "POST", path: "/v1/releases/r-1/resume",
		},
		{
			name:   "Rollback to the previous release",
			call:   func(c *client.Client) (any, error) { return c.Rollback(ctx, "hz-bus", "production", "") },
			status: 200, reply: releaseJSON, method: "POST", path: "/v1/apps/hz-bus/channels/production/rollback", body: `{}`,
		},
		{
			name:   "Rollback to a named release",
			call:   func(c *client.Client) (any, error) { return c.Rollback(ctx, "hz-bus", "production", "r-0") },
			status: 200, reply: releaseJSON, method: "POST", path: "/v1/apps/hz-bus/channels/production/rollback", body: `{"to_release_id":"r-0"}`,
		},
		{
			name: "PromoteRelease",
			call: func(c *client.Client) (any, error) {
				return c.PromoteRelease(ctx, "hz-bus", client.Promote{From: "staging", To: "production"})
			},
			status: 201, reply: releaseJSON, method: "POST", path: "/v1/apps/hz-bus/promote", body: `{"from":"staging","to":"production"}`,
		},
		{
			name: "ReportDevice",
			call: func(c *client.Client) (any, error) {
				return nil, c.ReportDevice(ctx, client.DeviceReport{AppID: "hz-bus", ReleaseID: "r-1", BundleID: "b1", Device: "dev-1", Event: "failed", Reason: "timeout"})
			},
			status: 202, reply: `{"status":"accepted"}`, method: "POST", path: "/v1/runtime/reports",
			body: `{"app_id":"hz-bus","release_id":"r-1","bundle_id":"b1","device":"dev-1","event":"failed","reason":"timeout"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec := fakeServer(t, tt.status, tt.reply)
			got, err := tt.call(c)
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if rec.method != tt.method || rec.path != tt.path || rec.rawQuery != tt.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", rec.method, rec.path, rec.rawQuery, tt.method, tt.path, tt.query)
			}
			if rec.auth != "Bearer "+testToken {
				t.Errorf("auth = %q", rec.auth)
			}
			assertJSON(t, rec.body, tt.body)
			if tt.wantValue != nil && !reflect.DeepEqual(got, tt.wantValue) {
				t.Errorf("value = %#v\nwant %#v", got, tt.wantValue)
			}
		})
	}
}

func TestPutBlob(t *testing.T) {
	for _, tt := range []struct {
		status  int
		created bool
	}{{201, true}, {200, false}} {
		c, rec := fakeServer(t, tt.status, `{"sha256":"abc","size":5}`)
		got, err := c.PutBlob(context.Background(), "hz-bus", "abc", strings.NewReader("hello"), 5)
		if err != nil {
			t.Fatal(err)
		}
		if rec.method != "PUT" || rec.path != "/v1/apps/hz-bus/blobs/abc" || string(rec.body) != "hello" || rec.contentType != "application/octet-stream" {
			t.Errorf("request = %+v", rec)
		}
		if want := (&client.BlobStored{SHA256: "abc", Size: 5, Created: tt.created}); !reflect.DeepEqual(got, want) {
			t.Errorf("HTTP %d: got %+v, want %+v", tt.status, got, want)
		}
	}
}

func TestPutBlobSendsContentLengthAndOutlivesTheClientTimeout(t *testing.T) {
	var gotLen int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotLen = r.ContentLength
		io.Copy(io.Discard, r.Body)
		time.Sleep(100 * time.Millisecond) // longer than the client's overall timeout
		w.WriteHeader(201)
		io.WriteString(w, `{"sha256":"abc","size":3}`)
	}))
	defer srv.Close()
	hc := srv.Client()
	hc.Timeout = 20 * time.Millisecond
	c := client.New(srv.URL, testToken, client.WithHTTPClient(hc))
	if _, err := c.PutBlob(context.Background(), "hz-bus", "abc", strings.NewReader("abc"), 3); err != nil {
		t.Fatalf("PutBlob: %v", err)
	}
	if gotLen != 3 {
		t.Errorf("Content-Length = %d", gotLen)
	}
	// The other calls keep the overall timeout.
	if _, err := c.GetRelease(context.Background(), "r-1"); err == nil {
		t.Error("GetRelease did not time out")
	}
}

func TestPutBlobRefused(t *testing.T) {
	c, _ := fakeServer(t, 400, `{"code":40001,"http":400,"error":"sha256: the content hashes to dd; upload the right file","field":"sha256","request_id":"r-9"}`)
	_, err := c.PutBlob(context.Background(), "hz-bus", "abc", strings.NewReader("x"), 1)
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 40001 || apiErr.Field != "sha256" || apiErr.RequestID != "r-9" {
		t.Errorf("err = %#v", err)
	}
}

func TestCreateBundle(t *testing.T) {
	envelope := json.RawMessage(`{"manifest":{"schema":1},"signature":{"alg":"ed25519","key_id":"k","value":"v"}}`)
	for _, tt := range []struct {
		status  int
		created bool
	}{{201, true}, {200, false}} {
		c, rec := fakeServer(t, tt.status, `{"bundle_id":"b1","app_id":"hz-bus","files":[],"size":0}`)
		b, created, err := c.CreateBundle(context.Background(), "hz-bus", envelope)
		if err != nil {
			t.Fatal(err)
		}
		if rec.method != "POST" || rec.path != "/v1/apps/hz-bus/bundles" || rec.contentType != "application/json" {
			t.Errorf("request = %+v", rec)
		}
		assertJSON(t, rec.body, string(envelope))
		if b.BundleID != "b1" || created != tt.created {
			t.Errorf("HTTP %d: bundle %+v created %v", tt.status, b, created)
		}
	}
	c, _ := fakeServer(t, 422, `{"code":42201,"http":422,"error":"bundle refused: bad_signature","request_id":"r"}`)
	if _, _, err := c.CreateBundle(context.Background(), "hz-bus", envelope); err == nil || !strings.Contains(err.Error(), "bad_signature") {
		t.Errorf("err = %v", err)
	}
}

func TestCheckUpdate(t *testing.T) {
	ctx := context.Background()
	q := client.UpdateQuery{AppID: "hz-bus", Channel: "production", Bundle: "b0", Container: "govapp",
		ContainerVersion: "3.2.1", Device: "dev-1", Region: "330111"}
	const query = "bundle=b0&channel=production&container=govapp&container_version=3.2.1&device=dev-1&region=330111"

	var gotINM string
	var status int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/runtime/apps/hz-bus/update" || r.URL.RawQuery != query {
			t.Errorf("request = %s", r.URL)
		}
		gotINM = r.Header.Get("If-None-Match")
		if status == 200 {
			w.Header().Set("ETag", `"e1"`)
		}
		w.WriteHeader(status)
		if status == 200 {
			io.WriteString(w, `{"release_id":"r-1","bundle_id":"b1","mandatory":false,"rollback":false,
			  "manifest":{"manifest":{},"signature":{}},"keys":[{"key_id":"k","alg":"ed25519","public_key":"AAAA"}]}`)
		}
	}))
	defer srv.Close()
	c := client.New(srv.URL, "", client.WithHTTPClient(srv.Client()))

	status = 200
	got, err := c.CheckUpdate(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != 200 || got.ETag != `"e1"` || got.ReleaseID != "r-1" || got.BundleID != "b1" ||
		string(got.Manifest) != `{"manifest":{},"signature":{}}` || len(got.Keys) != 1 || got.Keys[0].KeyID != "k" {
		t.Errorf("200 = %+v", got)
	}

	status = 304
	q.IfNoneMatch = `"e1"`
	if got, err = c.CheckUpdate(ctx, q); err != nil || got.Status != 304 || gotINM != `"e1"` {
		t.Errorf("304: %+v, %v, If-None-Match %q", got, err, gotINM)
	}

	status = 204
	if got, err = c.CheckUpdate(ctx, q); err != nil || got.Status != 204 || got.ReleaseID != "" {
		t.Errorf("204: %+v, %v", got, err)
	}
}

func TestGetFile(t *testing.T) {
	c, rec := fakeServer(t, 200, "raw bytes")
	data, err := c.GetFile(context.Background(), "abc")
	if err != nil || string(data) != "raw bytes" || rec.path != "/v1/runtime/files/abc" {
		t.Errorf("data %q err %v request %+v", data, err, rec)
	}
	c, _ = fakeServer(t, 404, `{"code":40400,"http":404,"error":"no such file","request_id":"r"}`)
	if _, err := c.GetFile(context.Background(), "abc"); err == nil {
		t.Error("404 accepted")
	}
}
