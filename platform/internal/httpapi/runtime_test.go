package httpapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/releases"
)

func get(t *testing.T, c *http.Client, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp, b
}

// TestUpdateCheckHTTP: 200 with the signed manifest, 204 when up to date, 304 on a matching
// ETag, immutable files with Range, reports accepted once.
func TestUpdateCheckHTTP(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		app := f.createApp(apps.StatusOnline)
		rid := f.release(app, "production", false)
		_, err := f.rel.SetRollout(context.Background(), f.principal("devA"), rid, 100)
		must(t, err)
		c := &http.Client{}
		url := f.srv.URL + "/v1/runtime/apps/" + app + "/update?container=wechat&device=device-123456"
		resp, body := get(t, c, url, nil)
		if resp.StatusCode != 200 || resp.Header.Get("ETag") == "" {
			t.Fatalf("update check: %d %s", resp.StatusCode, body)
		}
		var ans releases.CheckResponse
		must(t, json.Unmarshal(body, &ans))
		if ans.ReleaseID != rid || len(ans.Keys) == 0 || ans.Rollback {
			t.Fatalf("answer %+v", ans)
		}
		if resp2, _ := get(t, c, url, map[string]string{"If-None-Match": resp.Header.Get("ETag")}); resp2.StatusCode != 304 {
			t.Fatalf("If-None-Match: %d, want 304", resp2.StatusCode)
		}
		if resp3, _ := get(t, c, url+"&bundle="+ans.BundleID, nil); resp3.StatusCode != 204 {
			t.Fatalf("up to date: %d, want 204", resp3.StatusCode)
		}
		if resp4, b := get(t, c, f.srv.URL+"/v1/runtime/apps/"+app+"/update?device=x", nil); resp4.StatusCode != 400 || !strings.Contains(string(b), "device") {
			t.Fatalf("bad device id: %d %s", resp4.StatusCode, b)
		}
		// The file, whole and by Range.
		var env struct {
			Manifest struct {
				Files []struct{ Path, SHA256 string } `json:"files"`
			} `json:"manifest"`
		}
		must(t, json.Unmarshal(ans.Manifest, &env))
		sha := env.Manifest.Files[0].SHA256
		fresp, fbody := get(t, c, f.srv.URL+"/v1/runtime/files/"+sha, nil)
		sum := sha256.Sum256(fbody)
		if fresp.StatusCode != 200 || hex.EncodeToString(sum[:]) != sha || !strings.Contains(fresp.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("file: %d %s", fresp.StatusCode, fresp.Header.Get("Cache-Control"))
		}
		rresp, rbody := get(t, c, f.srv.URL+"/v1/runtime/files/"+sha, map[string]string{"Range": "bytes=0-3"})
		if rresp.StatusCode != 206 || !bytes.Equal(rbody, fbody[:4]) {
			t.Fatalf("range: %d %q", rresp.StatusCode, rbody)
		}
		if r, _ := get(t, c, f.srv.URL+"/v1/runtime/files/"+strings.Repeat("0", 64), nil); r.StatusCode != 404 {
			t.Fatalf("unknown file: %d", r.StatusCode)
		}
		// Reports: accepted, counted once per device.
		for i := 0; i < 2; i++ {
			st, b, _ := f.do("", "POST", "/v1/runtime/reports", `{"app_id":"`+app+`","release_id":"`+rid+`","bundle_id":"`+ans.BundleID+`","device":"device-123456","event":"ready"}`)
			if st != 202 {
				t.Fatalf("report: %d %v", st, b)
			}
		}
		r, err := f.rel.GetRelease(context.Background(), f.principal("devA"), rid)
		must(t, err)
		if r.Stats.Ready != 1 {
			t.Fatalf("stats %+v, want one ready device", r.Stats)
		}
		if st, b, _ := f.do("", "POST", "/v1/runtime/reports", `{"app_id":"`+app+`","release_id":"`+rid+`","device":"device-123456","event":"exploded"}`); st != 400 {
			t.Fatalf("bad event: %d %v", st, b)
		}
	})
}

// TestH5Serving: the loader page is never cached and carries the offer; bundle files are
// immutable, the entry gets the sdk injected; an app that is not online is a Chinese 404.
func TestH5Serving(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	app := f.createApp(apps.StatusOnline)
	rid := f.release(app, "production", false)
	_, err := f.rel.SetRollout(context.Background(), f.principal("devA"), rid, 100)
	must(t, err)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, body := get(t, c, f.srv.URL+"/a/"+app+"/", map[string]string{"User-Agent": "Mozilla/5.0 MicroMessenger/8.0.47.2560"})
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("loader: %d %v", resp.StatusCode, resp.Header)
	}
	if !strings.Contains(string(body), `"release_id":"`+rid+`"`) || !strings.Contains(string(body), "/sdk/govapp.js") {
		t.Fatalf("loader does not carry the offer and the sdk: %s", body)
	}
	var device string
	for _, ck := range resp.Cookies() {
		if ck.Name == DeviceCookie {
			device = ck.Value
		}
	}
	if device == "" {
		t.Fatal("no device cookie")
	}
	// Same cookie, same device on the next launch.
	if _, body2 := get(t, c, f.srv.URL+"/a/"+app+"/", nil); !strings.Contains(string(body2), device) {
		t.Fatal("device id not kept across launches")
	}
	rel, err := f.rel.GetRelease(context.Background(), f.principal("devA"), rid)
	must(t, err)
	eresp, ebody := get(t, c, f.srv.URL+"/a/"+app+"/b/"+rel.BundleID+"/index.html", nil)
	if eresp.StatusCode != 200 || !strings.Contains(string(ebody), `<script src="/sdk/govapp.js"></script>`) || !strings.Contains(string(ebody), "__GOVAPP__") || !strings.Contains(string(ebody), `"jsapi":[`) ||
		!strings.Contains(string(ebody), `"version":"`+rel.Version+`"`) {
		t.Fatalf("entry: %d %s", eresp.StatusCode, ebody)
	}
	if r, b := get(t, c, f.srv.URL+"/a/"+app+"/b/"+rel.BundleID+"/nope.js", nil); r.StatusCode != 404 || !strings.Contains(string(b), "找不到文件") {
		t.Fatalf("missing file: %d %s", r.StatusCode, b)
	}
	draft := f.createApp(apps.StatusDraft)
	if r, b := get(t, c, f.srv.URL+"/a/"+draft+"/", nil); r.StatusCode != 404 || !strings.Contains(string(b), "暂未上线") {
		t.Fatalf("draft app: %d %s", r.StatusCode, b)
	}
	if r, b := get(t, c, f.srv.URL+"/sdk/govapp.js", nil); r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "javascript") || len(b) == 0 {
		t.Fatalf("sdk: %d", r.StatusCode)
	}
}

// TestHostileUploads: mismatching bodies, compression bombs and foreign encodings are refused
// with a named reason and store nothing.
func TestHostileUploads(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	app := f.createApp(apps.StatusOnline)
	put := func(sha string, body []byte, enc string) (int, map[string]any) {
		req, _ := http.NewRequest("PUT", f.srv.URL+"/v1/apps/"+app+"/blobs/"+sha, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+f.tokens["devA"])
		if enc != "" {
			req.Header.Set("Content-Encoding", enc)
		}
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	// A 64 MiB run of zeros gzips to ~64 KiB: a bomb.
	zeros := make([]byte, 64<<20)
	sum := sha256.Sum256(zeros)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(zeros)
	_ = zw.Close()
	if st, m := put(hex.EncodeToString(sum[:]), gz.Bytes(), "gzip"); st != 422 || !strings.Contains(m["error"].(string), "compression_bomb") {
		t.Fatalf("compression bomb: %d %v", st, m)
	}
	if st, m := put(strings.Repeat("ab", 32), []byte("not that"), ""); st != 422 || !strings.Contains(m["error"].(string), "does not match") {
		t.Fatalf("mismatch: %d %v", st, m)
	}
	if st, _ := put("NOTAHASH", []byte("x"), ""); st != 400 {
		t.Fatalf("bad hash: %d", st)
	}
	if st, _ := put(strings.Repeat("ab", 32), []byte("x"), "br"); st != 415 {
		t.Fatalf("brotli: %d", st)
	}
	small := []byte("小文件")
	s2 := sha256.Sum256(small)
	var gz2 bytes.Buffer
	zw2 := gzip.NewWriter(&gz2)
	_, _ = zw2.Write(small)
	_ = zw2.Close()
	if st, m := put(hex.EncodeToString(s2[:]), gz2.Bytes(), "gzip"); st != 201 {
		t.Fatalf("honest gzip upload: %d %v", st, m)
	}
	if n := f.count("blobs"); n != 1 {
		t.Fatalf("%d blobs recorded, want only the honest one", n)
	}
	// A manifest that is not one.
	if st, b, _ := f.do("devA", "POST", "/v1/apps/"+app+"/bundles", `{"manifest":{},"signature":{}}`); st != 422 || !strings.Contains(b.(map[string]any)["error"].(string), "malformed") {
		t.Fatalf("malformed envelope: %d %v", st, b)
	}
}

func TestInjectSDK(t *testing.T) {
	tag := "<script>X</script>"
	for in, want := range map[string]string{
		`<!doctype html><html><head lang="zh"><title>t</title></head></html>`: `<!doctype html><html><head lang="zh"><script>X</script><title>t</title></head></html>`,
		`<!DOCTYPE html><p>no head</p>`:                                       `<!DOCTYPE html><script>X</script><p>no head</p>`,
		`<p>bare</p>`:                                                         `<script>X</script><p>bare</p>`,
		`<HEAD><meta charset="utf-8"></HEAD>`:                                 `<HEAD><script>X</script><meta charset="utf-8"></HEAD>`,
		`<header>not a head</header>`:                                         `<script>X</script><header>not a head</header>`,
	} {
		if got := string(injectSDK([]byte(in), []byte(tag))); got != want {
			t.Errorf("injectSDK(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReportRateLimit: one address cannot flood the report endpoint.
func TestReportRateLimit(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	app := f.createApp(apps.StatusOnline)
	rid := f.release(app, "production", false)
	limited := false
	for i := 0; i < 300 && !limited; i++ {
		st, body, _ := f.do("", "POST", "/v1/runtime/reports", `{"app_id":"`+app+`","release_id":"`+rid+`","device":"device-`+itoa(100000+i)+`","event":"downloaded"}`)
		switch st {
		case 202:
		case 429:
			limited = true
			if m := body.(map[string]any); m["code"].(float64) != 42901 {
				t.Fatalf("429 body %v", m)
			}
		default:
			t.Fatalf("report %d: %d %v", i, st, body)
		}
	}
	if !limited {
		t.Fatal("300 reports from one address in a burst were all accepted")
	}
}

// The sandbox phone page exists only when sandbox mode gives the platform its arrivals.
func TestSandboxPhoneOnlyInSandbox(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	if st, _, _ := f.do("", "GET", "/sandbox/phone", ""); st != 404 {
		t.Errorf("/sandbox/phone outside sandbox mode: %d, want 404", st)
	}
}
