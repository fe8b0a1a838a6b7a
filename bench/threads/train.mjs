// One measured run of bench/threads.ts: the seed's MLP on 8,000 MNIST digits with the built
// package on BUILD and THREADS threads, in a fresh node process. Prints one JSON line with
// the samples/s of each epoch after the first and a hash of the trained weights.
//   node bench/threads/train.mjs simd|relaxed THREADS EPOCHS
import { MlpExpert, accuracy, loadMnist } from '../../dist/index.js';
import { createBackend } from '../../dist/backend.js';
import { weightsHash } from '../util/weights.mjs';

const [build, threads, epochs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const backend = await createBackend({ build, threads });
const { train, test } = loadMnist({ train: 8000, test: 2000, seed: 1 });
const starts = [], rates = [];
const mlp = new MlpExpert({ backend });
await mlp.fit(train, {
  epochs, seed: 1,
  callbacks: { onEpochBegin: (e) => void (starts[e] = performance.now()), onEpochEnd: (e) => void rates.push(train.rows / ((performance.now() - starts[e]) / 1000)) },
});
const test_accuracy = accuracy(test.y, mlp.predict(test.x, test.rows));
console.log(JSON.stringify({ threads: backend.threads, rates: rates.slice(1), test_accuracy, weights: weightsHash(mlp.toState()) }));
