package devserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// device is one phone or browser tab family, known by the short id its dev
// client keeps for the session.
type device struct {
	id, name string
	color    int
	last     time.Time
}

// logBatch is what a dev client POSTs to /__govapp/log.
type logBatch struct {
	ID        string     `json:"id"`
	Container string     `json:"container"`
	Entries   []logEntry `json:"entries"`
}

// logEntry is one console call, error or request on a device.
type logEntry struct {
	Kind   string `json:"kind"` // log info warn error debug exception rejection net
	Text   string `json:"text"`
	Stack  string `json:"stack"`
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
	MS     int    `json:"ms"`
}

// maxText bounds one printed entry; a device dumping a megabyte object
// into console.log should not scroll the terminal away.
const maxText = 4000

var idPattern = regexp.MustCompile(`^[0-9a-z]{1,12}$`)

// serveLog is the device → server channel. Anything malformed is refused
// with a 4xx and dropped: one broken page must not disturb the relay for
// the other devices.
func (s *Server) serveLog(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxMessage))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		http.Error(w, "message too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := s.Relay(r.UserAgent(), body); err != nil {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// errBadBatch marks a relay message that is not a log batch.
var errBadBatch = errors.New("not a log batch")

// Relay prints one batch a device sent — to this server, or through the platform in a
// cloud session (ua is the device's User-Agent as the receiver saw it).
func (s *Server) Relay(ua string, body []byte) error {
	if len(body) > MaxMessage {
		return errBadBatch
	}
	var b logBatch
	if err := json.Unmarshal(body, &b); err != nil || !idPattern.MatchString(b.ID) || len(b.Entries) > 200 {
		return errBadBatch
	}
	d := s.seen(b.ID, ua, b.Container)
	for _, e := range b.Entries {
		s.printEntry(d, e)
	}
	return nil
}

// seen registers or refreshes a device and returns it.
func (s *Server) seen(id, ua, container string) *device {
	if !idPattern.MatchString(id) {
		id = "anon"
	}
	key := deviceKey(id, ua, container)
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.devices[key]
	if d == nil {
		d = &device{id: id, name: deviceName(ua, container) + "#" + id, color: len(s.devices)}
		s.devices[key] = d
	}
	d.last = time.Now()
	return d
}

// deviceKey tells devices apart: the client's id, and the user agent and
// simulated container, since two tabs of one desktop browser simulating
// WeChat and Alipay are two devices to the developer.
func deviceKey(id, ua, container string) string { return id + "\x00" + deviceName(ua, container) }

// printEntry writes one device event to the terminal.
func (s *Server) printEntry(d *device, e logEntry) {
	clean := func(t string) string {
		t = strings.ToValidUTF8(t, "?")
		if len(t) > maxText {
			cut := maxText
			for cut > 0 && !utf8.RuneStart(t[cut]) {
				cut--
			}
			t = t[:cut] + "…"
		}
		// Terminal escapes from a page must not repaint the developer's terminal.
		return strings.Map(func(r rune) rune {
			if r == 0x1b || (r < 0x20 && r != '\n' && r != '\t') {
				return -1
			}
			return r
		}, t)
	}
	var line string
	switch e.Kind {
	case "net":
		status := fmt.Sprint(e.Status)
		if e.Status == 0 {
			status = "failed"
		}
		line = fmt.Sprintf("net: %s %s %s %dms", clean(strings.ToUpper(e.Method)), clean(e.URL), status, e.MS)
	case "log", "info", "warn", "error", "debug":
		line = e.Kind + ": " + clean(e.Text)
	case "exception", "rejection":
		line = "error: " + clean(s.mapStack(e.Text))
		if st := clean(s.mapStack(e.Stack)); st != "" {
			for _, l := range strings.Split(st, "\n") {
				l = strings.TrimSpace(l)
				if l != "" && !strings.Contains(e.Text, l) {
					line += "\n    " + l
				}
			}
		}
	default:
		return // an unknown kind from a newer client: drop it
	}
	s.out.device(d, line)
}

// Devices lists the devices seen, most recent first, for the d key.
func (s *Server) Devices() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	online := map[string]bool{}
	for c := range s.clients {
		online[c.device] = true
	}
	type row struct {
		text string
		last time.Time
	}
	var rows []row
	for k, d := range s.devices {
		state := "last seen " + time.Since(d.last).Round(time.Second).String() + " ago"
		if online[k] {
			state = "connected"
		}
		rows = append(rows, row{d.name + " (" + state + ")", d.last})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].last.After(rows[j].last) })
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.text
	}
	return out
}

// deviceName is a short label for a device from its User-Agent: the model
// family and the container or browser ("iPhone/WeChat", "Android/Chrome",
// "HeadlessChrome"), plus the simulated container on a desktop.
func deviceName(ua, container string) string {
	name := ""
	switch {
	case strings.Contains(ua, "HeadlessChrome"):
		name = "HeadlessChrome"
	default:
		model := "Browser"
		for _, m := range []struct{ key, name string }{
			{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"HarmonyOS", "Harmony"}, {"Android", "Android"},
			{"Windows", "Windows"}, {"Macintosh", "Mac"}, {"Linux", "Linux"},
		} {
			if strings.Contains(ua, m.key) {
				model = m.name
				break
			}
		}
		app := ""
		for _, a := range []struct{ key, name string }{
			{"MicroMessenger", "WeChat"}, {"AlipayClient", "Alipay"}, {"zlb", "ZLB"}, {"DingTalk", "DingTalk"},
			{"Edg/", "Edge"}, {"Firefox/", "Firefox"}, {"CriOS", "Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"},
		} {
			if strings.Contains(ua, a.key) {
				app = a.name
				break
			}
		}
		name = model
		if app != "" {
			name += "/" + app
		}
	}
	if container != "" && container != "web" && known(container) {
		name += "(sim:" + container + ")"
	}
	return name
}

// printer serialises terminal output: device lines, build results and
// errors from several goroutines never interleave mid-line.
type printer struct {
	mu    sync.Mutex
	w     io.Writer
	color bool
}

// deviceColors are ANSI colours that read on dark and light terminals.
var deviceColors = []string{"36", "35", "33", "32", "34", "96", "95", "93"}

func (p *printer) linef(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, format+"\n", args...)
}

func (p *printer) errorf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	if p.color {
		msg = "\x1b[31m" + msg + "\x1b[0m"
	}
	fmt.Fprintln(p.w, msg)
}

func (p *printer) raw(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.w, s)
}

func (p *printer) device(d *device, line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	prefix := "[" + d.name + "]"
	if p.color {
		prefix = "\x1b[" + deviceColors[d.color%len(deviceColors)] + "m" + prefix + "\x1b[0m"
	}
	fmt.Fprintf(p.w, "%s %s\n", prefix, line)
}
