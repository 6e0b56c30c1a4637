package zlb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
)

// tokenData is the data of a successful /ticket/validate.
type tokenData struct {
	Token     string `json:"token"`
	ExpiresIn int    `json:"expires_in"`
}

// userData is the data of a successful /user/info.
type userData struct {
	UserID        string `json:"userId"`
	UserName      string `json:"userName"`
	IDType        string `json:"idType"`
	IDNo          string `json:"idNo"`
	Phone         string `json:"phone"`
	RealNameLevel int    `json:"realNameLevel"`
	Region        string `json:"region"`
}

// login is the SSO login page a browser is sent to. The fake citizen signs
// in at once: the browser is redirected to redirect_uri with a fresh ticket
// and the state, unchanged. A bad request gets an HTML error page, as a
// person, not a program, reads it.
func (s *Server) login(w http.ResponseWriter, r *http.Request) (string, string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writePage(w, http.StatusMethodNotAllowed, "请用 GET 打开登录页")
		return "405", ""
	}
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	ru, err := url.Parse(redirect)
	if redirect == "" || err != nil || !ru.IsAbs() || (ru.Scheme != "http" && ru.Scheme != "https") || ru.Host == "" {
		writePage(w, http.StatusBadRequest, "redirect_uri 缺失或不是 http(s) 绝对地址")
		return "400", "redirect_uri " + redirect
	}
	var u User
	chosen := false
	if s.UserFor != nil {
		u, chosen = s.UserFor(r)
	}
	s.mu.Lock()
	s.init()
	if !chosen {
		u = DefaultUser()
		if s.user != nil {
			u = *s.user
		}
	}
	ticket := s.issueTicket("", u)
	s.mu.Unlock()

	rq := ru.Query()
	rq.Set("ticket", ticket)
	rq.Set("state", q.Get("state"))
	ru.RawQuery = rq.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
	return "302", ""
}

// validateTicket exchanges a ticket for a token of the calling app. Tickets
// are single use (1002 the second time), live TicketTTL (1003 afterwards) and
// may be bound to one app (1001 for another, as for an unknown ticket).
func (s *Server) validateTicket(app string, body []byte) (any, string, string) {
	var in struct {
		Ticket string `json:"ticket"`
	}
	if err := decode(body, &in); err != nil {
		return nil, CodeBadRequest, err.Error()
	}
	if in.Ticket == "" {
		return nil, CodeBadRequest, "ticket missing"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	g := s.tickets[in.Ticket]
	now := s.now()
	switch {
	case g == nil || (g.app != "" && g.app != app):
		return nil, CodeTicketInvalid, ErrMsg(CodeTicketInvalid)
	case g.used:
		return nil, CodeTicketUsed, ErrMsg(CodeTicketUsed)
	case !now.Before(g.expires):
		return nil, CodeTicketExpired, ErrMsg(CodeTicketExpired)
	}
	g.used = true
	tok := "AT-" + randomHex(20)
	s.tokens[tok] = &grant{app: app, userID: g.userID, expires: now.Add(TokenTTL)}
	return tokenData{Token: tok, ExpiresIn: int(TokenTTL.Seconds())}, "", ""
}

// userInfo returns the citizen behind a token of the calling app, with the ID
// number masked.
func (s *Server) userInfo(app string, body []byte) (any, string, string) {
	var in struct {
		Token string `json:"token"`
	}
	if err := decode(body, &in); err != nil {
		return nil, CodeBadRequest, err.Error()
	}
	if in.Token == "" {
		return nil, CodeBadRequest, "token missing"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	g := s.tokens[in.Token]
	switch {
	case g == nil || g.app != app:
		return nil, CodeTokenInvalid, ErrMsg(CodeTokenInvalid)
	case !s.now().Before(g.expires):
		return nil, CodeTokenExpired, ErrMsg(CodeTokenExpired)
	}
	u := s.users[g.userID]
	return userData{
		UserID:        u.UserID,
		UserName:      u.UserName,
		IDType:        u.IDType,
		IDNo:          MaskIDNo(u.IDNo),
		Phone:         u.Phone,
		RealNameLevel: u.RealNameLevel,
		Region:        u.Region,
	}, "", ""
}

// decode reads a JSON object body; the message of its error is what the
// fake sends back as errorMsg.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("request body missing")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("request body is not a JSON object")
	}
	return nil
}

// MaskIDNo is how the service hides an ID number: the first 3 and last 4
// characters stay, the rest become "*"; a number of 7 characters or fewer is
// hidden whole. The platform has no business with the full number, so it
// never receives it.
func MaskIDNo(id string) string {
	r := []rune(id)
	if len(r) <= 7 {
		return string(bytes.Repeat([]byte("*"), len(r)))
	}
	for i := 3; i < len(r)-4; i++ {
		r[i] = '*'
	}
	return string(r)
}

// writePage is the error page of the login page.
func writePage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>统一登录</title></head>"+
		"<body><h1>登录失败</h1><p class=\"errmsg\">%s</p></body></html>\n", html.EscapeString(msg))
}
