package alipay

import (
	"errors"
	"strings"
	"testing"
)

// TestTopLevelMembersKeepsExactBytes: The signature covers the node's bytes as sent,
// including spacing, escapes and braces inside strings.
func TestTopLevelMembersKeepsExactBytes(t *testing.T) {
	node := `{ "user_id" : "2088", "nick_name":"a\"}{\\\"b", "list":[1,{"x":"]}"}], "n":-1.50e+2, "u":"\u4e2d/\/" }`
	body := "\n {\"alipay_user_info_share_response\": " + node + " ,\r\n\t\"sign\":\"c2ln\", \"zz\":[],\"null\":null,\"t\":true}  \n"
	m, err := topLevelMembers([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(m["alipay_user_info_share_response"]); got != node {
		t.Fatalf("node bytes:\n got %s\nwant %s", got, node)
	}
	for k, want := range map[string]string{"sign": `"c2ln"`, "zz": `[]`, "null": `null`, "t": `true`} {
		if got := string(m[k]); got != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	if len(m) != 5 {
		t.Errorf("members: %d, want 5", len(m))
	}
}

// TestTopLevelMembersRefusesAmbiguity: A repeated node would let the verified copy differ
// from the decoded one.
func TestTopLevelMembersRefusesAmbiguity(t *testing.T) {
	for name, body := range map[string]string{
		"duplicate node":      `{"a_response":{"code":"10000"},"a_response":{"code":"10000","x":1},"sign":"s"}`,
		"escaped duplicate":   `{"a_response":{},"a_\u0072esponse":{},"sign":"s"}`,
		"invalid JSON":        `{"a_response":{"code":"10000"},"sign":"s"`,
		"trailing garbage":    `{"a_response":{}} {}`,
		"not an object":       `["a_response"]`,
		"unterminated string": `{"a_response":{"x":"}`,
	} {
		if _, err := topLevelMembers([]byte(body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestSplitResponse: The client finds its method's node or error_response and nothing else.
func TestSplitResponse(t *testing.T) {
	p, err := splitResponse([]byte(`{"error_response":{"code":"40002"},"sign":"abc"}`), MethodOAuthToken)
	if err != nil || !p.isError || p.sign != "abc" || string(p.raw) != `{"code":"40002"}` {
		t.Fatalf("error node: %+v %v", p, err)
	}
	if _, err := splitResponse([]byte(`{"other_response":{},"sign":"abc"}`), MethodOAuthToken); err == nil {
		t.Fatal("a response for another method was accepted")
	}
	if _, err := splitResponse([]byte(`{"alipay_system_oauth_token_response":"x","sign":"abc"}`), MethodOAuthToken); err == nil {
		t.Fatal("a non-object node was accepted")
	}
}

// TestAPIErrorOmitsSignedString: The gateway quotes the signed string (with auth codes) in
// sub_msg; error messages must not.
func TestAPIErrorOmitsSignedString(t *testing.T) {
	e := &APIError{Method: MethodOAuthToken, Code: "40002", Msg: "Invalid Arguments", SubCode: "isv.invalid-signature",
		SubMsg: "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：app_id=1&code=secret-auth-code&grant_type=authorization_code"}
	msg := e.Error()
	if strings.Contains(msg, "secret-auth-code") {
		t.Fatalf("error quotes the signed string: %s", msg)
	}
	if !strings.Contains(msg, "isv.invalid-signature") || !strings.Contains(msg, "验签出错") {
		t.Fatalf("error lost its meaning: %s", msg)
	}
	if !errors.Is(e, ErrRequestSignature) || errors.Is(e, ErrCodeInvalid) {
		t.Fatal("Is mapping is wrong")
	}
	long := &APIError{Code: "40004", SubMsg: strings.Repeat("长", 500)}
	if n := len([]rune(long.Error())); n > 260 {
		t.Fatalf("long sub_msg not bounded: %d runes", n)
	}
}
