#!/usr/bin/env bash
# `govapp build` against the plain esbuild command line on the same input (the largest
# template), interleaved runs in one go; prints the means and the ratio (target ≤ 1.5).
# esbuild's CLI comes from the npm registry (sdk-js's devDependency, `npm ci` in sdk-js).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-20}
esbuild=sdk-js/node_modules/.bin/esbuild
[ -x "$esbuild" ] || (cd sdk-js && npm ci --no-audit --no-fund >/dev/null)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/govapp" ./devcli/cmd/govapp
# The largest template by source size, and a generated larger project (300 TypeScript
# modules, a shared stylesheet) where the build itself, not process start-up, dominates.
tpl=$(for d in templates/*/; do [ -f "$d/govapp.json" ] && echo "$(du -sb "$d" | cut -f1) $d"; done | sort -n | tail -n 1 | cut -d' ' -f2)
cp -r "$tpl" "$work/project"
gen="$work/large"
mkdir -p "$gen/src" "$gen/public"
cp "$tpl/index.html" "$gen/"
cp -r "$tpl/public/." "$gen/public/"
python3 - "$gen" <<'PY'
import json, sys, os
d = sys.argv[1]
n = 300
for i in range(n):
    deps = "".join(f"import {{ f{j} }} from './m{j}';\n" for j in range(max(0, i - 3), i))
    body = " + ".join([f"f{j}(x)" for j in range(max(0, i - 3), i)] or ["x"])
    open(os.path.join(d, "src", f"m{i}.ts"), "w").write(
        deps + f"export interface R{i} {{ id: number; name: string; tags: string[] }}\n"
        f"export function f{i}(x: number): number {{ const r: R{i} = {{ id: x, name: '服务{i}', tags: ['a', 'b'] }}; return r.id * {i % 7 + 1} + r.name.length + ({body}) % 97; }}\n")
open(os.path.join(d, "src", "main.ts"), "w").write(
    "".join(f"import {{ f{i} }} from './m{i}';\n" for i in range(n)) + "import './style.css';\n"
    "let s = 0;\n" + "".join(f"s += f{i}({i});\n" for i in range(n)) + "document.body.setAttribute('data-sum', String(s));\n")
open(os.path.join(d, "src", "style.css"), "w").write("".join(f".c{i} {{ color: #{i:06x}; margin: {i % 9}px; }}\n" for i in range(n)))
json.dump({"app_id": "large-bench", "name": "大型基准", "version": "1.0.0", "entry": "index.html", "scripts": ["src/main.ts"], "public": "public"},
          open(os.path.join(d, "govapp.json"), "w"), ensure_ascii=False)
PY
ns() { date +%s%N; }
measure() {
	local dir=$1 label=$2 g=0 e=0
	cd "$dir"
	for i in $(seq "$runs"); do
		t0=$(ns); "$work/govapp" build --dir . --out "$work/out-govapp" >/dev/null; t1=$(ns)
		"$root/$esbuild" src/main.ts --bundle --minify --target=es2017 --format=iife --sourcemap=external \
			--entry-names='assets/[name]-[hash]' --asset-names='assets/[name]-[hash]' --outdir="$work/out-esbuild" --log-level=warning; t2=$(ns)
		g=$((g + t1 - t0)); e=$((e + t2 - t1))
	done
	printf '%-28s govapp build %7.1f ms   esbuild CLI %7.1f ms   ratio %.2f (target ≤ 1.5)\n' "$label" \
		"$(echo "$g / $runs / 1000000" | bc -l)" "$(echo "$e / $runs / 1000000" | bc -l)" "$(echo "$g / $e" | bc -l)"
	cd "$root"
}
root=$PWD
printf '%d interleaved runs each (wall clock per command, process start included)\n' "$runs"
measure "$work/project" "template ${tpl%/}"
measure "$gen" "generated, 300 TS modules"
