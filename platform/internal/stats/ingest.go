package stats

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govapp/govapp/platform/internal/errs"
)

// Batch is one POST of sdk-js: events sent together, with the phone's clock at sending so
// the server can correct the phone's skew.
type Batch struct {
	// SentAt is the phone's clock when the batch left, in milliseconds since the epoch.
	SentAt int64 `json:"sent_at"`
	// App is the default app of the events.
	App string `json:"app,omitempty"`
	// DeviceID is the app-scoped id sdk-js keeps in localStorage; it names the user when
	// no citizen is signed in.
	DeviceID string  `json:"device_id,omitempty"`
	Events   []Event `json:"events"`

	bad map[int]error // items that did not decode, by index (ParseBatch)
}

// Event is one item of a batch.
type Event struct {
	// ID is made by the phone; a resent event keeps it, so it is stored once.
	ID  string `json:"id"`
	App string `json:"app,omitempty"`
	// Name is a built-in event name or custom_<name>.
	Name string `json:"name"`
	// TS is the phone's clock at the event, in milliseconds since the epoch.
	TS               int64           `json:"ts"`
	Container        string          `json:"container"`
	ContainerVersion string          `json:"container_version,omitempty"`
	Version          string          `json:"version,omitempty"`
	Page             string          `json:"page,omitempty"`
	Props            json.RawMessage `json:"props,omitempty"`
}

// Origin is what the server knows about a batch besides its body. There is no IP here on
// purpose: the HTTP layer derives a coarse region (from the user's profile, else from an
// offline IP table) and discards the address.
type Origin struct {
	// CitizenID is the signed-in citizen's platform id, "" when signed out.
	CitizenID string
	// Region is a GB/T 2260 code, "" when unknown.
	Region string
	// ReceivedAt is the server's clock at arrival (default now).
	ReceivedAt time.Time
}

// Item statuses and rejection codes.
const (
	StatusAccepted  = "accepted"
	StatusDuplicate = "duplicate"
	StatusRejected  = "rejected"

	CodeInvalid    = "invalid"
	CodeUnknownApp = "unknown_app"
	CodeFuture     = "future"
	CodeTooOld     = "too_old"
)

// ItemResult is the answer for one event; a bad item never drops the good ones.
type ItemResult struct {
	Index  int    `json:"index"`
	ID     string `json:"id,omitempty"`
	Status string `json:"status"`
	Code   string `json:"code,omitempty"`
	Field  string `json:"field,omitempty"`
	Error  string `json:"error,omitempty"`
}

// Result answers a batch: totals, and one item per event in order.
type Result struct {
	Accepted   int          `json:"accepted"`
	Duplicates int          `json:"duplicates"`
	Rejected   int          `json:"rejected"`
	Items      []ItemResult `json:"items"`
}

var (
	reEventID  = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)
	reAppID    = regexp.MustCompile(`^[a-z][a-z0-9-]{2,39}$`)
	reDeviceID = regexp.MustCompile(`^[A-Za-z0-9_-]{8,128}$`)
	reCustom   = regexp.MustCompile(`^custom_[a-z0-9_]{1,40}$`)
	reVersion  = regexp.MustCompile(`^[A-Za-z0-9._+-]{1,32}$`)
	reRegion   = regexp.MustCompile(`^[1-9][0-9]{5}$`)
	rePropKey  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,39}$`)
)

// isIDChars reports whether s is min to max of [A-Za-z0-9_-] (reEventID, reDeviceID),
// without the regexp engine: ingest checks every event.
func isIDChars(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// isAppID is reAppID.MatchString.
func isAppID(s string) bool {
	if len(s) < 3 || len(s) > 40 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// isVersion is reVersion.MatchString.
func isVersion(s string) bool {
	if len(s) < 1 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

var builtinNames = map[string]bool{EventLaunch: true, EventPageView: true, EventJSAPICall: true, EventError: true, EventUpdate: true, EventNoticeOpen: true}

// ParseBatch decodes a request body. Whole-batch faults (too large, not JSON, too many
// events, no sent_at) are errors; an event that does not decode is kept as a per-item
// rejection, so the others still count.
func ParseBatch(body []byte) (Batch, error) {
	if len(body) > MaxBatchBytes {
		return Batch{}, errs.Invalid("body", "is %d bytes; a batch carries at most %d (what navigator.sendBeacon can send): send fewer events per batch", len(body), MaxBatchBytes)
	}
	// Most batches are well formed: decode them in one pass, and only when that fails go
	// item by item to tell the bad events from the good ones.
	var fast Batch
	ok := decodeBatchFast(body, &fast)
	if !ok {
		fast = Batch{}
		ok = json.Unmarshal(body, &fast) == nil
	}
	if ok {
		if err := fast.checkShape(); err != nil {
			return Batch{}, err
		}
		return fast, nil
	}
	var env struct {
		SentAt   int64             `json:"sent_at"`
		App      string            `json:"app"`
		DeviceID string            `json:"device_id"`
		Events   []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Batch{}, errs.Invalid(te.Field, "has the wrong type (%s); see the batch format in docs/STATS.md", te.Value)
		}
		return Batch{}, errs.Invalid("body", "is not a JSON batch (%v); send {\"sent_at\":ms,\"events\":[...]}", err)
	}
	b := Batch{SentAt: env.SentAt, App: env.App, DeviceID: env.DeviceID, Events: make([]Event, len(env.Events))}
	if err := b.checkShape(); err != nil {
		return Batch{}, err
	}
	for i, raw := range env.Events {
		if err := decodeEvent(raw, &b.Events[i]); err != nil {
			if b.bad == nil {
				b.bad = map[int]error{}
			}
			b.bad[i] = err
		}
	}
	return b, nil
}

func (b *Batch) checkShape() error {
	switch {
	case len(b.Events) == 0:
		return errs.Invalid("events", "is empty; send at least one event")
	case len(b.Events) > MaxBatchEvents:
		return errs.Invalid("events", "holds %d events; a batch holds at most %d: split it", len(b.Events), MaxBatchEvents)
	case b.SentAt <= 0:
		return errs.Invalid("sent_at", "is missing; set it to Date.now() when the batch is sent, so the server can correct the phone's clock")
	}
	return nil
}

func decodeEvent(raw json.RawMessage, e *Event) error {
	if err := json.Unmarshal(raw, e); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return errs.Invalid(te.Field, "must be a %s, not a %s", te.Type.Kind(), te.Value)
		}
		return errs.Invalid("event", "is not a JSON object: %v", err)
	}
	return nil
}

// entry is an accepted event as it is stored.
type entry struct {
	app, id, name, channel, region string
	containerVersion, version      string
	page, props                    string
	user                           [16]byte
	ts, received                   int64 // ms
	day                            Day
	k                              idKey // hashed (app, id): duplicates
}

// userHash keys the citizen or app-scoped device id with the secret; 128 bits keep
// collisions out of reach at any population while halving the index.
func (s *Store) userHash(kind, id string) [16]byte {
	m, _ := s.macs.Get().(hash.Hash)
	if m == nil {
		m = hmac.New(sha256.New, s.cfg.Secret)
	}
	m.Reset() // back to the keyed state: no key schedule per call
	io.WriteString(m, kind)
	m.Write([]byte{0})
	io.WriteString(m, id)
	var sum [sha256.Size]byte
	var out [16]byte
	copy(out[:], m.Sum(sum[:0]))
	s.macs.Put(m)
	return out
}

// UserHash returns the stored hash of a citizen id, for a citizen's request to see or erase
// their own events.
func (s *Store) UserHash(citizenID string) string {
	h := s.userHash("c", citizenID)
	return hex.EncodeToString(h[:])
}

// Ingest checks a batch event by event, answers each, and queues the good ones for the
// next write. Duplicates of stored or queued events answer "duplicate" and are not queued.
// The error is for whole-batch faults (bad shape, ErrBusy, the store unreachable).
func (s *Store) Ingest(ctx context.Context, b Batch, o Origin) (Result, error) {
	if err := b.checkShape(); err != nil {
		return Result{}, err
	}
	if o.ReceivedAt.IsZero() {
		o.ReceivedAt = s.cfg.Now()
	}
	if o.Region != "" && !reRegion.MatchString(o.Region) {
		return Result{}, errs.Invalid("region", "%q is not a GB/T 2260 code (six digits)", o.Region)
	}
	if o.CitizenID == "" && !isIDChars(b.DeviceID, 8, 128) {
		return Result{}, errs.Invalid("device_id", "is needed when no citizen is signed in: 8–128 letters, digits, _ or -, kept by sdk-js per app")
	}
	recv := o.ReceivedAt.UnixMilli()
	skew := recv - b.SentAt // the phone's clock is this far behind the server's
	res := Result{Items: make([]ItemResult, len(b.Events))}
	apps := map[string]bool{}
	seen := make(map[idKey]bool, len(b.Events))
	good := make([]entry, 0, len(b.Events))
	goodIdx := make([]int, 0, len(b.Events))
	var user [16]byte
	userOf := "" // the app of user: a device id is app-scoped
	for i := range b.Events {
		ev := &b.Events[i]
		it := &res.Items[i]
		it.Index, it.ID = i, ev.ID
		if err := b.bad[i]; err != nil {
			reject(it, CodeInvalid, err)
			continue
		}
		if ev.App == "" {
			ev.App = b.App
		}
		e, code, err := s.check(ev, recv, skew)
		if err != nil {
			reject(it, code, err)
			continue
		}
		known, ok := apps[e.app]
		if !ok {
			var err error
			if known, err = s.cfg.Apps(ctx, e.app); err != nil {
				return Result{}, fmt.Errorf("stats: look up app %s: %w", e.app, err)
			}
			apps[e.app] = known
		}
		if !known {
			reject(it, CodeUnknownApp, errs.Invalid("app", "%q is not a registered app; check the app id in govapp.json", e.app))
			continue
		}
		e.k = s.w.recent.key(e.app, e.id)
		if seen[e.k] {
			it.Status = StatusDuplicate
			continue
		}
		seen[e.k] = true
		e.region = o.Region
		switch {
		case o.CitizenID != "" && userOf == "":
			user, userOf = s.userHash("c", o.CitizenID), "*"
		case o.CitizenID == "" && userOf != e.app:
			user, userOf = s.userHash("d", e.app+"\x00"+b.DeviceID), e.app
		}
		e.user = user
		e.received = recv
		good = append(good, e)
		goodIdx = append(goodIdx, i)
	}
	accepted := make([]bool, len(good))
	if err := s.w.enqueue(ctx, good, accepted); err != nil {
		return Result{}, err
	}
	for j, i := range goodIdx {
		if accepted[j] {
			res.Items[i].Status = StatusAccepted
		} else {
			res.Items[i].Status = StatusDuplicate
		}
	}
	for _, it := range res.Items {
		switch it.Status {
		case StatusAccepted:
			res.Accepted++
		case StatusDuplicate:
			res.Duplicates++
		default:
			res.Rejected++
		}
	}
	return res, nil
}

func reject(it *ItemResult, code string, err error) {
	it.Status, it.Code, it.Field, it.Error = StatusRejected, code, errs.Field(err), err.Error()
}

// check validates one event and corrects its time by the batch's skew.
func (s *Store) check(ev *Event, recv, skew int64) (entry, string, error) {
	bad := func(field, format string, args ...any) (entry, string, error) {
		return entry{}, CodeInvalid, errs.Invalid(field, format, args...)
	}
	if !isIDChars(ev.ID, 8, 64) {
		return bad("id", "%q is not an event id; use 8–64 letters, digits, _ or - (sdk-js makes a random one)", ev.ID)
	}
	if !isAppID(ev.App) {
		return bad("app", "%q is not an app id; set app on the batch or the event", ev.App)
	}
	if !builtinNames[ev.Name] && !reCustom.MatchString(ev.Name) {
		return bad("name", "%q is not an event name; use app_launch, page_view, jsapi_call, error, update_installed, notice_opened or custom_<lowercase_name>", ev.Name)
	}
	ch := channelIndex(ev.Container)
	if ch < 0 {
		return bad("container", "%q is not a container; use wechat, alipay, govapp or web", ev.Container)
	}
	for _, v := range []struct{ field, val string }{{"container_version", ev.ContainerVersion}, {"version", ev.Version}} {
		if v.val != "" && !isVersion(v.val) {
			return bad(v.field, "%q is not a version; use up to 32 letters, digits, . _ + -", v.val)
		}
	}
	if len(ev.Page) > MaxPageLen || !utf8.ValidString(ev.Page) {
		return bad("page", "is longer than %d bytes or not UTF-8; send the route without its query string", MaxPageLen)
	}
	props, err := checkProps(ev.Props)
	if err != nil {
		return entry{}, CodeInvalid, err
	}
	if ev.TS <= 0 {
		return bad("ts", "is missing; set it to Date.now() when the event happens")
	}
	ts := ev.TS + skew
	if ts > recv+s.cfg.SkewTolerance.Milliseconds() {
		return entry{}, CodeFuture, errs.Invalid("ts", "lies %s after the batch's sent_at; an event cannot happen after it is sent", time.Duration(ts-recv)*time.Millisecond)
	}
	if ts < recv-s.cfg.MaxEventAge.Milliseconds() {
		return entry{}, CodeTooOld, errs.Invalid("ts", "is older than %s; drop events queued that long", s.cfg.MaxEventAge)
	}
	return entry{
		app: ev.App, id: ev.ID, name: ev.Name, channel: ev.Container,
		containerVersion: ev.ContainerVersion, version: ev.Version, page: ev.Page, props: props,
		ts: ts, day: DayOf(time.UnixMilli(ts), s.cfg.Location),
	}, "", nil
}

// checkProps allows a flat object of at most MaxPropKeys scalar values, MaxPropsBytes in
// all, and returns it compact.
func checkProps(raw json.RawMessage) (string, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return "", nil
	}
	if len(raw) > MaxPropsBytes {
		return "", errs.Invalid("props", "is %d bytes; at most %d: keep properties to a few short values", len(raw), MaxPropsBytes)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", errs.Invalid("props", "must be a JSON object of short values")
	}
	if len(m) > MaxPropKeys {
		return "", errs.Invalid("props", "has %d keys; at most %d", len(m), MaxPropKeys)
	}
	for k, v := range m {
		if !rePropKey.MatchString(k) {
			return "", errs.Invalid("props", "key %q is not a name; use letters, digits and _ (at most 40)", k)
		}
		switch x := v.(type) {
		case string:
			if len(x) > MaxPropString {
				return "", errs.Invalid("props", "value of %q is %d bytes; at most %d", k, len(x), MaxPropString)
			}
		case float64, bool, nil:
		default:
			return "", errs.Invalid("props", "value of %q is an object or array; values are strings, numbers or booleans", k)
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return "", errs.Invalid("props", "is not valid JSON")
	}
	return strings.Clone(buf.String()), nil
}
