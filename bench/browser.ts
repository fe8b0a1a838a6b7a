// Training in Chromium, in a cross-origin-isolated page (COOP/COEP from a local server; the
// packaged Chromium of the browser tests, test/browser/launch.ts): the seed's MLP on 8,000
// MNIST digits with this project on 1 and 2 kernel threads against tfjs-backend-wasm with
// setThreadsCount(1) and (2) — its threaded SIMD build, which exists only in browsers. Each
// run is a fresh page, the sides interleaved round by round; samples/s is the median over
// the rounds of each run's epochs after a warm-up, ratios within a round. Our weights must
// be identical on 1 and 2 threads.
//   npm run bench:browser [-- --json] [-- --rounds N] [-- --quick]
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
const log = (line: string) => json || console.error(line);

interface Result { ran: string; threads: number; rates: number[]; accuracy: number; weights?: string }
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
      tab.on('console', (m) => m.type() !== 'log' && log(`  ${s.name} page ${m.type()}: ${m.text()}`)); // e.g. tfjs's warnings
      try {
        await tab.goto(`${server.url}bench.html`);
        await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 20_000 });
        if (!(await tab.evaluate(() => crossOriginIsolated))) throw new Error('the bench page is not cross-origin isolated');
        runs.get(s.name)!.push(await tab.evaluate((o) => (window as unknown as { run(o: unknown): Promise<Result> }).run(o), { side: s.side, threads: s.threads, epochs: s.epochs }));
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
const rows = SIDES.map((s) => ({
  op: 'browser-train', browser: name, side: s.name, ran: runs.get(s.name)![0].ran, threads: runs.get(s.name)![0].threads, rounds,
  samples: spread(rate(s.name)), accuracy: runs.get(s.name)![0].accuracy,
  vsTfjsSameThreads: s.side === 'ours' ? ratio(s.name, `tfjs×${s.threads}`) : null,
  vsOneThread: s.threads > 1 ? ratio(s.name, `${s.side}×1`) : null,
}));

if (json) {
  for (const r of rows) {
    console.log(JSON.stringify({
      op: r.op, browser: r.browser, side: r.side, ran: r.ran, threads: r.threads, rounds, samples_per_s: jsonSpread(r.samples, 0), test_accuracy: r.accuracy,
      ...(r.vsTfjsSameThreads ? { ratio_vs_tfjs_same_threads: jsonSpread(r.vsTfjsSameThreads) } : {}), ...(r.vsOneThread ? { speedup: jsonSpread(r.vsOneThread) } : {}),
    }));
  }
} else {
  console.log(`Chromium (${name}), cross-origin-isolated page: the seed's MLP on 8,000 MNIST digits; samples/s median (quartiles) over ${rounds} round(s) of fresh pages;`);
  console.log('ours: epochs after a warm-up, identical weights on 1 and 2 threads; tfjs-wasm: threaded SIMD build, setThreadsCount(n), one epoch after a warm-up; accuracy on 2,000 held-out digits.');
  const cell = (s: Spread | null, digits = 2) => (s ? formatSpread(s, digits, '×') : '—');
  console.log(formatTable(['side', 'ran', 'samples/s', 'vs 1 thread', 'vs tfjs-wasm, same threads', 'held-out acc'],
    rows.map((r) => [r.side, r.ran, formatSpread(r.samples, 0), cell(r.vsOneThread), cell(r.vsTfjsSameThreads, 1), r.accuracy.toFixed(4)])));
}
