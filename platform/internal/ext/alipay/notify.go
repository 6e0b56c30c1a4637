package alipay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
)

// Errors of notification verification.
var (
	// ErrNotifyAppMismatch: the notification verifies but is addressed to another app;
	// acting on it would let one app's notifications drive another's.
	ErrNotifyAppMismatch = errors.New("alipay: the notification is for another app")
	// ErrNotifyMissingID: the notification has no notify_id, so it cannot be handled
	// idempotently.
	ErrNotifyMissingID = errors.New("alipay: the notification has no notify_id")
)

// maxNotifyBytes bounds a notification body; Alipay's are well under a kilobyte.
const maxNotifyBytes = 64 << 10

// Answers Alipay expects from a notification endpoint. Anything but "success" makes
// Alipay deliver the notification again later (for about a day).
const (
	notifySuccess = "success"
	notifyFail    = "fail"
)

// VerifyNotify checks an asynchronous notification posted by Alipay: its sign must be
// the RSA2 signature, by the Alipay public key, of all its other fields except sign_type
// (see SignContent), and its app_id, when present, must be this client's. Only a verified
// notification may change state; a forged one is ErrBadSignature.
func (c *Client) VerifyNotify(form url.Values) error {
	if st := form["sign_type"]; len(st) > 1 || (len(st) == 1 && st[0] != SignTypeRSA2) {
		return fmt.Errorf("%w: notification sign_type %q, want %q", ErrBadSignature, form.Get("sign_type"), SignTypeRSA2)
	}
	params := make(url.Values, len(form))
	for k, vs := range form {
		if k != "sign_type" {
			params[k] = vs
		}
	}
	if err := VerifyParams(params, c.alipayKey); err != nil {
		return fmt.Errorf("alipay: notification: %w", err)
	}
	if appID := form.Get("app_id"); appID != "" && appID != c.appID {
		return fmt.Errorf("%w: %s", ErrNotifyAppMismatch, appID)
	}
	return nil
}

// NotifyLog remembers which notifications have been handled, so that Alipay's
// redeliveries (it resends until it reads "success", and may resend after that too) do
// not repeat their effect. The platform backs it with a table keyed by notify_id;
// MemoryNotifyLog serves tests and sandbox mode.
type NotifyLog interface {
	// Handled reports whether notifyID was handled before.
	Handled(ctx context.Context, notifyID string) (bool, error)
	// MarkHandled records that notifyID was handled. It is called only after the
	// handler succeeded, so a failed attempt is retried on Alipay's next delivery.
	MarkHandled(ctx context.Context, notifyID string) error
}

// MemoryNotifyLog is a NotifyLog in memory; its zero value is ready. It forgets on
// restart, so production uses a database-backed log.
type MemoryNotifyLog struct {
	mu   sync.Mutex
	seen map[string]bool
}

// Handled implements NotifyLog.
func (m *MemoryNotifyLog) Handled(_ context.Context, notifyID string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seen[notifyID], nil
}

// MarkHandled implements NotifyLog.
func (m *MemoryNotifyLog) MarkHandled(_ context.Context, notifyID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = map[string]bool{}
	}
	m.seen[notifyID] = true
	return nil
}

// MemoryNotifyLog must stay usable wherever a NotifyLog is.
var _ NotifyLog = (*MemoryNotifyLog)(nil)

// NotifyFunc acts on a verified notification. It returns an error to have Alipay deliver
// the notification again later.
type NotifyFunc func(ctx context.Context, form url.Values) error

// NotifyHandler returns the endpoint Alipay posts notifications to. It verifies each one
// (VerifyNotify), calls fn at most once per notify_id as recorded in log, and answers
// "success" to a verified notification that was handled now or before, and "fail"
// otherwise so that Alipay retries.
//
// Deliveries of the same notify_id are serialised inside this process, so two copies in
// flight at once cannot both reach fn; across platform instances the log is the guard,
// and Alipay's retry interval (minutes) keeps copies apart.
func (c *Client) NotifyHandler(log NotifyLog, fn NotifyFunc) http.Handler {
	return &notifyHandler{c: c, log: log, fn: fn}
}

// notifyHandler is the http.Handler of NotifyHandler.
type notifyHandler struct {
	c     *Client
	log   NotifyLog
	fn    NotifyFunc
	locks keyedMutex
}

// notifyHandler is mounted as a plain http.Handler by the HTTP layer.
var _ http.Handler = (*notifyHandler)(nil)

// ServeHTTP handles one delivery.
func (h *notifyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		answer(w, http.StatusMethodNotAllowed, notifyFail)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxNotifyBytes)
	if err := r.ParseForm(); err != nil {
		answer(w, http.StatusBadRequest, notifyFail)
		return
	}
	form := r.PostForm
	if err := h.c.VerifyNotify(form); err != nil {
		answer(w, http.StatusBadRequest, notifyFail)
		return
	}
	id := form.Get("notify_id")
	if id == "" {
		answer(w, http.StatusBadRequest, notifyFail)
		return
	}
	ctx := r.Context()
	h.locks.lock(id)
	defer h.locks.unlock(id)
	done, err := h.log.Handled(ctx, id)
	if err != nil {
		answer(w, http.StatusInternalServerError, notifyFail)
		return
	}
	if done {
		answer(w, http.StatusOK, notifySuccess)
		return
	}
	if err := h.fn(ctx, form); err != nil {
		answer(w, http.StatusInternalServerError, notifyFail)
		return
	}
	// The work is done: answer success even if recording it fails, since "fail" would
	// make Alipay redeliver and repeat the effect that the log failed to guard.
	_ = h.log.MarkHandled(ctx, id)
	answer(w, http.StatusOK, notifySuccess)
}

// answer writes the plain-text body Alipay reads.
func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// keyedMutex is a set of mutexes by key, created on demand and dropped when unused, so
// that deliveries of one notify_id wait for each other without serialising all of them.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

// keyedEntry is one key's mutex and the number of holders and waiters.
type keyedEntry struct {
	mu sync.Mutex
	n  int
}

// lock takes the mutex of key.
func (k *keyedMutex) lock(key string) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{}
		k.m[key] = e
	}
	e.n++
	k.mu.Unlock()
	e.mu.Lock()
}

// unlock releases the mutex of key and forgets it when nobody else waits.
func (k *keyedMutex) unlock(key string) {
	k.mu.Lock()
	e := k.m[key]
	e.n--
	if e.n == 0 {
		delete(k.m, key)
	}
	k.mu.Unlock()
	e.mu.Unlock()
}
