package fcm_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/sandbox/fcm"
)

const token = "dQw4w9WgXcQ:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx"

func send(t *testing.T, url, body string) (int, map[string]any, http.Header) {
	t.Helper()
	resp, err := http.Post(url+"/v1/projects/gov-demo/messages:send", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, v, resp.Header
}

func errorCode(v map[string]any) string {
	e, _ := v["error"].(map[string]any)
	d, _ := e["details"].([]any)
	if len(d) == 0 {
		return ""
	}
	m, _ := d[0].(map[string]any)
	s, _ := m["errorCode"].(string)
	return s
}

func TestSendAndFailures(t *testing.T) {
	f := &fcm.Server{RetryAfter: 3 * time.Second}
	srv := httptest.NewServer(f)
	defer srv.Close()

	msg := `{"message":{"token":"` + token + `","notification":{"title":"养老认证","body":"窗口已开放"},"data":{"notice":"n1"}}}`
	code, v, _ := send(t, srv.URL, msg)
	if code != 200 || !strings.HasPrefix(v["name"].(string), "projects/gov-demo/messages/") {
		t.Fatalf("send: %d %v", code, v)
	}
	if got := f.Messages(); len(got) != 1 || got[0].Token != token || got[0].Data["notice"] != "n1" {
		t.Fatalf("recorded %+v", got)
	}

	// validate_only records nothing.
	if code, _, _ := send(t, srv.URL, `{"validate_only":true,"message":{"token":"`+token+`"}}`); code != 200 || f.Count() != 1 {
		t.Errorf("validate_only: %d, count %d", code, f.Count())
	}

	for name, c := range map[string]struct {
		body string
		http int
		code string
	}{
		"bad token":       {`{"message":{"token":"short"}}`, 400, fcm.CodeInvalidArgument},
		"two targets":     {`{"message":{"token":"` + token + `","topic":"news"}}`, 400, fcm.CodeInvalidArgument},
		"non-string data": {`{"message":{"token":"` + token + `","data":{"n":1}}}`, 400, fcm.CodeInvalidArgument},
		"reserved key":    {`{"message":{"token":"` + token + `","data":{"google.x":"1"}}}`, 400, fcm.CodeInvalidArgument},
		"too big":         {`{"message":{"token":"` + token + `","data":{"x":"` + strings.Repeat("a", 5000) + `"}}}`, 400, fcm.CodeInvalidArgument},
		"not json":        {`{`, 400, fcm.CodeInvalidArgument},
	} {
		code, v, _ := send(t, srv.URL, c.body)
		if code != c.http || errorCode(v) != c.code {
			t.Errorf("%s: %d %v, want %d %s", name, code, v, c.http, c.code)
		}
	}

	f.Throttle(token, 1)
	code, v, h := send(t, srv.URL, msg)
	if code != 429 || errorCode(v) != fcm.CodeQuotaExceeded || h.Get("Retry-After") != "3" {
		t.Errorf("throttled: %d %v Retry-After %q", code, v, h.Get("Retry-After"))
	}
	if code, _, _ := send(t, srv.URL, msg); code != 200 {
		t.Errorf("after the throttle: %d", code)
	}
	f.Unregister(token)
	if code, v, _ := send(t, srv.URL, msg); code != 404 || errorCode(v) != fcm.CodeUnregistered {
		t.Errorf("unregistered: %d %v", code, v)
	}
	f.FailNext(fcm.CodeUnavailable)
	if code, v, _ := send(t, srv.URL, `{"message":{"topic":"news"}}`); code != 503 || errorCode(v) != fcm.CodeUnavailable {
		t.Errorf("FailNext: %d %v", code, v)
	}
	if f.Count() != 2 {
		t.Errorf("count %d, want 2", f.Count())
	}
	resp, err := http.Get(srv.URL + "/v1/projects/gov-demo/messages:send")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}
