// Package fcm is a protocol-faithful fake of Firebase Cloud Messaging's HTTP v1 API, so the
// platform's FCM sender (firebase.google.com/go/v4 messaging, pointed here with
// option.WithEndpoint and option.WithoutAuthentication) is exercised with no Google project.
//
// Server speaks:
//
//	POST /v1/projects/{project}/messages:send {"message": {...}, "validate_only": bool}
//	  → 200 {"name": "projects/{project}/messages/{id}"}
//
// and answers failures the way FCM does: an HTTP status with the Google API error envelope
// {"error": {"code", "message", "status", "details": [{"@type": ".../google.firebase.fcm.v1.FcmError",
// "errorCode"}]}}, whose errorCode the firebase client maps to its IsUnregistered,
// IsQuotaExceeded, … predicates.
//
// It imports the standard library only: it fakes the outside and does not know the platform.
package fcm

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FCM's limits, as the real service enforces them.
const (
	// MaxPayload is the largest message FCM accepts (4096 bytes of data and notification).
	MaxPayload = 4096
	maxBody    = 1 << 20
	maxRecords = 100000
)

// Error codes (FcmError.errorCode) with the HTTP status and canonical status FCM pairs them with.
const (
	CodeUnregistered     = "UNREGISTERED"       // 404 NOT_FOUND: the app was uninstalled or the token expired
	CodeInvalidArgument  = "INVALID_ARGUMENT"   // 400: malformed token or message
	CodeQuotaExceeded    = "QUOTA_EXCEEDED"     // 429 RESOURCE_EXHAUSTED: sending too fast
	CodeSenderIDMismatch = "SENDER_ID_MISMATCH" // 403 PERMISSION_DENIED: token of another project
	CodeUnavailable      = "UNAVAILABLE"        // 503: try again with backoff
	CodeInternal         = "INTERNAL"           // 500
)

var codeStatus = map[string]struct {
	http   int
	status string
}{
	CodeUnregistered:     {http.StatusNotFound, "NOT_FOUND"},
	CodeInvalidArgument:  {http.StatusBadRequest, "INVALID_ARGUMENT"},
	CodeQuotaExceeded:    {http.StatusTooManyRequests, "RESOURCE_EXHAUSTED"},
	CodeSenderIDMismatch: {http.StatusForbidden, "PERMISSION_DENIED"},
	CodeUnavailable:      {http.StatusServiceUnavailable, "UNAVAILABLE"},
	CodeInternal:         {http.StatusInternalServerError, "INTERNAL"},
}

// Message is one accepted message as recorded.
type Message struct {
	Project string
	ID      string
	Token   string
	Topic   string
	// Raw is the "message" object as sent.
	Raw  json.RawMessage
	Data map[string]string
	At   time.Time
}

// Server is the fake; its zero value is ready and accepts any project.
type Server struct {
	// Projects, when not empty, are the only project ids accepted (others 404).
	Projects []string
	// RetryAfter is sent with QUOTA_EXCEEDED answers; zero sends none.
	RetryAfter time.Duration

	mu           sync.Mutex
	unregistered map[string]bool
	throttle     map[string]int // token → how many more sends answer QUOTA_EXCEEDED
	failNext     []string       // error codes for the next sends, any token
	msgs         []Message
	count        int
}

// Unregister makes token answer UNREGISTERED from now on, as after an uninstall.
func (s *Server) Unregister(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unregistered == nil {
		s.unregistered = map[string]bool{}
	}
	s.unregistered[token] = true
}

// Throttle makes the next n sends to token answer 429 QUOTA_EXCEEDED.
func (s *Server) Throttle(token string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.throttle == nil {
		s.throttle = map[string]int{}
	}
	s.throttle[token] = n
}

// FailNext makes the next sends, whatever their token, fail with these error codes in order.
func (s *Server) FailNext(codes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, codes...)
}

// Messages returns a copy of the accepted messages, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Count is how many messages were accepted in all (not bounded by the record).
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Reset forgets the messages, the unregistered tokens and the pending failures.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs, s.count, s.unregistered, s.throttle, s.failNext = nil, 0, nil, nil, nil
}

var (
	sendPath = regexp.MustCompile(`^/v1/projects/([a-z][a-z0-9-]{2,62})/messages:send$`)
	// A registration token is long base64url text, usually "<instance id>:<APA91…>".
	tokenShape = regexp.MustCompile(`^[A-Za-z0-9_\-:]+$`)
	topicShape = regexp.MustCompile(`^[a-zA-Z0-9\-_.~%]+$`)
)

// ServeHTTP implements the v1 send endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := sendPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeErr(w, http.StatusNotFound, "NOT_FOUND", "", "The requested URL was not found on this server.")
		return
	}
	if r.Method != http.MethodPost {
		writeErr(w, http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "", "Method not allowed; use POST.")
		return
	}
	project := m[1]
	if len(s.Projects) > 0 && !contains(s.Projects, project) {
		writeErr(w, http.StatusNotFound, "NOT_FOUND", CodeSenderIDMismatch, "Requested entity was not found.")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		writeErr(w, http.StatusBadRequest, "INVALID_ARGUMENT", CodeInvalidArgument, "Request body too large or unreadable.")
		return
	}
	var req struct {
		Message      json.RawMessage `json:"message"`
		ValidateOnly bool            `json:"validate_only"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.Message) == 0 {
		writeErr(w, http.StatusBadRequest, "INVALID_ARGUMENT", CodeInvalidArgument, "Invalid JSON payload received. Expected an object with \"message\".")
		return
	}
	var msg struct {
		Token        string         `json:"token"`
		Topic        string         `json:"topic"`
		Condition    string         `json:"condition"`
		Data         map[string]any `json:"data"`
		Notification map[string]any `json:"notification"`
		Android      map[string]any `json:"android"`
		APNS         map[string]any `json:"apns"`
		Webpush      map[string]any `json:"webpush"`
		FCMOptions   map[string]any `json:"fcm_options"`
	}
	if err := json.Unmarshal(req.Message, &msg); err != nil {
		writeErr(w, http.StatusBadRequest, "INVALID_ARGUMENT", CodeInvalidArgument, "Invalid value at 'message': "+err.Error())
		return
	}
	targets := 0
	for _, t := range []string{msg.Token, msg.Topic, msg.Condition} {
		if t != "" {
			targets++
		}
	}
	if targets != 1 {
		writeErr(w, http.StatusBadRequest, "INVALID_ARGUMENT", CodeInvalidArgument, "Exactly one of token, topic or condition must be set.")
		return
	}
	if msg.Token != "" && (len(msg.Token) < 20 || len(msg.Token) > 4096 || !tokenShape.MatchString(msg.Token)) {
		writeErr(w, http.StatusBadRequest, "INVALID_ARGUMENT", CodeInvalidArgument, "The registration token is not a valid FCM registration token")
		return
	}
	if topic := strings.TrimPrefix(msg.Topic, "/topics/"); msg.Topic != "" && (len(topic) > 900 || !topicShape.MatchString(topic)) {
		writeErr(w, http.StatusBadRequest, "INVALID_ARGUMENT", CodeInvalidArgument, "Invalid topic name.")
		return
	}
	data := map[string]string{}
	for k, v := range msg.Data {
		str, ok := v.(string)
		if !ok {
			writeErr(w, http.StatusBadRequest, "INVALID_ARGUMENT", CodeInvalidArgument, fmt.Sprintf("Invalid value at 'message.data[%s].value' (TYPE_STRING): data values must be strings", k))
			return
		}
		if k == "from" || strings.HasPrefix(k, "google.") || strings.HasPrefix(k, "gcm.") {
			writeErr(w, http.StatusBadRequest, "INVALID_ARGUMENT", CodeInvalidArgument, "Invalid data key: "+k+" is reserved")
			return
		}
		data[k] = str
	}
	if size := payloadSize(msg.Data, msg.Notification); size > MaxPayload {
		writeErr(w, http.StatusBadRequest, "INVALID_ARGUMENT", CodeInvalidArgument, fmt.Sprintf("Message is too big: %d bytes of data and notification, the limit is %d", size, MaxPayload))
		return
	}

	s.mu.Lock()
	var code string
	switch {
	case len(s.failNext) > 0:
		code, s.failNext = s.failNext[0], s.failNext[1:]
	case s.unregistered[msg.Token]:
		code = CodeUnregistered
	case s.throttle[msg.Token] > 0:
		s.throttle[msg.Token]--
		code = CodeQuotaExceeded
	}
	if code != "" {
		s.mu.Unlock()
		if code == CodeQuotaExceeded && s.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(s.RetryAfter.Round(time.Second)/time.Second)))
		}
		st := codeStatus[code]
		writeErr(w, st.http, st.status, code, messages[code])
		return
	}
	id := newID()
	if !req.ValidateOnly {
		s.count++
		s.msgs = append(s.msgs, Message{Project: project, ID: id, Token: msg.Token, Topic: msg.Topic, Raw: req.Message, Data: data, At: time.Now()})
		if len(s.msgs) > maxRecords {
			s.msgs = s.msgs[len(s.msgs)-maxRecords:]
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	_ = json.NewEncoder(w).Encode(map[string]string{"name": "projects/" + project + "/messages/" + id})
}

var messages = map[string]string{
	CodeUnregistered:     "Requested entity was not found.",
	CodeInvalidArgument:  "Request contains an invalid argument.",
	CodeQuotaExceeded:    "Quota exceeded for quota metric 'Send requests' and limit 'Send requests per minute'.",
	CodeSenderIDMismatch: "SenderId mismatch",
	CodeUnavailable:      "The service is currently unavailable.",
	CodeInternal:         "Internal error encountered.",
}

// payloadSize approximates FCM's count: the JSON of data and notification together.
func payloadSize(data, notification map[string]any) int {
	n := 0
	for _, part := range []map[string]any{data, notification} {
		if len(part) > 0 {
			b, _ := json.Marshal(part)
			n += len(b)
		}
	}
	return n
}

func writeErr(w http.ResponseWriter, httpStatus int, status, code, msg string) {
	e := map[string]any{"code": httpStatus, "message": msg, "status": status}
	if code != "" {
		e["details"] = []map[string]string{{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}}
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(httpStatus)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "0:" + strconv.FormatInt(time.Now().UnixMilli(), 10) + "%" + hex.EncodeToString(b[:])
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
