// Training throughput and accuracy, this project vs TensorFlow.js (tfjs-backend-wasm, one
// thread), on the seed's recipe: 784 → Dense(512, relu) → Dense(10, softmax), Adam 1e-3,
// batch 128, 8,000 real MNIST digits (2,000 held out). Each side runs the built package in
// its own plain node process (bench/train/*.mjs), so peak RSS is its own: one warm-up epoch,
// the median of 3 timed epochs, then a fresh model trained 10 epochs for held-out accuracy.
//   npm run bench:train [-- --json] [-- --quick]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { relaxedSimdSupported } from '../src/backend/kernels.js';
import { median } from './util/measure.js';
import { formatTable } from './util/table.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const EPOCHS = args.includes('--quick') ? 2 : 10;
const TIMED = 3;

interface Result {
  side: string;
  rates: number[];
  test_accuracy: number;
  rss_mb: number;
}

function child(script: string, args: string[]): Result & { samples_per_s: number } {
  const path = fileURLToPath(new URL(`./train/${script}`, import.meta.url));
  const flags = relaxedSimdSupported() ? ['--experimental-wasm-relaxed-simd'] : [];
  const r = spawnSync(process.execPath, [...flags, path, ...args, String(EPOCHS), String(TIMED)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/train/${script} failed: ${r.stderr}`);
  const res: Result = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { ...res, samples_per_s: median(res.rates) };
}

const theirs = child('tfjs.mjs', []);
const ours = (relaxedSimdSupported() ? ['simd', 'relaxed'] : ['simd']).map((b) => ({ build: b, ...child('ours.mjs', [b]) }));
if (json) {
  for (const r of ours) {
    console.log(JSON.stringify({
      op: 'train', build: r.build, samples_per_s: Math.round(r.samples_per_s), tfjs_samples_per_s: Math.round(theirs.samples_per_s),
      ratio: +(r.samples_per_s / theirs.samples_per_s).toFixed(2), test_accuracy: r.test_accuracy, tfjs_test_accuracy: theirs.test_accuracy,
      epochs: EPOCHS, rss_mb: Math.round(r.rss_mb), tfjs_rss_mb: Math.round(theirs.rss_mb),
    }));
  }
} else {
  const row = (r: typeof theirs) => [r.side, Math.round(r.samples_per_s).toString(), `${(r.samples_per_s / theirs.samples_per_s).toFixed(1)}×`, r.test_accuracy.toFixed(4), Math.round(r.rss_mb).toString()];
  console.log(`Training the seed's MLP on 8,000 MNIST digits, one thread (samples/s: median of ${TIMED} epochs after a warm-up; accuracy after ${EPOCHS} epochs on 2,000 held-out digits)`);
  console.log(formatTable(['side', 'samples/s', 'vs tfjs', 'test acc', 'peak RSS MB'], [...ours.map(row), row(theirs)]));
}
