// Training in Chromium, in a cross-origin-isolated page (COOP/COEP from a local server; the
// packaged Chromium of the browser tests, test/browser/launch.ts): the seed's MLP on 8,000
// MNIST digits with this project on 1 and 2 kernel threads against tfjs-backend-wasm with
// setThreadsCount(1) and (2) — its threaded SIMD build, which exists only in browsers. Each
// run is a fresh page, the sides interleaved round by round; samples/s is the median over
// the rounds of each run's epochs after a warm-up, ratios within a round. Our weights must
// be identical on 1 and 2 threads.
// tfjs-wasm 4.22 sizes its pool as min(setThreadsCount(n), hardwareConcurrency / 2) — it takes
// half the logical CPUs for cores (src/cc/backend.cc: num_cores = emscripten_num_logical_cores()
// / 2) — so on a 2-vCPU machine it runs 1 thread whatever n is. Its pages are told, through
// Chromium's own emulation, 2 × the machine's logical CPUs: its cap becomes the real CPU count
// and setThreadsCount(2) gets 2 threads (--tfjs-as-shipped leaves the count alone, to show the
// cap). Our pages see the real count; we run the threads we are asked for.
// The tfjs pages also time its products at the MLP's shape and profile a few training steps:
// only untransposed products run on its pool, so they show how much of a step 2 threads can cut.
//   npm run bench:browser [-- --json] [-- --rounds N] [-- --quick] [-- --tfjs-as-shipped]
import { availableParallelism } from 'node:os';
import { launchChromium } from '../test/browser/launch.js';
import { startServer } from '../test/browser/server.js';
import { loadMnist } from '../src/entry/node.js';
import { argValue } from './util/interleave.js';
import { type Spread, formatSpread, jsonSpread, spread } from './util/stats.js';
import { formatTable } from './util/table.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const rounds = Number(argValue(args, '--rounds', quick ? '1' : '3'));
const tfjsCpus = args.includes('--tfjs-as-shipped') ? null : 2 * availableParallelism();
const log = (line: string) => json || console.error(line);

type Product = 'forward' | 'inputGradient' | 'weightGradient';
interface Result {
  ran: string; threads: number; rates: number[]; accuracy: number; isolated: boolean; hardwareConcurrency: number;
  weights?: string; products?: Record<Product, number>; step?: { kernelMs: number; threadedProductShare: number; otherProductShare: number };
}
const SIDES = [
  { name: 'ours×1', side: 'ours', threads: 1, epochs: quick ? 2 : 4 },
  { name: 'ours×2', side: 'ours', threads: 2, epochs: quick ? 2 : 4 },
  { name: 'tfjs×1', side: 'tfjs', threads: 1, epochs: 2 },
  { name: 'tfjs×2', side: 'tfjs', threads: 2, epochs: 2 },
];

const { train, test } = loadMnist({ train: 8000, test: 2000, seed: 1 });
const bytes = (a: Float32Array | Int32Array) => ({ type: 'application/octet-stream', body: Buffer.from(a.buffer, a.byteOffset, a.byteLength) });
const page = `<!doctype html><meta charset="utf-8"><title>sparse-experts browser bench</title><script type="module" src="/bench/page.js"></script>`;
const { readFile } = await import('node:fs/promises');
const server = await startServer({
  isolated: true,
  files: {
    '/bench.html': { type: 'text/html', body: page },
    '/bench/page.js': { type: 'text/javascript', body: await readFile(new URL('./browser/page.js', import.meta.url), 'utf8') },
    '/data/x.bin': bytes(train.x), '/data/y.bin': bytes(Int32Array.from(train.y)), '/data/tx.bin': bytes(test.x), '/data/ty.bin': bytes(Int32Array.from(test.y)),
  },
});
const { browser, name } = await launchChromium({ isolation: true });
const runs = new Map<string, Result[]>(SIDES.map((s) => [s.name, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const s of SIDES) {
      const tab = await browser.newPage();
      if (s.side === 'tfjs' && tfjsCpus) await (await tab.context().newCDPSession(tab)).send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: tfjsCpus });
      tab.on('console', (m) => m.type() !== 'log' && log(`  ${s.name} page ${m.type()}: ${m.text()}`)); // e.g. tfjs's warnings
      try {
        await tab.goto(`${server.url}bench.html`);
        await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 20_000 });
        const result = await tab.evaluate((o) => (window as unknown as { run(o: unknown): Promise<Result> }).run(o), { side: s.side, threads: s.threads, epochs: s.epochs });
        if (!result.isolated) throw new Error('the bench page is not cross-origin isolated');
        if (s.side === 'ours' && result.threads !== s.threads) throw new Error(`${s.name} ran ${result.threads} thread(s)`);
        if (result.threads !== s.threads) log(`  ${s.name}: tfjs reports ${result.threads} thread(s) after setThreadsCount(${s.threads}), navigator.hardwareConcurrency ${result.hardwareConcurrency}`);
        runs.get(s.name)!.push(result);
      } finally {
        await tab.close();
      }
    }
    log(`round ${r + 1}/${rounds} done`);
  }
} finally {
  await browser.close();
  await server.close();
}

const weights = new Set(['ours×1', 'ours×2'].flatMap((n) => runs.get(n)!.map((r) => r.weights)));
if (weights.size !== 1) throw new Error(`our weights differ between 1 and 2 threads or runs: ${[...weights].join(', ')}`);
const rate = (n: string) => runs.get(n)!.map((r) => r.rates.reduce((a, b) => a + b, 0) / r.rates.length);
const ratio = (a: string, b: string): Spread => spread(rate(a).map((x, i) => x / rate(b)[i]));
const first = (n: string) => runs.get(n)![0];
const rows = SIDES.map((s) => ({
  op: 'browser-train', browser: name, side: s.name, ran: first(s.name).ran, threads: first(s.name).threads, cpus: first(s.name).hardwareConcurrency, rounds,
  samples: spread(rate(s.name)), accuracy: first(s.name).accuracy,
  vsTfjsSameThreads: s.side === 'ours' ? ratio(s.name, `tfjs×${s.threads}`) : null,
  vsOneThread: s.threads > 1 ? ratio(s.name, `${s.side}×1`) : null,
}));
// tfjs's products at the first layer's shape, ms per call (medians over rounds) and 1 → 2 threads.
const PRODUCTS: { kind: Product; shape: string }[] = [
  { kind: 'forward', shape: 'x·W: 128×784 · 784×512, XNNPACK' },
  { kind: 'inputGradient', shape: 'dy·Wᵀ: 128×512 · (784×512)ᵀ, one-thread loop' },
  { kind: 'weightGradient', shape: 'xᵀ·dy: (128×784)ᵀ · 128×512, one-thread loop' },
];
const ms = (n: string, kind: Product) => runs.get(n)!.map((r) => r.products![kind]);
const steps = (n: string) => runs.get(n)!.map((r) => r.step!);
const products = PRODUCTS.map((p) => ({
  ...p, one: spread(ms('tfjs×1', p.kind)), two: spread(ms('tfjs×2', p.kind)),
  speedup: spread(ms('tfjs×1', p.kind).map((x, i) => x / ms('tfjs×2', p.kind)[i])),
}));

if (json) {
  for (const r of rows) {
    console.log(JSON.stringify({
      op: r.op, browser: r.browser, side: r.side, ran: r.ran, threads: r.threads, hardware_concurrency: r.cpus, rounds, samples_per_s: jsonSpread(r.samples, 0), test_accuracy: r.accuracy,
      ...(r.vsTfjsSameThreads ? { ratio_vs_tfjs_same_threads: jsonSpread(r.vsTfjsSameThreads) } : {}), ...(r.vsOneThread ? { speedup: jsonSpread(r.vsOneThread) } : {}),
    }));
  }
  for (const p of products) {
    console.log(JSON.stringify({ op: 'browser-tfjs-product', browser: name, product: p.kind, shape: p.shape, rounds, ms_1_thread: jsonSpread(p.one, 3), ms_2_threads: jsonSpread(p.two, 3), speedup: jsonSpread(p.speedup) }));
  }
  for (const n of ['tfjs×1', 'tfjs×2']) {
    const st = steps(n);
    console.log(JSON.stringify({ op: 'browser-tfjs-step', browser: name, side: n, rounds, kernel_ms: jsonSpread(spread(st.map((s) => s.kernelMs)), 1), threaded_product_share: jsonSpread(spread(st.map((s) => s.threadedProductShare)), 3), other_product_share: jsonSpread(spread(st.map((s) => s.otherProductShare)), 3) }));
  }
} else {
  console.log(`Chromium (${name}), cross-origin-isolated page: the seed's MLP on 8,000 MNIST digits; samples/s median (quartiles) over ${rounds} round(s) of fresh pages;`);
  console.log('ours: epochs after a warm-up, identical weights on 1 and 2 threads; tfjs-wasm: threaded SIMD build, setThreadsCount(n), one epoch after a warm-up;');
  console.log(`accuracy on 2,000 held-out digits; threads = what each side reports it ran; cpus = navigator.hardwareConcurrency in the page (${tfjsCpus ? `tfjs's pages told ${tfjsCpus}: it takes half for cores` : 'as shipped'}).`);
  const cell = (s: Spread | null, digits = 2) => (s ? formatSpread(s, digits, '×') : '—');
  console.log(formatTable(['side', 'ran', 'threads', 'cpus', 'samples/s', 'vs 1 thread', 'vs tfjs-wasm, same threads', 'held-out acc'],
    rows.map((r) => [r.side, r.ran, String(r.threads), String(r.cpus), formatSpread(r.samples, 0), cell(r.vsOneThread), cell(r.vsTfjsSameThreads, 1), r.accuracy.toFixed(4)])));
  console.log('\ntfjs-wasm products inside the same pages, ms per call (median of 20 after a warm-up), 1 → 2 threads:');
  console.log(formatTable(['product', 'shape', '1 thread', '2 threads', 'speedup'],
    products.map((p) => [p.kind, p.shape, formatSpread(p.one, 2), formatSpread(p.two, 2), formatSpread(p.speedup, 2, '×')])));
  console.log('\ntfjs-wasm training steps (batch 128) under tf.profile: kernel ms per step and its shares in the products XNNPACK threads and in the one-thread ones:');
  const pct = (xs: number[]) => formatSpread(spread(xs.map((x) => 100 * x)), 0, ' %');
  console.log(formatTable(['side', 'kernel ms', 'threaded products', 'one-thread products'],
    ['tfjs×1', 'tfjs×2'].map((n) => [n, formatSpread(spread(steps(n).map((s) => s.kernelMs)), 1), pct(steps(n).map((s) => s.threadedProductShare)), pct(steps(n).map((s) => s.otherProductShare))])));
}
