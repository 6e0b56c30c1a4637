#!/usr/bin/env bash
# Usage-statistics benchmark (issue 7): ingest through stats.Store and every report on the
# rollups, beside the same reports as plain SQL over the raw events in SQLite (the baseline).
#
#   bash platform/bench/stats/run.sh           benchmark, then a table (ratios to the baseline)
#   bash platform/bench/stats/run.sh test      rollup reports equal the baseline SQL (small data set)
#   bash platform/bench/stats/run.sh vet       go vet of the benchmark
#
# Environment: GOVAPP_BENCH_EVENTS (default 200000; the issue's size is 10000000),
# GOVAPP_BENCH_DAYS (90), GOVAPP_BENCH_APPS (800), GOVAPP_BENCH_REGIONS (340),
# GOVAPP_BENCH_USERS (default 7.5 % of the events), GOVAPP_BENCH_DATABASE_URL (PostgreSQL
# joins when set; each run makes and drops its own schema), GOVAPP_BENCH_DIR (directory for
# the SQLite file; default a temp dir), BENCHTIME (go test -benchtime, default 5x).
#   GOVAPP_BENCH_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' bash platform/bench/stats/run.sh
#
set -euo pipefail
cd "$(dirname "$0")/../../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pkg=./platform/bench/stats/

case "${1:-bench}" in
vet) exec go vet "$pkg" ;;
test) exec go test -count=1 -run TestBaselineAgrees -v "$pkg" ;;
bench) ;;
*) echo "usage: $0 [bench|test|vet]" >&2; exit 2 ;;
esac

go test -run '^$' -bench BenchmarkStats -benchtime "${BENCHTIME:-5x}" -timeout 0 "$pkg" | tee "$tmp/out"
echo
awk '
/^statsbench-load / { print; next }
/^BenchmarkStats\// {
	split($1, p, "/"); engine = p[2]; name = p[3]; sub(/-[0-9]+$/, "", name)
	if (name == "ingest") { for (i = 3; i < NF; i++) if ($(i + 1) == "events/s") ingest[engine] = $i; next }
	ns[engine "/" name] = $3; order[++n] = engine "/" name
}
END {
	for (e in ingest) printf "ingest %s: %d events/s\n", e, ingest[e]
	printf "%-9s %-22s %12s %12s %10s\n", "engine", "report", "ms", "baseline ms", "speed-up"
	for (i = 1; i <= n; i++) {
		k = order[i]; split(k, q, "/")
		if (q[2] ~ /^baseline_/) continue
		b = ns["sqlite/baseline_" q[2]]
		if (b > 0) printf "%-9s %-22s %12.2f %12.2f %9.1fx\n", q[1], q[2], ns[k] / 1e6, b / 1e6, b / ns[k]
		else printf "%-9s %-22s %12.2f %12s %10s\n", q[1], q[2], ns[k] / 1e6, "-", "-"
	}
	print "baseline: the same report as plain SQL over stats_events on SQLite, same run, same data."
}' "$tmp/out"
