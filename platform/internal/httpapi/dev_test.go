package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/govapp/govapp/platform/internal/dbtest"
)

// TestCloudDevRelay: a phone opens the session URL, its log reaches the developer's socket
// (garbage does not), a new sync tells the phone to reload, an ended session is gone.
func TestCloudDevRelay(t *testing.T) {
	f := newFixture(t, dbtest.SQLite(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	id, body := f.devSession()
	if st, b, _ := f.do("devA", "PUT", "/v1/dev/sessions/"+id+"/files", body); st != 200 {
		t.Fatalf("sync: %d %v", st, b)
	}
	resp, page := get(t, &http.Client{}, f.srv.URL+"/d/"+id+"/", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(page), "/d/"+id+"/__govapp/dev.js") || !strings.Contains(string(page), "/sdk/govapp.js") {
		t.Fatalf("phone page: %d %s", resp.StatusCode, page)
	}
	wsURL := "ws" + strings.TrimPrefix(f.srv.URL, "http")
	dev, _, err := websocket.Dial(ctx, wsURL+"/v1/dev/sessions/"+id+"/logs", &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + f.tokens["devA"]}}})
	must(t, err)
	defer dev.CloseNow()
	if _, _, err := websocket.Dial(ctx, wsURL+"/v1/dev/sessions/"+id+"/logs", &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + f.tokens["adminA"]}}}); err == nil {
		t.Fatal("someone else read the session's logs")
	}
	// The phone's event stream, as the dev client opens it.
	req, _ := http.NewRequestWithContext(ctx, "GET", f.srv.URL+"/d/"+id+"/__govapp/events?id=ab12", nil)
	events, err := http.DefaultClient.Do(req)
	must(t, err)
	defer events.Body.Close()
	time.Sleep(50 * time.Millisecond) // both subscribed
	post := func(body string) int {
		resp, err := http.Post(f.srv.URL+"/d/"+id+"/__govapp/log", "application/json", strings.NewReader(body))
		must(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := post("not json {"); st != 400 {
		t.Fatalf("garbage: %d", st)
	}
	if st := post(`{"id":"ab12","entries":[{"kind":"log","text":"hello from phone"}]}`); st != 204 {
		t.Fatalf("log: %d", st)
	}
	_, got, err := dev.Read(ctx)
	must(t, err)
	if !strings.Contains(string(got), "hello from phone") || !strings.Contains(string(got), `"ua"`) {
		t.Fatalf("developer got %s", got)
	}
	// A new build: the phone is told to reload.
	if st, b, _ := f.do("devA", "PUT", "/v1/dev/sessions/"+id+"/files", body); st != 200 {
		t.Fatalf("second sync: %d %v", st, b)
	}
	buf := make([]byte, 256)
	n, err := events.Body.Read(buf)
	must(t, err)
	if !strings.Contains(string(buf[:n]), `data: {"type":"reload"}`) {
		t.Fatalf("phone got %q", buf[:n])
	}
	if st, _, _ := f.do("devA", "DELETE", "/v1/dev/sessions/"+id, ""); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	if r, _ := get(t, &http.Client{}, f.srv.URL+"/d/"+id+"/index.html", nil); r.StatusCode != 404 {
		t.Fatalf("ended session still served: %d", r.StatusCode)
	}
}
