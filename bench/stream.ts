// What streaming costs: the same MLP (784 → 128 relu → 10, Adam, batch 128) on real MNIST
// digits (the `mnist` package's 10,000, 8,000 shuffled training rows written as IDX files,
// repeated ×4 = 32,000 rows) trained from memory (u8 storage) and streamed from the files
// (u8 blocks; one window of every row, and windows of 4,096 rows), rounds interleaved.
// Prints rows/s medians and the streamed / in-memory ratios.
//   npm run bench:stream [-- --rounds 3] [-- --json]
import { readFileSync, rmSync } from 'node:fs';
import { MlpExpert, createBackend, idxFiles, loadIdxPair } from '../src/entry/node.js';
import { mnistIdxFiles } from '../test/util/mnist-idx.js';
import { median } from './util/stats.js';
import { formatTable } from './util/table.js';

const args = process.argv.slice(2);
const ROUNDS = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 3);
const json = args.includes('--json');
const files = mnistIdxFiles(8000, 0, 4, 0);
const backend = await createBackend({ build: 'simd', threads: 1 });
const config = { hidden: [128], backend, fit: { epochs: 1, batchSize: 128, seed: 1 } };
const inMemory = loadIdxPair(readFileSync(files.images), readFileSync(files.labels), { storage: 'u8' });
const source = await idxFiles(files.images, files.labels);

const train = (fit: (e: MlpExpert) => Promise<unknown>) => async () => {
  const e = new MlpExpert(config);
  try {
    await fit(e);
  } finally {
    e.dispose();
  }
};
const ways: Record<string, () => Promise<void>> = {
  'in memory (u8)': train((e) => e.fit(inMemory)),
  'streamed, one window': train((e) => e.fit(source, { shuffleWindow: source.rows })),
  'streamed, windows of 4,096': train((e) => e.fit(source, { shuffleWindow: 4096 })),
};
const rates = new Map(Object.keys(ways).map((k) => [k, [] as number[]]));
await ways['in memory (u8)'](); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(ways)) {
    const t = performance.now();
    await run();
    rates.get(name)!.push(source.rows / ((performance.now() - t) / 1000));
  }
}
rmSync(files.dir, { recursive: true, force: true });
const base = median(rates.get('in memory (u8)')!);
const rows = [...rates].map(([name, r]) => ({ name, rate: median(r), ratio: median(r) / base }));
if (json) console.log(JSON.stringify({ op: 'stream', rows: source.rows, rounds: ROUNDS, results: rows }));
else {
  console.log(`${source.rows} MNIST rows, 1 epoch, medians of ${ROUNDS} interleaved rounds`);
  console.log(formatTable(['fit', 'rows/s', 'vs in memory'], rows.map((r) => [r.name, r.rate.toFixed(0), `${r.ratio.toFixed(2)}×`])));
}
