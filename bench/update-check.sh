#!/usr/bin/env bash
# The update-check benchmark of docs/BENCHMARKS.md: 10,000 apps × 20 releases, 64 keep-alive
# connections on loopback, the platform against a bare net/http handler writing the same
# bytes, interleaved rounds, medians. Extra flags pass through, e.g. -apps 1000 -duration 2s
# or -database-url 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./platform/bench/updatecheck "$@"
