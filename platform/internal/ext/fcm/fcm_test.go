package fcm_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"firebase.google.com/go/v4/messaging"

	"github.com/govapp/govapp/platform/internal/ext/fcm"
	fake "github.com/govapp/govapp/sandbox/fcm"
)

const tok = "fcm-token-1:APA91bHun4MxP5egoKMwt2KZFBaFUH"

// The real firebase messaging client against sandbox/fcm: sent, unregistered, throttled
// (with Retry-After), invalid, and a batch.
func TestFirebaseClientAgainstSandbox(t *testing.T) {
	f := &fake.Server{Projects: []string{"gov-demo"}, RetryAfter: 7 * time.Second}
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	s, err := fcm.New(ctx, fcm.Config{ProjectID: "gov-demo", BaseURL: srv.URL, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	msg := func(token string) *messaging.Message {
		return &messaging.Message{Token: token, Notification: &messaging.Notification{Title: "养老认证", Body: "窗口已开放"},
			Data: map[string]string{"notice": "n1"}, Android: &messaging.AndroidConfig{CollapseKey: "pension", Priority: "high"}}
	}
	r := s.Send(ctx, msg(tok))
	if r.Outcome != fcm.Sent || !strings.HasPrefix(r.MessageID, "projects/gov-demo/messages/") {
		t.Fatalf("send: %+v", r)
	}
	got := f.Messages()
	if len(got) != 1 || got[0].Token != tok || got[0].Data["notice"] != "n1" || !strings.Contains(string(got[0].Raw), `"collapse_key":"pension"`) {
		t.Fatalf("the fake recorded %+v", got)
	}

	f.Throttle(tok, 1)
	if r := s.Send(ctx, msg(tok)); r.Outcome != fcm.Throttled || r.RetryAfter != 7*time.Second {
		t.Errorf("throttled: %+v", r)
	}
	f.Unregister(tok)
	if r := s.Send(ctx, msg(tok)); r.Outcome != fcm.Unregistered {
		t.Errorf("unregistered: %+v", r)
	}
	if r := s.Send(ctx, &messaging.Message{Token: tok + "x", Data: map[string]string{"google.bad": "1"}}); r.Outcome != fcm.Invalid {
		t.Errorf("reserved data key: %+v", r)
	}

	batch := []*messaging.Message{msg("fcm-token-2:APA91bAAAAAAAAAAAAAAAAAAAA"), msg(tok), msg("fcm-token-3:APA91bBBBBBBBBBBBBBBBBBBBB")}
	rs, err := s.SendEach(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[0].Outcome != fcm.Sent || rs[1].Outcome != fcm.Unregistered || rs[2].Outcome != fcm.Sent {
		t.Errorf("batch: %+v", rs)
	}
	if _, err := s.SendEach(ctx, make([]*messaging.Message, fcm.MaxBatch+1)); err == nil {
		t.Error("a batch over 500 was accepted")
	}
	if _, err := fcm.New(ctx, fcm.Config{ProjectID: "gov-demo"}); err == nil {
		t.Error("New without credentials or BaseURL succeeded")
	}
}
