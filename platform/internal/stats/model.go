// Package stats records usage events of light apps and answers the usage reports of the
// console: most-used apps, active users per region, channels, the user trend, DAU/MAU and
// retention. Events arrive in batches from sdk-js, are checked one by one, buffered in
// memory and written in batches; each write also folds the events into per-(day, app)
// rollups whose users are roaring bitmaps, so distinct users over any range are exact and
// cost a few bitmap ORs instead of a COUNT(DISTINCT) over millions of rows. See docs/STATS.md.
package stats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/govapp/govapp/platform/internal/errs"
)

// Limits of a batch: sendBeacon carries at most 64 KB, and 50 events keep one bad phone
// from filling the buffer with one request.
const (
	MaxBatchEvents = 50
	MaxBatchBytes  = 64 << 10
	MaxPropsBytes  = 2048
	MaxPropKeys    = 20
	MaxPropString  = 256
	MaxPageLen     = 256
	// MaxRangeDays bounds a report's date range: a year and a day covers "the last year"
	// and keeps one request from reading the whole history.
	MaxRangeDays = 366
)

// Defaults of Config.
const (
	DefaultSkewTolerance = 5 * time.Minute
	DefaultMaxEventAge   = 7 * 24 * time.Hour
	DefaultFlushInterval = time.Second
	DefaultBufferEvents  = 10000
	DefaultRetention     = 180 * 24 * time.Hour
	DefaultRecentIDs     = 1 << 19
)

// Built-in event names; sdk-js sends the first four by itself.
const (
	EventLaunch     = "app_launch"
	EventPageView   = "page_view"
	EventJSAPICall  = "jsapi_call"
	EventError      = "error"
	EventUpdate     = "update_installed"
	EventNoticeOpen = "notice_opened"
	// CustomPrefix starts every custom event name (custom_apply_submit), so a typo of a
	// built-in name (page_veiw) is refused instead of becoming a custom event.
	CustomPrefix = "custom_"
)

// Channels are the containers a light app runs in; an event's container is its channel.
var Channels = []string{"wechat", "alipay", "govapp", "web"}

func channelIndex(ch string) int {
	for i, c := range Channels {
		if c == ch {
			return i
		}
	}
	return -1
}

// AppLookup reports whether an app id is registered. Pass a cached lookup: ingest asks
// once per app per batch.
type AppLookup func(ctx context.Context, appID string) (bool, error)

// Config configures a Store. Secret and Apps are required.
type Config struct {
	// Secret keys the HMAC-SHA256 that turns citizen and device ids into user hashes; the
	// ids themselves are never stored. At least 16 bytes; keep it stable, or every user
	// becomes a new one.
	Secret []byte
	// Apps tells registered apps from unknown ones.
	Apps AppLookup
	// Location sets day boundaries; default China Standard Time (UTC+8, no DST).
	Location *time.Location
	// SkewTolerance is how far past the server's clock a corrected event time may lie.
	SkewTolerance time.Duration
	// MaxEventAge refuses events older than this (queued too long on a phone); it must be
	// shorter than Retention so that a resent event still finds its stored twin.
	MaxEventAge time.Duration
	// FlushInterval and BufferEvents bound what a crash can lose: at most the events
	// accepted since the last flush, i.e. FlushInterval or BufferEvents worth.
	FlushInterval time.Duration
	BufferEvents  int
	// RecentIDs is how many of the latest accepted event ids (at least) ingest remembers to
	// answer a resend "duplicate" without asking the database (about 25 bytes each, two
	// generations; default DefaultRecentIDs). Older resends are answered "accepted" and
	// still stored and counted once: the raw table's primary key decides.
	RecentIDs int
	// Retention is how long raw events are kept (Prune); rollups are kept.
	Retention time.Duration
	// Now is the clock; tests set it.
	Now    func() time.Time
	Logger *slog.Logger
}

// ChinaTime is UTC+8, the default day boundary.
var ChinaTime = time.FixedZone("CST", 8*3600)

func (c *Config) setDefaults() error {
	if len(c.Secret) < 16 {
		return errors.New("stats: the user-hash secret must be at least 16 bytes; set it in the platform config")
	}
	if c.Apps == nil {
		return errors.New("stats: Config.Apps (the app lookup) is required")
	}
	if c.Location == nil {
		c.Location = ChinaTime
	}
	if c.SkewTolerance <= 0 {
		c.SkewTolerance = DefaultSkewTolerance
	}
	if c.MaxEventAge <= 0 {
		c.MaxEventAge = DefaultMaxEventAge
	}
	if c.FlushInterval <= 0 {
		c.FlushInterval = DefaultFlushInterval
	}
	if c.BufferEvents <= 0 {
		c.BufferEvents = DefaultBufferEvents
	}
	if c.Retention <= 0 {
		c.Retention = DefaultRetention
	}
	if c.RecentIDs <= 0 {
		c.RecentIDs = DefaultRecentIDs
	}
	if c.MaxEventAge >= c.Retention {
		return fmt.Errorf("stats: max event age %s must be shorter than the retention %s, or resent events could be counted twice", c.MaxEventAge, c.Retention)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return nil
}

// ErrBusy means the buffer is full because writes are failing or slow; the SDK keeps its
// queue and retries later.
var ErrBusy = errors.New("stats: the event buffer is full; retry in a few seconds")

// Day is a calendar day in the store's location, counted from 1970-01-01.
type Day int32

// DayOf returns the day of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ParseDay reads "2006-01-02".
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, errs.Invalid("date", "%q is not a date; use YYYY-MM-DD", s)
	}
	return Day(t.Unix() / 86400), nil
}

// String formats the day as YYYY-MM-DD.
func (d Day) String() string { return time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly) }

// Start is the first instant of the day in loc.
func (d Day) Start(loc *time.Location) time.Time {
	y, m, dd := time.Unix(int64(d)*86400, 0).UTC().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// MarshalText makes days read as dates in JSON.
func (d Day) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a date.
func (d *Day) UnmarshalText(b []byte) error {
	v, err := ParseDay(string(b))
	*d = v
	return err
}
