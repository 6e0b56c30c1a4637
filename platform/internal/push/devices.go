package push

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/errs"
)

// Device kinds: the provider that reaches the device.
const (
	KindAPNs   = "apns"
	KindFCM    = "fcm"
	KindGovApp = "govapp" // the province's own app container, by its container id; it reads the inbox
	// Channel identities: a WeChat openid under one official account (Topic = its appid)
	// and an Alipay user id (2088…) or openid under one Alipay app (Topic = its app id).
	KindWeChat = "wechat"
	KindAlipay = "alipay"
)

// Device is one push registration of a user's device.
type Device struct {
	UserID string `json:"user_id"`
	Kind   string `json:"kind"`
	Token  string `json:"token"`
	// Topic is the iOS bundle id (apns-topic) for APNs.
	Topic string `json:"topic,omitempty"`
	// Environment is "production" or "development" for APNs: a development token sent to
	// the production host answers BadDeviceToken, which must not drop it.
	Environment  string     `json:"environment,omitempty"`
	AppID        string     `json:"app_id,omitempty"`
	RegisteredAt time.Time  `json:"registered_at"`
	Unregistered *time.Time `json:"unregistered_at,omitempty"`
}

var (
	reAPNsToken = regexp.MustCompile(`^[0-9a-fA-F]{64,200}$`)
	reFCMToken  = regexp.MustCompile(`^[A-Za-z0-9_\-:]+$`)
	reTopic     = regexp.MustCompile(`^[A-Za-z0-9.\-]{1,155}$`)
	reOpenID    = regexp.MustCompile(`^[A-Za-z0-9_\-]{16,64}$`)
	reWxAppID   = regexp.MustCompile(`^wx[0-9A-Za-z]{14,18}$`)
	reAliUser   = regexp.MustCompile(`^(2088[0-9]{12}|[A-Za-z0-9_\-]{16,64})$`)
	reAliAppID  = regexp.MustCompile(`^[0-9]{16}$`)
)

// Validate checks a registration the way each provider would, before it is stored, so a
// malformed token is refused at registration and not discovered at send time.
func (d *Device) Validate() error {
	switch d.Kind {
	case KindAPNs:
		if !reAPNsToken.MatchString(d.Token) || len(d.Token)%2 != 0 {
			return errs.Invalid("token", "is not an APNs device token; send the hex of the token iOS gives (64 hex digits)")
		}
		if !reTopic.MatchString(d.Topic) {
			return errs.Invalid("topic", "an APNs registration needs the app's bundle id (e.g. cn.gov.zj.app)")
		}
		if d.Environment == "" {
			d.Environment = "production"
		}
		if d.Environment != "production" && d.Environment != "development" {
			return errs.Invalid("environment", "%q is not an APNs environment; use production or development", d.Environment)
		}
	case KindFCM:
		if len(d.Token) < 20 || len(d.Token) > 4096 || !reFCMToken.MatchString(d.Token) {
			return errs.Invalid("token", "is not an FCM registration token; send the token FirebaseMessaging.getToken() gives")
		}
		d.Topic, d.Environment = "", ""
	case KindGovApp:
		if !reID.MatchString(d.Token) {
			return errs.Invalid("token", "is not a gov-app container id (letters, digits, _ . : -, at most 64)")
		}
		d.Topic, d.Environment = "", ""
	case KindWeChat:
		if !reOpenID.MatchString(d.Token) {
			return errs.Invalid("token", "is not a WeChat openid (16–64 letters, digits, _ and -)")
		}
		if !reWxAppID.MatchString(d.Topic) {
			return errs.Invalid("topic", "a WeChat identity needs the official account's appid (wx followed by 16 letters and digits)")
		}
		d.Environment = ""
	case KindAlipay:
		if !reAliUser.MatchString(d.Token) {
			return errs.Invalid("token", "is not an Alipay user id (2088 + 12 digits) or openid")
		}
		if !reAliAppID.MatchString(d.Topic) {
			return errs.Invalid("topic", "an Alipay identity needs the Alipay app id (16 digits)")
		}
		d.Environment = ""
	default:
		return errs.Invalid("kind", "%q is not a device kind; use apns, fcm, govapp, wechat or alipay", d.Kind)
	}
	if d.UserID == "" {
		return errs.Invalid("user_id", "is empty")
	}
	return nil
}

// Devices is the store of push registrations.
type Devices struct{ db *db.DB }

// NewDevices migrates the store.
func NewDevices(ctx context.Context, d *db.DB) (*Devices, error) {
	if err := d.Migrate(ctx, "push", migrations); err != nil {
		return nil, err
	}
	return &Devices{db: d}, nil
}

// Register stores dev, or renews it when the token is known: a token moves to the user who
// registers it last (a phone changes hands) and a re-registration revives a dropped token.
func (s *Devices) Register(ctx context.Context, dev Device) (Device, error) {
	if err := dev.Validate(); err != nil {
		return Device{}, err
	}
	dev.RegisteredAt = db.Now()
	dev.Unregistered = nil
	_, err := s.db.ExecContext(ctx, `INSERT INTO push_devices (user_id, kind, token, topic, environment, app_id, registered_at, unregistered_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)
		ON CONFLICT (kind, token) DO UPDATE SET user_id = excluded.user_id, topic = excluded.topic, environment = excluded.environment,
			app_id = excluded.app_id, registered_at = excluded.registered_at, unregistered_at = NULL`,
		dev.UserID, dev.Kind, dev.Token, dev.Topic, dev.Environment, dev.AppID, dev.RegisteredAt)
	if err != nil {
		return Device{}, fmt.Errorf("push: register device: %w", err)
	}
	return dev, nil
}

// MarkUnregistered drops a token the provider called unregistered at time at (APNs 410's
// timestamp, or now for FCM UNREGISTERED) — unless the device registered it again after
// that moment, which is Apple's rule: the 410 is about the old registration. It reports
// whether the token was dropped.
func (s *Devices) MarkUnregistered(ctx context.Context, kind, token string, at time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE push_devices SET unregistered_at = $1
		WHERE kind = $2 AND token = $3 AND unregistered_at IS NULL AND registered_at <= $1`, at.UTC(), kind, token)
	if err != nil {
		return false, fmt.Errorf("push: drop device: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// ForUser lists a user's live registrations, newest first.
func (s *Devices) ForUser(ctx context.Context, userID string) ([]Device, error) {
	return s.query(ctx, `WHERE user_id = $1 AND unregistered_at IS NULL ORDER BY registered_at DESC, id DESC`, userID)
}

// Recent lists the newest registrations, dropped ones too, for the sandbox phone page.
func (s *Devices) Recent(ctx context.Context, limit int) ([]Device, error) {
	return s.query(ctx, `ORDER BY registered_at DESC, id DESC LIMIT `+fmt.Sprint(limit))
}

// query reads registrations; tail is the statement after FROM push_devices.
func (s *Devices) query(ctx context.Context, tail string, args ...any) ([]Device, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+deviceCols+` FROM push_devices `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Device{}
	for rows.Next() {
		var d Device
		var sc deviceScan
		if err := rows.Scan(sc.dest(&d)...); err != nil {
			return nil, err
		}
		sc.finish(&d)
		out = append(out, d)
	}
	return out, rows.Err()
}

// deviceCols are the columns deviceScan reads, in its order.
const deviceCols = `user_id, kind, token, topic, environment, app_id, registered_at, unregistered_at`

// deviceScan reads a registration's columns into a Device; finish turns the nullable
// drop time into the pointer and the times into UTC.
type deviceScan struct{ un sql.NullTime }

func (sc *deviceScan) dest(d *Device) []any {
	return []any{&d.UserID, &d.Kind, &d.Token, &d.Topic, &d.Environment, &d.AppID, &d.RegisteredAt, &sc.un}
}

func (sc *deviceScan) finish(d *Device) {
	d.RegisteredAt = d.RegisteredAt.UTC()
	if sc.un.Valid {
		t := sc.un.Time.UTC()
		d.Unregistered = &t
	}
}
