package wechat

import (
	"encoding/json"
	"net/url"
)

// templateSendBody is the request of /cgi-bin/message/template/send. Data
// values must be objects ({"value":..}); a bare string is 47001 on WeChat
// and here.
type templateSendBody struct {
	ToUser      string                   `json:"touser"`
	TemplateID  string                   `json:"template_id"`
	URL         string                   `json:"url"`
	Data        map[string]TemplateValue `json:"data"`
	ClientMsgID string                   `json:"client_msg_id"`
}

// subscribeSendBody is the request of /cgi-bin/message/subscribe/bizsend.
type subscribeSendBody struct {
	ToUser     string                   `json:"touser"`
	TemplateID string                   `json:"template_id"`
	Page       string                   `json:"page"`
	Data       map[string]TemplateValue `json:"data"`
}

// sentBody is the success answer of a send; template sends carry a msgid.
type sentBody struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
	MsgID   int64  `json:"msgid,omitempty"`
}

// checkSend runs the checks both sends share, in WeChat's order: token,
// quota, body, recipient, template, following. Callers hold s.mu.
func (s *Server) checkSend(path string, q url.Values, body []byte, into any, toUser, templateID func() string) (*grant, *errorBody) {
	g, e := s.checkToken(q)
	if e != nil {
		return nil, e
	}
	fail := func(code int) (*grant, *errorBody) {
		e := errBody(code, "")
		return nil, &e
	}
	if s.overQuota(g.appID, path) {
		return fail(ErrCodeQuota)
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fail(ErrCodeDataFormat)
	}
	if toUser() == "" {
		return fail(ErrCodeInvalidOpenID)
	}
	a := s.apps[g.appID]
	if id := templateID(); id == "" || (len(a.templates) > 0 && !a.templates[id]) {
		return fail(ErrCodeInvalidTemplateID)
	}
	if s.unfollowed[toUser()] {
		return fail(ErrCodeRequireSubscribe)
	}
	return g, nil
}

// sendTemplate accepts a template message and records it.
func (s *Server) sendTemplate(path string, q url.Values, body []byte) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	var m templateSendBody
	g, e := s.checkSend(path, q, body, &m, func() string { return m.ToUser }, func() string { return m.TemplateID })
	if e != nil {
		return *e
	}
	s.nextMsgID++
	if s.nextMsgID == 1 {
		s.nextMsgID = 2_000_000_001 // msgids look like WeChat's, never 0
	}
	s.templates = appendBounded(s.templates, TemplateMessage{
		AppID: g.appID, MsgID: s.nextMsgID, ToUser: m.ToUser, TemplateID: m.TemplateID,
		URL: m.URL, Data: m.Data, At: s.now(),
	})
	return sentBody{ErrMsg: "ok", MsgID: s.nextMsgID}
}

// sendSubscribe accepts a subscribe message and records it.
func (s *Server) sendSubscribe(path string, q url.Values, body []byte) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	var m subscribeSendBody
	g, e := s.checkSend(path, q, body, &m, func() string { return m.ToUser }, func() string { return m.TemplateID })
	if e != nil {
		return *e
	}
	s.subscribes = appendBounded(s.subscribes, SubscribeMessage{
		AppID: g.appID, ToUser: m.ToUser, TemplateID: m.TemplateID, Page: m.Page, Data: m.Data, At: s.now(),
	})
	return sentBody{ErrMsg: "ok"}
}
