// Package apns sends iOS push notifications through Apple's APNs provider API
// with token (.p8) authentication, using github.com/sideshow/apns2. The host
// is Apple's development or production endpoint, or BaseURL (sandbox/apns in
// development and tests), so the same code path is exercised everywhere.
//
// Send returns APNs' verdict as data rather than as an error: a rejection
// (400 BadDeviceToken, 410 Unregistered, 429 TooManyRequests, …) is a normal
// outcome the push domain acts on (drop the token, retry later), while the
// error is kept for transport failures.
package apns

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"time"

	"github.com/sideshow/apns2"
	"github.com/sideshow/apns2/token"
	"golang.org/x/net/http2"
)

// Config is one app's APNs credentials.
type Config struct {
	// KeyP8 is the .p8 signing key from the developer portal (PEM, PKCS#8,
	// EC P-256).
	KeyP8 []byte
	// KeyID is the key's 10-character id, TeamID the developer team's id.
	KeyID, TeamID string
	// Topic is the app's bundle id, the default apns-topic.
	Topic string
	// Production chooses api.push.apple.com over api.sandbox.push.apple.com
	// (the APNs development environment, not our sandbox).
	Production bool
	// BaseURL, when set, replaces Apple's host, e.g. the URL of a
	// sandbox/apns fake.
	BaseURL string
}

// Sender sends notifications for one app.
type Sender struct {
	client *apns2.Client
	topic  string
}

// New builds a Sender. httpClient, when non-nil, replaces apns2's HTTP/2
// client; it must speak HTTP/2 (APNs does not speak HTTP/1.1), e.g.
// HTTP2Client with the sandbox's RootCAs.
func New(cfg Config, httpClient *http.Client) (*Sender, error) {
	if cfg.KeyID == "" || cfg.TeamID == "" {
		return nil, errors.New("apns: KeyID and TeamID are required")
	}
	key, err := token.AuthKeyFromBytes(cfg.KeyP8)
	if err != nil {
		return nil, err
	}
	c := apns2.NewTokenClient(&token.Token{AuthKey: key, KeyID: cfg.KeyID, TeamID: cfg.TeamID})
	if cfg.Production {
		c.Production()
	} else {
		c.Development()
	}
	if cfg.BaseURL != "" {
		c.Host = cfg.BaseURL
	}
	if httpClient != nil {
		c.HTTPClient = httpClient
	}
	return &Sender{client: c, topic: cfg.Topic}, nil
}

// HTTP2Client returns an HTTP/2-only client like apns2's own, trusting roots
// instead of the system pool (nil roots means the system pool). Tests pass the
// sandbox fake's RootCAs.
func HTTP2Client(roots *x509.CertPool) *http.Client {
	return &http.Client{
		Transport: &http2.Transport{
			TLSClientConfig: &tls.Config{RootCAs: roots},
			ReadIdleTimeout: apns2.ReadIdleTimeout,
		},
		Timeout: apns2.HTTPClientTimeout,
	}
}

// Result is APNs' answer to one notification.
type Result struct {
	// Status is the HTTP status: 200 accepted, else a rejection.
	Status int
	// Reason is APNs' reason for a rejection ("" when accepted).
	Reason string
	// ApnsID identifies the notification: the one set with WithApnsID, or
	// the one APNs generated.
	ApnsID string
	// Unregistered is set on 410: the device token is no longer valid for
	// the topic and must not be used again; Timestamp is when APNs last
	// knew it to be invalid (zero when APNs gave none). A token registered
	// again after Timestamp is valid.
	Unregistered bool
	Timestamp    time.Time
}

// Sent reports whether APNs accepted the notification.
func (r Result) Sent() bool { return r.Status == http.StatusOK }

// Option sets a header of one notification.
type Option func(*apns2.Notification)

// WithPushType sets apns-push-type (alert when not set).
func WithPushType(t string) Option {
	return func(n *apns2.Notification) { n.PushType = apns2.EPushType(t) }
}

// WithPriority sets apns-priority: 10 immediately, 5 power-saving, 1 lowest.
func WithPriority(p int) Option { return func(n *apns2.Notification) { n.Priority = p } }

// WithCollapseID sets apns-collapse-id: notifications with the same id replace
// each other on the device (at most 64 bytes).
func WithCollapseID(id string) Option { return func(n *apns2.Notification) { n.CollapseID = id } }

// WithExpiration sets apns-expiration: APNs stores and retries the
// notification until then.
func WithExpiration(t time.Time) Option { return func(n *apns2.Notification) { n.Expiration = t } }

// WithApnsID sets apns-id (a canonical UUID) instead of letting APNs pick one.
func WithApnsID(id string) Option { return func(n *apns2.Notification) { n.ApnsID = id } }

// WithTopic overrides the configured topic, e.g. bundle id + ".voip".
func WithTopic(topic string) Option { return func(n *apns2.Notification) { n.Topic = topic } }

// Send delivers payload (the JSON with the "aps" dictionary) to deviceToken.
// The error is for transport failures only; APNs' rejections are in Result.
func (s *Sender) Send(ctx context.Context, deviceToken string, payload []byte, opts ...Option) (Result, error) {
	n := &apns2.Notification{DeviceToken: deviceToken, Topic: s.topic, Payload: payload}
	for _, o := range opts {
		o(n)
	}
	resp, err := s.client.PushWithContext(ctx, n)
	if err != nil {
		return Result{}, err
	}
	r := Result{Status: resp.StatusCode, Reason: resp.Reason, ApnsID: resp.ApnsID}
	if resp.StatusCode == http.StatusGone {
		r.Unregistered = true
		r.Timestamp = resp.Timestamp.Time
	}
	return r, nil
}
