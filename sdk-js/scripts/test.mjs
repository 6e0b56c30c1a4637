// npm test: bundles test/*.test.ts with esbuild (Node 20 cannot run
// TypeScript itself) into .test-out/ and runs them with node's test runner.
// Extra arguments go to `node --test` (e.g. --test-name-pattern=loader).
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, '.test-out');
rmSync(outdir, { recursive: true, force: true });
const tests = readdirSync(join(root, 'test'))
  .filter((f) => f.endsWith('.test.ts'))
  .sort()
  .map((f) => join('test', f));
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
  // CommonJS dependencies bundled into ESM need a require for node builtins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const files = tests.map((t) => join(outdir, t.replace(/^test\//, '').replace(/\.ts$/, '.mjs')));
const r = spawnSync(process.execPath, ['--test', ...process.argv.slice(2), ...files], { stdio: 'inherit', cwd: root });
process.exit(r.status === null ? 1 : r.status);
