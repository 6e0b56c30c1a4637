package apns_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govapp/govapp/sandbox/apns"
)

const (
	keyID  = "ABC123DEFG"
	teamID = "DEF123GHIJ"
	topic  = "cn.gov.example.app"
)

var device = strings.Repeat("ab", 32)

// jwtFor hand-signs a provider token as apns2 does: ES256, header
// {alg,kid}, claims {iss,iat}, signature r||s.
func jwtFor(t *testing.T, key *ecdsa.PrivateKey, kid, iss string, iat time.Time) string {
	t.Helper()
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]string{"alg": "ES256", "kid": kid})
	c, _ := json.Marshal(map[string]any{"iss": iss, "iat": iat.Unix()})
	signing := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	digest := sha256.Sum256([]byte(signing))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signing + "." + enc.EncodeToString(sig)
}

type fixture struct {
	fake   *apns.Server
	srv    *apns.TLSServer
	client *http.Client
	key    *ecdsa.PrivateKey
	bearer string
}

func setup(t *testing.T) *fixture {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fake := apns.New()
	fake.AddKey(keyID, teamID, &key.PublicKey)
	fake.AddTopic(teamID, topic)
	srv := fake.Start()
	t.Cleanup(srv.Close)
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: srv.RootCAs},
		ForceAttemptHTTP2: true,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &fixture{fake: fake, srv: srv, client: &http.Client{Transport: tr}, key: key,
		bearer: "bearer " + jwtFor(t, key, keyID, teamID, time.Now())}
}

type answer struct {
	status    int
	reason    string
	timestamp int64
	apnsID    string
	proto     int
}

func (f *fixture) push(t *testing.T, method, token string, hdr map[string]string, body string) answer {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+"/3/device/"+token, strings.NewReader(body))
	req.Header.Set("authorization", f.bearer)
	req.Header.Set("apns-topic", topic)
	req.Header.Set("apns-push-type", "alert")
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, apnsID: resp.Header.Get("apns-id"), proto: resp.ProtoMajor}
	if len(bytes.TrimSpace(b)) > 0 {
		var e struct {
			Reason    string `json:"reason"`
			Timestamp int64  `json:"timestamp"`
		}
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("error body %q: %v", b, err)
		}
		a.reason, a.timestamp = e.Reason, e.Timestamp
	}
	return a
}

const alert = `{"aps":{"alert":{"title":"办件进度","body":"已受理"}}}`

func TestAcceptedOverHTTP2(t *testing.T) {
	f := setup(t)
	id := "123E4567-E89B-12D3-A456-426655440000"
	a := f.push(t, "POST", device, map[string]string{"apns-id": id, "apns-collapse-id": "case-1", "apns-priority": "10"}, alert)
	if a.status != 200 || a.reason != "" || a.apnsID != id || a.proto != 2 {
		t.Fatalf("answer = %+v, want 200 over HTTP/2 with the apns-id echoed", a)
	}
	b := f.push(t, "POST", device, nil, alert)
	if b.status != 200 || len(b.apnsID) != 36 {
		t.Fatalf("answer = %+v, want 200 with a generated apns-id", b)
	}
	ns := f.fake.Notifications()
	if len(ns) != 2 {
		t.Fatalf("recorded %d notifications, want 2", len(ns))
	}
	n := ns[0]
	if n.DeviceToken != device || n.Topic != topic || n.PushType != "alert" || n.CollapseID != "case-1" ||
		n.Priority != 10 || n.ApnsID != id || string(n.Payload) != alert || n.KeyID != keyID || n.TeamID != teamID {
		t.Fatalf("recorded %+v", n)
	}
	if ns[1].ApnsID != b.apnsID {
		t.Fatalf("recorded apns-id %q, answered %q", ns[1].ApnsID, b.apnsID)
	}
	if st := f.fake.Stats(); st.Accepted != 2 || st.Rejected != 0 {
		t.Fatalf("stats = %+v", st)
	}
	f.fake.Reset()
	if len(f.fake.Notifications()) != 0 || f.fake.Stats().Accepted != 0 {
		t.Fatal("Reset kept records")
	}
	// Keys and topics survive Reset.
	if a := f.push(t, "POST", device, nil, alert); a.status != 200 {
		t.Fatalf("after Reset: %+v", a)
	}
}

func TestProviderToken(t *testing.T) {
	f := setup(t)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	cases := []struct {
		name, auth, reason string
	}{
		{"missing", "", apns.ReasonMissingProviderToken},
		{"not bearer", "basic abc", apns.ReasonMissingProviderToken},
		{"garbage", "bearer not.a.jwt", apns.ReasonInvalidProviderToken},
		{"wrong key", "bearer " + jwtFor(t, other, keyID, teamID, now), apns.ReasonInvalidProviderToken},
		{"unknown kid", "bearer " + jwtFor(t, f.key, "ZZZ", teamID, now), apns.ReasonInvalidProviderToken},
		{"wrong team", "bearer " + jwtFor(t, f.key, keyID, "OTHERTEAM1", now), apns.ReasonInvalidProviderToken},
		{"expired", "bearer " + jwtFor(t, f.key, keyID, teamID, now.Add(-61*time.Minute)), apns.ReasonExpiredProviderToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := map[string]string{"authorization": c.auth}
			a := f.push(t, "POST", device, hdr, alert)
			if a.status != 403 || a.reason != c.reason {
				t.Fatalf("answer = %+v, want 403 %s", a, c.reason)
			}
		})
	}
	if len(f.fake.Notifications()) != 0 {
		t.Fatal("a refused push was recorded")
	}
}

func TestRejections(t *testing.T) {
	f := setup(t)
	f.fake.AddTopic("OTHERTEAM1", "com.other.app")
	cases := []struct {
		name   string
		method string
		token  string
		hdr    map[string]string
		body   string
		status int
		reason string
	}{
		{"method", "GET", device, nil, "", 405, apns.ReasonMethodNotAllowed},
		{"no topic", "POST", device, map[string]string{"apns-topic": ""}, alert, 400, apns.ReasonMissingTopic},
		{"unknown topic", "POST", device, map[string]string{"apns-topic": "com.unknown"}, alert, 400, apns.ReasonTopicDisallowed},
		{"other team's topic", "POST", device, map[string]string{"apns-topic": "com.other.app"}, alert, 400, apns.ReasonTopicDisallowed},
		{"push type", "POST", device, map[string]string{"apns-push-type": "loud"}, alert, 400, apns.ReasonInvalidPushType},
		{"priority", "POST", device, map[string]string{"apns-priority": "7"}, alert, 400, apns.ReasonBadPriority},
		{"expiration", "POST", device, map[string]string{"apns-expiration": "tomorrow"}, alert, 400, apns.ReasonBadExpirationDate},
		{"collapse id", "POST", device, map[string]string{"apns-collapse-id": strings.Repeat("x", 65)}, alert, 400, apns.ReasonBadCollapseID},
		{"apns-id", "POST", device, map[string]string{"apns-id": "not-a-uuid"}, alert, 400, apns.ReasonBadMessageID},
		{"short token", "POST", "abcd", nil, alert, 400, apns.ReasonBadDeviceToken},
		{"non-hex token", "POST", strings.Repeat("zz", 32), nil, alert, 400, apns.ReasonBadDeviceToken},
		{"empty payload", "POST", device, nil, "", 400, apns.ReasonPayloadEmpty},
		{"not JSON", "POST", device, nil, "hello", 400, apns.ReasonBadPayload},
		{"no aps", "POST", device, nil, `{"x":1}`, 400, apns.ReasonBadPayload},
		{"too large", "POST", device, nil, `{"aps":{"alert":"` + strings.Repeat("a", apns.MaxPayload) + `"}}`, 413, apns.ReasonPayloadTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := f.push(t, c.method, c.token, c.hdr, c.body)
			if a.status != c.status || a.reason != c.reason {
				t.Fatalf("answer = %+v, want %d %s", a, c.status, c.reason)
			}
			if a.apnsID == "" {
				t.Fatal("no apns-id on the refusal")
			}
		})
	}
	// A VoIP payload may be up to 5 KB.
	voip := `{"aps":{},"d":"` + strings.Repeat("a", 4500) + `"}`
	f.fake.AddTopic(teamID, topic+".voip")
	if a := f.push(t, "POST", device, map[string]string{"apns-push-type": "voip", "apns-topic": topic + ".voip"}, voip); a.status != 200 {
		t.Fatalf("voip 4.5 KB: %+v", a)
	}
	st := f.fake.Stats()
	if st.Rejected != len(cases) || st.Reasons[apns.ReasonBadDeviceToken] != 2 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestDeviceStates(t *testing.T) {
	f := setup(t)
	gone := strings.Repeat("cd", 32)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.fake.Unregister(gone, at)
	a := f.push(t, "POST", gone, nil, alert)
	if a.status != 410 || a.reason != apns.ReasonUnregistered || a.timestamp != at.UnixMilli() {
		t.Fatalf("answer = %+v, want 410 Unregistered at %d", a, at.UnixMilli())
	}

	f.fake.Throttle(device, 2)
	for i := 0; i < 2; i++ {
		if a := f.push(t, "POST", device, nil, alert); a.status != 429 || a.reason != apns.ReasonTooManyRequests {
			t.Fatalf("push %d = %+v, want 429", i, a)
		}
	}
	if a := f.push(t, "POST", device, nil, alert); a.status != 200 {
		t.Fatalf("after throttling: %+v", a)
	}

	f.fake.FailNext(503, apns.ReasonServiceUnavailable)
	if a := f.push(t, "POST", device, nil, alert); a.status != 503 || a.reason != apns.ReasonServiceUnavailable {
		t.Fatalf("FailNext: %+v", a)
	}

	f.fake.AddTopic(teamID, "cn.gov.other")
	f.fake.BindToken(device, topic)
	if a := f.push(t, "POST", device, map[string]string{"apns-topic": "cn.gov.other"}, alert); a.status != 400 || a.reason != apns.ReasonDeviceTokenNotForTopic {
		t.Fatalf("bound token: %+v", a)
	}
}

func TestConcurrentPushes(t *testing.T) {
	f := setup(t)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"aps":{"badge":%d}}`, i)
			req, _ := http.NewRequest("POST", f.srv.URL+"/3/device/"+device, strings.NewReader(body))
			req.Header.Set("authorization", f.bearer)
			req.Header.Set("apns-topic", topic)
			resp, err := f.client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	if n := len(f.fake.Notifications()); n != 20 {
		t.Fatalf("recorded %d, want 20", n)
	}
	if f.fake.Notifications()[0].PushType != "" {
		t.Fatal("a missing apns-push-type should be recorded as empty")
	}
}
