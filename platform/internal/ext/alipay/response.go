package alipay

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Codes of the response envelope.
const (
	// CodeSuccess is the code of a successful call. alipay.system.oauth.token answers
	// success without any code at all.
	CodeSuccess = "10000"
	// errorNode is the node Alipay answers in when the gateway refuses a call (bad
	// signature, unknown app, invalid auth_code) instead of <method>_response.
	errorNode = "error_response"
)

// Sentinels an *APIError matches with errors.Is, so that callers act on the meaning of
// an error rather than on Alipay's code strings.
var (
	// ErrCodeInvalid: the auth_code is wrong, expired, already used or belongs to
	// another app (isv.code-invalid). The citizen must go through the OAuth page again.
	ErrCodeInvalid = errors.New("alipay: invalid or expired auth_code")
	// ErrTokenInvalid: the access token is unknown, expired, or lacks the auth_user
	// scope (aop.invalid-auth-token, aop.auth-token-time-out).
	ErrTokenInvalid = errors.New("alipay: invalid or expired access token")
	// ErrRequestSignature: the gateway could not verify our request (isv.invalid-signature);
	// the app private key does not match the app public key uploaded to Alipay.
	ErrRequestSignature = errors.New("alipay: the gateway refused the request signature")
	// ErrUnavailable: Alipay is temporarily unavailable (code 20000); retry later.
	ErrUnavailable = errors.New("alipay: service temporarily unavailable")
)

// APIError is an error answered by Alipay: the code, msg, sub_code and sub_msg of the
// response node. Code is the family (20000 unavailable, 20001 token, 40001 missing
// argument, 40002 invalid argument, 40004 business failure, 40006 permission), SubCode
// the precise reason.
type APIError struct {
	Method  string // the API method called
	Code    string
	Msg     string
	SubCode string
	SubMsg  string
}

// Error formats the error for logs. The gateway's sub_msg for a refused signature quotes
// the whole signed string, which contains auth codes and tokens; that part is cut off.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("alipay: ")
	if e.Method != "" {
		b.WriteString(e.Method)
		b.WriteString(": ")
	}
	b.WriteString(e.Code)
	if e.Msg != "" {
		b.WriteString(" ")
		b.WriteString(e.Msg)
	}
	if e.SubCode != "" {
		b.WriteString(": ")
		b.WriteString(e.SubCode)
	}
	if msg := safeSubMsg(e.SubMsg); msg != "" {
		b.WriteString(" ")
		b.WriteString(msg)
	}
	return b.String()
}

// Is maps Alipay's sub codes onto the package's sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrCodeInvalid:
		return e.SubCode == "isv.code-invalid"
	case ErrTokenInvalid:
		return e.SubCode == "aop.invalid-auth-token" || e.SubCode == "aop.auth-token-time-out"
	case ErrRequestSignature:
		return e.SubCode == "isv.invalid-signature"
	case ErrUnavailable:
		return e.Code == "20000"
	}
	return false
}

// safeSubMsg drops the signed string the gateway quotes after a signature failure and
// bounds the length, so that an error message carries no credentials and stays readable.
func safeSubMsg(s string) string {
	for _, marker := range []string{"网关生成的验签字符串为", "验签字符串"} {
		if i := strings.Index(s, marker); i >= 0 {
			s = strings.TrimRight(s[:i], "，,：: ") + "（验签字符串已省略）"
			break
		}
	}
	const max = 200
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return s
}

// envelope is the common part of every response node.
type envelope struct {
	Code    string `json:"code"`
	Msg     string `json:"msg"`
	SubCode string `json:"sub_code"`
	SubMsg  string `json:"sub_msg"`
}

// ResponseNode returns the name of the node a method answers in:
// alipay.system.oauth.token → alipay_system_oauth_token_response.
func ResponseNode(method string) string {
	return strings.ReplaceAll(method, ".", "_") + "_response"
}

// parsedResponse is a response body split into the node that was signed and the sign.
type parsedResponse struct {
	node    string // name of the node found: ResponseNode(method) or error_response
	raw     []byte // exact bytes of the node's value in the body
	sign    string // the top-level sign, "" when absent
	isError bool   // the node is error_response
}

// splitResponse cuts the response node of method (or error_response) and the sign out of
// body, keeping the node's bytes exactly as sent: the signature covers those bytes, and
// re-encoding (key order, escapes, number formats) would change them.
func splitResponse(body []byte, method string) (parsedResponse, error) {
	members, err := topLevelMembers(body)
	if err != nil {
		return parsedResponse{}, err
	}
	want := ResponseNode(method)
	var p parsedResponse
	if raw, ok := members[want]; ok {
		p.node, p.raw = want, raw
	} else if raw, ok := members[errorNode]; ok {
		p.node, p.raw, p.isError = errorNode, raw, true
	} else {
		return parsedResponse{}, fmt.Errorf("alipay: %s: the response has neither %s nor %s", method, want, errorNode)
	}
	if len(p.raw) == 0 || p.raw[0] != '{' {
		return parsedResponse{}, fmt.Errorf("alipay: %s: %s is not a JSON object", method, p.node)
	}
	if raw, ok := members["sign"]; ok {
		if err := json.Unmarshal(raw, &p.sign); err != nil {
			return parsedResponse{}, fmt.Errorf("alipay: %s: the sign field is not a string", method)
		}
	}
	return p, nil
}

// topLevelMembers returns the raw bytes of each value of the top-level JSON object in
// body, by key. The body must be valid JSON (checked first, so the scanner below only
// has to find boundaries, not validate); a key repeated at the top level is refused,
// since encoding/json would keep the last copy while the signature may cover the first.
func topLevelMembers(body []byte) (map[string][]byte, error) {
	if !json.Valid(body) {
		return nil, errors.New("alipay: the response is not valid JSON")
	}
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, errors.New("alipay: the response is not a JSON object")
	}
	members := map[string][]byte{}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return members, nil
	}
	for i < len(body) {
		// key
		end := skipString(body, i)
		var key string
		if err := json.Unmarshal(body[i:end], &key); err != nil {
			return nil, errors.New("alipay: the response has an unreadable key")
		}
		i = skipSpace(body, end)
		i = skipSpace(body, i+1) // ':'
		end = skipValue(body, i)
		if _, dup := members[key]; dup {
			return nil, fmt.Errorf("alipay: the response repeats the top-level field %q", key)
		}
		members[key] = body[i:end:end]
		i = skipSpace(body, end)
		if i < len(body) && body[i] == '}' {
			return members, nil
		}
		i = skipSpace(body, i+1) // ','
	}
	return nil, errors.New("alipay: the response ends early")
}

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just after the string starting with the quote at i. A
// backslash always escapes the next byte, so \" and \\ inside strings are handled.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// skipValue returns the index just after the JSON value starting at i. Braces and
// brackets inside strings are skipped with the strings, so "a}b" does not close a node.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	default: // number, true, false, null
		j := i
		for j < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[j])) {
			j++
		}
		return j
	}
}
