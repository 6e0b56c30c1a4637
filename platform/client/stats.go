package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// Usage statistics (应用统计分析): see `govapp stats` and /v1/stats/. Days are "YYYY-MM-DD"
// in China Standard Time; every report covers From..To inclusive.

// StatsFilter narrows a report. Empty fields mean: every app the caller may read, every
// region, every channel, and the 30 days ending today.
type StatsFilter struct {
	Apps    []string // app ids
	Region  string   // GB/T 2260 code; its subtree counts
	Channel string   // wechat, alipay, govapp or web
	From    string   // YYYY-MM-DD
	To      string   // YYYY-MM-DD
}

func (f StatsFilter) query() url.Values {
	q := url.Values{}
	for _, a := range f.Apps {
		q.Add("app", a)
	}
	for k, v := range map[string]string{"region": f.Region, "channel": f.Channel, "from": f.From, "to": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// StatsRange is the days a report covers.
type StatsRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// AppUsage is one line of the most-used-apps report.
type AppUsage struct {
	App      string `json:"app"`
	Users    int64  `json:"users"`
	Launches int64  `json:"launches"`
	Events   int64  `json:"events"`
}

// StatsTop is the most-used-apps report: apps by distinct users, then launches.
type StatsTop struct {
	StatsRange
	Apps []AppUsage `json:"apps"`
}

// RegionDay is one region's active users on one day ("" region: users of unknown region).
type RegionDay struct {
	Day      string `json:"day"`
	Region   string `json:"region"`
	Users    int64  `json:"users"`
	Launches int64  `json:"launches"`
}

// StatsRegions is the active-users-per-region report.
type StatsRegions struct {
	StatsRange
	Level   string      `json:"level"`
	Regions []RegionDay `json:"regions"`
}

// ChannelUsers is one channel's distinct users and launches.
type ChannelUsers struct {
	Channel  string `json:"channel"`
	Users    int64  `json:"users"`
	Launches int64  `json:"launches"`
}

// StatsChannels is the users-by-channel report.
type StatsChannels struct {
	StatsRange
	Channels []ChannelUsers `json:"channels"`
}

// TrendPoint is one day's active, new and cumulative total users.
type TrendPoint struct {
	Day    string `json:"day"`
	Active int64  `json:"active"`
	New    int64  `json:"new"`
	Total  int64  `json:"total"`
}

// StatsTrend is the user-trend report.
type StatsTrend struct {
	StatsRange
	Days []TrendPoint `json:"days"`
}

// ActivePoint is one day's DAU, WAU, MAU and DAU/MAU.
type ActivePoint struct {
	Day       string  `json:"day"`
	DAU       int64   `json:"dau"`
	WAU       int64   `json:"wau"`
	MAU       int64   `json:"mau"`
	DAUperMAU float64 `json:"dau_per_mau"`
}

// StatsActive is the DAU/WAU/MAU report.
type StatsActive struct {
	StatsRange
	Days []ActivePoint `json:"days"`
}

// Cohort is one day's new users and how many came back on day 1, 7 and 30 (nil: that day
// lies after the report's range).
type Cohort struct {
	Day   string `json:"day"`
	Users int64  `json:"users"`
	D1    *int64 `json:"d1"`
	D7    *int64 `json:"d7"`
	D30   *int64 `json:"d30"`
}

// StatsRetention is the cohort-retention report.
type StatsRetention struct {
	StatsRange
	Cohorts []Cohort `json:"cohorts"`
}

// ReleaseUsage is one version of an app in the range.
type ReleaseUsage struct {
	Version  string  `json:"version"`
	Users    int64   `json:"users"`
	Share    float64 `json:"share"`
	Launches int64   `json:"launches"`
	Errors   int64   `json:"errors"`
	Updates  int64   `json:"updates"`
	FirstDay string  `json:"first_day"`
	LastDay  string  `json:"last_day"`
}

// StatsApp is one app's report: counters, users, error rate and its releases.
type StatsApp struct {
	StatsRange
	App        string         `json:"app"`
	Events     int64          `json:"events"`
	Launches   int64          `json:"launches"`
	PageViews  int64          `json:"page_views"`
	JSAPICalls int64          `json:"jsapi_calls"`
	Errors     int64          `json:"errors"`
	Updates    int64          `json:"updates"`
	Notices    int64          `json:"notices"`
	Users      int64          `json:"users"`
	ErrorRate  float64        `json:"error_rate"`
	Releases   []ReleaseUsage `json:"releases"`
}

// Stats report names, for StatsCSV.
const (
	ReportTop       = "top"
	ReportRegions   = "regions"
	ReportChannels  = "channels"
	ReportTrend     = "trend"
	ReportActive    = "active"
	ReportRetention = "retention"
)

// StatsTop lists apps by distinct users; limit 0 lists all.
func (c *Client) StatsTop(ctx context.Context, f StatsFilter, limit int) (*StatsTop, error) {
	q := f.query()
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out StatsTop
	return &out, c.do(ctx, http.MethodGet, "/v1/stats/top", q, nil, &out)
}

// StatsRegions counts active users per region and day; level is "city" (default) or "district".
func (c *Client) StatsRegions(ctx context.Context, f StatsFilter, level string) (*StatsRegions, error) {
	q := f.query()
	if level != "" {
		q.Set("level", level)
	}
	var out StatsRegions
	return &out, c.do(ctx, http.MethodGet, "/v1/stats/regions", q, nil, &out)
}

// StatsChannels counts distinct users per channel.
func (c *Client) StatsChannels(ctx context.Context, f StatsFilter) (*StatsChannels, error) {
	var out StatsChannels
	return &out, c.do(ctx, http.MethodGet, "/v1/stats/channels", f.query(), nil, &out)
}

// StatsTrend returns active, new and total users per day.
func (c *Client) StatsTrend(ctx context.Context, f StatsFilter) (*StatsTrend, error) {
	var out StatsTrend
	return &out, c.do(ctx, http.MethodGet, "/v1/stats/trend", f.query(), nil, &out)
}

// StatsActive returns DAU, WAU, MAU and DAU/MAU per day.
func (c *Client) StatsActive(ctx context.Context, f StatsFilter) (*StatsActive, error) {
	var out StatsActive
	return &out, c.do(ctx, http.MethodGet, "/v1/stats/active", f.query(), nil, &out)
}

// StatsRetention returns day-1/7/30 retention per cohort day.
func (c *Client) StatsRetention(ctx context.Context, f StatsFilter) (*StatsRetention, error) {
	var out StatsRetention
	return &out, c.do(ctx, http.MethodGet, "/v1/stats/retention", f.query(), nil, &out)
}

// StatsApp returns one app's report; f.Apps must be empty.
func (c *Client) StatsApp(ctx context.Context, id string, f StatsFilter) (*StatsApp, error) {
	var out StatsApp
	return &out, c.do(ctx, http.MethodGet, "/v1/stats/apps/"+escape(id), f.query(), nil, &out)
}

// StatsCSV returns a report as CSV: report is one of the Report* names, or "apps/ID" for
// one app; extra adds report parameters (level, limit).
func (c *Client) StatsCSV(ctx context.Context, report string, f StatsFilter, extra url.Values) ([]byte, error) {
	q := f.query()
	for k, vs := range extra {
		q[k] = vs
	}
	q.Set("format", "csv")
	var buf writerBuffer
	if err := c.download(ctx, "/v1/stats/"+report, q, &buf); err != nil {
		return nil, err
	}
	return buf.b, nil
}

// StatsExport writes the raw events of days from..to (YYYY-MM-DD) to w as gzip-compressed
// JSON lines. It needs stats.read on the province.
func (c *Client) StatsExport(ctx context.Context, from, to string, w io.Writer) error {
	return c.download(ctx, "/v1/stats/export", url.Values{"from": {from}, "to": {to}}, w)
}

type writerBuffer struct{ b []byte }

func (w *writerBuffer) Write(p []byte) (int, error) {
	if len(w.b)+len(p) > maxResponseBytes {
		return 0, fmt.Errorf("govapp client: reply is larger than %d bytes", maxResponseBytes)
	}
	w.b = append(w.b, p...)
	return len(p), nil
}

// download GETs a non-JSON reply (CSV, gzip) into w; error replies become *APIError.
func (c *Client) download(ctx context.Context, path string, q url.Values, w io.Writer) error {
	target := path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.baseURL+target, nil)
	if err != nil {
		return fmt.Errorf("govapp client: bad server URL %q: %w", c.baseURL, err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return c.networkError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if c.hook != nil {
			c.hook(Response{Method: http.MethodGet, Path: target, Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id"), Body: data})
		}
		return decodeError(resp, data)
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return c.networkError(fmt.Errorf("read reply to GET %s: %w", path, err))
	}
	if c.hook != nil {
		c.hook(Response{Method: http.MethodGet, Path: target, Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")})
	}
	return nil
}
