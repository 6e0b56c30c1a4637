package wechat

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

// Send endpoints. silenceper's Template.Send and Subscribe.Send take no
// context (so they could neither be cancelled nor routed to BaseURL) and
// report errcodes only inside formatted strings; the client therefore posts
// silenceper's message types with silenceper's util.PostJSONContext and
// decodes the answer itself.
const (
	templateSendPath  = "/cgi-bin/message/template/send"
	subscribeSendPath = "/cgi-bin/message/subscribe/bizsend"
)

// TemplateMessage is a template message (模板消息) to one follower.
type TemplateMessage struct {
	ToUser      string                   // openid of the recipient
	TemplateID  string                   // a template added to the account
	URL         string                   // opened when the user taps the message; optional
	Data        map[string]TemplateValue // the template's keywords
	MiniProgram *MiniProgram             // opened instead of URL when set
	ClientMsgID string                   // makes a retried send idempotent on WeChat's side
}

// TemplateValue is one keyword of a template message.
type TemplateValue struct {
	Value string
	Color string // "#RRGGBB"; optional
}

// MiniProgram names a mini program page a message opens.
type MiniProgram struct {
	AppID    string
	PagePath string
}

// SubscribeMessage is a subscribe message (订阅通知, bizsend) to a user who
// accepted the template.
type SubscribeMessage struct {
	ToUser      string            // openid of the recipient
	TemplateID  string            // the subscribed template
	Page        string            // web page opened when tapped; optional
	Data        map[string]string // keyword -> value
	MiniProgram *MiniProgram      // opened instead of Page when set
}

// sendResult is the answer of both send endpoints.
type sendResult struct {
	util.CommonError
	MsgID int64 `json:"msgid"`
}

// SendTemplate sends a template message and returns WeChat's msgid. A
// recipient who does not follow the account gives ErrNotSubscribed; an
// exhausted daily quota gives ErrQuota.
func (c *Client) SendTemplate(ctx context.Context, msg TemplateMessage) (int64, error) {
	wire := &message.TemplateMessage{
		ToUser:      msg.ToUser,
		TemplateID:  msg.TemplateID,
		URL:         msg.URL,
		ClientMsgID: msg.ClientMsgID,
		Data:        make(map[string]*message.TemplateDataItem, len(msg.Data)),
	}
	for k, v := range msg.Data {
		wire.Data[k] = &message.TemplateDataItem{Value: v.Value, Color: v.Color}
	}
	if msg.MiniProgram != nil {
		wire.MiniProgram.AppID = msg.MiniProgram.AppID
		wire.MiniProgram.PagePath = msg.MiniProgram.PagePath
	}
	res, err := c.send(ctx, "send template message", templateSendPath, wire)
	return res.MsgID, err
}

// SendSubscribe sends a subscribe message. A recipient who does not follow
// the account gives ErrNotSubscribed; an exhausted quota gives ErrQuota.
func (c *Client) SendSubscribe(ctx context.Context, msg SubscribeMessage) error {
	wire := &message.SubscribeMessage{
		ToUser:     msg.ToUser,
		TemplateID: msg.TemplateID,
		Page:       msg.Page,
		Data:       make(map[string]*message.SubscribeDataItem, len(msg.Data)),
	}
	for k, v := range msg.Data {
		wire.Data[k] = &message.SubscribeDataItem{Value: v}
	}
	if msg.MiniProgram != nil {
		wire.MiniProgram.AppID = msg.MiniProgram.AppID
		wire.MiniProgram.PagePath = msg.MiniProgram.PagePath
	}
	_, err := c.send(ctx, "send subscribe message", subscribeSendPath, wire)
	return err
}

// send posts body to an access_token endpoint, refreshing the token and
// retrying once on 40001/42001.
func (c *Client) send(ctx context.Context, op, path string, body any) (sendResult, error) {
	var res sendResult
	err := c.withToken(ctx, func(tok string) error {
		cctx, cancel := c.callCtx(ctx)
		defer cancel()
		raw, err := util.PostJSONContext(cctx, apiURL(path, url.Values{"access_token": {tok}}), body)
		if err != nil {
			return c.callErr(op, err)
		}
		res = sendResult{}
		if err := json.Unmarshal(raw, &res); err != nil {
			return c.callErr(op, err)
		}
		if res.ErrCode != 0 {
			return c.apiErr(op, res.ErrCode, res.ErrMsg)
		}
		return nil
	})
	return res, err
}
