package build

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"sort"
)

// Report is the size of a bundle, file by file, as `govapp build` prints it:
// developers of government light apps answer for what citizens download on
// mobile data, so the size is shown on every build, not only when a budget
// is broken.
type Report struct {
	Files     []FileSize // sorted by path
	Total     int64      // bytes of all files
	GzipTotal int64      // bytes of all files gzipped one by one, close to what travels over HTTP
	BudgetKB  int        // size_budget_kb of govapp.json; 0 when there is none
}

// FileSize is one file of the Report.
type FileSize struct {
	Path   string // bundle path
	Size   int64  // bytes
	Gzip   int64  // bytes after gzip at the best compression
	Origin string // OriginEntry, OriginBundle or OriginPublic
}

// newReport measures files.
func newReport(files map[string][]byte, origin map[string]string, budgetKB int) Report {
	r := Report{BudgetKB: budgetKB}
	for p, data := range files {
		fs := FileSize{Path: p, Size: int64(len(data)), Gzip: gzipSize(data), Origin: origin[p]}
		r.Files = append(r.Files, fs)
		r.Total += fs.Size
		r.GzipTotal += fs.Gzip
	}
	sort.Slice(r.Files, func(i, j int) bool { return r.Files[i].Path < r.Files[j].Path })
	return r
}

// largest returns the n biggest files, biggest first, to say what to trim.
func (r Report) largest(n int) []FileSize {
	fs := append([]FileSize(nil), r.Files...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Size > fs[j].Size })
	return fs[:min(n, len(fs))]
}

// gzipSize is the gzipped length of data. The gzip header carries no name or
// time, so the figure depends on the bytes alone.
func gzipSize(data []byte) int64 {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	w.Write(data)
	w.Close()
	return int64(b.Len())
}

// FormatSize shows a byte count the way the report does: bytes under 1 KiB,
// else KiB or MiB with one decimal (1 KB = 1024 bytes, as size_budget_kb).
func FormatSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
}
