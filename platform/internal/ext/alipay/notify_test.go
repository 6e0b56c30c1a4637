package alipay

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// notifyParams are the fields of a typical notification, as the sandbox signs them.
func notifyParams(id string) url.Values {
	return url.Values{
		"app_id":       {testAppID},
		"notify_id":    {id},
		"notify_type":  {"trade_status_sync"},
		"out_trade_no": {"GOV-2024-0001"},
		"trade_status": {"TRADE_SUCCESS"},
		"subject":      {"居住证工本费 & 邮寄"},
	}
}

// notifyEndpoint serves c.NotifyHandler and counts the calls of its handler.
func notifyEndpoint(t *testing.T, c *Client, fn NotifyFunc) (*httptest.Server, *MemoryNotifyLog) {
	t.Helper()
	log := &MemoryNotifyLog{}
	srv := httptest.NewServer(c.NotifyHandler(log, fn))
	t.Cleanup(srv.Close)
	return srv, log
}

// TestNotifyVerifiedAndHandledOnce: Alipay redelivers notifications; each notify_id must
// have its effect once, even with concurrent copies.
func TestNotifyVerifiedAndHandledOnce(t *testing.T) {
	s := newSandbox(t)
	c := s.client(t)
	var calls atomic.Int32
	var got url.Values
	srv, _ := notifyEndpoint(t, c, func(_ context.Context, form url.Values) error {
		calls.Add(1)
		got = form
		return nil
	})

	ack, err := s.gw.Notify(t.Context(), srv.URL, notifyParams("n-1"))
	if err != nil || ack != "success" {
		t.Fatalf("first delivery: %q %v", ack, err)
	}
	if calls.Load() != 1 || got.Get("subject") != "居住证工本费 & 邮寄" || got.Get("notify_id") != "n-1" {
		t.Fatalf("handler saw %d calls, form %v", calls.Load(), got)
	}
	// Alipay redelivers: acknowledged, not handled again.
	for range 2 {
		ack, err = s.gw.Notify(t.Context(), srv.URL, notifyParams("n-1"))
		if err != nil || ack != "success" {
			t.Fatalf("duplicate: %q %v", ack, err)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("handler called %d times for one notify_id", calls.Load())
	}
	// Concurrent copies of a new notification reach the handler once.
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if ack, err := s.gw.Notify(t.Context(), srv.URL, notifyParams("n-2")); err != nil || ack != "success" {
				t.Errorf("concurrent duplicate: %q %v", ack, err)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 2 {
		t.Fatalf("handler called %d times, want 2", calls.Load())
	}
}

// TestNotifyBadSignatureRefused: A forged or altered notification must not reach the
// handler.
func TestNotifyBadSignatureRefused(t *testing.T) {
	s := newSandbox(t)
	c := s.client(t)
	var calls atomic.Int32
	srv, _ := notifyEndpoint(t, c, func(context.Context, url.Values) error { calls.Add(1); return nil })

	// Capture a genuine signed notification, then replay it altered.
	var genuine url.Values
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		genuine = r.PostForm
		_, _ = w.Write([]byte("success"))
	}))
	defer capture.Close()
	if _, err := s.gw.Notify(t.Context(), capture.URL, notifyParams("n-3")); err != nil {
		t.Fatal(err)
	}
	if err := c.VerifyNotify(genuine); err != nil {
		t.Fatalf("genuine notification: %v", err)
	}
	post := func(form url.Values) string {
		resp, err := http.PostForm(srv.URL, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 64)
		n, _ := resp.Body.Read(buf)
		b.Write(buf[:n])
		return b.String()
	}
	clone := func(edit func(url.Values)) url.Values {
		f := url.Values{}
		for k, v := range genuine {
			f[k] = append([]string(nil), v...)
		}
		edit(f)
		return f
	}
	for name, form := range map[string]url.Values{
		"amount changed":  clone(func(f url.Values) { f.Set("trade_status", "TRADE_FINISHED") }),
		"field added":     clone(func(f url.Values) { f.Set("buyer_id", "2088999999999999") }),
		"sign removed":    clone(func(f url.Values) { f.Del("sign") }),
		"sign_type RSA":   clone(func(f url.Values) { f.Set("sign_type", "RSA") }),
		"field repeated":  clone(func(f url.Values) { f.Add("trade_status", "TRADE_SUCCESS") }),
		"notify_id moved": clone(func(f url.Values) { f.Set("notify_id", "n-4") }),
	} {
		if ack := post(form); ack != "fail" {
			t.Errorf("%s: answered %q", name, ack)
		}
		if err := c.VerifyNotify(form); err == nil {
			t.Errorf("%s: VerifyNotify accepted it", name)
		}
	}
	if calls.Load() != 0 {
		t.Fatalf("handler called %d times for forged notifications", calls.Load())
	}
	// sign_type is not covered by the signature, as Alipay specifies: dropping it is fine.
	if err := c.VerifyNotify(clone(func(f url.Values) { f.Del("sign_type") })); err != nil {
		t.Fatalf("without sign_type: %v", err)
	}
	// A GET is not a notification.
	resp, err := http.Get(srv.URL + "?" + genuine.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET answered %d", resp.StatusCode)
	}
}

// TestNotifyForAnotherAppRefused: A genuine notification for another app must not drive
// this one.
func TestNotifyForAnotherAppRefused(t *testing.T) {
	s := newSandbox(t)
	c := s.client(t)
	var form url.Values
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		form = r.PostForm
	}))
	defer capture.Close()
	p := notifyParams("n-5")
	p.Set("app_id", "2021000000000002")
	if _, err := s.gw.Notify(t.Context(), capture.URL, p); err != nil {
		t.Fatal(err)
	}
	if err := c.VerifyNotify(form); !errors.Is(err, ErrNotifyAppMismatch) {
		t.Fatalf("got %v, want ErrNotifyAppMismatch", err)
	}
}

// TestNotifyHandlerFailureIsRetried: A failed handling is answered fail and not recorded,
// so Alipay's retry gets another chance.
func TestNotifyHandlerFailureIsRetried(t *testing.T) {
	s := newSandbox(t)
	c := s.client(t)
	var calls atomic.Int32
	srv, log := notifyEndpoint(t, c, func(context.Context, url.Values) error {
		if calls.Add(1) == 1 {
			return errors.New("database is down")
		}
		return nil
	})
	if ack, _ := s.gw.Notify(t.Context(), srv.URL, notifyParams("n-6")); ack != "fail" {
		t.Fatalf("failed handler answered %q", ack)
	}
	if done, _ := log.Handled(t.Context(), "n-6"); done {
		t.Fatal("a failed notification was recorded as handled")
	}
	if ack, _ := s.gw.Notify(t.Context(), srv.URL, notifyParams("n-6")); ack != "success" {
		t.Fatalf("retry answered %q", ack)
	}
	if ack, _ := s.gw.Notify(t.Context(), srv.URL, notifyParams("n-6")); ack != "success" || calls.Load() != 2 {
		t.Fatalf("after success: %q, %d calls", ack, calls.Load())
	}
}
