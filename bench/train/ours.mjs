// The measured side of bench/train.ts: the built package (dist/) in a plain node process, so
// the peak RSS is the library's and not a TypeScript loader's. Prints one JSON line.
//   node bench/train/ours.mjs simd|relaxed EPOCHS TIMED
import { MlpExpert, accuracy, init, loadMnist } from '../../dist/index.js';

const [build, epochs, timed] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const backend = await init({ build });
const { train, test } = loadMnist({ train: 8000, test: 2000, seed: 1 });
const starts = [], rates = [];
const timing = new MlpExpert({ backend });
await timing.fit(train, {
  epochs: 1 + timed, seed: 1,
  callbacks: { onEpochBegin: (e) => void (starts[e] = performance.now()), onEpochEnd: (e) => void rates.push(train.rows / ((performance.now() - starts[e]) / 1000)) },
});
timing.dispose();
const mlp = new MlpExpert({ backend });
await mlp.fit(train, { epochs, seed: 1 });
const test_accuracy = accuracy(test.y, mlp.predict(test.x, test.rows));
console.log(JSON.stringify({ side: `sparse-experts (${build})`, rates: rates.slice(1), test_accuracy, rss_mb: process.resourceUsage().maxRSS / 1024 }));
