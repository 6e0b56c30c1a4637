#!/usr/bin/env bash
# Usage-event ingest through HTTP (issue 7): POST /v1/runtime/events in batches of 50 over
# loopback keep-alive connections, against GET /healthz requests/s of the same server in the
# same run. The default is small (2 s per phase, SQLite); the full-size run is
#   bash bench/stats-ingest.sh -duration 30s
# Extra flags pass through: -conns 32 -batch 50 -devices 200000
# -database-url 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./platform/bench/statsingest "$@"
