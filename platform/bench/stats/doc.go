// Package stats benchmarks usage statistics (issue 7): ingest through the domain API
// (stats.Store.Ingest, batches of ~5 events from two workers, buffered writes and rollups
// included), then every report on the rollups, on SQLite and — when
// GOVAPP_BENCH_DATABASE_URL is set — PostgreSQL, beside a baseline of the same reports as
// plain SQL over the raw events table in SQLite, measured in the same run.
//
// It lives under platform/ because it needs platform/internal/stats. Run:
//
//	bash platform/bench/stats/run.sh          # benchmark and table
//	bash platform/bench/stats/run.sh test     # the rollup reports equal the baseline SQL on a small set
//
// Size: GOVAPP_BENCH_EVENTS (default 200000), GOVAPP_BENCH_DAYS (90), GOVAPP_BENCH_APPS
// (800), GOVAPP_BENCH_REGIONS (340), GOVAPP_BENCH_USERS (default 7.5 % of the events). The
// issue's full size is GOVAPP_BENCH_EVENTS=10000000 (90 days, 800 apps, 340 regions,
// 4 channels, 750,000 users).
package statsbench
