// Kernel threads in Chromium: a cross-origin-isolated page (COOP/COEP headers) picks the
// shared-memory build, cuts large calls across 2 threads and trains the same weights as on
// 1; a page that is not isolated runs the single-thread build whatever it asks for.
import type { Browser } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { launchChromium } from './launch.js';
import { startServer, type TestServer } from './server.js';

interface Run {
  build: string;
  threads: number;
  cut: number;
  weights: string;
}
interface PageResult {
  isolated: boolean;
  cores: number;
  auto: { build: string; threads: number };
  one: Run;
  two: Run;
}

/**
 * In the page: the default backend, then one MLP trained on 1 and on 2 threads (large enough
 * for the pool to cut its products). Source text, not a function: the TypeScript loader would
 * wrap named functions in a helper the page does not have.
 */
const TRAIN_ON_ONE_AND_TWO = `(async () => {
  const lib = { ...(await import('/dist/index.browser.js')), ...(await import('/dist/backend.browser.js')) };
  const auto = await lib.createBackend();
  const rng = new lib.Rng(5);
  const rows = 512, cols = 200;
  const x = Float32Array.from({ length: rows * cols }, () => rng.normal());
  const y = Int32Array.from({ length: rows }, (_, i) => (x[i * cols] > 0 ? 1 : 0) + 2 * (i % 2));
  const train = async (threads) => {
    const backend = await lib.createBackend({ threads });
    const mlp = new lib.MlpExpert({ backend, hidden: [256], fit: { epochs: 2, batchSize: 128 } });
    await mlp.fit({ x, y, rows, cols, classes: 4 }, { seed: 1 });
    const hex = mlp.toState().tensors.map((t) => Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), (b) => b.toString(16).padStart(2, '0')).join('')).join('');
    return { build: lib.kernelRef(backend).build, threads: backend.threads, cut: backend.pooledCalls, weights: hex };
  };
  return { isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency, auto: { build: lib.kernelRef(auto).build, threads: auto.threads }, one: await train(1), two: await train(2) };
})()`;

interface Ctx {
  browser?: Browser;
  servers: TestServer[];
  setup?: unknown;
}
const threads = suite<Ctx>('browser threads', { servers: [] });

threads.before(async (ctx) => {
  try {
    ctx.browser = (await launchChromium({ isolation: true })).browser;
  } catch (err) {
    ctx.setup = err; // uvu drops errors thrown by a before hook
  }
});

threads.after(async (ctx) => {
  await ctx.browser?.close();
  await Promise.all(ctx.servers.map((s) => s.close()));
});

async function onPage(ctx: Ctx, isolated: boolean): Promise<PageResult> {
  if (ctx.setup) throw ctx.setup;
  const server = await startServer({ isolated });
  ctx.servers.push(server);
  const page = await ctx.browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  try {
    await page.goto(server.url);
    const result = (await page.evaluate(TRAIN_ON_ONE_AND_TWO)) as PageResult;
    assert.equal(errors, [], 'errors thrown in the page');
    return result;
  } finally {
    await page.close();
  }
}

threads('an isolated page picks the threaded build, cuts calls over 2 threads and trains the weights 1 thread trains', async (ctx) => {
  const r = await onPage(ctx, true);
  assert.ok(r.isolated, 'the page is cross-origin isolated');
  assert.equal(r.auto, { build: r.cores > 1 ? 'relaxed-threads' : 'relaxed', threads: r.cores }, "'auto' is navigator.hardwareConcurrency");
  assert.equal([r.one.build, r.one.threads, r.two.build, r.two.threads], ['relaxed', 1, 'relaxed-threads', 2]);
  assert.ok(r.two.cut > 0, 'the 2-thread backend cut calls into pieces');
  assert.ok(r.one.weights === r.two.weights, 'the weights differ between 1 and 2 threads');
});

threads('a page that is not isolated runs one thread on the single-thread build, as before', async (ctx) => {
  const r = await onPage(ctx, false);
  assert.not.ok(r.isolated);
  assert.equal(r.auto, { build: 'relaxed', threads: 1 });
  assert.equal([r.two.build, r.two.threads, r.two.cut], ['relaxed', 1, 0], 'threads: 2 falls back to one thread');
  assert.ok(r.one.weights === r.two.weights);
});

threads.run();
