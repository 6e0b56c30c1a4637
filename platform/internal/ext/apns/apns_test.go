package apns_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/ext/apns"
	fake "github.com/govapp/govapp/sandbox/apns"
)

const (
	keyID  = "ABC123DEFG"
	teamID = "DEF123GHIJ"
	topic  = "cn.gov.example.app"
)

var device = strings.Repeat("0f", 32)

// newP8 makes a .p8 like the developer portal's: an EC P-256 key, PKCS#8, PEM.
func newP8(t *testing.T) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// setup starts the sandbox fake with key registered and returns a Sender
// (the real apns2 client) pointed at it.
func setup(t *testing.T) (*fake.Server, *fake.TLSServer, *apns.Sender) {
	t.Helper()
	key, p8 := newP8(t)
	f := fake.New()
	f.AddKey(keyID, teamID, &key.PublicKey)
	f.AddTopic(teamID, topic)
	srv := f.Start()
	t.Cleanup(srv.Close)
	s, err := apns.New(apns.Config{KeyP8: p8, KeyID: keyID, TeamID: teamID, Topic: topic, BaseURL: srv.URL},
		apns.HTTP2Client(srv.RootCAs))
	if err != nil {
		t.Fatal(err)
	}
	return f, srv, s
}

const alert = `{"aps":{"alert":{"title":"办件进度","body":"您的申请已受理"},"sound":"default"}}`

func TestSendAccepted(t *testing.T) {
	f, _, s := setup(t)
	r, err := s.Send(context.Background(), device, []byte(alert), apns.WithCollapseID("case-42"), apns.WithPriority(10))
	if err != nil {
		t.Fatal(err)
	}
	if !r.Sent() || r.Reason != "" || r.ApnsID == "" || r.Unregistered {
		t.Fatalf("result = %+v, want accepted with an apns-id", r)
	}
	ns := f.Notifications()
	if len(ns) != 1 {
		t.Fatalf("fake recorded %d notifications, want 1", len(ns))
	}
	n := ns[0]
	if n.DeviceToken != device || n.Topic != topic || n.PushType != "alert" || n.CollapseID != "case-42" ||
		n.Priority != 10 || n.ApnsID != r.ApnsID || string(n.Payload) != alert || n.KeyID != keyID || n.TeamID != teamID {
		t.Fatalf("recorded %+v", n)
	}

	id := "4A3E5C2B-0D1F-4E6A-8B7C-9D0E1F2A3B4C"
	r, err = s.Send(context.Background(), device, []byte(`{"aps":{"content-available":1}}`),
		apns.WithPushType("background"), apns.WithPriority(5), apns.WithApnsID(id))
	if err != nil || !r.Sent() || r.ApnsID != id {
		t.Fatalf("background: %+v, %v", r, err)
	}
	if n := f.Notifications()[1]; n.PushType != "background" || n.Priority != 5 {
		t.Fatalf("recorded %+v", n)
	}
}

func TestSendUnregistered(t *testing.T) {
	f, _, s := setup(t)
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	f.Unregister(device, at)
	r, err := s.Send(context.Background(), device, []byte(alert))
	if err != nil {
		t.Fatal(err)
	}
	// apns2 keeps the timestamp to the second.
	if r.Status != 410 || r.Reason != fake.ReasonUnregistered || !r.Unregistered || !r.Timestamp.Equal(at) {
		t.Fatalf("result = %+v, want 410 Unregistered at %v", r, at)
	}
}

func TestSendThrottled(t *testing.T) {
	f, _, s := setup(t)
	f.Throttle(device, 1)
	r, err := s.Send(context.Background(), device, []byte(alert))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 429 || r.Reason != fake.ReasonTooManyRequests || r.Unregistered {
		t.Fatalf("result = %+v, want 429 TooManyRequests", r)
	}
	if r, _ := s.Send(context.Background(), device, []byte(alert)); !r.Sent() {
		t.Fatalf("after the throttle: %+v", r)
	}
}

func TestSendBadDeviceToken(t *testing.T) {
	f, _, s := setup(t)
	r, err := s.Send(context.Background(), "not-a-token", []byte(alert))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 400 || r.Reason != fake.ReasonBadDeviceToken {
		t.Fatalf("result = %+v, want 400 BadDeviceToken", r)
	}
	if len(f.Notifications()) != 0 {
		t.Fatal("a refused push was recorded")
	}
}

func TestSendWrongKey(t *testing.T) {
	f, srv, _ := setup(t)
	// Same key id and team, but not the key registered for them: the JWT's
	// signature does not verify.
	_, otherP8 := newP8(t)
	s, err := apns.New(apns.Config{KeyP8: otherP8, KeyID: keyID, TeamID: teamID, Topic: topic, BaseURL: srv.URL},
		apns.HTTP2Client(srv.RootCAs))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Send(context.Background(), device, []byte(alert))
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 403 || r.Reason != fake.ReasonInvalidProviderToken {
		t.Fatalf("result = %+v, want 403 InvalidProviderToken", r)
	}
	if st := f.Stats(); st.Reasons[fake.ReasonInvalidProviderToken] != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestNewRejectsBadKey(t *testing.T) {
	if _, err := apns.New(apns.Config{KeyP8: []byte("nope"), KeyID: keyID, TeamID: teamID}, nil); err == nil {
		t.Fatal("New accepted a key that is not a .p8")
	}
}
