package httpapi

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/govapp/govapp/platform/internal/releases"
)

type (
	keysResponse struct {
		Keys []releases.SigningKey `json:"keys"`
	}
	hashesRequest struct {
		Hashes []string `json:"hashes"`
	}
	missingResponse struct {
		Missing []string `json:"missing"`
	}
	blobResponse struct {
		SHA256 string `json:"sha256"`
		Size   int64  `json:"size"`
	}
	bundlesResponse struct {
		Bundles []releases.Bundle `json:"bundles"`
	}
	channelsResponse struct {
		Channels []releases.Channel `json:"channels"`
	}
	releasesResponse struct {
		Releases []releases.Release `json:"releases"`
	}
	rolloutRequest struct {
		Percent float64 `json:"percent"`
	}
	rollbackRequest struct {
		ToReleaseID string `json:"to_release_id,omitempty"`
	}
	reportAccepted struct {
		Status string `json:"status"`
	}
)

func (s *server) handleListKeys(c echo.Context) error {
	k, err := s.Releases.ListKeys(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, keysResponse{Keys: k})
}

func (s *server) handleCreateKey(c echo.Context) error {
	var in releases.KeyCreate
	if err := bind(c, &in); err != nil {
		return err
	}
	k, err := s.Releases.CreateKey(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, k)
}

func (s *server) handleRetireKey(c echo.Context) error {
	k, err := s.Releases.RetireKey(c.Request().Context(), principal(c), c.Param("key_id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, k)
}

func (s *server) handleMissingBlobs(c echo.Context) error {
	var in hashesRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	m, err := s.Releases.MissingBlobs(c.Request().Context(), principal(c), c.Param("id"), in.Hashes)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, missingResponse{Missing: m})
}

// MaxInflateRatio bounds how much a gzip-encoded upload may expand: a compression bomb
// is refused long before it fills the disk.
const MaxInflateRatio = 100

func (s *server) handlePutBlob(c echo.Context) error {
	body := io.Reader(c.Request().Body)
	switch enc := strings.ToLower(c.Request().Header.Get("Content-Encoding")); enc {
	case "", "identity":
	case "gzip":
		counted := &countingReader{r: body}
		zr, err := gzip.NewReader(counted)
		if err != nil {
			return fmt.Errorf("%w: the gzip body does not start like gzip: %v", errMalformedJSON, err)
		}
		body = &ratioReader{r: zr, in: counted}
	default:
		return &apiError{Code: 41501, HTTP: http.StatusUnsupportedMediaType, Message: fmt.Sprintf("Content-Encoding %q is not accepted; send the file as is or gzip-encoded", enc)}
	}
	n, created, err := s.Releases.PutBlob(c.Request().Context(), principal(c), c.Param("id"), c.Param("sha256"), body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fmt.Errorf("%w: a file upload may have at most %d bytes", errBodyTooLarge, mbe.Limit)
		}
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, blobResponse{SHA256: c.Param("sha256"), Size: n})
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ratioReader fails once the inflated bytes exceed MaxInflateRatio times the bytes read
// (after the first MiB, so small files with good compression pass).
type ratioReader struct {
	r   io.Reader
	in  *countingReader
	out int64
}

var errCompressionBomb = errors.New("compression_bomb")

func (r *ratioReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.out += int64(n)
	if r.out > 1<<20 && r.out > MaxInflateRatio*r.in.n {
		return n, fmt.Errorf("%w: %w: the upload inflates more than %d×; send it uncompressed", errBundleRefused, errCompressionBomb, MaxInflateRatio)
	}
	return n, err
}

var errBundleRefused = releases.ErrBundleInvalid

func (s *server) handleCreateBundle(c echo.Context) error {
	raw, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fmt.Errorf("%w: a manifest may have at most %d bytes", errBodyTooLarge, mbe.Limit)
		}
		return err
	}
	b, created, err := s.Releases.CreateBundle(c.Request().Context(), principal(c), c.Param("id"), raw)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, b)
}

func (s *server) handleListBundles(c echo.Context) error {
	b, err := s.Releases.ListBundles(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, bundlesResponse{Bundles: b})
}

func (s *server) handleListChannels(c echo.Context) error {
	ch, err := s.Releases.ListChannels(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, channelsResponse{Channels: ch})
}

func (s *server) handleCreateChannel(c echo.Context) error {
	var in releases.ChannelCreate
	if err := bind(c, &in); err != nil {
		return err
	}
	ch, err := s.Releases.CreateChannel(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, ch)
}

func (s *server) handleCreateRelease(c echo.Context) error {
	var in releases.ReleaseCreate
	if err := bind(c, &in); err != nil {
		return err
	}
	r, err := s.Releases.CreateRelease(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *server) handleListReleases(c echo.Context) error {
	r, err := s.Releases.ListReleases(c.Request().Context(), principal(c), c.Param("id"), c.QueryParam("channel"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, releasesResponse{Releases: r})
}

func (s *server) handleGetRelease(c echo.Context) error {
	r, err := s.Releases.GetRelease(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *server) handleRollout(c echo.Context) error {
	var in rolloutRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	r, err := s.Releases.SetRollout(c.Request().Context(), principal(c), c.Param("id"), in.Percent)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *server) releaseAction(fn func(*server, echo.Context) (releases.Release, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := bind(c, &struct{}{}); err != nil {
			return err
		}
		r, err := fn(s, c)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, r)
	}
}

func (s *server) handleRollback(c echo.Context) error {
	var in rollbackRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	r, err := s.Releases.Rollback(c.Request().Context(), principal(c), c.Param("id"), c.Param("channel"), in.ToReleaseID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

func (s *server) handlePromote(c echo.Context) error {
	var in releases.PromoteRequest
	if err := bind(c, &in); err != nil {
		return err
	}
	r, err := s.Releases.Promote(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *server) handleGetPolicy(c echo.Context) error {
	p, err := s.Releases.GetPolicy(c.Request().Context(), principal(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *server) handleSetPolicy(c echo.Context) error {
	var in releases.Policy
	if err := bind(c, &in); err != nil {
		return err
	}
	p, err := s.Releases.SetPolicy(c.Request().Context(), principal(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// ---- device runtime (no token: citizens' phones) ----

// handleUpdateCheck is the hottest endpoint: every app launch of every citizen. The answer
// comes from memory, prepared bytes and all.
func (s *server) handleUpdateCheck(c echo.Context) error {
	q := c.Request().URL.Query()
	res, err := s.Releases.Check(c.Request().Context(), releases.CheckRequest{
		AppID: c.Param("id"), Channel: q.Get("channel"), Bundle: q.Get("bundle"), Container: q.Get("container"),
		ContainerVersion: q.Get("container_version"), Device: q.Get("device"), Region: q.Get("region"),
	})
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	if res.NoUpdate {
		return c.NoContent(http.StatusNoContent)
	}
	h.Set("ETag", res.ETag)
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && inm == res.ETag {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, res.Body)
}

func (s *server) handleFile(c echo.Context) error {
	sha := c.Param("sha256")
	f, err := s.Releases.OpenBlob(sha)
	if err != nil {
		return err
	}
	defer f.Close()
	h := c.Response().Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Type", "application/octet-stream")
	h.Set("ETag", `"`+sha+`"`)
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, f)
	return nil
}

func (s *server) handleReport(c echo.Context) error {
	var in releases.ReportIn
	if err := bind(c, &in); err != nil {
		return err
	}
	if err := s.Releases.Report(c.Request().Context(), in); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, reportAccepted{Status: "accepted"})
}
