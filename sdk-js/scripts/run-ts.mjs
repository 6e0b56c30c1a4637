// Runs one TypeScript file: node scripts/run-ts.mjs test/mkfixtures.ts
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = process.argv[2];
// Output next to the tests' bundles so that import.meta.url-relative paths hold.
const outdir = join(root, '.test-out');
const out = join(outdir, basename(entry).replace(/\.ts$/, '.mjs'));
await esbuild.build({
  absWorkingDir: root,
  entryPoints: [entry],
  outfile: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const r = spawnSync(process.execPath, [out, ...process.argv.slice(3)], { stdio: 'inherit', cwd: root });
process.exit(r.status === null ? 1 : r.status);
