package alipay

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rsa2Vectors is testdata/rsa2_vectors.json: signatures computed with openssl, not with
// this package, so that the test checks the canonical string and the signing against an
// independent implementation.
type rsa2Vectors struct {
	PrivateKey string `json:"private_key"`
	PublicKey  string `json:"public_key"`
	Vectors    []struct {
		Name        string            `json:"name"`
		Params      map[string]string `json:"params"`
		SignContent string            `json:"sign_content"`
		Sign        string            `json:"sign"`
	} `json:"vectors"`
}

// TestRSA2FixedVectors: The canonical string and RSA2 signature must match openssl's,
// computed independently, for both key encodings.
func TestRSA2FixedVectors(t *testing.T) {
	var vs rsa2Vectors
	if err := json.Unmarshal(readTestdata(t, "rsa2_vectors.json"), &vs); err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(readTestdata(t, vs.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	for _, keyFile := range []string{vs.PrivateKey, "app_private_key_pkcs8.pem"} {
		key, err := ParsePrivateKey(readTestdata(t, keyFile))
		if err != nil {
			t.Fatalf("%s: %v", keyFile, err)
		}
		for _, v := range vs.Vectors {
			t.Run(keyFile+"/"+v.Name, func(t *testing.T) {
				params := url.Values{}
				for k, val := range v.Params {
					params.Set(k, val)
				}
				content, err := SignContent(params)
				if err != nil {
					t.Fatal(err)
				}
				if content != v.SignContent {
					t.Fatalf("sign content:\n got %s\nwant %s", content, v.SignContent)
				}
				sign, err := SignParams(params, key)
				if err != nil {
					t.Fatal(err)
				}
				if sign != v.Sign {
					t.Fatalf("signature:\n got %s\nwant %s", sign, v.Sign)
				}
				params.Set("sign", v.Sign)
				if err := VerifyParams(params, pub); err != nil {
					t.Fatalf("verify: %v", err)
				}
				params.Set("timestamp", "2024-05-01 12:00:01")
				if err := VerifyParams(params, pub); !errors.Is(err, ErrBadSignature) {
					t.Fatalf("verify after tampering: %v, want ErrBadSignature", err)
				}
			})
		}
	}
}

// TestSignContentRules: Sorting, raw values, and leaving out sign and empty values are
// what Alipay signs.
func TestSignContentRules(t *testing.T) {
	params := url.Values{
		"b":       {"2"},
		"a":       {"1 & 2 = 3"},
		"empty":   {""},
		"sign":    {"ignored"},
		"c":       {"中文"},
		"novalue": {},
	}
	got, err := SignContent(params)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a=1 & 2 = 3&b=2&c=中文"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if _, err := SignContent(url.Values{"a": {"1", "2"}}); !errors.Is(err, ErrAmbiguousParams) {
		t.Fatalf("repeated key: %v, want ErrAmbiguousParams", err)
	}
}

// TestTimestampIsBeijingWhateverTheZone: Alipay reads timestamps as UTC+8; the machine's
// zone must not leak in.
func TestTimestampIsBeijingWhateverTheZone(t *testing.T) {
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	for _, zone := range []*time.Location{time.UTC, time.FixedZone("EST", -5*3600), time.FixedZone("NPT", 5*3600+45*60)} {
		time.Local = zone
		instant := time.Date(2024, 5, 1, 4, 0, 0, 0, time.UTC)
		if got := FormatTimestamp(instant); got != "2024-05-01 12:00:00" {
			t.Errorf("Local=%s: FormatTimestamp = %q, want 2024-05-01 12:00:00", zone, got)
		}
		if got := FormatTimestamp(instant.In(time.Local)); got != "2024-05-01 12:00:00" {
			t.Errorf("Local=%s: FormatTimestamp(local value) = %q", zone, got)
		}
		back, err := ParseTimestamp("2024-05-01 12:00:00")
		if err != nil || !back.Equal(instant) {
			t.Errorf("Local=%s: ParseTimestamp = %v, %v", zone, back, err)
		}
	}

	// The parameter the client really sends.
	time.Local = time.FixedZone("PST", -8*3600)
	s := newSandbox(t)
	cfg := s.config(t)
	cfg.Now = func() time.Time { return time.Date(2024, 5, 1, 4, 0, 0, 0, time.UTC).In(time.Local) } // 2024-04-30 20:00 in PST
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	params, err := c.requestParams(MethodUserInfoShare, nil, url.Values{"auth_token": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := params.Get("timestamp"); got != "2024-05-01 12:00:00" {
		t.Fatalf("timestamp parameter = %q, want Beijing time 2024-05-01 12:00:00", got)
	}
	// And the gateway, whose clock is the real one, accepts the client's real clock.
	if _, err := s.client(t).UserInfoShare(t.Context(), "unknown"); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("call with Local=%s: %v, want the token refusal (so the timestamp passed)", time.Local, err)
	}
	if calls := s.gw.Calls(); len(calls) == 0 || calls[len(calls)-1].SubCode != "aop.invalid-auth-token" {
		t.Fatalf("gateway calls: %+v", calls)
	}
}

// TestVerifyParamsNeedsSign: An unsigned or garbled sign must fail as a bad signature, not
// as a crash.
func TestVerifyParamsNeedsSign(t *testing.T) {
	pub, err := ParsePublicKey(readTestdata(t, "app_public_key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	err = VerifyParams(url.Values{"a": {"1"}}, pub)
	if !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("got %v", err)
	}
	err = VerifyParams(url.Values{"a": {"1"}, "sign": {"!!not base64"}}, pub)
	if !errors.Is(err, ErrBadSignature) {
		t.Fatalf("got %v", err)
	}
}
