// Training throughput and accuracy, this project vs TensorFlow.js (tfjs-backend-wasm, one
// thread), on the seed's recipe: 784 → Dense(512, relu) → Dense(10, softmax), Adam 1e-3,
// batch 128, 8,000 real MNIST digits (2,000 held out). Each side runs in its own process,
// so peak RSS is its own: one warm-up epoch, the median of 3 timed epochs, then a fresh
// model trained 10 epochs for held-out accuracy.
//   npm run bench:train [-- --json] [-- --quick]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist } from '../src/data/mnist.js';
import { formatTable } from './util/table.js';
import { median } from './util/measure.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const part = args[args.indexOf('--part') + 1];
const EPOCHS = quick ? 2 : 10;
const TIMED = 3;

interface Result {
  side: string;
  samples_per_s: number;
  test_accuracy: number;
  rss_mb: number;
}

function accuracy(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

async function ours(build: 'simd' | 'relaxed'): Promise<Result> {
  await import('../src/entry/node.js');
  const { init } = await import('../src/index.js');
  const { MlpExpert } = await import('../src/experts/mlp.js');
  const backend = await init({ build });
  const { train, test } = loadMnist({ train: 8000, test: 2000, seed: 1 });
  const timing = new MlpExpert({ backend });
  const rates: number[] = [];
  await timing.fit(train, {
    epochs: 1 + TIMED, seed: 1,
    callbacks: {
      onEpochBegin: () => void (rates.push(performance.now())),
      onEpochEnd: (e) => void (rates[e] = train.rows / ((performance.now() - rates[e]) / 1000)),
    },
  });
  timing.dispose();
  const mlp = new MlpExpert({ backend });
  await mlp.fit(train, { epochs: EPOCHS, seed: 1 });
  return { side: `sparse-experts (${build})`, samples_per_s: median(rates.slice(1)), test_accuracy: accuracy(mlp.predict(test.x, test.rows), test.y), rss_mb: rssMb() };
}

async function tfjs(): Promise<Result> {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
  wasm.setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  const { train, test } = loadMnist({ train: 8000, test: 2000, seed: 1 });
  const xs = tf.tensor2d(train.x, [train.rows, 784]);
  const ys = tf.oneHot(tf.tensor1d(train.y, 'int32'), 10);
  const model = () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 512, activation: 'relu', inputShape: [784] }));
    m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    return m;
  };
  const timing = model();
  await timing.fit(xs, ys, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
  const rates: number[] = [];
  for (let i = 0; i < TIMED; i++) {
    const t = performance.now();
    await timing.fit(xs, ys, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
    rates.push(train.rows / ((performance.now() - t) / 1000));
  }
  const m = model();
  await m.fit(xs, ys, { epochs: EPOCHS, batchSize: 128, shuffle: true, verbose: 0 });
  const pred = (m.predict(tf.tensor2d(test.x, [test.rows, 784])) as import('@tensorflow/tfjs').Tensor).argMax(-1).dataSync();
  return { side: 'tfjs-wasm', samples_per_s: median(rates), test_accuracy: accuracy(pred, test.y), rss_mb: rssMb() };
}

function rssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function child(name: string): Result {
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...process.execArgv, script, '--part', name, ...(quick ? ['--quick'] : [])], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench/train part ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

if (part && args.includes('--part')) {
  const result = part === 'tfjs' ? await tfjs() : await ours(part as 'simd' | 'relaxed');
  console.log(JSON.stringify(result));
} else {
  const { relaxedSimdSupported } = await import('../src/backend/kernels.js');
  const builds = relaxedSimdSupported() ? (['simd', 'relaxed'] as const) : (['simd'] as const);
  const theirs = child('tfjs');
  const rows = builds.map((b) => child(b));
  for (const r of rows) {
    const ratio = r.samples_per_s / theirs.samples_per_s;
    if (json) {
      console.log(JSON.stringify({
        op: 'train', build: r.side.match(/\((\w+)\)/)![1], samples_per_s: Math.round(r.samples_per_s), tfjs_samples_per_s: Math.round(theirs.samples_per_s),
        ratio: +ratio.toFixed(2), test_accuracy: r.test_accuracy, tfjs_test_accuracy: theirs.test_accuracy, epochs: EPOCHS, rss_mb: Math.round(r.rss_mb), tfjs_rss_mb: Math.round(theirs.rss_mb),
      }));
    }
  }
  if (!json) {
    const fmt = (r: Result) => [r.side, Math.round(r.samples_per_s).toString(), `${(r.samples_per_s / theirs.samples_per_s).toFixed(1)}×`, r.test_accuracy.toFixed(4), Math.round(r.rss_mb).toString()];
    console.log(`Training the seed's MLP on 8,000 MNIST digits (one thread; samples/s = median of ${TIMED} epochs after a warm-up; accuracy after ${EPOCHS} epochs on 2,000 held-out digits)`);
    console.log(formatTable(['side', 'samples/s', 'vs tfjs', 'test acc', 'peak RSS MB'], [...rows.map(fmt), fmt(theirs)]));
  }
}
