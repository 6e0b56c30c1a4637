package build

import (
	"fmt"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// Message is one esbuild diagnostic, detached from esbuild's types so callers
// (the CLI, the dev server's error overlay) need not import esbuild.
type Message struct {
	File     string   // path relative to the project root, "" when the message is about no file
	Line     int      // 1-based; 0 when unknown
	Column   int      // 1-based, in bytes, as editors count for ASCII; 0 when unknown
	Text     string   // what is wrong
	LineText string   // the source line, for a caret display
	Notes    []string // further hints, each "file:line:col: text" when located
}

// String formats the message the way compilers do, "src/main.ts:3:7: text",
// so terminals and editors turn it into a link to the line.
func (m Message) String() string {
	var b strings.Builder
	if m.File != "" {
		b.WriteString(m.File)
		if m.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", m.Line, m.Column)
		}
		b.WriteString(": ")
	}
	b.WriteString(m.Text)
	for _, n := range m.Notes {
		b.WriteString("\n  note: " + n)
	}
	return b.String()
}

// messages converts esbuild's messages.
func messages(ms []api.Message) []Message {
	out := make([]Message, 0, len(ms))
	for _, m := range ms {
		msg := Message{Text: m.Text}
		if m.PluginName != "" {
			msg.Text = "[" + m.PluginName + "] " + m.Text
		}
		if l := m.Location; l != nil {
			msg.File, msg.Line, msg.Column, msg.LineText = l.File, l.Line, l.Column+1, l.LineText
		}
		for _, n := range m.Notes {
			note := n.Text
			if l := n.Location; l != nil {
				note = fmt.Sprintf("%s:%d:%d: %s", l.File, l.Line, l.Column+1, n.Text)
			}
			msg.Notes = append(msg.Notes, note)
		}
		out = append(out, msg)
	}
	return out
}

// Error is a failed compilation: the scripts have errors esbuild reports.
type Error struct {
	Messages []Message
}

// Error lists every message on its own line, file:line:col first.
func (e *Error) Error() string {
	var b strings.Builder
	n := len(e.Messages)
	if n == 1 {
		b.WriteString("build failed with 1 error:")
	} else {
		fmt.Fprintf(&b, "build failed with %d errors:", n)
	}
	for _, m := range e.Messages {
		b.WriteString("\n" + m.String())
	}
	return b.String()
}

// BudgetError says the bundle is larger than size_budget_kb in govapp.json.
// Build returns it together with the Result, so the report can be shown.
type BudgetError struct {
	Total    int64      // bytes of the bundle
	BudgetKB int        // the budget, in KiB
	Largest  []FileSize // the biggest files, biggest first: where to start trimming
}

// Error names the budget, by how much it is exceeded and the largest files.
func (e *BudgetError) Error() string {
	over := e.Total - int64(e.BudgetKB)*1024
	var big []string
	for _, f := range e.Largest {
		big = append(big, fmt.Sprintf("%s %s", f.Path, FormatSize(f.Size)))
	}
	return fmt.Sprintf("bundle is %s, %s over the size budget of %d KB (size_budget_kb in %s); largest files: %s. "+
		"Shrink or lazy-load them, or raise size_budget_kb if the size is justified",
		FormatSize(e.Total), FormatSize(over), e.BudgetKB, ConfigFile, strings.Join(big, ", "))
}
