// The packed package in consumer apps built by Vite 8 (zero config), webpack 5 and esbuild:
// each app trains in Web Workers in Chromium, gets Node's bits, and its build emits only the
// files the page loads (plus the relaxed-SIMD kernels, which init() picks where supported).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Browser } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { serve } from '../../scripts/serve.mjs';
import { launchChromium } from '../browser/launch.js';
import { digest, trainBlobs } from '../browser/train-check.js';
import { buildApp, type Bundler } from './apps.js';
import { packAndInstall, root, type Packed } from './packed.js';

interface Ctx {
  packed?: Packed;
  browser?: Browser;
  /** The digest of the same model trained in Node. */
  node?: string;
  notes: string[];
}
const bundlers = suite<Ctx>('bundlers', { notes: [] });

bundlers.before(async (ctx) => {
  ctx.packed = packAndInstall();
  ctx.browser = (await launchChromium()).browser;
  ctx.node = digest((await trainBlobs(await import('../../src/entry/node.js'), 1)).proba);
});

bundlers.after(async (ctx) => {
  await ctx.browser?.close();
  ctx.packed?.remove();
  if (ctx.notes.length) console.log(`\n${ctx.notes.join('\n')}`);
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile()).map((f) => `/${f.split('\\').join('/')}`);
}

const kernels = (name: string) => readFileSync(join(root, 'dist', name));

for (const bundler of ['vite', 'webpack', 'esbuild'] as Bundler[]) {
  bundlers(`${bundler}: the app trains in Web Workers in Chromium like Node, and emits only what it loads`, async (ctx) => {
    const out = await buildApp(bundler, ctx.packed!.dir);
    const server = await serve(out);
    const page = await ctx.browser!.newPage();
    try {
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      // Count the Web Workers the app starts.
      await page.addInitScript(() => {
        const Native = Worker;
        const w = window as unknown as { workers: number; Worker: typeof Worker };
        w.workers = 0;
        w.Worker = class extends Native {
          constructor(url: string | URL, options?: WorkerOptions) {
            super(url, options);
            w.workers++;
          }
        };
      });
      await page.goto(server.url);
      const result = await page.evaluate(() => (window as unknown as { result: Promise<{ ok: boolean; error?: string; digest?: string; accuracy?: number }> }).result);
      assert.ok(result.ok, result.error);
      assert.equal(errors, [], 'errors thrown in the page');
      assert.is(await page.evaluate(() => (window as unknown as { workers: number }).workers), 2, 'Web Workers started');
      assert.is(result.digest, ctx.node, 'the same predictions as Node (same seed, plain SIMD)');

      const emitted = filesUnder(out);
      const bytes = emitted.map((f) => readFileSync(join(out, f)));
      const wasm = emitted.filter((f) => f.endsWith('.wasm'));
      assert.is(wasm.length, 2, `two kernel builds emitted: ${wasm.join(', ')}`);
      const relaxed = emitted.find((_, i) => bytes[i].equals(kernels('kernels-relaxed.wasm')));
      assert.ok(emitted.some((_, i) => bytes[i].equals(kernels('kernels.wasm'))), 'the plain SIMD kernels are emitted as built');
      assert.ok(relaxed, 'the relaxed SIMD kernels are emitted as built');
      // A bundler's minifier may move license comments (comlink's) to a *.LICENSE.txt beside the code: not code, never loaded.
      const unused = emitted.filter((f) => f !== relaxed && !server.requested.has(f) && !(f === '/index.html' && server.requested.has('/')) && !f.endsWith('.LICENSE.txt'));
      assert.equal(unused, [], 'emitted files the page never loaded');
      assert.ok(!bytes.some((b) => b.includes('node:worker_threads')), 'no node imports in the browser build');
      const total = bytes.reduce((s, b) => s + b.length, 0);
      ctx.notes.push(`  ${bundler}: ${emitted.length} files, ${(total / 1024).toFixed(0)} KB (${emitted.map((f, i) => `${relative('/', f)} ${(bytes[i].length / 1024).toFixed(1)}`).join(', ')}); accuracy ${result.accuracy!.toFixed(3)}`);
    } finally {
      await page.close();
      await server.close();
    }
  });
}

bundlers.run();
