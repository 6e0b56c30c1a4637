#!/usr/bin/env bash
# The `govapp dev` loop (issue 5): save-to-reload latency on a connected headless Chromium,
# median and p95 over 50 saves, and cold start to the first served page (20 starts).
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench 'SaveToReload' -benchtime 50x ./devcli/internal/devserver/ | grep -E 'over|Benchmark'
go test -run '^$' -bench 'ColdStart' -benchtime 20x ./devcli/internal/devserver/ | grep -E 'over|Benchmark'
# The binary's cold start: process start to the first page served (10 runs).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/govapp" ./devcli/cmd/govapp
"$work/govapp" init demo --dir "$work/demo" >/dev/null
times=()
for i in $(seq 10); do
	port=$((20000 + RANDOM % 20000))
	t0=$(date +%s%N)
	"$work/govapp" dev --dir "$work/demo" --addr "127.0.0.1:$port" --no-qr </dev/null >/dev/null 2>&1 &
	pid=$!
	until curl -sf -A 'Mozilla/5.0 (iPhone) Mobile' "http://127.0.0.1:$port/" >/dev/null 2>&1; do sleep 0.005; done
	t1=$(date +%s%N)
	kill "$pid"; wait "$pid" 2>/dev/null || true
	times+=($(( (t1 - t0) / 1000 )))
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "govapp dev process start to first page over %d: median %.1f ms, max %.1f ms\n", NR, a[int((NR+1)/2)]/1000, a[NR]/1000}'
