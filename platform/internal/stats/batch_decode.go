package stats

import (
	"encoding/json"
	"unicode/utf8"
)

// decodeBatchFast decodes the common shape of a batch — the keys of the format spelled
// exactly, each once, strings without escapes, integer times, props an object — in one pass
// without reflection. It reports false for anything else, and ParseBatch then decodes with
// encoding/json, whose answers (values and errors) stay the reference: whenever this
// returns true, b holds what json.Unmarshal would have produced (tested against it).
func decodeBatchFast(body []byte, b *Batch) bool {
	d := fastDecoder{buf: body}
	if !d.open('{') {
		return false
	}
	var seen uint8
	for first := true; ; first = false {
		if d.close('}') {
			break
		}
		if !first && !d.open(',') {
			return false
		}
		key, ok := d.str()
		if !ok || !d.open(':') {
			return false
		}
		var bit uint8
		switch key {
		case "sent_at":
			bit = 1
			b.SentAt, ok = d.int()
		case "app":
			bit = 2
			b.App, ok = d.text()
		case "device_id":
			bit = 4
			b.DeviceID, ok = d.text()
		case "events":
			bit = 8
			ok = d.events(b)
		default:
			return false
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
	d.space()
	return d.p == len(d.buf)
}

type fastDecoder struct {
	buf []byte
	p   int
}

func (d *fastDecoder) space() {
	for d.p < len(d.buf) {
		switch d.buf[d.p] {
		case ' ', '\t', '\n', '\r':
			d.p++
		default:
			return
		}
	}
}

// open consumes c after optional white space.
func (d *fastDecoder) open(c byte) bool {
	d.space()
	if d.p < len(d.buf) && d.buf[d.p] == c {
		d.p++
		return true
	}
	return false
}

// close is open for a closing bracket.
func (d *fastDecoder) close(c byte) bool { return d.open(c) }

// str returns the bytes of a string without escapes, as a string that shares no memory
// only when converted by the caller; here it is only compared.
func (d *fastDecoder) str() (string, bool) {
	raw, ok := d.rawStr()
	return string(raw), ok // compared in a switch: the compiler does not allocate
}

func (d *fastDecoder) rawStr() ([]byte, bool) {
	d.space()
	if d.p >= len(d.buf) || d.buf[d.p] != '"' {
		return nil, false
	}
	start := d.p + 1
	ascii := true
	for i := start; i < len(d.buf); i++ {
		switch c := d.buf[i]; {
		case c == '"':
			d.p = i + 1
			raw := d.buf[start:i]
			if !ascii && !utf8.Valid(raw) {
				return nil, false // encoding/json replaces invalid bytes: let it
			}
			return raw, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= 0x80:
			ascii = false
		}
	}
	return nil, false
}

// Strings that most events repeat are shared instead of allocated per event.
var fastInterned = func() map[string]string {
	m := map[string]string{}
	for _, s := range append(append([]string{EventLaunch, EventPageView, EventJSAPICall, EventError, EventUpdate, EventNoticeOpen}, Channels...), "") {
		m[s] = s
	}
	return m
}()

// text returns a string value.
func (d *fastDecoder) text() (string, bool) {
	raw, ok := d.rawStr()
	if !ok {
		return "", false
	}
	if s, ok := fastInterned[string(raw)]; ok {
		return s, true
	}
	return string(raw), true
}

// int reads an integer that fits an int64, as encoding/json does for an int64 field.
func (d *fastDecoder) int() (int64, bool) {
	d.space()
	neg := false
	if d.p < len(d.buf) && d.buf[d.p] == '-' {
		neg = true
		d.p++
	}
	start := d.p
	var v uint64
	for d.p < len(d.buf) && '0' <= d.buf[d.p] && d.buf[d.p] <= '9' {
		if v > (1<<63)/10 {
			return 0, false
		}
		v = v*10 + uint64(d.buf[d.p]-'0')
		d.p++
	}
	n := d.p - start
	switch {
	case n == 0, n > 1 && d.buf[start] == '0', v > 1<<63-1: // no digits, a leading zero, too large
		return 0, false
	case d.p < len(d.buf) && (d.buf[d.p] == '.' || d.buf[d.p] == 'e' || d.buf[d.p] == 'E'):
		return 0, false
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

func (d *fastDecoder) events(b *Batch) bool {
	if !d.open('[') {
		return false
	}
	b.Events = make([]Event, 0, 16)
	for first := true; ; first = false {
		if d.close(']') {
			return true
		}
		if !first && !d.open(',') {
			return false
		}
		b.Events = append(b.Events, Event{})
		if !d.event(&b.Events[len(b.Events)-1]) {
			return false
		}
	}
}

func (d *fastDecoder) event(e *Event) bool {
	if !d.open('{') {
		return false
	}
	var seen uint16
	for first := true; ; first = false {
		if d.close('}') {
			return true
		}
		if !first && !d.open(',') {
			return false
		}
		key, ok := d.str()
		if !ok || !d.open(':') {
			return false
		}
		var bit uint16
		switch key {
		case "id":
			bit = 1
			e.ID, ok = d.text()
		case "app":
			bit = 2
			e.App, ok = d.text()
		case "name":
			bit = 4
			e.Name, ok = d.text()
		case "ts":
			bit = 8
			e.TS, ok = d.int()
		case "container":
			bit = 16
			e.Container, ok = d.text()
		case "container_version":
			bit = 32
			e.ContainerVersion, ok = d.text()
		case "version":
			bit = 64
			e.Version, ok = d.text()
		case "page":
			bit = 128
			e.Page, ok = d.text()
		case "props":
			bit = 256
			e.Props, ok = d.object()
		default:
			return false
		}
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
	}
}

// object returns a copy of an object value (json.RawMessage keeps the bytes as sent).
func (d *fastDecoder) object() (json.RawMessage, bool) {
	d.space()
	if d.p >= len(d.buf) || d.buf[d.p] != '{' {
		return nil, false
	}
	start, depth := d.p, 0
	for d.p < len(d.buf) {
		switch c := d.buf[d.p]; c {
		case '"':
			if _, ok := d.rawStr(); !ok {
				return nil, false
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
		d.p++
		if depth == 0 {
			raw := d.buf[start:d.p]
			if !json.Valid(raw) {
				return nil, false
			}
			return append(json.RawMessage(nil), raw...), true
		}
	}
	return nil, false
}
