package stats

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Prune deletes raw events older than the retention (by their day, relative to now) and
// returns how many went. Rollups stay: they hold no event detail, only users as numbers.
func (s *Store) Prune(ctx context.Context, now time.Time) (int64, error) {
	cut := DayOf(now.Add(-s.cfg.Retention), s.cfg.Location)
	res, err := s.db.ExecContext(ctx, `DELETE FROM stats_events WHERE day < $1`, int64(cut))
	if err != nil {
		return 0, fmt.Errorf("stats: prune events: %w", err)
	}
	return res.RowsAffected()
}

// ExportedEvent is one line of an export. User is the keyed hash, never the citizen id.
type ExportedEvent struct {
	App              string          `json:"app"`
	ID               string          `json:"id"`
	Day              Day             `json:"day"`
	TS               time.Time       `json:"ts"`
	Received         time.Time       `json:"received"`
	Name             string          `json:"name"`
	User             string          `json:"user"`
	Region           string          `json:"region,omitempty"`
	Channel          string          `json:"channel"`
	ContainerVersion string          `json:"container_version,omitempty"`
	Version          string          `json:"version,omitempty"`
	Page             string          `json:"page,omitempty"`
	Props            json.RawMessage `json:"props,omitempty"`
}

// Export writes the raw events of days [from, to] to w as gzip-compressed JSON lines, for a
// data warehouse, and returns how many it wrote.
func (s *Store) Export(ctx context.Context, w io.Writer, from, to Day) (int64, error) {
	if to < from {
		return 0, fmt.Errorf("stats: export range %s..%s is empty", from, to)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT e.app, e.id, e.day, e.ts, e.received, e.name, u.hash, e.region, e.channel, e.container_version, e.version, e.page, e.props
		FROM stats_events e JOIN stats_users u ON u.uid = e.uid WHERE e.day >= $1 AND e.day <= $2 ORDER BY e.day, e.ts, e.app, e.id`, int64(from), int64(to))
	if err != nil {
		return 0, fmt.Errorf("stats: export: %w", err)
	}
	defer rows.Close()
	zw := gzip.NewWriter(w)
	enc := json.NewEncoder(zw)
	var n int64
	for rows.Next() {
		var e ExportedEvent
		var day, ts, recv int64
		var props string
		if err := rows.Scan(&e.App, &e.ID, &day, &ts, &recv, &e.Name, &e.User, &e.Region, &e.Channel, &e.ContainerVersion, &e.Version, &e.Page, &props); err != nil {
			return n, err
		}
		e.Day, e.TS, e.Received = Day(day), time.UnixMilli(ts).UTC(), time.UnixMilli(recv).UTC()
		if props != "" {
			e.Props = json.RawMessage(props)
		}
		if err := enc.Encode(&e); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, zw.Close()
}
