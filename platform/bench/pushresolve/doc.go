// Package pushresolve benchmarks audience resolution (issue 6): push.Resolve and
// push.PreviewAudience over a generated population of citizens and staff with roles and
// regions, beside a hand-written query for the same rows on the same engine. It lives
// under platform/ because it needs platform/internal/push; run it with run.sh.
package pushresolve
