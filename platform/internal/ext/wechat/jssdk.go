package wechat

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
)

// JSConfig is what a page passes to wx.config; the JSON names are the
// JS-SDK's, so the platform can hand it to the page as is.
type JSConfig struct {
	AppID     string `json:"appId"`
	Timestamp int64  `json:"timestamp"`
	NonceStr  string `json:"nonceStr"`
	Signature string `json:"signature"`
}

// JSSDKSignature is the wx.config signature: the hex sha1 of
// "jsapi_ticket=…&noncestr=…&timestamp=…&url=…" (the four keys in their
// sorted order), where url is the page's full URL without its #fragment.
// WeChat compares it with what it computes from location.href in the page,
// so the URL must be exactly the page's, query included, not re-encoded.
func JSSDKSignature(ticket, nonceStr string, timestamp int64, url string) string {
	if i := strings.IndexByte(url, '#'); i >= 0 {
		url = url[:i]
	}
	sum := sha1.Sum([]byte("jsapi_ticket=" + ticket +
		"&noncestr=" + nonceStr +
		"&timestamp=" + strconv.FormatInt(timestamp, 10) +
		"&url=" + url))
	return hex.EncodeToString(sum[:])
}

// SignatureFor returns the wx.config parameters for the page at pageURL,
// signed with the cached jsapi_ticket. Whether the page is on a domain
// registered for the light app is the caller's check; this only rejects
// URLs that are not absolute http(s) (ErrPageURL).
func (c *Client) SignatureFor(ctx context.Context, pageURL string) (JSConfig, error) {
	u, err := url.Parse(pageURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return JSConfig{}, ErrPageURL
	}
	ticket, err := c.jsapiTicket(ctx)
	if err != nil {
		return JSConfig{}, err
	}
	nonce := nonceStr()
	ts := c.now().Unix()
	return JSConfig{
		AppID:     c.cfg.AppID,
		Timestamp: ts,
		NonceStr:  nonce,
		Signature: JSSDKSignature(ticket, nonce, ts, pageURL),
	}, nil
}

// nonceAlphabet is what WeChat's own examples use for noncestr.
const nonceAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// nonceStr returns 16 random letters and digits; unpredictable so a
// signature cannot be precomputed for a page.
func nonceStr() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	for i := range b {
		b[i] = nonceAlphabet[int(b[i])%len(nonceAlphabet)]
	}
	return string(b)
}
