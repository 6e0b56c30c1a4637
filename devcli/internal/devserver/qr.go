package devserver

import (
	qrcode "github.com/skip2/go-qrcode"
)

// qrText renders url as a QR code of half-block characters, two modules a
// character cell, small enough for an 80×24 terminal. Light modules are
// drawn as blocks and dark ones left as the (usually dark) terminal
// background, so a phone camera sees dark-on-light with a light quiet zone.
func qrText(url string) string {
	q, err := qrcode.New(url, qrcode.Low)
	if err != nil {
		return ""
	}
	return q.ToSmallString(false)
}

// QR renders a QR code of u for the terminal (cloud sessions print the platform's URL).
func QR(u string) string { return qrText(u) }
