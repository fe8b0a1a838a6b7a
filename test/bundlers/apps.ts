// Tiny consumer apps built from the packed package, one per bundler, each into its own out/
// folder. The app trains the browser tests' seeded model in 2 Web Workers and leaves the
// outcome in window.result.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { root } from './packed.js';

const run = promisify(execFile);

// Named imports, as an app writes them: the bundler tree-shakes, and must keep the runtime set-up.
const MAIN = `import { SparseExpertModel, Rng, accuracy, fromArrays, init } from 'sparse-experts';
import { digest, trainBlobs } from './train-check.js';
window.result = trainBlobs({ SparseExpertModel, Rng, accuracy, fromArrays, init }, 2).then(
  (r) => ({ ok: true, digest: digest(r.proba), accuracy: r.accuracy }),
  (err) => ({ ok: false, error: String((err && err.stack) || err) }),
);
`;
const page = (script: string, module: boolean) =>
  `<!doctype html><meta charset="utf-8"><title>consumer</title><script${module ? ' type="module"' : ''} src="${script}"></script>\n`;

/** Writes the app's sources into `dir`: main.js, the shared training code as plain JS, index.html. */
async function writeApp(dir: string, html: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const check = await esbuild.transform(readFileSync(join(root, 'test/browser/train-check.ts'), 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022' });
  writeFileSync(join(dir, 'train-check.js'), check.code);
  writeFileSync(join(dir, 'main.js'), MAIN);
  writeFileSync(join(dir, 'index.html'), html);
}

export type Bundler = 'vite' | 'webpack' | 'esbuild';

/** Builds the app with `bundler` inside the consumer project `consumer`; returns the folder to serve. */
export async function buildApp(bundler: Bundler, consumer: string): Promise<string> {
  const dir = join(consumer, bundler);
  const out = join(dir, 'out');
  if (bundler === 'vite') {
    // Zero config: `vite build` in the app's folder, no vite.config.
    await writeApp(dir, page('./main.js', true));
    await run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', 'out', '--logLevel', 'warn'], { cwd: dir });
  } else if (bundler === 'webpack') {
    // webpack 5's defaults plus where the entry and output are.
    await writeApp(dir, '');
    const { default: webpack } = await import('webpack');
    await new Promise<void>((resolve, reject) => {
      const compiler = webpack({ mode: 'production', context: dir, entry: './main.js', output: { path: out } });
      compiler.run((err, stats) => compiler.close(() => (err || stats?.hasErrors() ? reject(err ?? new Error(stats!.toString('errors-only'))) : resolve())));
    });
    writeFileSync(join(out, 'index.html'), page('main.js', false));
  } else {
    // esbuild leaves new URL('./…', import.meta.url) alone: the app copies the three assets next to its bundle.
    await writeApp(dir, '');
    await esbuild.build({ entryPoints: [join(dir, 'main.js')], bundle: true, format: 'esm', platform: 'browser', outdir: out, logLevel: 'warning' });
    for (const asset of ['worker.mjs', 'kernels.wasm', 'kernels-relaxed.wasm']) copyFileSync(join(consumer, 'node_modules/sparse-experts/dist', asset), join(out, asset));
    writeFileSync(join(out, 'index.html'), page('main.js', true));
  }
  return out;
}
