package devcli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/govapp/govapp/hotupdate"
	"github.com/govapp/govapp/hotupdate/build"
	"github.com/govapp/govapp/platform/client"
)

// uploadWorkers is how many files a publish sends at once: enough to hide
// the round trip of many small files, few enough not to swamp a slow uplink.
const uploadWorkers = 4

// runPublish implements `govapp publish`.
func runPublish(ctx context.Context, e *Env, args []string) int {
	relaxGC()
	f := e.flags("publish", "[--dir DIR] [--channel C] [--rollout PERCENT] [--mandatory] [--notes TEXT] [--key KEY_ID] [--json]",
		`Build the app (as 'govapp build' does), sign its manifest with a department key, upload the
files the platform does not have yet, register the bundle and release it on a channel.

The key is --key, else the newest key on this machine that the app's department has registered
and not retired ('govapp keys create --org NODE' makes one). Only missing files are uploaded:
after an interrupted publish, run the same command again and it sends only what is still missing.
Publishing to production needs the app to be online (approved).

Upload progress goes to standard error: a bar redrawn in place on a terminal (bytes sent of the
total, files done), one plain line per uploaded file otherwise (CI logs). The summary goes to
standard output; --json prints it as JSON.`)
	dir := f.String("dir", ".", "project folder holding govapp.json")
	channel := f.String("channel", client.ChannelProduction, "release channel: development, staging, production or one you created")
	rollout := f.String("rollout", "100", "share of devices that get the release, 0.01 to 100 (percent)")
	mandatory := f.Bool("mandatory", false, "devices must install the update before the app opens")
	notes := f.String("notes", "", "release notes, e.g. what changed")
	keyID := f.String("key", "", "ID of the signing key to use (default: see above)")
	asJSON := f.Bool("json", false, "print the summary (bundle, uploads, release) as JSON")
	if _, err := f.parse(args); err != nil {
		return e.fail(err)
	}
	percent, err := parsePercent(*rollout)
	if err != nil {
		return e.fail(usageErrorf(f.cmd, "publish: --rollout %v", err))
	}
	if *channel == "" {
		return e.fail(usageErrorf(f.cmd, "publish: --channel must not be empty"))
	}
	a, err := e.api()
	if err != nil {
		return e.fail(err)
	}

	res, err := e.buildProject(*dir)
	if err != nil {
		if res != nil {
			printReport(e.Stderr, res.Report)
		}
		return e.fail(err)
	}
	cfg := res.Config
	fmt.Fprintf(e.Stderr, "Built %s %s: %d files, %s (%s gzipped).\n", cfg.AppID, cfg.Version,
		len(res.Files), build.FormatSize(res.Report.Total), build.FormatSize(res.Report.GzipTotal))

	if err := checkDeclared(ctx, a, cfg.AppID, cfg.JSAPIPermissions); err != nil {
		return e.fail(err)
	}
	key, err := e.publishKey(ctx, a, cfg.AppID, *keyID)
	if err != nil {
		return e.fail(err)
	}
	m, err := hotupdate.NewManifest(cfg.AppID, cfg.Version, cfg.Entry, res.Files, cfg.MinContainer, time.Now())
	if err != nil {
		return e.fail(fmt.Errorf("the bundle would be refused: %w", err))
	}
	env, err := hotupdate.Sign(m, key.PrivateKey)
	if err != nil {
		return e.fail(fmt.Errorf("sign with key %s (%s): %w", key.KeyID, key.file, err))
	}
	envelope, err := hotupdate.MarshalEnvelope(env)
	if err != nil {
		return e.fail(err)
	}

	up, err := e.uploadMissing(ctx, a, cfg.AppID, m, res.Files)
	if err != nil {
		return e.fail(err)
	}
	bundle, _, err := a.CreateBundle(ctx, cfg.AppID, json.RawMessage(envelope))
	if err != nil {
		return e.fail(fmt.Errorf("register bundle %s: %w", m.BundleID, err))
	}
	rel, err := a.CreateRelease(ctx, cfg.AppID, client.ReleaseCreate{
		BundleID: bundle.BundleID, Channel: *channel, Percent: percent, Mandatory: *mandatory, Notes: *notes,
	})
	if err != nil {
		return e.fail(fmt.Errorf("bundle %s is uploaded and registered, but releasing it failed: %w", bundle.BundleID, err))
	}

	if *asJSON {
		return e.done(printValueJSON(e, publishOutput{
			AppID: cfg.AppID, Version: cfg.Version, BundleID: bundle.BundleID, KeyID: key.KeyID,
			FilesTotal: up.filesTotal, FilesUploaded: up.filesSent, BytesTotal: up.bytesTotal, BytesUploaded: up.bytesSent,
			Release: rel,
		}))
	}
	t := newTable(e.Stdout)
	t.row("Published", cfg.AppID+" "+cfg.Version)
	t.row("Bundle", bundle.BundleID)
	t.row("Signed with", key.KeyID+" ("+key.Alg+")")
	t.row("Files uploaded", fmt.Sprintf("%d of %d", up.filesSent, up.filesTotal))
	t.row("Bytes uploaded", fmt.Sprintf("%s of %s", build.FormatSize(up.bytesSent), build.FormatSize(up.bytesTotal)))
	t.row("Release", rel.ID)
	t.row("Channel", rel.Channel)
	t.row("Rollout", fmtPercent(rel.Percent))
	t.row("Status", rel.Status+orEmpty(" ("+rel.StatusReason+")", rel.StatusReason != ""))
	t.flush()
	if rel.Percent < 100 {
		fmt.Fprintf(e.Stdout, "\nWiden it with 'govapp releases rollout %s PERCENT'; take it back with 'govapp releases rollback --app %s --channel %s'.\n", rel.ID, cfg.AppID, rel.Channel)
	}
	return ExitOK
}

// publishOutput is what `govapp publish --json` prints.
type publishOutput struct {
	AppID         string          `json:"app_id"`
	Version       string          `json:"version"`
	BundleID      string          `json:"bundle_id"`
	KeyID         string          `json:"key_id"`
	FilesTotal    int             `json:"files_total"`
	FilesUploaded int             `json:"files_uploaded"`
	BytesTotal    int64           `json:"bytes_total"`
	BytesUploaded int64           `json:"bytes_uploaded"`
	Release       *client.Release `json:"release"`
}

// orEmpty is s when ok, else "", for optional parts of a cell.
func orEmpty(s string, ok bool) string {
	if ok {
		return s
	}
	return ""
}

// publishKey picks the signing key: the one named, else the newest local key
// that the department owning the app has registered and not retired.
func (e *Env) publishKey(ctx context.Context, a *api, appID, keyID string) (*localKey, error) {
	if keyID != "" {
		return e.loadKey(keyID)
	}
	app, err := a.GetApp(ctx, appID)
	if err != nil {
		return nil, fmt.Errorf("look up app %s: %w", appID, err)
	}
	registered, err := a.ListKeys(ctx, app.OwnerNode)
	if err != nil {
		return nil, fmt.Errorf("list the signing keys of %s: %w", app.OwnerNode, err)
	}
	active := map[string]bool{}
	for _, k := range registered {
		if k.RetiredAt == nil {
			active[k.KeyID] = true
		}
	}
	local, err := e.localKeys()
	if err != nil {
		return nil, err
	}
	for _, k := range local { // newest first
		if active[k.KeyID] {
			return &k, nil
		}
	}
	if len(local) == 0 {
		return nil, fmt.Errorf("no signing key on this machine: create one for the app's department with 'govapp keys create --org %s'", app.OwnerNode)
	}
	return nil, fmt.Errorf("none of the %d signing keys on this machine is registered (and not retired) for %s, which owns %s: "+
		"create one with 'govapp keys create --org %s', or name one with --key", len(local), app.OwnerNode, appID, app.OwnerNode)
}

// uploaded counts what a publish sent.
type uploaded struct {
	filesTotal, filesSent int
	bytesTotal, bytesSent int64
}

// uploadMissing asks the platform which of the bundle's files it lacks and
// uploads those. Because it always asks first, a publish that was cut off
// resumes where it stopped when run again.
func (e *Env) uploadMissing(ctx context.Context, a *api, appID string, m hotupdate.Manifest, files map[string][]byte) (uploaded, error) {
	byHash := map[string][]byte{}
	up := uploaded{filesTotal: len(m.Files)}
	for _, f := range m.Files {
		byHash[f.SHA256] = files[f.Path]
		up.bytesTotal += f.Size
	}
	hashes := make([]string, 0, len(byHash))
	for h := range byHash {
		hashes = append(hashes, h)
	}
	sort.Strings(hashes)
	missing, err := a.MissingBlobs(ctx, appID, hashes)
	if err != nil {
		return up, fmt.Errorf("ask which files the platform lacks: %w", err)
	}
	var todo []blobUpload
	seen := map[string]bool{}
	for _, h := range missing {
		data, ok := byHash[h]
		if !ok || seen[h] {
			continue // not ours to send: the platform asked about a hash we did not offer
		}
		seen[h] = true
		todo = append(todo, blobUpload{sha: h, data: data, name: pathOf(m, h)})
	}
	// Files that share content are sent once but counted per path.
	for _, f := range m.Files {
		if seen[f.SHA256] {
			up.filesSent++
		}
	}
	var total int64
	for _, u := range todo {
		total += int64(len(u.data))
	}
	if len(todo) == 0 {
		fmt.Fprintf(e.Stderr, "All %d files are on the platform already; nothing to upload.\n", up.filesTotal)
		return up, nil
	}
	fmt.Fprintf(e.Stderr, "Uploading %d of %d files (%s); the platform has the rest.\n", up.filesSent, up.filesTotal, build.FormatSize(total))

	// The uploads run in parallel, so they get a client of their own
	// without the response hook, which keeps only one reply.
	server, token, err := e.credentials()
	if err != nil {
		return up, err
	}
	uploader := client.New(server, token, client.WithUserAgent(userAgent()))
	p := newProgress(e.Stderr, isTerminal(e.Stderr), total, len(todo))
	sent, err := uploadAll(ctx, uploader, appID, todo, p)
	p.finish()
	up.bytesSent = sent
	if err != nil {
		return up, fmt.Errorf("%w\nFiles uploaded so far stay on the platform: run the same command again to send only the rest", err)
	}
	return up, nil
}

// pathOf names a file by its first path in the manifest, for messages.
func pathOf(m hotupdate.Manifest, sha string) string {
	for _, f := range m.Files {
		if f.SHA256 == sha {
			return f.Path
		}
	}
	return sha
}

// blobUpload is one file to send.
type blobUpload struct {
	sha, name string
	data      []byte
}

// uploadAll sends todo with a few workers; the first failure stops the rest.
// It returns the bytes of the files that were stored.
func uploadAll(ctx context.Context, c *client.Client, appID string, todo []blobUpload, p *progress) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan blobUpload)
	var mu sync.Mutex
	var sent int64
	var firstErr error
	var wg sync.WaitGroup
	for range min(uploadWorkers, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				r := &countingReader{r: bytes.NewReader(u.data), add: p.add}
				_, err := c.PutBlob(ctx, appID, u.sha, r, int64(len(u.data)))
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = fmt.Errorf("upload %s: %w", u.name, err)
						cancel()
					}
				} else {
					sent += int64(len(u.data))
				}
				mu.Unlock()
				if err != nil {
					p.add(-r.n) // what went out of a failed file does not count
				} else {
					p.done(u.name, int64(len(u.data)))
				}
			}
		}()
	}
feed:
	for _, u := range todo {
		select {
		case jobs <- u:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return sent, firstErr
	}
	if err := ctx.Err(); err != nil { // Ctrl-C before every file was handed out
		return sent, fmt.Errorf("upload interrupted: %w", err)
	}
	return sent, nil
}

// countingReader reports every read to add, which drives the progress bar.
type countingReader struct {
	r   io.Reader
	n   int64
	add func(int64)
}

// Read passes the read through and reports its size.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	c.add(int64(n))
	return n, err
}

// progress shows an upload on stderr. On a terminal it redraws one line —
// a bar, the percentage, bytes sent of total and files done — at most ten
// times a second; elsewhere (CI logs, files, pipes) it writes one plain line
// per finished file, since carriage returns would garble a log.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	total    int64
	sent     int64
	files    int
	finished int
	lastDraw time.Time
	drawn    bool
}

// newProgress starts the display of an upload of files files and total
// bytes; tty chooses the redrawn bar over plain lines.
func newProgress(w io.Writer, tty bool, total int64, files int) *progress {
	return &progress{w: w, tty: tty, total: total, files: files}
}

// add records n more bytes sent (negative: taken back after a failure).
func (p *progress) add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent += n
	if p.tty && time.Since(p.lastDraw) >= 100*time.Millisecond {
		p.draw()
	}
}

// done records a finished file.
func (p *progress) done(name string, size int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished++
	if p.tty {
		p.draw()
		return
	}
	fmt.Fprintf(p.w, "uploaded %s (%s), %s of %s sent (%d%%), %d of %d files\n",
		name, build.FormatSize(size), build.FormatSize(p.sent), build.FormatSize(p.total), p.percent(), p.finished, p.files)
}

// finish ends the bar's line on a terminal.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn {
		p.draw()
		fmt.Fprintln(p.w)
	}
}

// percent is the share of bytes sent; an empty upload is complete.
func (p *progress) percent() int {
	if p.total <= 0 {
		return 100
	}
	return int(100 * p.sent / p.total)
}

// draw rewrites the bar line in place.
func (p *progress) draw() {
	const width = 30
	filled := width
	if p.total > 0 {
		filled = int(width * p.sent / p.total)
	}
	filled = max(0, min(width, filled))
	bar := strings.Repeat("=", filled)
	if filled < width {
		bar += ">" + strings.Repeat(" ", width-filled-1)
	}
	fmt.Fprintf(p.w, "\r[%s] %3d%%  %s / %s  %d/%d files\x1b[K",
		bar, p.percent(), build.FormatSize(p.sent), build.FormatSize(p.total), p.finished, p.files)
	p.lastDraw = time.Now()
	p.drawn = true
}

// isTerminal reports whether w is a terminal, where a redrawn progress bar
// makes sense. Writers may say so themselves (tests do).
func isTerminal(w io.Writer) bool {
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

// parsePercent reads a rollout share: 0.01 to 100 in steps of 0.01, with an
// optional "%".
func parsePercent(s string) (float64, error) {
	v := strings.TrimSuffix(strings.TrimSpace(s), "%")
	p, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(p) || math.IsInf(p, 0) {
		return 0, fmt.Errorf("%q is not a number; give a percentage such as 5 or 12.5", s)
	}
	if p < 0.01 || p > 100 {
		return 0, fmt.Errorf("%s must be between 0.01 and 100", s)
	}
	if bp := p * 100; math.Abs(bp-math.Round(bp)) > 1e-6 {
		return 0, fmt.Errorf("%s has more than two decimals; shares go in steps of 0.01", s)
	}
	return math.Round(p*100) / 100, nil
}

// fmtPercent shows a share without trailing zeros: "5%", "12.5%".
func fmtPercent(p float64) string {
	return strconv.FormatFloat(p, 'f', -1, 64) + "%"
}

// checkDeclared refuses a bundle whose govapp.json uses device features the app's registration
// does not have: reviewers approve permissions with the app, and the platform and sdk-js refuse
// undeclared calls at run time anyway — better to say so before anything is uploaded.
func checkDeclared(ctx context.Context, a *api, appID string, used []string) error {
	if len(used) == 0 {
		return nil
	}
	app, err := a.GetApp(ctx, appID)
	if err != nil {
		return fmt.Errorf("look up app %s: %w", appID, err)
	}
	var missing []string
	for _, p := range used {
		if !slices.Contains(app.JSAPIPermissions, p) {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("govapp.json uses %s, which app %s is not registered for (it has: %s); update the app's jsapi_permissions (govapp apps update / the console) and have it reviewed",
			strings.Join(missing, ", "), appID, strings.Join(app.JSAPIPermissions, ", "))
	}
	return nil
}
