package devserver

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-sourcemap/sourcemap"
)

// Dev builds carry inline source maps; the relay maps a phone's stack frames back to the
// developer's sources ("/assets/main.js:9:11" → "src/main.ts:4:9") before printing them.

var (
	reFrame     = regexp.MustCompile(`((?:https?://[^\s()/]+)?/[^\s():]*\.js):(\d+):(\d+)`)
	reInlineMap = regexp.MustCompile(`//# sourceMappingURL=data:application/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$`)
)

// consumers parses the inline maps of a build's scripts, by bundle path.
func consumers(files map[string][]byte) map[string]*sourcemap.Consumer {
	out := map[string]*sourcemap.Consumer{}
	for p, b := range files {
		if !strings.HasSuffix(p, ".js") {
			continue
		}
		m := reInlineMap.FindSubmatch(bytes.TrimSpace(b))
		if m == nil {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(string(m[1]))
		if err != nil {
			continue
		}
		if c, err := sourcemap.Parse(p, raw); err == nil {
			out[p] = c
		}
	}
	return out
}

// mapStack rewrites every frame of text that points into this build.
func (s *Server) mapStack(text string) string {
	s.mu.Lock()
	maps := s.maps
	s.mu.Unlock()
	if len(maps) == 0 {
		return text
	}
	return reFrame.ReplaceAllStringFunc(text, func(frame string) string {
		m := reFrame.FindStringSubmatch(frame)
		p := m[1]
		if u, err := url.Parse(p); err == nil {
			p = u.Path
		}
		c := maps[strings.TrimPrefix(p, "/")]
		if c == nil {
			return frame
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		src, _, sl, sc, ok := c.Source(line, col-1)
		if !ok {
			return frame
		}
		return fmt.Sprintf("%s:%d:%d", cleanSource(src), sl, sc+1)
	})
}

// cleanSource shortens esbuild's source paths ("../src/main.ts") to project paths.
func cleanSource(src string) string {
	for strings.HasPrefix(src, "../") {
		src = src[3:]
	}
	return strings.TrimPrefix(src, "./")
}
