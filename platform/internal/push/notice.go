package push

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govapp/govapp/platform/internal/errs"
)

// Channels a notice may use, in the sender's order of preference per user. "native" is
// the user's APNs and FCM devices; the in-app inbox is always written and is not listed.
const (
	ChannelNative = "native"
	ChannelWeChat = "wechat"
	ChannelAlipay = "alipay"
)

// channelKinds are the device kinds (push_devices.kind) each channel reaches.
var channelKinds = map[string][]string{
	ChannelNative: {KindAPNs, KindFCM},
	ChannelWeChat: {KindWeChat},
	ChannelAlipay: {KindAlipay},
}

// Notice states.
const (
	StateScheduled = "scheduled" // waiting for send_at; not resolved yet
	StateSending   = "sending"   // resolved, recipients snapshotted, deliveries in the outbox
	StateDone      = "done"      // every delivery finished
	StateCancelled = "cancelled"
)

// Priorities.
const (
	PriorityNormal = "normal"
	PriorityHigh   = "high"
)

// Provider payload limits, checked when the notice is created so nothing oversized is
// queued: APNs allows 4 KB for alerts, FCM 4000 bytes of data and notification.
const (
	MaxAPNsPayload = 4096
	MaxFCMPayload  = 4000
	MaxTitle       = 64
	MaxBody        = 512
	DefaultTTL     = 72 * time.Hour
	MaxTTL         = 28 * 24 * time.Hour // FCM's longest TTL
)

// NoticeCreate is what a sender submits.
type NoticeCreate struct {
	// Scope is the organisation node the notice is sent for; the sender needs push.send
	// there and the audience must lie inside its subtree.
	Scope    string   `json:"scope"`
	Audience Audience `json:"audience"`
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	// AppID and Link deep-link into a light app: the app to open and a path inside it.
	AppID string `json:"app_id,omitempty"`
	Link  string `json:"link,omitempty"`
	// Priority is normal (default) or high.
	Priority string `json:"priority,omitempty"`
	// SendAt schedules the notice (default now); ExpiresAt stops delivery (default 72 h
	// after SendAt, at most 28 days).
	SendAt    *time.Time `json:"send_at,omitempty"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// CollapseID makes newer notices replace older ones on the device.
	CollapseID string `json:"collapse_id,omitempty"`
	// IdempotencyKey makes a retried create return the first notice instead of a second.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// Channels is the order of preference per user; the inbox is always written. Left
	// out, it is native push, then WeChat and Alipay when their templates are given.
	Channels []string `json:"channels,omitempty"`
	// Sensitive sends the push content-free: it only wakes the app, which reads the
	// notice from the inbox with the citizen's own credentials.
	Sensitive bool `json:"sensitive,omitempty"`
	// Templates configure the WeChat and Alipay channels, required when those are listed.
	WeChat *WeChatTemplate `json:"wechat,omitempty"`
	Alipay *AlipayTemplate `json:"alipay,omitempty"`
}

// WeChatTemplate is the subscribe message (订阅通知) a WeChat recipient gets: the official
// account, its template and the keyword values. "{{title}}" and "{{body}}" in a value are
// replaced by the notice's.
type WeChatTemplate struct {
	Account    string            `json:"account"`
	TemplateID string            `json:"template_id"`
	Data       map[string]string `json:"data"`
	Page       string            `json:"page,omitempty"`
}

// AlipayTemplate is the life-account template message an Alipay recipient gets.
type AlipayTemplate struct {
	TemplateID string            `json:"template_id"`
	Data       map[string]string `json:"data"`
	URL        string            `json:"url,omitempty"`
}

func validCollapse(s string) bool { return s == "" || reID.MatchString(s) }

// normalise fills defaults and checks everything that does not need the store. now is
// the creation time.
func (n *NoticeCreate) normalise(now time.Time) error {
	n.Title, n.Body = strings.TrimSpace(n.Title), strings.TrimSpace(n.Body)
	if n.Title == "" {
		return errs.Invalid("title", "is empty; a notice needs a title (at most %d characters)", MaxTitle)
	}
	if utf8.RuneCountInString(n.Title) > MaxTitle {
		return errs.Invalid("title", "is %d characters; at most %d", utf8.RuneCountInString(n.Title), MaxTitle)
	}
	if n.Body == "" {
		return errs.Invalid("body", "is empty; say what the citizen should know or do")
	}
	if utf8.RuneCountInString(n.Body) > MaxBody {
		return errs.Invalid("body", "is %d characters; at most %d — put the rest behind the link", utf8.RuneCountInString(n.Body), MaxBody)
	}
	if n.AppID != "" && !reID.MatchString(n.AppID) {
		return errs.Invalid("app_id", "%q is not a light-app id", n.AppID)
	}
	if n.Link != "" {
		if n.AppID == "" {
			return errs.Invalid("link", "needs app_id: a link is a path inside a light app")
		}
		u, err := url.Parse(n.Link)
		if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(n.Link, "/") || len(n.Link) > 512 {
			return errs.Invalid("link", "%q is not a path inside the app; write it like /pension/certify?year=2026", n.Link)
		}
	}
	switch n.Priority {
	case "":
		n.Priority = PriorityNormal
	case PriorityNormal, PriorityHigh:
	default:
		return errs.Invalid("priority", "%q is not a priority; use normal or high", n.Priority)
	}
	if !validCollapse(n.CollapseID) {
		return errs.Invalid("collapse_id", "at most 64 letters, digits, _ . : -")
	}
	if n.IdempotencyKey != "" && (len(n.IdempotencyKey) > 128 || !utf8.ValidString(n.IdempotencyKey)) {
		return errs.Invalid("idempotency_key", "at most 128 bytes of UTF-8")
	}
	if n.SendAt == nil {
		t := now
		n.SendAt = &t
	} else {
		t := n.SendAt.UTC().Truncate(time.Microsecond)
		// A minute of grace for clocks and queues; older than that is a mistake.
		if t.Before(now.Add(-time.Minute)) {
			return errs.Invalid("send_at", "%s is in the past; leave it out to send now", t.Format(time.RFC3339))
		}
		if t.Before(now) {
			t = now
		}
		n.SendAt = &t
	}
	if n.ExpiresAt == nil {
		t := n.SendAt.Add(DefaultTTL)
		n.ExpiresAt = &t
	} else {
		t := n.ExpiresAt.UTC().Truncate(time.Microsecond)
		if !t.After(*n.SendAt) {
			return errs.Invalid("expires_at", "must be after the send time %s", n.SendAt.Format(time.RFC3339))
		}
		if t.Sub(*n.SendAt) > MaxTTL {
			return errs.Invalid("expires_at", "is more than 28 days after the send time; providers keep a notice at most 28 days")
		}
		n.ExpiresAt = &t
	}
	if len(n.Channels) == 0 {
		// Native push first, then the mini channels the sender configured a template for.
		n.Channels = []string{ChannelNative}
		if n.WeChat != nil {
			n.Channels = append(n.Channels, ChannelWeChat)
		}
		if n.Alipay != nil {
			n.Channels = append(n.Channels, ChannelAlipay)
		}
	}
	seen := map[string]bool{}
	for i, c := range n.Channels {
		if _, ok := channelKinds[c]; !ok {
			return errs.Invalid(fmt.Sprintf("channels[%d]", i), "%q is not a channel; use native, wechat or alipay (the inbox is always written)", c)
		}
		if seen[c] {
			return errs.Invalid(fmt.Sprintf("channels[%d]", i), "%q is listed twice", c)
		}
		seen[c] = true
	}
	if seen[ChannelWeChat] {
		t := n.WeChat
		if t == nil || t.Account == "" || t.TemplateID == "" || len(t.Data) == 0 {
			return errs.Invalid("wechat", "the wechat channel needs the official account, a subscribe template_id and its data; or leave wechat out of channels")
		}
	} else {
		n.WeChat = nil
	}
	if seen[ChannelAlipay] {
		t := n.Alipay
		if t == nil || t.TemplateID == "" || len(t.Data) == 0 {
			return errs.Invalid("alipay", "the alipay channel needs a life-account template_id and its data; or leave alipay out of channels")
		}
	} else {
		n.Alipay = nil
	}
	// Render once now so an oversized payload is refused before anything is queued.
	if seen[ChannelNative] {
		if p := apnsPayload("n_0000000000000000", n); len(p) > MaxAPNsPayload {
			return errs.Invalid("body", "makes an APNs payload of %d bytes; APNs allows %d — shorten the title, body or link", len(p), MaxAPNsPayload)
		}
		if sz := fcmSize("n_0000000000000000", n); sz > MaxFCMPayload {
			return errs.Invalid("body", "makes an FCM message of %d bytes; FCM allows %d — shorten the title, body or link", sz, MaxFCMPayload)
		}
	}
	return nil
}

// bodyHash identifies what was asked, so a retried create with the same idempotency key
// but another body is told apart (409) from a true retry.
func (n NoticeCreate) bodyHash() string {
	c := n
	c.IdempotencyKey = ""
	b, _ := json.Marshal(c)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func newNoticeID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return "n_" + hex.EncodeToString(b[:])
}

// apnsPayload is the JSON APNs gets. The notice id rides along so the app can collapse
// at-least-once duplicates and fetch the notice; a sensitive notice carries nothing else.
func apnsPayload(id string, n *NoticeCreate) []byte {
	type alert struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	type aps struct {
		Alert            *alert `json:"alert,omitempty"`
		Sound            string `json:"sound,omitempty"`
		ContentAvailable int    `json:"content-available,omitempty"`
		ThreadID         string `json:"thread-id,omitempty"`
	}
	type gov struct {
		Notice string `json:"notice"`
		App    string `json:"app,omitempty"`
		Link   string `json:"link,omitempty"`
	}
	p := struct {
		APS aps `json:"aps"`
		Gov gov `json:"govapp"`
	}{Gov: gov{Notice: id}}
	if n.Sensitive {
		p.APS.ContentAvailable = 1
	} else {
		p.APS = aps{Alert: &alert{Title: n.Title, Body: n.Body}, Sound: "default", ThreadID: n.AppID}
		p.Gov.App, p.Gov.Link = n.AppID, n.Link
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p)
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// fcmData is the data map FCM gets; with fcmNotification it is the whole message.
func fcmData(id string, n *NoticeCreate) map[string]string {
	d := map[string]string{"notice": id}
	if !n.Sensitive {
		if n.AppID != "" {
			d["app"] = n.AppID
		}
		if n.Link != "" {
			d["link"] = n.Link
		}
	}
	return d
}

// fcmSize approximates FCM's counted size: data keys and values plus notification text.
func fcmSize(id string, n *NoticeCreate) int {
	size := 0
	for k, v := range fcmData(id, n) {
		size += len(k) + len(v)
	}
	if !n.Sensitive {
		size += len(n.Title) + len(n.Body)
	}
	return size
}

// fill replaces {{title}} and {{body}} in a template's values.
func fill(data map[string]string, n *NoticeCreate) map[string]string {
	out := make(map[string]string, len(data))
	r := strings.NewReplacer("{{title}}", n.Title, "{{body}}", n.Body)
	for k, v := range data {
		out[k] = r.Replace(v)
	}
	return out
}

func kindsOf(channels []string) []string {
	var out []string
	for _, c := range channels {
		out = append(out, channelKinds[c]...)
	}
	slices.Sort(out)
	return out
}
