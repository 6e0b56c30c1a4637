#!/usr/bin/env bash
# Audience resolution benchmark (issue 6): push.Resolve and push.PreviewAudience over a
# generated population, beside a hand-written query for the same rows on the same engine.
#
#   bash platform/bench/pushresolve/run.sh           benchmark, then a table (ratios to the baseline)
#   bash platform/bench/pushresolve/run.sh test      correctness test (20,000 users unless GOVAPP_BENCH_USERS)
#   bash platform/bench/pushresolve/run.sh vet       go vet of the benchmark
#
# Environment: GOVAPP_BENCH_USERS (default 200000; the issue's size is 10000000),
# GOVAPP_BENCH_DATABASE_URL (PostgreSQL joins when set; each run makes and drops its own
# schema), GOVAPP_BENCH_DIR (directory for the SQLite file; default the temp dir),
# BENCHTIME (go test -benchtime, default 3x).
#   GOVAPP_BENCH_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' bash platform/bench/pushresolve/run.sh
#
set -euo pipefail
cd "$(dirname "$0")/../../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pkg=./platform/bench/pushresolve/

case "${1:-bench}" in
vet) exec go vet "$pkg" ;;
test) exec go test -count=1 -run TestGenerateAndResolve -v "$pkg" ;;
bench) ;;
*) echo "usage: $0 [bench|test|vet]" >&2; exit 2 ;;
esac

go test -run '^$' -bench BenchmarkAudience -benchtime "${BENCHTIME:-3x}" -timeout 0 "$pkg" | tee "$tmp/out"
echo
awk '
/^pushresolve-load / {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	load[v["engine"]] = v["load_s"]; size[v["engine"]] = v["store_mb"]
}
/^BenchmarkAudience\// {
	split($1, p, "/"); engine = p[2]; name = p[3]; sub(/-[0-9]+$/, "", name)
	k = engine "/" name; order[++n] = k
	for (i = 3; i < NF; i += 2) m[k, $(i + 1)] = $i
	if (name == "baseline") base[engine] = m[k, "ns/op"]
}
END {
	printf "%-9s %-16s %10s %11s %9s %11s %13s %13s %12s\n", "engine", "query", "users", "recipients", "time s", "x baseline", "peak heap MB", "peak RSS +MB", "alloc MB/op"
	for (i = 1; i <= n; i++) {
		k = order[i]; split(k, q, "/")
		printf "%-9s %-16s %10d %11d %9.3f %11.2f %13.1f %13.1f %12.1f\n", q[1], q[2], m[k, "users"], m[k, "recipients/op"],
			m[k, "ns/op"] / 1e9, m[k, "ns/op"] / base[q[1]], m[k, "peak-heap-MB"], m[k, "peak-rss-MB"], m[k, "B/op"] / 1048576
	}
	for (e in load) printf "load %s: %s s (generate and insert, untimed), store %s MB\n", e, load[e], size[e]
	print "x baseline: time over the same run'"'"'s unordered hand-written query on the same engine."
	print "peak heap: Go heap growth during one call; peak RSS +MB: process high-water mark over the"
	print "resident size before the call (includes SQLite'"'"'s page cache, not the PostgreSQL server)."
}' "$tmp/out"
