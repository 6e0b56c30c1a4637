// Package sms fakes an SMS gateway: it accepts send requests with an API key, records the
// messages (so tests and the sandbox phone page can read the verification codes citizens
// would receive) and can be told to fail.
package sms

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sync"
	"time"
)

// Message is one text the gateway "sent".
type Message struct {
	Phone string    `json:"phone"`
	Text  string    `json:"text"`
	At    time.Time `json:"at"`
}

// Gateway is the fake; its zero value accepts any API key until APIKey is set.
type Gateway struct {
	// APIKey, when set, must be sent as "Authorization: Bearer <key>".
	APIKey string

	mu       sync.Mutex
	messages []Message
	failNext string
}

var rePhone = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// FailNext makes the next send fail with reason (e.g. "quota exceeded").
func (g *Gateway) FailNext(reason string) {
	g.mu.Lock()
	g.failNext = reason
	g.mu.Unlock()
}

// Messages returns what was sent so far.
func (g *Gateway) Messages() []Message {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Message(nil), g.messages...)
}

// Last returns the last message sent to phone.
func (g *Gateway) Last(phone string) (Message, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := len(g.messages) - 1; i >= 0; i-- {
		if g.messages[i].Phone == phone {
			return g.messages[i], true
		}
	}
	return Message{}, false
}

type reply struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ServeHTTP answers POST /send {"phone","text"} with {"code":"OK"} or an error code, as
// common Chinese SMS gateways do (HTTP 200, a code in the body).
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	write := func(code, msg string) { _ = json.NewEncoder(w).Encode(reply{Code: code, Message: msg}) }
	if r.Method != http.MethodPost || r.URL.Path != "/send" {
		w.WriteHeader(http.StatusNotFound)
		write("NotFound", "POST /send")
		return
	}
	if g.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+g.APIKey {
		write("InvalidAccessKey", "the API key is not valid")
		return
	}
	var in struct {
		Phone string `json:"phone"`
		Text  string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		write("InvalidParameter", "the body is not JSON")
		return
	}
	if !rePhone.MatchString(in.Phone) {
		write("InvalidPhoneNumber", "not a mainland mobile number")
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failNext != "" {
		reason := g.failNext
		g.failNext = ""
		write("SendFailed", reason)
		return
	}
	g.messages = append(g.messages, Message{Phone: in.Phone, Text: in.Text, At: time.Now()})
	write("OK", "sent")
}
