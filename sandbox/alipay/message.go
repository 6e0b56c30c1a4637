package alipay

import (
	"encoding/json"
	"net/url"
)

// messageBiz is the biz_content of alipay.open.public.message.single.send.
type messageBiz struct {
	ToUserID string `json:"to_user_id"`
	ToOpenID string `json:"to_open_id"`
	Template *struct {
		TemplateID string          `json:"template_id"`
		Context    json.RawMessage `json:"context"`
	} `json:"template"`
}

// messageContext is the part of the template context Alipay requires.
type messageContext struct {
	HeadColor  string `json:"head_color"`
	URL        string `json:"url"`
	ActionName string `json:"action_name"`
}

// messageNode is the alipay_open_public_message_single_send_response node.
type messageNode struct {
	Code  string `json:"code"`
	Msg   string `json:"msg"`
	MsgID string `json:"msg_id"`
}

// messageSingleSend serves alipay.open.public.message.single.send: it checks the fields
// Alipay requires (one recipient, template_id, and head_color, url, action_name in the
// context) and records the message for the sandbox phone. Refusals of the life account
// itself (citizen not following, template not owned, quotas) are simulated with FailNext.
func (g *Gateway) messageSingleSend(appID string, params url.Values) (any, *Error) {
	biz := params.Get("biz_content")
	if biz == "" {
		return nil, missingArg("isv.missing-biz-content", "缺少业务参数biz_content")
	}
	var m messageBiz
	if err := json.Unmarshal([]byte(biz), &m); err != nil {
		return nil, invalidArg("isv.invalid-parameter", "参数无效: biz_content 不是合法的 JSON")
	}
	switch {
	case m.ToUserID == "" && m.ToOpenID == "":
		return nil, invalidArg("isv.invalid-parameter", "参数无效: to_user_id 与 to_open_id 不能同时为空")
	case m.Template == nil || m.Template.TemplateID == "":
		return nil, invalidArg("isv.invalid-parameter", "参数无效: template.template_id 不能为空")
	}
	var c messageContext
	if len(m.Template.Context) == 0 || json.Unmarshal(m.Template.Context, &c) != nil {
		return nil, invalidArg("isv.invalid-parameter", "参数无效: template.context 不能为空")
	}
	switch {
	case c.HeadColor == "":
		return nil, invalidArg("isv.invalid-parameter", "参数无效: context.head_color 不能为空")
	case c.URL == "":
		return nil, invalidArg("isv.invalid-parameter", "参数无效: context.url 不能为空")
	case c.ActionName == "":
		return nil, invalidArg("isv.invalid-parameter", "参数无效: context.action_name 不能为空")
	}
	id := randomID(12)
	g.messages = append(g.messages, Message{
		Time: g.now(), AppID: appID, MsgID: id,
		ToUserID: m.ToUserID, ToOpenID: m.ToOpenID, TemplateID: m.Template.TemplateID,
		Context: append(json.RawMessage(nil), m.Template.Context...),
	})
	return messageNode{Code: "10000", Msg: "Success", MsgID: id}, nil
}
