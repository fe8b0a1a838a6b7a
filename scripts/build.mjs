// Build: AssemblyScript kernels (plain SIMD and relaxed SIMD), the JS bundles per runtime
// (esbuild), the worker entry, and the type declarations (tsc).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');

run('npx', ['asc', '--config', 'asconfig.json', '--target', 'simd']);
run('npx', ['asc', '--config', 'asconfig.json', '--target', 'relaxed']);

const common = { bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
const builds = [
  { entryPoints: { index: 'src/entry/node.ts' }, platform: 'node', outExtension: { '.js': '.js' } },
  { entryPoints: { 'index.browser': 'src/entry/browser.ts' }, platform: 'browser' },
  { entryPoints: { 'index.edge': 'src/entry/edge.ts' }, platform: 'neutral', mainFields: ['module', 'main'] },
  {
    // CommonJS for require(): import.meta.url comes from __filename.
    entryPoints: { index: 'src/entry/node.ts' }, platform: 'node', format: 'cjs', outExtension: { '.js': '.cjs' },
    define: { 'import.meta.url': 'importMetaUrl' }, inject: ['scripts/import-meta-url.cjs'],
  },
];
if (existsSync('src/worker.ts')) {
  builds.push({ entryPoints: { worker: 'src/worker.ts' }, platform: 'node', outExtension: { '.js': '.mjs' }, external: ['node:*'] });
}
await Promise.all(builds.map((b) => esbuild.build({ ...common, outdir: 'dist', ...b })));

// Declarations: one .d.ts tree under dist/types, re-exported from dist/index.d.ts.
run('npx', ['tsc', '-p', 'tsconfig.build.json']);
writeFileSync('dist/index.d.ts', "export * from './types/src/index.js';\n");
