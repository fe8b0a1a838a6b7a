// The package `exports` map: each runtime condition reaches its own bundle, the types
// resolve for ESM and CommonJS consumers, and every file the map names is built.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** What Node resolves `sparse-experts` to (a self-reference) with extra conditions on. */
function nodeResolves(conditions: string[], how: 'import' | 'require', specifier = 'sparse-experts'): string {
  const code = how === 'import'
    ? `process.stdout.write(import.meta.resolve('${specifier}'))`
    : `process.stdout.write(require('node:url').pathToFileURL(require.resolve('${specifier}')).href)`;
  const args = [...conditions.flatMap((c) => ['-C', c]), '--input-type', how === 'import' ? 'module' : 'commonjs', '-e', code];
  return fileURLToPath(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' })).slice(root.length);
}

const cases: Array<[label: string, conditions: string[], how: 'import' | 'require', file: string]> = [
  ['node import', [], 'import', 'dist/index.js'],
  ['node require', [], 'require', 'dist/index.cjs'],
  ['browser (bundlers)', ['browser'], 'import', 'dist/index.browser.js'],
  ['workerd (Cloudflare)', ['workerd'], 'import', 'dist/index.edge.js'],
  ['edge-light (Vercel)', ['edge-light'], 'import', 'dist/index.edge.js'],
];
// Each subpath has the same conditions, reaching its own module next to the same core.
for (const [label, conditions, how, file] of cases.slice()) {
  for (const sub of ['backend', 'parallel', 'nn']) cases.push([`${label}, /${sub}`, conditions, how, file.replace('index', sub)]);
}
for (const [label, conditions, how, file] of cases) {
  test(`exports: ${label} → ${file}`, () => {
    const sub = /dist\/(backend|parallel|nn)\./.exec(file)?.[1];
    assert.is(nodeResolves(conditions, how, sub ? `sparse-experts/${sub}` : 'sparse-experts'), file);
  });
}

test('exports: types resolve to index.d.ts (ESM, bundler) and index.d.cts (require)', () => {
  const host = ts.sys;
  const resolve = (from: string, options: ts.CompilerOptions, mode?: ts.ResolutionMode) =>
    ts.resolveModuleName('sparse-experts', `${root}${from}`, options, host, undefined, undefined, mode).resolvedModule?.resolvedFileName.slice(root.length);
  const nodeNext = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };
  assert.is(resolve('consumer.mts', nodeNext, ts.ModuleKind.ESNext), 'dist/index.d.ts');
  assert.is(resolve('consumer.cts', nodeNext, ts.ModuleKind.CommonJS), 'dist/index.d.cts');
  assert.is(resolve('consumer.ts', { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }), 'dist/index.d.ts');
});

test('every file the exports map names is built', () => {
  const targets = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === 'string') targets.add(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  collect(pkg.exports);
  // The worker exists once src/worker.ts does.
  if (!existsSync(`${root}src/worker.ts`)) targets.delete('./dist/worker.mjs');
  const missing = [...targets].filter((t) => !existsSync(`${root}${t}`));
  assert.equal(missing, [], `not built: ${missing.join(', ')}; run npm run build`);
});

test.run();
