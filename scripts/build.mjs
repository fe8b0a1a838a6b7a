// Build: AssemblyScript kernels (plain SIMD and relaxed SIMD), the JS bundles per runtime
// (esbuild), the worker entry, and the type declarations (tsc). The compilers run in
// parallel. Every output is written to a temporary name and renamed into dist/, so tests
// running while someone rebuilds never read a half-written file.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning', write: false, outdir: 'dist' };
const bundles = [
  { entryPoints: { index: 'src/entry/node.ts' }, platform: 'node' },
  { entryPoints: { 'index.browser': 'src/entry/browser.ts' }, platform: 'browser' },
  { entryPoints: { 'index.edge': 'src/entry/edge.ts' }, platform: 'neutral', mainFields: ['module', 'main'] },
  {
    // CommonJS for require(): import.meta.url comes from __filename.
    entryPoints: { index: 'src/entry/node.ts' }, platform: 'node', format: 'cjs', outExtension: { '.js': '.cjs' },
    define: { 'import.meta.url': 'importMetaUrl' }, inject: ['scripts/import-meta-url.cjs'],
  },
];
// The command line (npm start, the `sparse-experts` bin): Node only, next to the kernels and worker.
bundles.push({ entryPoints: { cli: 'src/cli/main.ts' }, platform: 'node', banner: { js: '#!/usr/bin/env node' } });
if (existsSync('src/worker.ts')) {
  // Its own entry: esbuild does not follow `new URL('./worker.mjs', import.meta.url)`. One file
  // for Node and browsers (platform-neutral, node:* left to the runtime), next to every bundle.
  bundles.push({ entryPoints: { worker: 'src/worker.ts' }, platform: 'neutral', mainFields: ['module', 'main'], outExtension: { '.js': '.mjs' }, external: ['node:*'] });
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

// Declarations: one .d.ts tree under dist/types, re-exported from dist/index.d.ts (ESM) and
// dist/index.d.cts (for `require` under TypeScript's node16/nodenext resolution).
async function declarations() {
  const err = await node('tsc', require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', join(tmp, 'types')]);
  if (err) return err;
  rmSync('dist/types', { recursive: true, force: true });
  publish('types');
  writeFileSync('dist/index.d.ts', "export * from './types/src/index.js';\n");
  writeFileSync('dist/index.d.cts', "export * from './types/src/index.js';\n");
  return null;
}

const started = performance.now();
// Shared-memory builds for the intra-op thread pool (src/backend/threads.ts).
const threaded = [kernels('simd-threads', 'kernels-threads.wasm'), kernels('relaxed-threads', 'kernels-relaxed-threads.wasm')];
const errors = (await Promise.all([kernels('simd', 'kernels.wasm'), kernels('relaxed', 'kernels-relaxed.wasm'), ...threaded, declarations(), ...bundles.map(bundle)])).filter(Boolean);
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
