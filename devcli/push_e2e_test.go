package devcli

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSandboxPush: with no credentials, `govapp serve`'s sandbox delivers a notice end to
// end: a citizen signed in through the sandbox WeChat registers an iPhone and the WeChat
// identity through the runtime API; `govapp push preview|send|status|cancel` drive the
// console API; the real apns2 client delivers to the sandbox APNs; the inbox holds the
// notice and the open is counted.
func TestSandboxPush(t *testing.T) {
	e2eEngines(t, func(t *testing.T, dbURL string) {
		env := startSandbox(t, dbURL)
		tok := env.signIn("Mozilla/5.0 (iPhone) MicroMessenger/8.0.47")
		sub := tok.IDTokenClaims.Subject
		citizen := tok.AccessToken
		iphone := strings.Repeat("ab", 32)
		if st, b := env.api("POST", "/v1/runtime/push/devices", `{"kind":"apns","token":"`+iphone+`","topic":"`+env.cfg.APNsTopic+`","app_id":"housing-fund"}`, citizen); st != 201 {
			t.Fatalf("register device: %d %v", st, b)
		}
		if st, b := env.api("POST", "/v1/runtime/push/devices", `{"kind":"apns","token":"not-hex","topic":"`+env.cfg.APNsTopic+`"}`, citizen); st != 400 || !strings.Contains(fmt.Sprint(b), "APNs device token") {
			t.Errorf("malformed token: %d %v", st, b)
		}
		if st, _ := env.api("GET", "/v1/runtime/push/inbox", "", "forged"); st != 401 {
			t.Errorf("inbox with a forged token: %d", st)
		}

		cli := newCLI(t).with(envToken, env.admin, envServer, env.base)
		out, _ := cli.must(ExitOK, "push", "preview", "--scope", "330000", "--user", sub)
		if !strings.Contains(out, "Reaches 1 people") {
			t.Errorf("preview: %s", out)
		}
		if _, stderr := cli.must(ExitFailure, "push", "preview", "--scope", "330000", "--region", "339999"); !strings.Contains(stderr, "339999 is not a region code") {
			t.Errorf("unknown region: %s", stderr)
		}
		var n struct {
			ID, State string
			Estimated int
		}
		cli.mustJSON(&n, "push", "send", "--scope", "330000", "--user", sub, "--title", "公积金到账", "--body", "您的公积金提取已到账。",
			"--app", "housing-fund", "--link", "/records", "--idempotency-key", "k1", "--json")
		if n.ID == "" || n.Estimated != 1 {
			t.Fatalf("send: %+v", n)
		}
		// A retry with the key sends nothing new.
		var again struct{ ID string }
		cli.mustJSON(&again, "push", "send", "--scope", "330000", "--user", sub, "--title", "公积金到账", "--body", "您的公积金提取已到账。",
			"--app", "housing-fund", "--link", "/records", "--idempotency-key", "k1", "--json")
		if again.ID != n.ID {
			t.Errorf("retry created %s, want %s", again.ID, n.ID)
		}
		// The platform's dispatcher delivers it through the sandbox APNs.
		var st struct {
			State  string
			Sent   int
			Opened int
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			cli.mustJSON(&st, "push", "status", n.ID, "--json")
			if st.State == "done" || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if st.State != "done" || st.Sent != 1 {
			t.Fatalf("status: %+v", st)
		}
		got := env.fakes.APNs.Notifications()
		if len(got) != 1 || got[0].DeviceToken != iphone || !strings.Contains(string(got[0].Payload), n.ID) {
			t.Fatalf("the sandbox APNs got %+v", got)
		}
		code, inbox := env.api("GET", "/v1/runtime/push/inbox", "", citizen)
		raw, _ := json.Marshal(inbox)
		if code != 200 || !strings.Contains(string(raw), n.ID) || !strings.Contains(string(raw), "公积金到账") {
			t.Fatalf("inbox: %d %s", code, raw)
		}
		if code, b := env.api("POST", "/v1/runtime/push/inbox/"+n.ID+"/opened", "", citizen); code != 200 {
			t.Fatalf("opened: %d %v", code, b)
		}
		out, _ = cli.must(ExitOK, "push", "status", n.ID)
		if !strings.Contains(out, "apns 1") || !strings.Contains(lineWith(out, "Opened"), "1") {
			t.Errorf("status table:\n%s", out)
		}
		// The sandbox phone page shows the iPhone, the notice that arrived and the inbox.
		resp, err := http.Get(env.base + "/sandbox/phone")
		must(t, err)
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(page), "沙箱手机") || strings.Count(string(page), "公积金到账") < 2 || !strings.Contains(string(page), iphone[:8]) {
			t.Errorf("sandbox phone: %d\n%.2000s", resp.StatusCode, page)
		}
		// A scheduled notice can be cancelled before it goes.
		var later struct{ ID string }
		cli.mustJSON(&later, "push", "send", "--scope", "330000", "--user", sub, "--title", "明日提醒", "--body", "明天上午办理。",
			"--at", time.Now().Add(time.Hour).Format(time.RFC3339), "--json")
		out, _ = cli.must(ExitOK, "push", "cancel", later.ID)
		if !strings.Contains(out, "cancelled") {
			t.Errorf("cancel: %s", out)
		}
		out, _ = cli.must(ExitOK, "push", "list")
		if !strings.Contains(out, n.ID) || !strings.Contains(out, "cancelled") {
			t.Errorf("list:\n%s", out)
		}
	})
}
