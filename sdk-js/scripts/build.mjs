// Builds dist/: the browser files (IIFE, ES2017) and the ESM build.
// Usage: node scripts/build.mjs [outdir]   (default: dist)
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.argv[2] || 'dist');
rmSync(out, { recursive: true, force: true });
const pkg = (name) => JSON.parse(readFileSync(join(root, name === '.' ? 'package.json' : `node_modules/${name}/package.json`), 'utf8'));
const v = (name) => pkg(name).version;
const banner = (s) => ({ js: `/*! ${s} */` });
mkdirSync(out, { recursive: true });

// ES2017: the oldest WebViews we support (Android 7 System WebView / Chrome 58,
// iOS 11 Safari, WeChat's X5) run ES2017 but not ES2018+ syntax or BigInt.
const browser = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2017',
  minify: true,
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
  absWorkingDir: root,
};

await esbuild.build({
  ...browser,
  entryPoints: ['src/browser.ts'],
  outfile: join(out, 'govapp.js'),
  banner: banner(`@govapp/sdk ${v('.')} govapp.js: hot-update loader and runtime, the JS API`),
});
// The container simulation: tests and `govapp dev` only, never in govapp.js.
await esbuild.build({
  ...browser,
  entryPoints: ['sim/browser.ts'],
  outfile: join(out, 'sim.js'),
  banner: banner(`@govapp/sdk ${v('.')} sim.js: simulated WeChat, Alipay, ZWJSBridge and gov-app containers (development only)`),
});
await esbuild.build({
  ...browser,
  entryPoints: ['src/chunks/sm2.ts'],
  outfile: join(out, 'sm2.js'),
  banner: banner(`@govapp/sdk ${v('.')} sm2.js; includes sm-crypto ${v('sm-crypto')} (MIT) and jsbn ${v('jsbn')} (MIT, Copyright (c) 2003-2005 Tom Wu)`),
});
await esbuild.build({
  ...browser,
  entryPoints: ['src/chunks/ed25519.ts'],
  outfile: join(out, 'ed25519.js'),
  banner: banner(`@govapp/sdk ${v('.')} ed25519.js; includes TweetNaCl.js ${v('tweetnacl')} (public domain)`),
});
await esbuild.build({
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2017',
  external: ['sm-crypto', 'sm-crypto/*', 'tweetnacl'],
  charset: 'utf8',
  logLevel: 'warning',
  absWorkingDir: root,
  entryPoints: ['src/index.ts'],
  outfile: join(out, 'index.mjs'),
  banner: banner(`@govapp/sdk ${v('.')}`),
});

// Type declarations for the ESM build.
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.types.json'), '--outDir', join(out, 'types')], {
  stdio: 'inherit',
});
