package push

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"firebase.google.com/go/v4/messaging"

	"github.com/govapp/govapp/platform/internal/ext/alipay"
	"github.com/govapp/govapp/platform/internal/ext/apns"
	"github.com/govapp/govapp/platform/internal/ext/fcm"
	"github.com/govapp/govapp/platform/internal/ext/wechat"
)

// APNsSender sends through one .p8 key: one apns2 client (one HTTP/2 connection pool) per
// APNs environment, shared by all goroutines.
type APNsSender struct {
	// Production and Development send to each environment; a device goes to the one it
	// registered under. Either may be nil when only one is configured.
	Production, Development *apns.Sender
	// Concurrency is how many notifications are in flight at once (default 64; HTTP/2
	// multiplexes them over the connection).
	Concurrency int
}

// Send implements Sender.
func (s *APNsSender) Send(ctx context.Context, ds []*Delivery) []Outcome {
	outs := make([]Outcome, len(ds))
	conc := s.Concurrency
	if conc <= 0 {
		conc = 64
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i, d := range ds {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			outs[i] = s.one(ctx, d)
		}()
	}
	wg.Wait()
	return outs
}

func (s *APNsSender) sender(env string) *apns.Sender {
	if env == "development" {
		return s.Development
	}
	return s.Production
}

func (s *APNsSender) one(ctx context.Context, d *Delivery) Outcome {
	env := d.Device.Environment
	snd := s.sender(env)
	if snd == nil {
		return Outcome{Kind: Fail, Reason: "no_apns_" + env}
	}
	n := d.Notice
	payload := n.apnsBytes()
	collapse := n.CollapseID
	if collapse == "" {
		collapse = n.ID // a redelivered notice replaces itself on the device
	}
	opts := []apns.Option{apns.WithTopic(d.Device.Topic), apns.WithCollapseID(collapse), apns.WithExpiration(n.ExpiresAtT)}
	switch {
	case n.Sensitive:
		opts = append(opts, apns.WithPushType("background"), apns.WithPriority(5))
	case n.Priority == PriorityHigh:
		opts = append(opts, apns.WithPriority(10))
	default:
		opts = append(opts, apns.WithPriority(5))
	}
	r, err := snd.Send(ctx, d.Device.Token, payload, opts...)
	o := apnsOutcome(r, err)
	if o.Kind == Fail && o.Reason == "BadDeviceToken" {
		// A token of the other environment answers BadDeviceToken: try there before
		// calling the token bad, and never drop it for this reason.
		other := "development"
		if env == "development" {
			other = "production"
		}
		if alt := s.sender(other); alt != nil {
			r2, err2 := alt.Send(ctx, d.Device.Token, payload, opts...)
			if o2 := apnsOutcome(r2, err2); o2.Kind == Sent {
				o2.Environment = other
				return o2
			}
		}
	}
	return o
}

func apnsOutcome(r apns.Result, err error) Outcome {
	if err != nil {
		return Outcome{Kind: Retry, Reason: "network"}
	}
	switch {
	case r.Sent():
		return Outcome{Kind: Sent}
	case r.Unregistered:
		return Outcome{Kind: Drop, Reason: "unregistered", At: r.Timestamp}
	case r.Status == 429:
		return Outcome{Kind: Retry, Reason: r.Reason, Throttled: true}
	case r.Status >= 500:
		return Outcome{Kind: Retry, Reason: r.Reason}
	case r.Status == 403 && (r.Reason == "ExpiredProviderToken" || r.Reason == "InvalidProviderToken"):
		return Outcome{Kind: Retry, Reason: r.Reason} // apns2 renews its JWT
	default:
		return Outcome{Kind: Fail, Reason: r.Reason}
	}
}

// FCMSender sends through firebase messaging in batches of up to 500.
type FCMSender struct{ FCM *fcm.Sender }

// Send implements Sender.
func (s *FCMSender) Send(ctx context.Context, ds []*Delivery) []Outcome {
	outs := make([]Outcome, 0, len(ds))
	for start := 0; start < len(ds); start += 500 {
		part := ds[start:min(start+500, len(ds))]
		ms := make([]*messaging.Message, len(part))
		for i, d := range part {
			ms[i] = fcmMessage(d)
		}
		res, err := s.FCM.SendEach(ctx, ms)
		if err != nil {
			for range part {
				outs = append(outs, Outcome{Kind: Retry, Reason: "network"})
			}
			continue
		}
		for _, r := range res {
			outs = append(outs, fcmOutcome(r))
		}
	}
	return outs
}

func fcmMessage(d *Delivery) *messaging.Message {
	n := d.Notice
	collapse := n.CollapseID
	if collapse == "" {
		collapse = n.ID
	}
	ttl := time.Until(n.ExpiresAtT).Truncate(time.Second)
	m := &messaging.Message{Token: d.Device.Token, Data: fcmData(n.ID, &n.NoticeCreate),
		Android: &messaging.AndroidConfig{CollapseKey: collapse, TTL: &ttl, Priority: "normal"}}
	if n.Priority == PriorityHigh {
		m.Android.Priority = "high"
	}
	if !n.Sensitive {
		m.Notification = &messaging.Notification{Title: n.Title, Body: n.Body}
	}
	return m
}

func fcmOutcome(r fcm.Result) Outcome {
	reason := string(r.Outcome)
	if r.Err != nil {
		reason = r.Err.Error()
		if i := strings.IndexByte(reason, ';'); i > 0 {
			reason = reason[:i]
		}
	}
	switch r.Outcome {
	case fcm.Sent:
		return Outcome{Kind: Sent}
	case fcm.Unregistered:
		return Outcome{Kind: Drop, Reason: "unregistered"}
	case fcm.Throttled:
		return Outcome{Kind: Retry, Reason: "throttled", Throttled: true, RetryAfter: r.RetryAfter}
	case fcm.Retry:
		return Outcome{Kind: Retry, Reason: reason, RetryAfter: r.RetryAfter}
	default:
		return Outcome{Kind: Fail, Reason: reason}
	}
}

// WeChatSender sends subscribe messages; Account gives the client of an official account
// (by appid) so each department's account sends its own.
type WeChatSender struct {
	Account func(ctx context.Context, appID string) (*wechat.Client, error)
	// PageBase is the platform's public URL; a tapped message opens the app's page there.
	PageBase string
}

// Send implements Sender.
func (s *WeChatSender) Send(ctx context.Context, ds []*Delivery) []Outcome {
	outs := make([]Outcome, len(ds))
	for i, d := range ds {
		n := d.Notice
		c, err := s.Account(ctx, d.Device.Topic)
		if err != nil {
			outs[i] = Outcome{Kind: Fallback, Reason: "wechat_account_unavailable"}
			continue
		}
		page := n.WeChat.Page
		if page == "" {
			page = appURL(s.PageBase, n)
		}
		err = c.SendSubscribe(ctx, wechat.SubscribeMessage{ToUser: d.Device.Token, TemplateID: n.WeChat.TemplateID,
			Page: page, Data: fill(n.WeChat.Data, &n.NoticeCreate)})
		outs[i] = wechatOutcome(err)
	}
	return outs
}

func wechatOutcome(err error) Outcome {
	switch {
	case err == nil:
		return Outcome{Kind: Sent}
	case errors.Is(err, wechat.ErrNotSubscribed):
		return Outcome{Kind: Fallback, Reason: "not_subscribed"}
	case errors.Is(err, wechat.ErrQuota):
		return Outcome{Kind: Defer, Reason: "daily_quota"}
	case isTransient(err):
		return Outcome{Kind: Retry, Reason: "network"}
	default:
		return Outcome{Kind: Fail, Reason: shortReason(err)}
	}
}

// AlipaySender sends life-account template messages.
type AlipaySender struct {
	Client   *alipay.Client
	PageBase string
}

// Send implements Sender.
func (s *AlipaySender) Send(ctx context.Context, ds []*Delivery) []Outcome {
	outs := make([]Outcome, len(ds))
	for i, d := range ds {
		n := d.Notice
		url := n.Alipay.URL
		if url == "" {
			url = appURL(s.PageBase, n)
		}
		msg := alipay.TemplateMessage{TemplateID: n.Alipay.TemplateID, URL: url, ActionName: "查看详情"}
		if strings.HasPrefix(d.Device.Token, "2088") {
			msg.ToUserID = d.Device.Token
		} else {
			msg.ToOpenID = d.Device.Token
		}
		data := fill(n.Alipay.Data, &n.NoticeCreate)
		if v, ok := data["first"]; ok {
			msg.First = &alipay.TemplateField{Value: v}
		}
		if v, ok := data["remark"]; ok {
			msg.Remark = &alipay.TemplateField{Value: v}
		}
		for k := 1; ; k++ {
			v, ok := data["keyword"+strconv.Itoa(k)]
			if !ok {
				break
			}
			msg.Keywords = append(msg.Keywords, alipay.TemplateField{Value: v})
		}
		_, err := s.Client.SendTemplateMessage(ctx, msg)
		outs[i] = alipayOutcome(err)
	}
	return outs
}

func alipayOutcome(err error) Outcome {
	var ae *alipay.APIError
	switch {
	case err == nil:
		return Outcome{Kind: Sent}
	case errors.Is(err, alipay.ErrUnavailable) || isTransient(err):
		return Outcome{Kind: Retry, Reason: "unavailable"}
	case errors.As(err, &ae):
		sub := strings.ToUpper(ae.SubCode)
		switch {
		case strings.Contains(sub, "UNFOLLOW") || strings.Contains(sub, "NOT-FOLLOW") || strings.Contains(sub, "NOT_FOLLOW"):
			return Outcome{Kind: Fallback, Reason: "not_subscribed"}
		case strings.Contains(sub, "LIMIT") || strings.Contains(sub, "QUOTA"):
			return Outcome{Kind: Defer, Reason: "daily_quota"}
		}
		return Outcome{Kind: Fail, Reason: ae.SubCode}
	default:
		return Outcome{Kind: Fail, Reason: shortReason(err)}
	}
}

// appURL is where a tapped WeChat or Alipay message opens the notice's light app on the
// platform ("" without an app or a public URL).
func appURL(base string, n *Notice) string {
	if n.AppID == "" || base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + "/a/" + n.AppID + "/#" + n.Link
}

func isTransient(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "connection refused")
}

func shortReason(err error) string {
	s := err.Error()
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}
