// Build: AssemblyScript kernels (plain SIMD and relaxed SIMD), the JS bundles per runtime
// (esbuild), the worker entry, and the type declarations (tsc). The compilers run in
// parallel. Every output is written to a temporary name and renamed into dist/, so tests
// running while someone rebuilds never read a half-written file.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const require = createRequire(import.meta.url);
mkdirSync('dist', { recursive: true });
const tmp = mkdtempSync('dist/.build-');

/** Run a node CLI script (no npx: saves a second per call); resolves to an error line or null. */
function node(label, script, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit' });
    child.on('error', (err) => resolve(`${label}: ${err.message}`));
    child.on('exit', (code, signal) => resolve(code === 0 ? null : `${label} failed (${signal ?? `exit ${code}`})`));
  });
}

/** Move a finished file from the temp folder into dist/ in one step. */
const publish = (name, to = name) => renameSync(join(tmp, name), join('dist', to));

async function kernels(target, name) {
  const asc = require.resolve('assemblyscript/bin/asc.js');
  // The text form is for reading the kernels; package.json's `files` leaves it out of the package.
  const extra = target === 'simd' ? ['--textFile', join(tmp, 'kernels.wat')] : [];
  const err = await node(`asc --target ${target}`, asc, ['--config', 'asconfig.json', '--target', target, '--outFile', join(tmp, name), ...extra]);
  if (err) return err;
  stampKernels(join(tmp, name), target);
  publish(name);
  if (target === 'simd') publish('kernels.wat');
  return null;
}

/** Unsigned LEB128, as wasm sections encode sizes. */
function leb(n) {
  const out = [];
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return out;
}

/**
 * Append a custom section holding the SHA-256 of the kernels as asc emitted them: the id
 * a job names its kernels by (src/backend/identity.ts), readable from a compiled Module
 * where the bytes are gone (edge runtimes).
 */
function stampKernels(file, build) {
  const code = readFileSync(file);
  const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
  const name = Buffer.from('sparse-experts.kernels');
  const payload = Buffer.from(JSON.stringify({ build, sha256: createHash('sha256').update(code).digest('hex'), version }));
  const body = Buffer.concat([Buffer.from(leb(name.length)), name, payload]);
  writeFileSync(file, Buffer.concat([code, Buffer.from([0, ...leb(body.length)]), body]));
}

// The Node core (what `import 'sparse-experts'` compiles) is minified, with a linked source map
// (`node --enable-source-maps` maps stack traces to src/ lines; the map names the sources without
// holding them): compiling the 418 KB readable core was most of the cold start (import + init()
// 36.3 → 29.3 ms, 25 fresh processes on a Zen 3). `keepNames` would keep the names but costs back
// 5 of those ms. The other bundles stay readable and have no maps: minifying the Node worker
// changed a 2-worker fit's start by nothing measurable.
const nodeCore = { minify: true, sourcemap: 'linked', sourcesContent: false };
// bullmq and ioredis are optional peer dependencies (src/queue/): imported at run time, never bundled.
const common = { bundle: true, format: 'esm', target: 'es2022', logLevel: 'warning', write: false, outdir: 'dist', external: ['bullmq', 'ioredis'] };
// One core bundle per runtime (src/entry/<runtime>.ts: the runtime's set-up and every API), and
// per package entry a module re-exporting its surface from that core: `sparse-experts` and
// `sparse-experts/backend` share one module state (one default backend), and nothing but a
// surface's names is reachable from outside.
const runtimes = [
  { suffix: '', ext: '.js', entry: 'src/entry/node.ts', root: 'src/index.node.ts', options: { platform: 'node', ...nodeCore } },
  // What a page downloads: whitespace and syntax minified (names kept, so stack traces still read).
  { suffix: '.browser', ext: '.js', entry: 'src/entry/browser.ts', root: 'src/index.ts', options: { platform: 'browser', minifyWhitespace: true, minifySyntax: true } },
  { suffix: '.edge', ext: '.js', entry: 'src/entry/edge.ts', root: 'src/index.ts', options: { platform: 'neutral', mainFields: ['module', 'main'] } },
  {
    // CommonJS for require(): import.meta.url comes from __filename.
    suffix: '', ext: '.cjs', entry: 'src/entry/node.ts', root: 'src/index.node.ts',
    options: { platform: 'node', ...nodeCore, format: 'cjs', outExtension: { '.js': '.cjs' }, define: { 'import.meta.url': 'importMetaUrl' }, inject: ['scripts/import-meta-url.cjs'] },
  },
];
const surfaces = { backend: 'src/backend/index.ts', parallel: 'src/parallel/index.ts', nn: 'src/nn/index.ts' };
const bundles = runtimes.map(({ suffix, entry, options }) => ({ entryPoints: { [`core${suffix}`]: entry }, ...options }));
// The command line (npm start, the `sparse-experts` bin): Node only, next to the kernels and worker.
// It calls installNodeRuntime() itself (src/entry/node-runtime.ts).
bundles.push({ entryPoints: { cli: 'src/cli/main.ts' }, platform: 'node', banner: { js: '#!/usr/bin/env node' } });
// The workers have entries of their own: esbuild does not follow `new URL('./worker.mjs',
// import.meta.url)`. The browser one (also Deno and Bun Web Workers) has no node imports and no
// top-level await, so bundlers can re-bundle it as a classic (iife) worker; Node's runs in
// worker_threads.
bundles.push(
  { entryPoints: { worker: 'src/entry/worker.browser.ts' }, platform: 'browser', outExtension: { '.js': '.mjs' }, minifyWhitespace: true, minifySyntax: true },
  { entryPoints: { 'worker.node': 'src/entry/worker.node.ts' }, platform: 'node', outExtension: { '.js': '.mjs' } },
);
// The queue workers' sandboxed processor: BullMQ loads it by path in a worker thread.
bundles.push({ entryPoints: { 'queue-processor': 'src/queue/processor.ts' }, platform: 'node', outExtension: { '.js': '.mjs' } });

/** The names a surface module exports (esbuild's metafile, from a throwaway bundle). */
async function exportsOf(file) {
  const { metafile } = await esbuild.build({ entryPoints: [file], bundle: true, write: false, metafile: true, format: 'esm', platform: 'node', logLevel: 'silent', outdir: 'dist' });
  return Object.values(metafile.outputs)[0].exports.sort();
}

/** Each package entry of each runtime: its surface's names, re-exported from the runtime's core. */
async function entries() {
  try {
    const names = {};
    await Promise.all(Object.entries({ index: 'src/index.ts', 'index.node': 'src/index.node.ts', ...surfaces }).map(async ([k, f]) => (names[k] = await exportsOf(f))));
    for (const { suffix, ext, root } of runtimes) {
      for (const name of ['index', ...Object.keys(surfaces)]) {
        const list = names[name === 'index' && root.endsWith('.node.ts') ? 'index.node' : name];
        const core = `./core${suffix}${ext}`;
        const text = ext === '.cjs'
          ? `'use strict';\nconst core = require('${core}');\nfor (const name of ${JSON.stringify(list)}) Object.defineProperty(exports, name, { enumerable: true, get: () => core[name] });\n`
          : `export { ${list.join(', ')} } from '${core}';\n`;
        writeFileSync(join(tmp, `${name}${suffix}${ext}`), text);
        publish(`${name}${suffix}${ext}`);
      }
    }
    return null;
  } catch (err) {
    return `package entries: ${err.message.split('\n')[0]}`;
  }
}

// The kernel threads' entry (src/backend/threads.ts starts it next to the bundle).
bundles.push({ entryPoints: { 'thread-worker': 'src/backend/thread-worker.ts' }, platform: 'neutral', outExtension: { '.js': '.mjs' }, external: ['node:*'] });

async function bundle(options) {
  try {
    const { outputFiles } = await esbuild.build({ ...common, ...options });
    for (const file of outputFiles) {
      const name = file.path.slice(join(root, 'dist').length + 1);
      writeFileSync(join(tmp, name), file.contents);
      publish(name);
    }
    return null;
  } catch (err) {
    return `esbuild ${Object.keys(options.entryPoints)[0]}: ${err.message.split('\n')[0]}`;
  }
}

// Declarations: one .d.ts tree under dist/types, re-exported per package entry from
// dist/<entry>.d.ts (ESM) and dist/<entry>.d.cts (for `require` under node16/nodenext resolution).
async function declarations() {
  const err = await node('tsc', require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', join(tmp, 'types')]);
  if (err) return err;
  rmSync('dist/types', { recursive: true, force: true });
  publish('types');
  for (const [name, file] of Object.entries({ index: 'src/index.node.ts', ...surfaces })) {
    const types = `export * from './types/${file.replace(/\.ts$/, '.js')}';\n`;
    writeFileSync(`dist/${name}.d.ts`, types);
    writeFileSync(`dist/${name}.d.cts`, types);
  }
  return null;
}

const started = performance.now();
// Shared-memory builds for the intra-op thread pool (src/backend/threads.ts).
const threaded = [kernels('simd-threads', 'kernels-threads.wasm'), kernels('relaxed-threads', 'kernels-relaxed-threads.wasm')];
const errors = (await Promise.all([kernels('simd', 'kernels.wasm'), kernels('relaxed', 'kernels-relaxed.wasm'), ...threaded, declarations(), entries(), ...bundles.map(bundle)])).filter(Boolean);
rmSync(tmp, { recursive: true, force: true });
// Leftovers of builds killed midway (old enough not to belong to a build running now).
for (const name of readdirSync('dist')) {
  const path = join('dist', name);
  if (name.startsWith('.build-') && Date.now() - statSync(path).mtimeMs > 600_000) rmSync(path, { recursive: true, force: true });
}

if (errors.length) {
  console.error(`build failed:\n  ${errors.join('\n  ')}`);
  process.exit(1);
}
console.log(`build: dist/ ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
