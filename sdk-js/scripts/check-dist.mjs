// npm run check-dist: rebuilds into a temporary folder and fails when the
// committed dist/ differs, so that dist/govapp.js (embedded by the Go
// platform) always matches src/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = mkdtempSync(join(tmpdir(), 'govapp-dist-'));
const fresh = join(tmp, 'dist');
try {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), fresh], { stdio: 'inherit' });
  const list = (d) => {
    const out = [];
    const walk = (x) => {
      for (const n of readdirSync(x)) {
        const p = join(x, n);
        if (statSync(p).isDirectory()) walk(p);
        else out.push(relative(d, p));
      }
    };
    try {
      walk(d);
    } catch (_) {
      /* missing dist */
    }
    return out.sort();
  };
  const committed = join(root, 'dist');
  const a = list(committed);
  const b = list(fresh);
  const problems = [];
  for (const f of b) {
    if (!a.includes(f)) problems.push(`missing: dist/${f}`);
    else if (!readFileSync(join(committed, f)).equals(readFileSync(join(fresh, f)))) problems.push(`differs: dist/${f}`);
  }
  for (const f of a) if (!b.includes(f)) problems.push(`stale: dist/${f}`);
  if (problems.length) {
    console.error('check-dist: dist/ does not match src/; run `npm run build` and commit dist/:\n  ' + problems.join('\n  '));
    process.exit(1);
  }
  console.log(`check-dist: ok (${b.length} files)`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
