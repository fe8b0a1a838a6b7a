// The measured side of bench/train.ts: the built package (dist/) in a plain node process, so
// the peak RSS is the library's and not a TypeScript loader's. Prints one JSON line:
// samples/s of each timed epoch (after a warm-up epoch), then, if ACC_EPOCHS > 0, a fresh
// model's held-out accuracy after each epoch, against its training time.
// With THREADS > 1 the kernels run on that many threads (the shared-memory build); the
// accuracy model's weights hash must then match the one-thread run's.
//   node bench/train/ours.mjs simd|relaxed mnist|fashion-mnist TIMED ACC_EPOCHS [THREADS]
import { wasmLoaded } from '../util/child.mjs';
import { weightsHash } from '../util/weights.mjs';
import { MlpExpert, accuracy, init } from '../../dist/index.js';
import { loadData } from './data.mjs';

const [build, data, timed, accEpochs, threads] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6] ?? 1)];
const backend = await init({ build, threads });
const { train, test } = loadData(data);
const starts = [], rates = [];
if (timed > 0) {
  const timing = new MlpExpert({ backend });
  await timing.fit(train, {
    epochs: 1 + timed, seed: 1,
    callbacks: { onEpochBegin: (e) => void (starts[e] = performance.now()), onEpochEnd: (e) => void rates.push(train.rows / ((performance.now() - starts[e]) / 1000)) },
  });
  timing.dispose();
}
// The accuracy curve: one fit, evaluated after each epoch; the evaluations are not counted.
const curve = [];
let weights = null;
if (accEpochs > 0) {
  const mlp = new MlpExpert({ backend });
  const start = performance.now();
  let evaluating = 0;
  await mlp.fit(train, {
    epochs: accEpochs, seed: 1,
    callbacks: {
      onEpochEnd: () => {
        const t = performance.now();
        const acc = accuracy(test.y, mlp.predict(test.x, test.rows));
        curve.push({ s: (t - start - evaluating) / 1000, acc });
        evaluating += performance.now() - t;
      },
    },
  });
  weights = weightsHash(mlp.toState());
  mlp.dispose();
}
console.log(JSON.stringify({
  side: `sparse-experts (${build}${threads > 1 ? `, ${threads} threads` : ''})`, self: { backend: backend.name, wasm: wasmLoaded(), threads: backend.threads },
  rows: train.rows, rates: rates.slice(1), curve, weights,
  rss_mb: process.resourceUsage().maxRSS / 1024, wasm_high_water_mb: backend.stats().highWater / 2 ** 20,
}));
