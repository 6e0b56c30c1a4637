// Package apns is a protocol-faithful fake of Apple's APNs provider API
// (api.push.apple.com / api.sandbox.push.apple.com), so the platform's push
// sender can be exercised on a laptop and in tests without an Apple developer
// account, a .p8 key or an iPhone.
//
// The real service speaks HTTP/2 over TLS only, and a provider authenticates
// with a JWT (ES256, signed with the team's .p8 key) in the authorization
// header. The fake does the same, so a real client library (sideshow/apns2)
// can be pointed at it unchanged, only with the fake's certificate trusted
// (see Start):
//
//	POST /3/device/{token}   headers: authorization: bearer <JWT>, apns-topic,
//	                         apns-push-type, apns-priority, apns-expiration,
//	                         apns-collapse-id, apns-id; body: the JSON payload
//
// It answers 200 with an empty body and the apns-id header, or an error
// status with {"reason":"…"} (and "timestamp" for 410), with the reasons and
// status codes of Apple's "Handling notification responses from APNs"; the
// Reason constants below list the ones the fake produces. apns-id is echoed on
// every answer, generated when the request had none, as APNs does.
//
// It imports the standard library only: it fakes the outside and does not
// know the platform.
package apns

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits of the real service; clients are tested against these, so they are
// the real values rather than test-friendly ones.
const (
	// MaxPayload is the largest payload APNs accepts for every push type but
	// VoIP.
	MaxPayload = 4096
	// MaxVoIPPayload is the limit for apns-push-type voip.
	MaxVoIPPayload = 5120
	// MaxCollapseID is the largest apns-collapse-id, in bytes.
	MaxCollapseID = 64
	// TokenLifetime is how long a provider token is accepted after its iat;
	// older ones get 403 ExpiredProviderToken, so clients must refresh the
	// JWT (apns2 does so after 50 minutes).
	TokenLifetime = time.Hour
	// DefaultMaxRecords bounds the record of accepted notifications, oldest
	// dropped first, so a sandbox left running for weeks does not grow without
	// end; Server.MaxRecords overrides it.
	DefaultMaxRecords = 10000
)

// Reasons APNs gives in {"reason": …}, with the status each comes with.
const (
	ReasonBadCollapseID          = "BadCollapseId"          // 400
	ReasonBadDeviceToken         = "BadDeviceToken"         // 400
	ReasonBadExpirationDate      = "BadExpirationDate"      // 400
	ReasonBadMessageID           = "BadMessageId"           // 400
	ReasonBadPriority            = "BadPriority"            // 400
	ReasonBadTopic               = "BadTopic"               // 400
	ReasonDeviceTokenNotForTopic = "DeviceTokenNotForTopic" // 400
	ReasonInvalidPushType        = "InvalidPushType"        // 400
	ReasonMissingDeviceToken     = "MissingDeviceToken"     // 400
	ReasonMissingTopic           = "MissingTopic"           // 400
	ReasonPayloadEmpty           = "PayloadEmpty"           // 400
	ReasonTopicDisallowed        = "TopicDisallowed"        // 400
	// ReasonBadPayload is NOT in Apple's table: Apple documents no reason for
	// a body that is not a JSON object with an "aps" dictionary. The fake
	// refuses such bodies (400) so the sender's payload building is checked;
	// clients should treat it like any other 400 and not match on it.
	ReasonBadPayload = "BadPayload" // 400

	ReasonExpiredProviderToken = "ExpiredProviderToken" // 403
	ReasonInvalidProviderToken = "InvalidProviderToken" // 403
	ReasonMissingProviderToken = "MissingProviderToken" // 403

	ReasonBadPath          = "BadPath"          // 404
	ReasonMethodNotAllowed = "MethodNotAllowed" // 405
	ReasonExpiredToken     = "ExpiredToken"     // 410
	ReasonUnregistered     = "Unregistered"     // 410
	ReasonPayloadTooLarge  = "PayloadTooLarge"  // 413
	ReasonTooManyRequests  = "TooManyRequests"  // 429

	ReasonInternalServerError = "InternalServerError" // 500
	ReasonServiceUnavailable  = "ServiceUnavailable"  // 503
	ReasonShutdown            = "Shutdown"            // 503
)

// PushTypes are the apns-push-type values APNs knows; any other value gets
// 400 InvalidPushType. A missing header is accepted, as APNs still accepts
// it (it is only required for watchOS 6 / iOS 13 and later devices to
// deliver reliably).
var PushTypes = []string{
	"alert", "background", "location", "voip", "complication",
	"fileprovider", "mdm", "liveactivity", "pushtotalk", "widgets",
}

// Notification is one notification the fake accepted, recorded so tests can
// assert what the sender actually sent.
type Notification struct {
	DeviceToken string
	Topic       string
	// PushType is the apns-push-type header; "" when absent.
	PushType string
	// Priority is apns-priority; 0 when absent (APNs then uses 10).
	Priority int
	// Expiration is apns-expiration in Unix seconds; -1 when absent.
	Expiration int64
	CollapseID string
	// ApnsID is the apns-id answered: the request's, or the generated one.
	ApnsID  string
	Payload []byte
	// KeyID and TeamID identify the provider key that signed the request.
	KeyID  string
	TeamID string
	At     time.Time
}

// Stats counts what the fake answered since the last Reset.
type Stats struct {
	Accepted int
	Rejected int
	// Reasons counts rejections by reason.
	Reasons map[string]int
}

// providerKey is a registered .p8 key.
type providerKey struct {
	teamID string
	pub    *ecdsa.PublicKey
}

// failure is one queued FailNext.
type failure struct {
	status int
	reason string
}

// Server is the fake APNs. Its zero value is ready and knows no keys or
// topics, so every request is refused (403 InvalidProviderToken, then 400
// TopicDisallowed) until AddKey and AddTopic are called. All methods are safe
// for concurrent use; the exported fields are meant to be set before the
// server takes requests.
type Server struct {
	// Now is the server's clock; nil means time.Now. Tests move it to expire
	// provider tokens without sleeping.
	Now func() time.Time
	// MaxRecords is how many accepted notifications Notifications keeps
	// (DefaultMaxRecords when 0); tests of large fan-outs raise it.
	MaxRecords int

	mu           sync.Mutex
	keys         map[string]providerKey // key id -> key
	topics       map[string]string      // topic -> team id allowed to push to it
	tokenTopics  map[string]string      // device token -> the topic it was issued for
	unregistered map[string]time.Time
	throttled    map[string]int // device token -> 429s still to answer
	failures     []failure
	accepted     []Notification
	stats        Stats
}

// New returns an empty fake; the same as &Server{}.
func New() *Server { return &Server{} }

// init makes the zero value usable; callers hold s.mu.
func (s *Server) init() {
	if s.keys == nil {
		s.keys = map[string]providerKey{}
		s.topics = map[string]string{}
		s.tokenTopics = map[string]string{}
		s.unregistered = map[string]time.Time{}
		s.throttled = map[string]int{}
		s.stats.Reasons = map[string]int{}
	}
}

// now reads the server's clock.
func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// AddKey registers a provider signing key (the public half of a .p8 key) under
// its 10-character key id, for teamID. Requests whose JWT names keyID in
// "kid" must be signed by it and carry iss = teamID.
func (s *Server) AddKey(keyID, teamID string, pub *ecdsa.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.keys[keyID] = providerKey{teamID: teamID, pub: pub}
}

// RemoveKey revokes a key, as revoking it in the developer portal does: its
// tokens get 403 InvalidProviderToken from then on.
func (s *Server) RemoveKey(keyID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	delete(s.keys, keyID)
}

// AddTopic allows teamID to push to topic (an app's bundle id, or the bundle
// id with .voip, .complication, … appended for those push types; register
// each one used). Other teams get 400 TopicDisallowed for it.
func (s *Server) AddTopic(teamID string, topics ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	for _, t := range topics {
		s.topics[t] = teamID
	}
}

// BindToken ties a device token to the topic (app) it was issued for; a push
// to it under another topic gets 400 DeviceTokenNotForTopic. Unbound tokens
// are accepted under any allowed topic.
func (s *Server) BindToken(token, topic string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.tokenTopics[strings.ToLower(token)] = topic
}

// Unregister marks a device token as no longer valid since at (the app was
// uninstalled): pushes to it get 410 {"reason":"Unregistered","timestamp":ms}.
func (s *Server) Unregister(token string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.unregistered[strings.ToLower(token)] = at
}

// Throttle makes the next n pushes to token answer 429 TooManyRequests, as
// APNs does when one device gets too many notifications in a row.
func (s *Server) Throttle(token string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.throttled[strings.ToLower(token)] = n
}

// FailNext makes the next request that passes authentication answer status
// with reason, e.g. 503 ServiceUnavailable or 500 InternalServerError, to
// exercise the sender's retries. Calls queue up.
func (s *Server) FailNext(status int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.failures = append(s.failures, failure{status, reason})
}

// Notifications returns a copy of the accepted notifications, oldest first.
func (s *Server) Notifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.accepted
	if limit := s.MaxRecords; limit <= 0 && len(rec) > DefaultMaxRecords {
		rec = rec[len(rec)-DefaultMaxRecords:]
	} else if limit > 0 && len(rec) > limit {
		rec = rec[len(rec)-limit:]
	}
	return append([]Notification(nil), rec...)
}

// Stats returns the counts since the last Reset.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	st := s.stats
	st.Reasons = make(map[string]int, len(s.stats.Reasons))
	for k, v := range s.stats.Reasons {
		st.Reasons[k] = v
	}
	return st
}

// Reset forgets the recorded notifications, the counts, the unregistered and
// throttled tokens and the queued failures; keys, topics and token bindings
// stay, as they are the configuration rather than the run.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.accepted = nil
	s.stats = Stats{Reasons: map[string]int{}}
	s.unregistered = map[string]time.Time{}
	s.throttled = map[string]int{}
	s.failures = nil
}

// TLSServer is the fake listening over HTTP/2 with TLS, as APNs does.
type TLSServer struct {
	*httptest.Server
	// Certificate is the server's self-signed certificate (valid for
	// 127.0.0.1 and example.com) and RootCAs a pool holding it: give RootCAs
	// to the client's tls.Config so it trusts the fake.
	Certificate *x509.Certificate
	RootCAs     *x509.CertPool
}

// Start serves s over TLS offering only HTTP/2 (ALPN "h2"), like APNs, on a
// loopback port; Close the result when done. Its URL is the client's host
// ("https://127.0.0.1:port").
func (s *Server) Start() *TLSServer {
	ts := httptest.NewUnstartedServer(s)
	ts.EnableHTTP2 = true
	ts.StartTLS()
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	return &TLSServer{Server: ts, Certificate: ts.Certificate(), RootCAs: pool}
}

// ServeHTTP answers one push.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The answer carries the request's apns-id (even a malformed one, which
	// is then refused), or a new one, so every answer can be correlated.
	apnsID := r.Header.Get("apns-id")
	if apnsID == "" {
		apnsID = newUUID()
	}
	w.Header().Set("apns-id", apnsID)
	n, status, reason, ts := s.serve(r, apnsID)
	s.mu.Lock()
	s.init()
	if status == http.StatusOK {
		s.stats.Accepted++
		s.accepted = append(s.accepted, n)
		limit := s.MaxRecords
		if limit <= 0 {
			limit = DefaultMaxRecords
		}
		if len(s.accepted) > limit+limit/4 {
			s.accepted = append([]Notification(nil), s.accepted[len(s.accepted)-limit:]...)
		}
	} else {
		s.stats.Rejected++
		s.stats.Reasons[reason]++
	}
	s.mu.Unlock()
	if status == http.StatusOK {
		w.WriteHeader(http.StatusOK)
		return
	}
	body := map[string]any{"reason": reason}
	if !ts.IsZero() {
		body["timestamp"] = ts.UnixMilli()
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// serve checks the request in the order APNs reports problems (method and
// path, then the provider token, then headers, then the device and payload)
// and returns the notification or the refusal. ts is set for 410 only.
func (s *Server) serve(r *http.Request, apnsID string) (n Notification, status int, reason string, ts time.Time) {
	const prefix = "/3/device/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		return n, http.StatusNotFound, ReasonBadPath, ts
	}
	if r.Method != http.MethodPost {
		return n, http.StatusMethodNotAllowed, ReasonMethodNotAllowed, ts
	}
	token := strings.TrimPrefix(r.URL.Path, prefix)
	if strings.Contains(token, "/") {
		return n, http.StatusNotFound, ReasonBadPath, ts
	}
	keyID, teamID, reason := s.authenticate(r.Header.Get("authorization"))
	if reason != "" {
		return n, http.StatusForbidden, reason, ts
	}
	// Repeated headers are refused by APNs (DuplicateHeaders); HTTP/2
	// clients rarely send them, so the fake only checks the ones it reads.
	topic := r.Header.Get("apns-topic")
	if topic == "" {
		return n, http.StatusBadRequest, ReasonMissingTopic, ts
	}
	pushType := r.Header.Get("apns-push-type")
	if pushType != "" && !slices.Contains(PushTypes, pushType) {
		return n, http.StatusBadRequest, ReasonInvalidPushType, ts
	}
	priority := 0
	if p := r.Header.Get("apns-priority"); p != "" {
		v, err := strconv.Atoi(p)
		if err != nil || (v != 1 && v != 5 && v != 10) {
			return n, http.StatusBadRequest, ReasonBadPriority, ts
		}
		priority = v
	}
	expiration := int64(-1)
	if e := r.Header.Get("apns-expiration"); e != "" {
		v, err := strconv.ParseInt(e, 10, 64)
		if err != nil || v < 0 {
			return n, http.StatusBadRequest, ReasonBadExpirationDate, ts
		}
		expiration = v
	}
	collapseID := r.Header.Get("apns-collapse-id")
	if len(collapseID) > MaxCollapseID {
		return n, http.StatusBadRequest, ReasonBadCollapseID, ts
	}
	if id := r.Header.Get("apns-id"); id != "" && !uuidRE.MatchString(id) {
		return n, http.StatusBadRequest, ReasonBadMessageID, ts
	}
	if token == "" {
		return n, http.StatusBadRequest, ReasonMissingDeviceToken, ts
	}
	if !deviceTokenRE.MatchString(token) {
		return n, http.StatusBadRequest, ReasonBadDeviceToken, ts
	}
	limit := MaxPayload
	if pushType == "voip" {
		limit = MaxVoIPPayload
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		return n, http.StatusBadRequest, ReasonBadPayload, ts
	}
	if len(payload) > limit {
		return n, http.StatusRequestEntityTooLarge, ReasonPayloadTooLarge, ts
	}
	if len(strings.TrimSpace(string(payload))) == 0 {
		return n, http.StatusBadRequest, ReasonPayloadEmpty, ts
	}
	var body map[string]json.RawMessage
	if json.Unmarshal(payload, &body) != nil {
		return n, http.StatusBadRequest, ReasonBadPayload, ts
	}
	var aps map[string]json.RawMessage
	if raw, ok := body["aps"]; !ok || json.Unmarshal(raw, &aps) != nil || aps == nil {
		return n, http.StatusBadRequest, ReasonBadPayload, ts
	}

	key := strings.ToLower(token)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if owner, ok := s.topics[topic]; !ok || owner != teamID {
		return n, http.StatusBadRequest, ReasonTopicDisallowed, ts
	}
	if bound, ok := s.tokenTopics[key]; ok && bound != topic {
		return n, http.StatusBadRequest, ReasonDeviceTokenNotForTopic, ts
	}
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		return n, f.status, f.reason, ts
	}
	if left := s.throttled[key]; left > 0 {
		s.throttled[key] = left - 1
		return n, http.StatusTooManyRequests, ReasonTooManyRequests, ts
	}
	if at, ok := s.unregistered[key]; ok {
		return n, http.StatusGone, ReasonUnregistered, at
	}
	return Notification{
		DeviceToken: token,
		Topic:       topic,
		PushType:    pushType,
		Priority:    priority,
		Expiration:  expiration,
		CollapseID:  collapseID,
		ApnsID:      apnsID,
		Payload:     payload,
		KeyID:       keyID,
		TeamID:      teamID,
		At:          s.now(),
	}, http.StatusOK, "", ts
}

// authenticate verifies the provider token of an "authorization: bearer
// <JWT>" header: an ES256 JWT whose header names a registered key ("kid"),
// signed by that key, with iss = the key's team and an iat within
// TokenLifetime. It returns the key and team, or the 403 reason.
func (s *Server) authenticate(h string) (keyID, teamID, reason string) {
	if h == "" {
		return "", "", ReasonMissingProviderToken
	}
	scheme, jwt, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(jwt) == "" {
		return "", "", ReasonMissingProviderToken
	}
	parts := strings.Split(strings.TrimSpace(jwt), ".")
	if len(parts) != 3 {
		return "", "", ReasonInvalidProviderToken
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims struct {
		Iss string `json:"iss"`
		Iat *int64 `json:"iat"`
	}
	if decodeSegment(parts[0], &hdr) != nil || decodeSegment(parts[1], &claims) != nil {
		return "", "", ReasonInvalidProviderToken
	}
	if hdr.Alg != "ES256" || hdr.Kid == "" || claims.Iss == "" || claims.Iat == nil {
		return "", "", ReasonInvalidProviderToken
	}
	s.mu.Lock()
	s.init()
	key, ok := s.keys[hdr.Kid]
	s.mu.Unlock()
	if !ok || key.teamID != claims.Iss {
		return "", "", ReasonInvalidProviderToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return "", "", ReasonInvalidProviderToken
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	rr, ss := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	if !ecdsa.Verify(key.pub, digest[:], rr, ss) {
		return "", "", ReasonInvalidProviderToken
	}
	iat := time.Unix(*claims.Iat, 0)
	now := s.now()
	if now.Sub(iat) > TokenLifetime {
		return "", "", ReasonExpiredProviderToken
	}
	// A token issued in the future (beyond a little clock skew) is not one
	// APNs can trust either.
	if iat.Sub(now) > 5*time.Minute {
		return "", "", ReasonInvalidProviderToken
	}
	return hdr.Kid, claims.Iss, ""
}

// decodeSegment decodes one base64url JWT segment into v.
func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

var (
	// deviceTokenRE is the shape of a device token: 32 bytes in hex. APNs
	// has documented tokens as variable length, but every token issued today
	// is 64 hex digits, and the fake holds senders to that.
	deviceTokenRE = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
	// uuidRE is the canonical 8-4-4-4-12 form apns-id must take.
	uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

// newUUID returns a random (version 4) UUID in upper case, as APNs generates
// them.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := strings.ToUpper(hex.EncodeToString(b[:]))
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}
