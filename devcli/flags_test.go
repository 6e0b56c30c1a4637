package devcli

import (
	"bytes"
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args    []string
		pos     []string
		json    bool
		comment string
	}{
		{[]string{"ID", "--json"}, []string{"ID"}, true, ""},
		{[]string{"--json", "ID"}, []string{"ID"}, true, ""},
		{[]string{"a", "--comment", "x y", "b", "-json"}, []string{"a", "b"}, true, "x y"},
		{[]string{"--comment=--", "a"}, []string{"a"}, false, "--"},
		{[]string{"--comment", "--", "a"}, []string{"a"}, false, "--"},
		{[]string{"a", "--", "--json"}, []string{"a", "--json"}, false, ""},
		{[]string{"--", "-x"}, []string{"-x"}, false, ""},
		{nil, nil, false, ""},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		asJSON := fs.Bool("json", false, "")
		comment := fs.String("comment", "", "")
		pos, err := parseInterleaved(fs, tt.args)
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if !reflect.DeepEqual(pos, tt.pos) || *asJSON != tt.json || *comment != tt.comment {
			t.Errorf("%q: pos %q json %v comment %q; want %q %v %q", tt.args, pos, *asJSON, *comment, tt.pos, tt.json, tt.comment)
		}
	}
}

func TestListFlag(t *testing.T) {
	var l listFlag
	for _, v := range []string{"330100, 330106", "330000", ""} {
		l.Set(v)
	}
	if want := (listFlag{"330100", "330106", "330000"}); !reflect.DeepEqual(l, want) {
		t.Errorf("list = %q, want %q", l, want)
	}
}

func TestTable(t *testing.T) {
	var buf bytes.Buffer
	tb := newTable(&buf)
	tb.row("NAME", "ID", "NOTE")
	tb.row("浙江省", "330000", "multi\nline")
	tb.row("Zhejiang", "330000", "")
	tb.flush()
	want := "" +
		"NAME      ID      NOTE\n" +
		"浙江省    330000  multi line\n" +
		"Zhejiang  330000\n"
	if buf.String() != want {
		t.Errorf("table =\n%s\nwant\n%s", buf.String(), want)
	}
	if got := displayWidth("杭州 ab，"); got != 9 {
		t.Errorf("displayWidth = %d, want 9", got)
	}
	if !strings.HasSuffix(buf.String(), "\n") {
		t.Error("no final newline")
	}
}
