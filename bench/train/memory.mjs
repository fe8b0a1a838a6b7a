// The measured side of bench/memory.ts: load all 60,000 Fashion-MNIST training images (u8 or
// float32 storage), then train SparseExpertModel (the seed's MLP experts, one epoch: the peak is
// the data's and the buffers', not the epochs') on worker threads. Prints one JSON line with the
// fit report's peak RSS and per-worker wasm high water; run with --expose-gc so the RSS after
// load is the data's, not the gunzip buffers'.
//   node bench/train/memory.mjs u8|f32 EXPERTS WORKERS
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { SparseExpertModel, init, loadIdxPair } from '../../dist/index.js';
import { FASHION_DIR } from './data.mjs';

const [storage, experts, workers] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const mb = (bytes) => bytes / 2 ** 20;
const rssNow = () => mb(process.memoryUsage().rss);
const backend = await init({ build: 'simd', threads: 1 });
const read = (f) => gunzipSync(readFileSync(`${FASHION_DIR}/${f}`));
const train = loadIdxPair(read('train-images-idx3-ubyte.gz'), read('train-labels-idx1-ubyte.gz'), { storage });
globalThis.gc?.();
const rssAfterLoad = rssNow();
const model = new SparseExpertModel({ experts, workers, seed: 1, backend, expert: { kind: 'mlp', fit: { epochs: 1 } } });
const report = await model.fit(train);
model.dispose();
console.log(JSON.stringify({
  storage, rows: train.rows, experts, workers: report.workers,
  data_mb: mb(train.x.byteLength), rss_after_load_mb: rssAfterLoad, peak_rss_mb: report.peakRssMb, wasm_high_water_mb: report.wasmHighWaterMb,
}));
