// Command mkvectors regenerates the shared hot-update test vectors
// (hotupdate/testdata/vectors, format in docs/HOTUPDATE.md), which sdk-js
// and sdk-native test against. The output is deterministic, SM2 signatures
// included, so a run that changes nothing leaves `git diff` empty, and
// `go test ./hotupdate/` fails when the committed vectors are stale.
//
//	go run ./hotupdate/cmd/mkvectors [-out hotupdate/testdata/vectors]
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/govapp/govapp/hotupdate/internal/vectors"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run writes the vectors and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("mkvectors", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("out", filepath.Join("hotupdate", "testdata", "vectors"), "the vectors folder (run from the repository root, or point here)")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	keys, vs, err := vectors.Generate()
	if err == nil {
		var files map[string][]byte
		if files, err = vectors.Files(keys, vs); err == nil {
			err = write(*out, files)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "mkvectors:", err)
		return 1
	}
	fmt.Fprintf(stdout, "mkvectors: wrote %d vectors to %s\n", len(vs), *out)
	return 0
}

// write puts files under dir and removes vector folders that are no longer
// generated (only folders holding an envelope.json, so a wrong -out does not
// wipe anything else).
func write(dir string, files map[string][]byte) error {
	keep := map[string]bool{}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
		if i := strings.IndexByte(name, '/'); i > 0 {
			keep[name[:i]] = true
		}
	}
	sort.Strings(names)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() || keep[e.Name()] {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(sub, "envelope.json")); err == nil {
			if err := os.RemoveAll(sub); err != nil {
				return err
			}
		}
	}
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	// A vector that lost its files.json must not keep a stale one.
	for v := range keep {
		fj := filepath.Join(dir, v, "files.json")
		if _, ok := files[v+"/files.json"]; !ok {
			if err := os.Remove(fj); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	return nil
}
