package build

import (
	"bytes"
	"html"
	"regexp"
	"strings"
)

// AssetsMarker is the comment in the entry HTML that Build replaces with the
// built <link> and <script> tags, for authors who want them in a particular
// place. Without it, stylesheets go before </head> and scripts before
// </body>.
const AssetsMarker = "<!-- govapp:assets -->"

// markerPattern accepts the marker with any spacing inside the comment.
var markerPattern = regexp.MustCompile(`<!--\s*govapp:assets\s*-->`)

// injectAssets returns page with the tags for the built files added. toRoot
// is the path from the page's folder to the bundle root, so a page in a
// subfolder still finds assets/.
func injectAssets(page []byte, tags []tag, toRoot string) []byte {
	if len(tags) == 0 {
		return markerPattern.ReplaceAll(page, nil)
	}
	var styles, scripts []string
	for _, t := range tags {
		href := html.EscapeString(toRoot + t.path)
		if t.style {
			styles = append(styles, `<link rel="stylesheet" href="`+href+`">`)
		} else {
			scripts = append(scripts, `<script src="`+href+`"></script>`)
		}
	}
	if loc := markerPattern.FindIndex(page); loc != nil {
		indent := lineIndent(page, loc[0])
		all := strings.Join(append(styles, scripts...), "\n"+indent)
		return concat(page[:loc[0]], []byte(all), page[loc[1]:])
	}
	out := page
	if len(styles) > 0 {
		out = insertBefore(out, "</head>", false, styles)
	}
	if len(scripts) > 0 {
		out = insertBefore(out, "</body>", true, scripts)
	}
	return out
}

// insertBefore puts lines before the first (or, with last, the final)
// closing tag, matched case-insensitively. A page without the tag (HTML lets
// authors leave </head> and </body> out) gets the lines appended: for
// scripts, the end of the page is where </body> would be; for stylesheets,
// before </body> if there is one, else at the end.
func insertBefore(page []byte, closing string, last bool, lines []string) []byte {
	lower := bytes.ToLower(page)
	i := bytes.Index(lower, []byte(closing))
	if last {
		i = bytes.LastIndex(lower, []byte(closing))
	}
	if i < 0 && closing == "</head>" {
		i = bytes.Index(lower, []byte("</body>"))
	}
	if i < 0 {
		text := strings.Join(lines, "\n") + "\n"
		if len(page) > 0 && page[len(page)-1] != '\n' {
			text = "\n" + text
		}
		return concat(page, []byte(text))
	}
	// A closing tag alone on its line gets the tags on lines of their own,
	// indented one step deeper; one inside a line gets them inline.
	if start := lineStart(page, i); strings.TrimSpace(string(page[start:i])) == "" {
		indent := string(page[start:i])
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(indent + "  " + l + "\n")
		}
		return concat(page[:start], []byte(b.String()), page[start:])
	}
	return concat(page[:i], []byte(strings.Join(lines, "")), page[i:])
}

// lineStart is the offset of the start of the line holding offset i.
func lineStart(page []byte, i int) int {
	return bytes.LastIndexByte(page[:i], '\n') + 1
}

// lineIndent is the leading white space of the line holding offset i, up to
// i, so injected tags line up with what surrounds them.
func lineIndent(page []byte, i int) string {
	start := lineStart(page, i)
	n := start
	for n < i && (page[n] == ' ' || page[n] == '\t') {
		n++
	}
	return string(page[start:n])
}

// concat joins byte slices into a new one.
func concat(parts ...[]byte) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		b.Write(p)
	}
	return b.Bytes()
}
