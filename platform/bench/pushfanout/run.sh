#!/usr/bin/env bash
# Push fan-out benchmark (issue 6): one notice to N iPhones through sandbox/apns, end to end,
# against a bare apns2 loop to the same fake in the same run (the ceiling; target ≥ 70 %).
#
#   bash platform/bench/pushfanout/run.sh                          # 100,000 devices, SQLite
#   GOVAPP_BENCH_DEVICES=1000000 bash platform/bench/pushfanout/run.sh
#   GOVAPP_BENCH_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' bash platform/bench/pushfanout/run.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
go test -run '^$' -bench BenchmarkFanout -benchtime 1x -timeout 0 ./platform/bench/pushfanout/ | grep -E '^(pushfanout|Benchmark|ok|FAIL)'
