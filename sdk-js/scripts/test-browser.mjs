// npm run test:browser: the adapters in headless Chromium against the
// container simulation (dist/govapp.js + dist/sim.js, as committed; `npm run
// check` runs check-dist first, so they match src/). Bundles
// test/browser/*.test.ts into .test-out/browser/ and runs node --test.
// Chromium: $CHROMIUM_PATH, else Debian's /usr/bin/chromium (never downloaded).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, '.test-out', 'browser');
rmSync(outdir, { recursive: true, force: true });
const tests = readdirSync(join(root, 'test', 'browser'))
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => join('test', 'browser', f));
await esbuild.build({
  absWorkingDir: root,
  entryPoints: tests,
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
  packages: 'external',
});
const files = tests.map((t) => join(outdir, t.replace(/^test\/browser\//, '').replace(/\.ts$/, '.mjs')));
const r = spawnSync(process.execPath, ['--test', ...process.argv.slice(2), ...files], { stdio: 'inherit', cwd: root });
process.exit(r.status === null ? 1 : r.status);
