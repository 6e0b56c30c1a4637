package stats

import (
	"encoding/csv"
	"io"
	"strconv"
)

// Table is a report that renders as rows: every report type is one.
type Table interface {
	Header() []string
	Rows() [][]string
}

// WriteCSV writes a report as CSV with a header line (RFC 4180, UTF-8).
func WriteCSV(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header()); err != nil {
		return err
	}
	if err := cw.WriteAll(t.Rows()); err != nil {
		return err
	}
	return cw.Error()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }

func optInt(p *int64) string {
	if p == nil {
		return ""
	}
	return itoa(*p)
}

// Header implements Table.
func (TopApps) Header() []string { return []string{"app", "users", "launches", "events"} }

// Rows implements Table.
func (t TopApps) Rows() [][]string {
	out := make([][]string, len(t))
	for i, a := range t {
		out[i] = []string{a.App, itoa(a.Users), itoa(a.Launches), itoa(a.Events)}
	}
	return out
}

// Header implements Table.
func (RegionActivity) Header() []string { return []string{"day", "region", "users", "launches"} }

// Rows implements Table.
func (t RegionActivity) Rows() [][]string {
	out := make([][]string, len(t))
	for i, r := range t {
		out[i] = []string{r.Day.String(), r.Region, itoa(r.Users), itoa(r.Launches)}
	}
	return out
}

// Header implements Table.
func (ChannelUsage) Header() []string { return []string{"channel", "users", "launches"} }

// Rows implements Table.
func (t ChannelUsage) Rows() [][]string {
	out := make([][]string, len(t))
	for i, c := range t {
		out[i] = []string{c.Channel, itoa(c.Users), itoa(c.Launches)}
	}
	return out
}

// Header implements Table.
func (Trend) Header() []string { return []string{"day", "active", "new", "total"} }

// Rows implements Table.
func (t Trend) Rows() [][]string {
	out := make([][]string, len(t))
	for i, p := range t {
		out[i] = []string{p.Day.String(), itoa(p.Active), itoa(p.New), itoa(p.Total)}
	}
	return out
}

// Header implements Table.
func (ActiveUsers) Header() []string { return []string{"day", "dau", "wau", "mau", "dau_per_mau"} }

// Rows implements Table.
func (t ActiveUsers) Rows() [][]string {
	out := make([][]string, len(t))
	for i, p := range t {
		out[i] = []string{p.Day.String(), itoa(p.DAU), itoa(p.WAU), itoa(p.MAU), ftoa(p.DAUperMAU)}
	}
	return out
}

// Header implements Table.
func (Retention) Header() []string { return []string{"cohort", "users", "d1", "d7", "d30"} }

// Rows implements Table; a retention day past the range is left empty.
func (t Retention) Rows() [][]string {
	out := make([][]string, len(t))
	for i, c := range t {
		out[i] = []string{c.Day.String(), itoa(c.Users), optInt(c.D1), optInt(c.D7), optInt(c.D30)}
	}
	return out
}

// Header implements Table.
func (AppReport) Header() []string {
	return []string{"app", "version", "users", "share", "launches", "page_views", "jsapi_calls", "errors", "error_rate", "updates", "first_day", "last_day"}
}

// Rows implements Table: a line for the whole app (version empty), then one per release.
func (a AppReport) Rows() [][]string {
	out := [][]string{{a.App, "", itoa(a.Users), ftoa(1), itoa(a.Launches), itoa(a.PageViews), itoa(a.JSAPICalls), itoa(a.Errors), ftoa(a.ErrorRate), itoa(a.Updates), "", ""}}
	for _, r := range a.Releases {
		rate := 0.0
		if r.Launches > 0 {
			rate = float64(r.Errors) / float64(r.Launches)
		}
		out = append(out, []string{a.App, r.Version, itoa(r.Users), ftoa(r.Share), itoa(r.Launches), "", "", itoa(r.Errors), ftoa(rate), itoa(r.Updates), r.FirstDay.String(), r.LastDay.String()})
	}
	return out
}

var (
	_ Table = TopApps(nil)
	_ Table = RegionActivity(nil)
	_ Table = ChannelUsage(nil)
	_ Table = Trend(nil)
	_ Table = ActiveUsers(nil)
	_ Table = Retention(nil)
	_ Table = AppReport{}
)
