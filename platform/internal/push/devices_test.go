package push_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/govapp/govapp/platform/internal/db"
	"github.com/govapp/govapp/platform/internal/dbtest"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/push"
)

var apnsToken = strings.Repeat("ab12", 16)

func TestDeviceValidate(t *testing.T) {
	for _, c := range []struct {
		d    push.Device
		want string // "" = valid
	}{
		{push.Device{UserID: "u1", Kind: push.KindAPNs, Token: apnsToken, Topic: "cn.gov.zj.app"}, ""},
		{push.Device{UserID: "u1", Kind: push.KindAPNs, Token: "xyz", Topic: "cn.gov.zj.app"}, "not an APNs device token"},
		{push.Device{UserID: "u1", Kind: push.KindAPNs, Token: apnsToken}, "bundle id"},
		{push.Device{UserID: "u1", Kind: push.KindAPNs, Token: apnsToken, Topic: "a.b", Environment: "staging"}, "not an APNs environment"},
		{push.Device{UserID: "u1", Kind: push.KindFCM, Token: "dQw4w9WgXcQ:APA91bHun4MxP5egoKMwt2"}, ""},
		{push.Device{UserID: "u1", Kind: push.KindFCM, Token: "short"}, "not an FCM registration token"},
		{push.Device{UserID: "u1", Kind: push.KindGovApp, Token: "zlb-container-01"}, ""},
		{push.Device{UserID: "u1", Kind: "sms", Token: "x"}, "not a device kind"},
		{push.Device{Kind: push.KindGovApp, Token: "zlb-container-01"}, "user_id"},
	} {
		d := c.d
		err := d.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.d, err)
		case c.want != "" && (!errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: %v, want invalid with %q", c.d, err, c.want)
		}
	}
}

// Apple's 410 rule: a token is dropped only if it was not registered again after the 410's
// timestamp; a re-registration revives it; a token moves to the user who registers it last.
func TestDevicesUnregisterRule(t *testing.T) {
	dbtest.ForEachBackend(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, err := push.NewDevices(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		dev := push.Device{UserID: "u1", Kind: push.KindAPNs, Token: apnsToken, Topic: "cn.gov.zj.app"}
		reg, err := s.Register(ctx, dev)
		if err != nil {
			t.Fatal(err)
		}
		// A 410 stamped before the registration is stale: keep the token.
		if dropped, err := s.MarkUnregistered(ctx, push.KindAPNs, apnsToken, reg.RegisteredAt.Add(-time.Second)); err != nil || dropped {
			t.Fatalf("stale 410: dropped %v, %v", dropped, err)
		}
		if got, _ := s.ForUser(ctx, "u1"); len(got) != 1 || got[0].Environment != "production" {
			t.Fatalf("after a stale 410: %+v", got)
		}
		// A 410 after it drops it, once.
		at := reg.RegisteredAt.Add(time.Second)
		if dropped, err := s.MarkUnregistered(ctx, push.KindAPNs, apnsToken, at); err != nil || !dropped {
			t.Fatalf("410: dropped %v, %v", dropped, err)
		}
		if dropped, _ := s.MarkUnregistered(ctx, push.KindAPNs, apnsToken, at); dropped {
			t.Error("dropped twice")
		}
		if got, _ := s.ForUser(ctx, "u1"); len(got) != 0 {
			t.Fatalf("a dropped token is still listed: %+v", got)
		}
		// Registering again (the phone now belongs to u2) revives it for u2 only.
		dev.UserID = "u2"
		if _, err := s.Register(ctx, dev); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.ForUser(ctx, "u2"); len(got) != 1 || got[0].Token != apnsToken {
			t.Fatalf("u2: %+v", got)
		}
		if got, _ := s.ForUser(ctx, "u1"); len(got) != 0 {
			t.Fatalf("u1 kept the moved token: %+v", got)
		}
		if _, err := s.Register(ctx, push.Device{UserID: "u1", Kind: push.KindFCM, Token: "bad"}); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("a malformed token was stored: %v", err)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM push_devices`).Scan(&n); err != nil || n != 1 {
			t.Errorf("rows = %d (%v), want 1", n, err)
		}
	})
}
