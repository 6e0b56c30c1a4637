package sandboxmode

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/govapp/govapp/platform"
)

// Arrivals lists what the push fakes accepted, per device, for the sandbox phone page.
func (f *Fakes) Arrivals() []platform.Arrival {
	var out []platform.Arrival
	for _, n := range f.APNs.Notifications() {
		var p struct {
			APS struct {
				Alert struct{ Title, Body string } `json:"alert"`
			} `json:"aps"`
			Gov struct{ Notice string } `json:"govapp"`
		}
		_ = json.Unmarshal(n.Payload, &p)
		title := p.APS.Alert.Title
		if title == "" {
			title = "（静默推送：应用从收件箱读取内容）"
		}
		out = append(out, platform.Arrival{Kind: "apns", Token: strings.ToLower(n.DeviceToken), Title: title, Body: p.APS.Alert.Body, Notice: p.Gov.Notice, At: n.At})
	}
	for _, m := range f.FCM.Messages() {
		var raw struct {
			Notification struct{ Title, Body string } `json:"notification"`
		}
		_ = json.Unmarshal(m.Raw, &raw)
		title := raw.Notification.Title
		if title == "" {
			title = "（数据消息：应用从收件箱读取内容）"
		}
		out = append(out, platform.Arrival{Kind: "fcm", Token: m.Token, Title: title, Body: raw.Notification.Body, Notice: m.Data["notice"], At: m.At})
	}
	for _, m := range f.WeChat.SubscribeMessages() {
		keys := make([]string, 0, len(m.Data))
		for k := range m.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var vals []string
		for _, k := range keys {
			vals = append(vals, m.Data[k].Value)
		}
		out = append(out, platform.Arrival{Kind: "wechat", Token: m.ToUser, Title: "订阅消息 " + m.TemplateID, Body: strings.Join(vals, " / "), At: m.At})
	}
	for _, m := range f.Alipay.Messages() {
		to := m.ToUserID
		if to == "" {
			to = m.ToOpenID
		}
		out = append(out, platform.Arrival{Kind: "alipay", Token: to, Title: "生活号模板消息 " + m.TemplateID, Body: string(m.Context), At: m.Time})
	}
	return out
}
