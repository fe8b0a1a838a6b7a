// Training throughput, memory and accuracy on the seed's recipe: 784 → Dense(512, relu) →
// Dense(10, softmax), Adam 1e-3, batch 128. Each side runs the built package in fresh plain
// node processes (bench/train/*.mjs), interleaved over ≥ 5 rounds, so peak RSS is its own:
// samples/s is the median over the rounds of each process's timed epochs (after a warm-up
// epoch), with the inter-quartile range; ratios are taken within a round. Then one more
// process per side trains a fresh model, with the held-out accuracy after every epoch.
//   npm run bench:train [-- --json] [-- --rounds N] [-- --quick] [-- --threads 1,2]
//     8,000 / 2,000 MNIST digits, against TensorFlow.js (tfjs-backend-wasm, one thread);
//     --threads: each of our builds on each thread count (the speedup is within a round,
//     against one thread; the weights must be identical on every count) and, beside each count
//     T > 1, T one-thread processes at once (train/side-by-side.mjs): what the machine gave T
//     threads of work that round, so a speedup reads against what was possible
//   npm run bench:train -- --data fashion-mnist
//     all 60,000 / 10,000 Fashion-MNIST images, our two builds (tfjs would take ~1 min an epoch)
import { fileURLToPath } from 'node:url';
import { FASHION_DIR, missingFashion } from './train/data.mjs';
import { memoryRows } from './memory.js';
import { argValue, interleave, relaxedFlags, type Side } from './util/interleave.js';
import { type Spread, formatSpread, jsonSpread, spread } from './util/stats.js';
import { formatTable } from './util/table.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const data = argValue(args, '--data', 'mnist');
const rounds = Math.max(5, Number(argValue(args, '--rounds', '5')));
const THREADS = argValue(args, '--threads', '1').split(',').map(Number);
if (!THREADS.every((t) => Number.isInteger(t) && t >= 1)) {
  console.error(`--threads takes thread counts ≥ 1 separated by commas, got ${argValue(args, '--threads', '')}`);
  process.exit(2);
}
if (data !== 'mnist' && data !== 'fashion-mnist') {
  console.error(`--data must be mnist or fashion-mnist, got ${data}`);
  process.exit(2);
}
if (data === 'fashion-mnist' && missingFashion().length) {
  console.error(`Fashion-MNIST not found in ${FASHION_DIR} (missing ${missingFashion().join(', ')}); install it with\n  apt-get install -y dataset-fashion-mnist`);
  process.exit(1);
}
const fashion = data === 'fashion-mnist';
const TIMED = quick ? 1 : fashion ? 1 : 2;
const EPOCHS = quick ? 2 : 10;
const TARGET = fashion ? 0.85 : 0.95;
const log = (line: string) => json || console.error(line);

interface Run {
  side: string;
  self: { wasm: string[]; backend?: string; simd?: boolean; threads?: number };
  rows: number;
  weights?: string | null;
  rates: number[];
  curve: { s: number; acc: number }[];
  rss_mb: number;
  wasm_high_water_mb?: number;
}

const script = (name: string) => fileURLToPath(new URL(`./train/${name}`, import.meta.url));
const flags = relaxedFlags();
/** Our sides: each build on each thread count ('relaxed×2' = relaxed on 2 threads). */
const ours = ['simd', 'relaxed'].flatMap((build) => THREADS.map((threads) => ({ build, threads, name: threads === 1 ? build : `${build}×${threads}` })));
/** Per side on T > 1 threads, T one-thread processes of its build at once ('simd‖2'): the machine's ceiling (against one thread, so only when 1 is the first count). */
const ceilings = ours.filter((o) => o.threads > 1 && THREADS[0] === 1).map((o) => ({ ...o, name: `${o.build}‖${o.threads}`, of: o.name }));
const oursArgs = (build: string, timed: number, epochs: number, threads: number) => [...(build === 'relaxed' ? flags : []), script('ours.mjs'), build, data, String(timed), String(epochs), String(threads)];
const sides = (timed: number, epochs: number): Side[] => [
  ...ours.map(({ build, threads, name }) => ({ name, args: oursArgs(build, timed, epochs, threads) })),
  ...(timed > 0 ? ceilings.map(({ build, threads, name }) => ({ name, args: [script('side-by-side.mjs'), String(threads), ...oursArgs(build, timed, epochs, 1)] })) : []),
  ...(fashion ? [] : [{ name: 'tfjs', args: [script('tfjs.mjs'), data, String(timed), String(epochs)] }]),
];

const runs = interleave<Run>(sides(TIMED, 0), rounds, log);
log(`accuracy runs (${EPOCHS} epochs)…`);
const curves = interleave<Run>(sides(0, EPOCHS), 1);

const rate = (side: string) => runs.get(side)!.map((r) => r.rates.reduce((a, b) => a + b, 0) / r.rates.length);
for (const build of ['simd', 'relaxed']) {
  const hashes = new Set(ours.filter((o) => o.build === build).map((o) => curves.get(o.name)![0].weights));
  if (hashes.size !== 1) throw new Error(`the ${build} build's weights differ between thread counts ${THREADS.join(', ')}`);
}
/** The build and thread count of a side, and its speedup over the same build on the first thread count (within each round). */
const shape = (side: string) => {
  const o = ours.find((x) => x.name === side);
  if (!o) return { build: 'tfjs-wasm', threads: 1, speedup: null, ceiling: null, ofCeiling: null };
  const base = ours.find((x) => x.build === o.build)!.name;
  const baseRate = rate(base), within = (s: string) => rate(s).map((x, i) => x / baseRate[i]);
  const c = ceilings.find((x) => x.of === side);
  return {
    build: o.build, threads: o.threads, speedup: o.name === base ? null : spread(within(side)),
    // The same round's T one-thread processes at once, over one alone; and the speedup's share of it.
    ceiling: c ? spread(within(c.name)) : null, ofCeiling: c ? spread(within(side).map((x, i) => x / within(c.name)[i])) : null,
  };
};
const first = (side: string) => runs.get(side)![0];
const self = [...curves.keys()].map((side) => {
  const s = first(side).self;
  return s.simd === undefined ? `${s.backend} loaded ${s.wasm.join(', ')}` : `tfjs SIMD ${s.simd}, threads ${s.threads}, loaded ${s.wasm.join(', ')}`;
});
const rows = first(ours[0].name).rows;
const results = [...curves.keys()].map((side) => {
  const curve = curves.get(side)![0].curve;
  const hit = curve.find((c) => c.acc >= TARGET);
  return {
    ...shape(side),
    side: first(side).side,
    samples: spread(rate(side)),
    ratio: fashion ? null : spread(rate(side).map((x, i) => x / rate('tfjs')[i])),
    rss: spread(runs.get(side)!.map((r) => r.rss_mb)),
    wasmHighWater: first(side).wasm_high_water_mb,
    accuracy: curve[curve.length - 1].acc,
    toTarget: hit ? { s: hit.s, epochs: curve.indexOf(hit) + 1 } : null,
  };
});

if (json) {
  console.log(JSON.stringify({ op: 'self-check', data, sides: self }));
  for (const r of results) {
    console.log(JSON.stringify({
      op: 'train', data, rows, side: r.side, build: r.build, threads: r.threads, rounds, samples_per_s: jsonSpread(r.samples, 0),
      ...(r.speedup ? { speedup: jsonSpread(r.speedup) } : {}),
      ...(r.ceiling && r.ofCeiling ? { machine_ceiling: jsonSpread(r.ceiling), of_ceiling: jsonSpread(r.ofCeiling) } : {}), ...(r.ratio ? { ratio: jsonSpread(r.ratio) } : {}),
      rss_mb: jsonSpread(r.rss, 0), ...(r.wasmHighWater !== undefined ? { wasm_high_water_mb: +r.wasmHighWater.toFixed(1) } : {}),
      test_accuracy: r.accuracy, epochs: EPOCHS, target: TARGET, seconds_to_target: r.toTarget ? +r.toTarget.s.toFixed(2) : null,
    }));
  }
  // Memory of the 8-expert model on 2 workers (bench/memory.ts), u8 and float32 storage, shared and plain rows.
  if (fashion) for (const row of memoryRows()) console.log(JSON.stringify(row));
} else {
  const what = fashion ? `all ${rows.toLocaleString('en')} Fashion-MNIST training images (10,000 held out)` : `${rows.toLocaleString('en')} MNIST digits (2,000 held out)`;
  console.log(`self-check: ${self.join('; ')}\n`);
  const on = THREADS.length === 1 && THREADS[0] === 1 ? 'one thread' : `${THREADS.join(' / ')} threads (ours; tfjs one), identical weights on each`;
  console.log(`Training the seed's MLP on ${what}, ${on}. samples/s: median (first–third quartile) over ${rounds} interleaved fresh`);
  console.log(`processes, each the mean of ${TIMED} timed epoch(s) after a warm-up; ratio within each round; peak RSS median (quartiles); accuracy after ${EPOCHS} epochs.`);
  if (ceilings.length) console.log(`machine ceiling: T one-thread processes at once over one alone, the same round (the most T threads could give then); of ceiling: the speedup over it.`);
  const cell = (s: Spread | null, digits = 0, unit = '') => (s ? formatSpread(s, digits, unit) : '—');
  console.log(formatTable(
    ['side', 'samples/s', 'vs 1st thread count', 'machine ceiling', 'of ceiling', 'vs tfjs', 'peak RSS MB', 'wasm high water MB', `held-out acc`, `to ${TARGET} (s / epochs)`],
    results.map((r) => [r.side, cell(r.samples), cell(r.speedup, 2, '×'), cell(r.ceiling, 2, '×'), cell(r.ofCeiling, 2), cell(r.ratio, 1, '×'), cell(r.rss), r.wasmHighWater?.toFixed(1) ?? '—', r.accuracy.toFixed(4), r.toTarget ? `${r.toTarget.s.toFixed(1)} / ${r.toTarget.epochs}` : `not in ${EPOCHS}`]),
  ));
}
