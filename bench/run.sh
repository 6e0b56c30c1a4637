#!/usr/bin/env bash
# Runs the API benchmarks and prints each hot path as a ratio of the same run's baseline
# (GET /healthz). PostgreSQL joins when GOVAPP_BENCH_DATABASE_URL is set, e.g.
#   GOVAPP_BENCH_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(go test -run '^$' -bench BenchmarkAPI -benchmem -benchtime "${BENCHTIME:-2s}" ./bench/)
echo "$out"
echo
echo "$out" | awk '
/^BenchmarkAPI\// {
	split($1, p, "/"); engine = p[2]; sub(/-[0-9]+$/, "", p[3]); name = p[3]
	ns[engine "/" name] = $3; order[++n] = engine "/" name
	if (name == "baseline_healthz") base[engine] = $3
}
END {
	printf "%-28s %12s %10s\n", "path", "ns/op", "x baseline"
	for (i = 1; i <= n; i++) { k = order[i]; split(k, q, "/"); printf "%-28s %12d %10.2f\n", k, ns[k], ns[k] / base[q[1]] }
}'
