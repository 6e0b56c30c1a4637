package sms_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/govapp/govapp/platform/internal/ext/sms"
	fake "github.com/govapp/govapp/sandbox/sms"
)

func TestSendThroughSandbox(t *testing.T) {
	gw := &fake.Gateway{APIKey: "k1"}
	srv := httptest.NewServer(gw)
	defer srv.Close()
	c := &sms.Client{BaseURL: srv.URL, APIKey: "k1"}
	if err := c.Send(context.Background(), "13800000001", "验证码 123456"); err != nil {
		t.Fatal(err)
	}
	if m, ok := gw.Last("13800000001"); !ok || m.Text != "验证码 123456" {
		t.Fatalf("recorded %+v", m)
	}
	for name, fn := range map[string]func() error{
		"bad key": func() error {
			return (&sms.Client{BaseURL: srv.URL, APIKey: "nope"}).Send(context.Background(), "13800000001", "x")
		},
		"bad phone": func() error { return c.Send(context.Background(), "12345", "x") },
		"fail next": func() error { gw.FailNext("quota"); return c.Send(context.Background(), "13800000001", "x") },
	} {
		if err := fn(); !errors.Is(err, sms.ErrSend) {
			t.Errorf("%s: %v, want ErrSend", name, err)
		}
	}
}
