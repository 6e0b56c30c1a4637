// Package inspector gives `govapp dev` remote DOM, console and network inspection of the pages
// on phones with the real Chrome DevTools frontend, the way Chii does it: the page runs
// chobitsu (the DevTools protocol implemented in JS, in chii's target.js), the PC runs the
// DevTools frontend (chii's build of chrome-devtools-frontend), and this package serves both
// and relays the protocol between them over websockets. The npm package chii is fetched
// once from the npm registry, checked against a pinned integrity hash and cached, so the
// binary stays small and nobody hand-writes a DevTools protocol.
package inspector

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The pinned chii release and its npm integrity (dist.integrity).
const (
	Package   = "chii"
	Version   = "1.15.5"
	Integrity = "sha512-O8c5ddK9iz0jsPqzl1JgeNanh04+4e/sXOBhqRnsr4ip4zwk7iRrv4Ff5NAH2Ddh2h3UwCI5GLt5mAbA0mY57Q=="
	// DefaultRegistry is npm's; intranets point GOVAPP_NPM_REGISTRY (or npm_config_registry)
	// at their mirror.
	DefaultRegistry = "https://registry.npmjs.org/"
)

// Assets are the files of chii's public/ folder: target.js and front_end/.
type Assets struct {
	files map[string][]byte
}

// File returns one asset by its path under public/ ("target.js", "front_end/chii_app.html").
func (a *Assets) File(p string) ([]byte, bool) {
	b, ok := a.files[p]
	return b, ok
}

// Registry picks the npm registry from the environment the way npm does.
func Registry() string {
	for _, k := range []string{"GOVAPP_NPM_REGISTRY", "npm_config_registry", "NPM_CONFIG_REGISTRY"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return DefaultRegistry
}

// CachePath is where the verified tarball is kept between runs.
func CachePath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "govapp", fmt.Sprintf("%s-%s.tgz", Package, Version)), nil
}

// Load returns the assets from the cache at cachePath, fetching the tarball from registry
// first when the cache is missing or does not match Integrity.
func Load(ctx context.Context, client *http.Client, registry, cachePath string) (*Assets, error) {
	if b, err := os.ReadFile(cachePath); err == nil && verify(b) == nil {
		return parse(b)
	}
	url := strings.TrimSuffix(registry, "/") + fmt.Sprintf("/%s/-/%s-%s.tgz", Package, Package, Version)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("inspector: fetch %s: %w; set GOVAPP_NPM_REGISTRY to a reachable npm mirror", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("inspector: fetch %s: HTTP %d; set GOVAPP_NPM_REGISTRY to a reachable npm mirror", url, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("inspector: fetch %s: %w", url, err)
	}
	if err := verify(b); err != nil {
		return nil, fmt.Errorf("inspector: %s: %w", url, err)
	}
	a, err := parse(b)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(cachePath), 0o755); err == nil {
		tmp := cachePath + ".tmp"
		if os.WriteFile(tmp, b, 0o644) == nil {
			_ = os.Rename(tmp, cachePath) // a cache that cannot be written only costs a fetch
		}
	}
	return a, nil
}

func verify(b []byte) error {
	sum := sha512.Sum512(b)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != Integrity {
		return fmt.Errorf("the %s@%s tarball has integrity %s, want %s; the registry or mirror serves a different file", Package, Version, got, Integrity)
	}
	return nil
}

func parse(b []byte) (*Assets, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("inspector: %w", err)
	}
	tr := tar.NewReader(zr)
	a := &Assets{files: map[string][]byte{}}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("inspector: %w", err)
		}
		p, ok := strings.CutPrefix(h.Name, "package/public/")
		if !ok || h.Typeflag != tar.TypeReg {
			continue
		}
		if a.files[p], err = io.ReadAll(tr); err != nil {
			return nil, fmt.Errorf("inspector: %w", err)
		}
	}
	if _, ok := a.files["target.js"]; !ok {
		return nil, errors.New("inspector: the chii tarball has no public/target.js")
	}
	return a, nil
}
