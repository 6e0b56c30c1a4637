// Package fcm sends Android (and web) push notifications through Firebase Cloud Messaging's
// HTTP v1 API with the official client, firebase.google.com/go/v4 messaging. BaseURL points
// it at sandbox/fcm in development and tests (option.WithEndpoint with no authentication),
// so the platform's code path is the same against Google and against the fake.
//
// Like ext/apns, a provider's verdict (unregistered token, quota exceeded, bad message) is
// data in Result for the push domain to act on; the error is for failures to ask at all.
package fcm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	firebase "firebase.google.com/go/v4"
	"firebase.google.com/go/v4/errorutils"
	"firebase.google.com/go/v4/messaging"
	"google.golang.org/api/option"
)

// MaxBatch is the most messages FCM takes in one SendEach call.
const MaxBatch = 500

// Config is one Firebase project's credentials.
type Config struct {
	ProjectID string
	// CredentialsJSON is the service account key; unused with BaseURL.
	CredentialsJSON []byte
	// BaseURL, when set, replaces https://fcm.googleapis.com (a sandbox/fcm URL); requests
	// then carry no Google credentials.
	BaseURL string
	// HTTPClient, when set with BaseURL, carries the requests (tests, proxies).
	HTTPClient *http.Client
}

// Sender sends for one project; it is safe for concurrent use.
type Sender struct {
	client *messaging.Client
}

// New builds a Sender.
func New(ctx context.Context, cfg Config) (*Sender, error) {
	if cfg.ProjectID == "" {
		return nil, errors.New("fcm: ProjectID is required; it is the Firebase project id, e.g. gov-app-prod")
	}
	var opts []option.ClientOption
	switch {
	case cfg.BaseURL != "":
		opts = append(opts, option.WithEndpoint(cfg.BaseURL+"/v1"), option.WithoutAuthentication())
		if cfg.HTTPClient != nil {
			opts = append(opts, option.WithHTTPClient(cfg.HTTPClient))
		}
	case len(cfg.CredentialsJSON) > 0:
		opts = append(opts, option.WithCredentialsJSON(cfg.CredentialsJSON))
	default:
		return nil, errors.New("fcm: no credentials; set the service account JSON, or a sandbox BaseURL")
	}
	app, err := firebase.NewApp(ctx, &firebase.Config{ProjectID: cfg.ProjectID}, opts...)
	if err != nil {
		return nil, fmt.Errorf("fcm: %w", err)
	}
	c, err := app.Messaging(ctx)
	if err != nil {
		return nil, fmt.Errorf("fcm: %w", err)
	}
	return &Sender{client: c}, nil
}

// Outcome classifies FCM's answer the way the push domain acts on it.
type Outcome string

const (
	Sent         Outcome = "sent"
	Unregistered Outcome = "unregistered" // drop the token
	Throttled    Outcome = "throttled"    // retry later, after RetryAfter when given
	Invalid      Outcome = "invalid"      // the message or token is bad: do not retry
	Retry        Outcome = "retry"        // 5xx and transport failures: retry with backoff
)

// Result is FCM's answer to one message.
type Result struct {
	Outcome    Outcome
	MessageID  string        // projects/{p}/messages/{id} when sent
	RetryAfter time.Duration // from the Retry-After header, when FCM sent one
	Err        error         // FCM's error, when not sent
}

// Send sends one message.
func (s *Sender) Send(ctx context.Context, m *messaging.Message) Result {
	id, err := s.client.Send(ctx, m)
	return classify(id, err)
}

// SendEach sends up to MaxBatch messages, one result each, in order.
func (s *Sender) SendEach(ctx context.Context, ms []*messaging.Message) ([]Result, error) {
	if len(ms) > MaxBatch {
		return nil, fmt.Errorf("fcm: %d messages in one batch, at most %d", len(ms), MaxBatch)
	}
	br, err := s.client.SendEach(ctx, ms)
	if err != nil {
		return nil, fmt.Errorf("fcm: %w", err)
	}
	out := make([]Result, len(br.Responses))
	for i, r := range br.Responses {
		out[i] = classify(r.MessageID, r.Error)
	}
	return out, nil
}

func classify(id string, err error) Result {
	if err == nil {
		return Result{Outcome: Sent, MessageID: id}
	}
	r := Result{Err: err}
	switch {
	case messaging.IsUnregistered(err):
		r.Outcome = Unregistered
	case messaging.IsQuotaExceeded(err):
		r.Outcome = Throttled
	case messaging.IsInvalidArgument(err), messaging.IsSenderIDMismatch(err), messaging.IsThirdPartyAuthError(err):
		r.Outcome = Invalid
	default:
		r.Outcome = Retry
	}
	if resp := errorutils.HTTPResponse(err); resp != nil {
		if secs, e := strconv.Atoi(resp.Header.Get("Retry-After")); e == nil && secs > 0 {
			r.RetryAfter = time.Duration(secs) * time.Second
		}
	}
	return r
}
