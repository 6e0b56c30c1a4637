package alipay

import (
	"context"
	"errors"
	"fmt"
)

// MethodPublicMessageSingleSend sends a template message from the app's life account
// (生活号) to one citizen.
//
// It is the push channel chosen over alipay.open.app.mini.templatemessage.send because
// light apps run as H5 pages signed in through the web OAuth page (publicAppAuthorize),
// which yields exactly the user ID this method addresses; the mini-program method needs
// a form_id or trade_no that only a mini program's form submit or payment produces, so an
// H5 light app could never obtain one. The citizen must follow the life account.
const MethodPublicMessageSingleSend = "alipay.open.public.message.single.send"

// DefaultTemplateColor is used for the head bar and for fields without a colour; Alipay
// requires a colour on each of them.
const DefaultTemplateColor = "#333333"

// TemplateField is one placeholder value of a template and its text colour.
type TemplateField struct {
	Value string
	Color string // "#RRGGBB"; DefaultTemplateColor when empty
}

// TemplateMessage is a life-account template message. Exactly one of ToUserID (2088…)
// and ToOpenID addresses the citizen, whichever ID the app's OAuth returned.
type TemplateMessage struct {
	ToUserID   string
	ToOpenID   string
	TemplateID string // the template taken from the template library in the console
	// URL is the page the message opens; it must be on a domain configured for the app.
	URL string
	// ActionName is the link text at the bottom, e.g. 查看详情 (at most 8 characters).
	ActionName string
	HeadColor  string // DefaultTemplateColor when empty
	First      *TemplateField
	// Keywords fill keyword1, keyword2, … in order.
	Keywords []TemplateField
	Remark   *TemplateField
}

// SendResult is what Alipay answers to a sent message.
type SendResult struct {
	// MsgID identifies the message for a later recall; Alipay may leave it empty.
	MsgID string `json:"msg_id"`
}

// SendTemplateMessage sends msg through alipay.open.public.message.single.send. Alipay's
// refusals (citizen not following the life account, template not owned, rate limits)
// are *APIError values with code 40004 and Alipay's sub_code, for the push service to
// record per delivery.
func (c *Client) SendTemplateMessage(ctx context.Context, msg TemplateMessage) (SendResult, error) {
	biz, err := msg.bizContent()
	if err != nil {
		return SendResult{}, err
	}
	var r SendResult
	if err := c.Call(ctx, MethodPublicMessageSingleSend, biz, nil, &r); err != nil {
		return SendResult{}, err
	}
	return r, nil
}

// bizContent builds the biz_content of the message, refusing what Alipay would refuse
// so that the push service learns it without a round trip.
func (m TemplateMessage) bizContent() (map[string]any, error) {
	switch {
	case m.ToUserID == "" && m.ToOpenID == "":
		return nil, errors.New("alipay: template message without a recipient; set ToUserID or ToOpenID")
	case m.ToUserID != "" && m.ToOpenID != "":
		return nil, errors.New("alipay: template message with both ToUserID and ToOpenID; set one")
	case m.TemplateID == "":
		return nil, errors.New("alipay: template message without TemplateID")
	case m.URL == "":
		return nil, errors.New("alipay: template message without URL; Alipay requires the page the message opens")
	case m.ActionName == "":
		return nil, errors.New("alipay: template message without ActionName (e.g. 查看详情)")
	}
	ctx := map[string]any{
		"head_color":  orDefault(m.HeadColor, DefaultTemplateColor),
		"url":         m.URL,
		"action_name": m.ActionName,
	}
	field := func(f TemplateField) map[string]string {
		return map[string]string{"value": f.Value, "color": orDefault(f.Color, DefaultTemplateColor)}
	}
	if m.First != nil {
		ctx["first"] = field(*m.First)
	}
	for i, k := range m.Keywords {
		ctx[fmt.Sprintf("keyword%d", i+1)] = field(k)
	}
	if m.Remark != nil {
		ctx["remark"] = field(*m.Remark)
	}
	biz := map[string]any{"template": map[string]any{"template_id": m.TemplateID, "context": ctx}}
	if m.ToUserID != "" {
		biz["to_user_id"] = m.ToUserID
	} else {
		biz["to_open_id"] = m.ToOpenID
	}
	return biz, nil
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
