package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// APIError is an error reply of the platform, decoded from its
// {"code","http","error","field","request_id"} body, so callers can branch on
// the stable Code or the HTTP status and show people the server's own text.
type APIError struct {
	HTTP      int    // HTTP status code of the reply
	Code      int    // stable numeric code (see platform/internal/httpapi/errors.go); 0 if the reply was not a govapp error
	Message   string // the server's explanation, meant for people
	Field     string // the input field at fault, when one is
	RequestID string // X-Request-Id of the reply, to quote when asking for help
}

// Error returns the server's message with the code and HTTP status, e.g.
// "name: must be at most 64 characters; shorten it (code 40001, HTTP 400)".
func (e *APIError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s (code %d, HTTP %d)", e.Message, e.Code, e.HTTP)
	}
	return fmt.Sprintf("%s (HTTP %d)", e.Message, e.HTTP)
}

// errorBody is the JSON shape of every error reply of the API.
type errorBody struct {
	Code      int    `json:"code"`
	HTTP      int    `json:"http"`
	Error     string `json:"error"`
	Field     string `json:"field"`
	RequestID string `json:"request_id"`
}

// decodeError turns a 4xx/5xx reply into an *APIError. A reply that is not a
// govapp error body (a proxy's HTML page, a plain-text 404) still yields a
// useful message: the status text and the start of the body.
func decodeError(resp *http.Response, data []byte) *APIError {
	e := &APIError{HTTP: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var b errorBody
	if err := json.Unmarshal(data, &b); err == nil && b.Error != "" {
		e.Code = b.Code
		e.Message = b.Error
		e.Field = b.Field
		if b.RequestID != "" {
			e.RequestID = b.RequestID
		}
		return e
	}
	msg := http.StatusText(resp.StatusCode)
	if msg == "" {
		msg = "unexpected reply"
	}
	if snippet := firstLine(string(data), 200); snippet != "" {
		msg += ": " + snippet
	}
	e.Message = msg
	return e
}

// firstLine returns the first non-empty line of s, cut to max runes.
func firstLine(s string, max int) string {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if !utf8.ValidString(line) {
			return ""
		}
		if utf8.RuneCountInString(line) > max {
			r := []rune(line)
			return string(r[:max]) + "…"
		}
		return line
	}
	return ""
}
