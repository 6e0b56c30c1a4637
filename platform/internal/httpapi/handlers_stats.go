package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/govapp/govapp/platform/internal/apps"
	"github.com/govapp/govapp/platform/internal/errs"
	"github.com/govapp/govapp/platform/internal/identity"
	"github.com/govapp/govapp/platform/internal/stats"
)

// Usage statistics (应用统计分析, docs/STATS.md): the ingest route sdk-js posts batches to,
// and the console's reports, each scoped by the caller's stats.read grants.

// Response shapes of the reports: the range they cover and the rows.
type (
	statsRange struct {
		From stats.Day `json:"from"`
		To   stats.Day `json:"to"`
	}
	statsTopResponse struct {
		statsRange
		Apps stats.TopApps `json:"apps"`
	}
	statsRegionsResponse struct {
		statsRange
		Level   string               `json:"level"`
		Regions stats.RegionActivity `json:"regions"`
	}
	statsChannelsResponse struct {
		statsRange
		Channels stats.ChannelUsage `json:"channels"`
	}
	statsTrendResponse struct {
		statsRange
		Days stats.Trend `json:"days"`
	}
	statsActiveResponse struct {
		statsRange
		Days stats.ActiveUsers `json:"days"`
	}
	statsRetentionResponse struct {
		statsRange
		Cohorts stats.Retention `json:"cohorts"`
	}
	statsAppResponse struct {
		statsRange
		stats.AppReport
	}
)

// statsQuery is what every report route reads from the query string.
var statsQuery = []string{"app", "region", "channel", "from", "to", "format"}

// defaultStatsDays is the range of a report that names no dates: the last 30 days, today included.
const defaultStatsDays = 30

// handleIngestEvents takes one batch of sdk-js: whole-batch faults are 400 (413 past 64 KB),
// everything else is answered per item with 200. The citizen, when the batch carries their
// access token, is the user; otherwise the batch's app-scoped device id is. The region is
// the citizen's own profile region; the client's address is never passed on.
func (s *server) handleIngestEvents(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fmt.Errorf("%w: a batch carries at most %d bytes (what navigator.sendBeacon can send); send fewer events per batch", errBodyTooLarge, mbe.Limit)
		}
		return fmt.Errorf("%w: reading the body failed: %v", errMalformedJSON, err)
	}
	b, err := stats.ParseBatch(body)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	o := stats.Origin{ReceivedAt: time.Now()}
	if c.Request().Header.Get(echo.HeaderAuthorization) != "" {
		// A stale or foreign token only makes the batch signed out: statistics never refuse a
		// phone over its sign-in state.
		o.CitizenID, o.Region = s.citizens.lookup(c, s)
	}
	res, err := s.Stats.Ingest(ctx, b, o)
	if errors.Is(err, stats.ErrBusy) {
		c.Response().Header().Set("Retry-After", "5")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// citizenCache remembers for a minute which citizen (and home region) an access token
// stands for, so a phone's batches every few seconds cost no token and profile lookups.
// A revoked token keeps counting its events as the citizen's for at most that minute.
type citizenCache struct {
	mu sync.Mutex
	m  map[string]citizenEntry
}

type citizenEntry struct {
	user, region string
	until        time.Time
}

const (
	citizenCacheTTL  = time.Minute
	citizenCacheSize = 100_000
)

func (cc *citizenCache) lookup(c echo.Context, s *server) (user, region string) {
	_, tok, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
	tok = strings.TrimSpace(tok)
	now := time.Now()
	cc.mu.Lock()
	e, ok := cc.m[tok]
	cc.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.user, e.region
	}
	e = citizenEntry{until: now.Add(citizenCacheTTL)}
	if id, err := s.citizen(c); err == nil {
		if u, err := s.Identity.User(c.Request().Context(), id); err == nil {
			e.user = u.ID
			if identity.ValidRegionCode("region", u.Region) == nil {
				e.region = u.Region
			}
		}
	}
	cc.mu.Lock()
	if cc.m == nil || len(cc.m) >= citizenCacheSize {
		cc.m = map[string]citizenEntry{} // crude, but bounded: a full cache starts over
	}
	cc.m[tok] = e
	cc.mu.Unlock()
	return e.user, e.region
}

// statsScope is what the caller may read: the stats.read grants, with the apps owned under
// each granted node (one query for all the caller's apps, filtered per node).
func (s *server) statsScope(c echo.Context) (stats.Scope, error) {
	p := principal(c)
	var owned []apps.App
	loaded := false
	return stats.ScopeFor(p, func(path string) ([]string, error) {
		if !loaded {
			var err error
			if owned, err = s.Apps.List(c.Request().Context(), p, apps.ListFilter{}); err != nil {
				return nil, err
			}
			loaded = true
		}
		var ids []string
		for _, a := range owned {
			if strings.HasPrefix(a.OwnerPath(), path) {
				ids = append(ids, a.ID)
			}
		}
		return ids, nil
	})
}

// statsFilter reads app (repeatable or comma-separated), region, channel, from and to
// (YYYY-MM-DD; by default the 30 days ending today).
func (s *server) statsFilter(c echo.Context) (stats.Filter, error) {
	var f stats.Filter
	q := c.QueryParams()
	for _, v := range q["app"] {
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				f.Apps = append(f.Apps, a)
			}
		}
	}
	f.Region, f.Channel = strings.TrimSpace(q.Get("region")), strings.TrimSpace(q.Get("channel"))
	today := stats.DayOf(time.Now(), s.Stats.Location())
	f.To = today
	if v := q.Get("to"); v != "" {
		d, err := stats.ParseDay(v)
		if err != nil {
			return f, errs.Invalid("to", "%q is not a date; use YYYY-MM-DD", v)
		}
		f.To = d
	}
	f.From = f.To - defaultStatsDays + 1
	if v := q.Get("from"); v != "" {
		d, err := stats.ParseDay(v)
		if err != nil {
			return f, errs.Invalid("from", "%q is not a date; use YYYY-MM-DD", v)
		}
		f.From = d
	}
	return f, nil
}

// statsReport runs one report for the caller and answers JSON, or CSV for format=csv.
func (s *server) statsReport(name string, run func(c echo.Context, sc stats.Scope, f stats.Filter) (any, stats.Table, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		format := c.QueryParam("format")
		if format != "" && format != "json" && format != "csv" {
			return errs.Invalid("format", "%q is not a format; use json or csv", format)
		}
		sc, err := s.statsScope(c)
		if err != nil {
			return err
		}
		f, err := s.statsFilter(c)
		if err != nil {
			return err
		}
		body, table, err := run(c, sc, f)
		if err != nil {
			return err
		}
		if format != "csv" {
			return c.JSON(http.StatusOK, body)
		}
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="govapp-stats-%s-%s-%s.csv"`, name, f.From, f.To))
		c.Response().WriteHeader(http.StatusOK)
		return stats.WriteCSV(c.Response(), table)
	}
}

func (s *server) handleStatsTop() echo.HandlerFunc {
	return s.statsReport("top", func(c echo.Context, sc stats.Scope, f stats.Filter) (any, stats.Table, error) {
		limit := 0
		if v := c.QueryParam("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return nil, nil, errs.Invalid("limit", "%q is not a count; use a whole number, 0 for all", v)
			}
			limit = n
		}
		r, err := s.Stats.TopApps(c.Request().Context(), sc, f, limit)
		return statsTopResponse{statsRange{f.From, f.To}, r}, r, err
	})
}

func (s *server) handleStatsRegions() echo.HandlerFunc {
	return s.statsReport("regions", func(c echo.Context, sc stats.Scope, f stats.Filter) (any, stats.Table, error) {
		level := c.QueryParam("level")
		if level == "" {
			level = stats.LevelCity
		}
		r, err := s.Stats.ActiveByRegion(c.Request().Context(), sc, f, level)
		return statsRegionsResponse{statsRange{f.From, f.To}, level, r}, r, err
	})
}

func (s *server) handleStatsChannels() echo.HandlerFunc {
	return s.statsReport("channels", func(c echo.Context, sc stats.Scope, f stats.Filter) (any, stats.Table, error) {
		r, err := s.Stats.Channels(c.Request().Context(), sc, f)
		return statsChannelsResponse{statsRange{f.From, f.To}, r}, r, err
	})
}

func (s *server) handleStatsTrend() echo.HandlerFunc {
	return s.statsReport("trend", func(c echo.Context, sc stats.Scope, f stats.Filter) (any, stats.Table, error) {
		r, err := s.Stats.Trend(c.Request().Context(), sc, f)
		return statsTrendResponse{statsRange{f.From, f.To}, r}, r, err
	})
}

func (s *server) handleStatsActive() echo.HandlerFunc {
	return s.statsReport("active", func(c echo.Context, sc stats.Scope, f stats.Filter) (any, stats.Table, error) {
		r, err := s.Stats.Active(c.Request().Context(), sc, f)
		return statsActiveResponse{statsRange{f.From, f.To}, r}, r, err
	})
}

func (s *server) handleStatsRetention() echo.HandlerFunc {
	return s.statsReport("retention", func(c echo.Context, sc stats.Scope, f stats.Filter) (any, stats.Table, error) {
		r, err := s.Stats.Retention(c.Request().Context(), sc, f)
		return statsRetentionResponse{statsRange{f.From, f.To}, r}, r, err
	})
}

func (s *server) handleStatsApp() echo.HandlerFunc {
	return s.statsReport("app", func(c echo.Context, sc stats.Scope, f stats.Filter) (any, stats.Table, error) {
		if len(f.Apps) > 0 {
			return nil, nil, errs.Invalid("app", "the app is in the path; leave out the app parameter")
		}
		r, err := s.Stats.App(c.Request().Context(), sc, f, c.Param("id"))
		return statsAppResponse{statsRange{f.From, f.To}, r}, r, err
	})
}

// handleStatsExport streams the raw events of [from, to] as gzip-compressed JSON lines, for
// a data warehouse. Only a stats.read grant on the province (or the root) may: the lines
// hold every app's events, pseudonymous but unfiltered.
func (s *server) handleStatsExport(c echo.Context) error {
	sc, err := s.statsScope(c)
	if err != nil {
		return err
	}
	if len(sc.Areas) != 1 || sc.Areas[0].Apps != nil || sc.Areas[0].Region != "" {
		return &identity.ForbiddenError{Perm: identity.PermStatsRead, What: "the province (the export holds every app's events)"}
	}
	if c.QueryParam("from") == "" || c.QueryParam("to") == "" {
		return errs.Invalid("from", "name the days to export with from=YYYY-MM-DD&to=YYYY-MM-DD")
	}
	f, err := s.statsFilter(c)
	if err != nil {
		return err
	}
	if f.To < f.From {
		return errs.Invalid("to", "%s is before from %s", f.To, f.From)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/gzip")
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="govapp-events-%s-%s.jsonl.gz"`, f.From, f.To))
	c.Response().WriteHeader(http.StatusOK)
	n, err := s.Stats.Export(c.Request().Context(), c.Response(), f.From, f.To)
	if err != nil {
		// The status is sent: the truncated gzip stream tells the client it is incomplete.
		s.Logger.Error("stats export failed", "request_id", requestID(c), "events", n, "err", err)
		return nil
	}
	s.Logger.Info("stats export", "request_id", requestID(c), "user", principal(c).User.Name, "from", f.From, "to", f.To, "events", n)
	return nil
}
