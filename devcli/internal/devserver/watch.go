package devserver

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/govapp/govapp/hotupdate/build"
)

// stamp is what the watcher compares to notice a save. Polling modification
// times rather than using inotify/FSEvents keeps the binary free of a
// platform-specific dependency and also sees changes on network and VM
// shared folders, where file events often never arrive; a project is a few
// hundred files, which a walk covers in well under a millisecond.
type stamp struct {
	mod  time.Time
	size int64
}

// skipDirs are folders whose changes never affect the build: dependencies,
// the output of `govapp build`, version control.
var skipDirs = map[string]bool{"node_modules": true, "dist": true, "dist-maps": true}

// snapshot stamps every file of the project.
func snapshot(dir string) map[string]stamp {
	m := map[string]stamp{}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != dir && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if info, err := d.Info(); err == nil {
			m[p] = stamp{info.ModTime(), info.Size()}
		}
		return nil
	})
	return m
}

// watch polls the project and rebuilds on every change until ctx ends.
func (s *Server) watch(ctx context.Context) {
	cfgFile := filepath.Join(s.dir, build.ConfigFile)
	last := snapshot(s.dir)
	t := time.NewTicker(s.opts.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := snapshot(s.dir)
		changed, cfgChanged := diff(last, now, cfgFile)
		last = now
		if !changed {
			continue
		}
		if cfgChanged {
			dev, err := build.NewDev(build.Options{Dir: s.dir})
			if err != nil {
				s.setFailure(err)
				continue
			}
			s.mu.Lock()
			s.dev.Close()
			s.dev, s.cfg = dev, dev.Config()
			s.mu.Unlock()
			s.out.linef("%s changed; build settings reloaded", build.ConfigFile)
		}
		s.rebuild(true)
	}
}

// diff says whether anything changed between two snapshots and whether
// govapp.json did.
func diff(a, b map[string]stamp, cfgFile string) (changed, cfg bool) {
	for p, st := range b {
		if o, ok := a[p]; !ok || o != st {
			changed = true
			cfg = cfg || p == cfgFile
		}
	}
	for p := range a {
		if _, ok := b[p]; !ok {
			changed = true
			cfg = cfg || p == cfgFile
		}
	}
	return changed, cfg
}

// rebuild runs the incremental build and tells the devices: a full reload
// when a script or page changed, a stylesheet swap when only CSS did, the
// error overlay when the build failed.
func (s *Server) rebuild(notify bool) {
	start := time.Now()
	s.mu.Lock()
	res, err := s.dev.Rebuild()
	s.mu.Unlock()
	if err != nil {
		s.setFailure(err)
		return
	}
	s.mu.Lock()
	hadErrors := s.errs != nil || s.errText != ""
	kind := changeKind(s.files, res.Files)
	if hadErrors && kind == "" {
		kind = "reload"
	}
	s.files, s.errs, s.errText = res.Files, nil, ""
	s.maps = consumers(res.Files)
	s.buildID++
	id := s.buildID
	s.mu.Unlock()
	if s.opts.OnBuild != nil && (kind != "" || !notify) {
		s.opts.OnBuild(res.Files, s.cfg.Entry)
	}
	s.preflight()
	for _, w := range res.Warnings {
		s.out.linef("build warning: %s", w)
	}
	if !notify {
		return
	}
	if hadErrors {
		s.out.linef("build fixed")
	}
	if kind == "" {
		return
	}
	n := s.broadcast(event{Type: kind, Build: id})
	what := "reloading"
	if kind == "css" {
		what = "swapping stylesheets on"
	}
	s.out.linef("rebuilt in %s; %s %d device%s", time.Since(start).Round(time.Millisecond), what, n, plural(n))
}

// setFailure records a failed build, prints it and shows it on every device.
func (s *Server) setFailure(err error) {
	var be *build.Error
	var msgs []build.Message
	text := ""
	if errors.As(err, &be) {
		msgs = be.Messages
	} else {
		text = err.Error()
	}
	s.mu.Lock()
	s.errs, s.errText = msgs, text
	if msgs == nil {
		s.errs = []build.Message{}
	}
	s.mu.Unlock()
	for _, m := range msgs {
		s.out.errorf("build error: %s", m)
		if m.LineText != "" {
			s.out.linef("    %s", m.LineText)
		}
	}
	if text != "" {
		s.out.errorf("build error: %s", text)
	}
	s.broadcast(s.errorEvent())
}

// changeKind compares two builds: "" when nothing the browser sees
// changed, "css" when only stylesheets did, else "reload".
func changeKind(old, cur map[string][]byte) string {
	kind := ""
	note := func(p string) {
		if strings.HasSuffix(p, ".css") {
			if kind == "" {
				kind = "css"
			}
			return
		}
		kind = "reload"
	}
	for p, b := range cur {
		if o, ok := old[p]; !ok || string(o) != string(b) {
			note(p)
		}
	}
	for p := range old {
		if _, ok := cur[p]; !ok {
			note(p)
		}
	}
	return kind
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// preflight prints what `govapp build` would refuse (undeclared device features, features a
// container lacks, zoom disabled without the elder mode) as warnings, once per change of the
// findings, so the developer learns it while working rather than at publish time.
func (s *Server) preflight() {
	s.mu.Lock()
	cfg := s.cfg
	s.mu.Unlock()
	problems, err := build.Preflight(s.dir, &cfg, cfg.Containers)
	if err != nil {
		return
	}
	var lines []string
	for _, p := range problems {
		lines = append(lines, p.String())
	}
	key := strings.Join(lines, "\n")
	s.mu.Lock()
	same := key == s.lastPreflight
	s.lastPreflight = key
	s.mu.Unlock()
	if same {
		return
	}
	for _, l := range lines {
		s.out.linef("preflight warning: %s (govapp build will refuse this)", l)
	}
}
