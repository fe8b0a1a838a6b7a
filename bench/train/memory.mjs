// The measured side of bench/memory.ts: load all 60,000 Fashion-MNIST training images (u8 or
// float32 storage), then train SparseExpertModel (the seed's MLP experts, one epoch: the peak is
// the data's and the buffers', not the epochs') on worker threads. Prints one JSON line with the
// fit report's peak RSS and per-worker wasm high water; run with --expose-gc so the RSS after
// load is the data's, not the gunzip buffers'. Where the rows live: 'shared' (the loader's default
// in Node: one SharedArrayBuffer every worker reads through index lists) or 'plain' (loadIdxPair
// shared: false: each expert's shard is cut and moved to its worker, as where memory is not shared).
//   node bench/train/memory.mjs u8|f32 EXPERTS WORKERS [shared|plain]
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { SparseExpertModel, init, loadIdxPair } from '../../dist/index.js';
import { FASHION_DIR } from './data.mjs';

const [storage, experts, workers, placement = 'shared'] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
const mb = (bytes) => bytes / 2 ** 20;
const rssNow = () => mb(process.memoryUsage().rss);
const backend = await init({ build: 'simd', threads: 1 });
const read = (f) => gunzipSync(readFileSync(`${FASHION_DIR}/${f}`));
const train = loadIdxPair(read('train-images-idx3-ubyte.gz'), read('train-labels-idx1-ubyte.gz'), { storage, shared: placement === 'shared' });
// Two collections a tick apart: the gunzip buffers' memory goes back before the reading.
globalThis.gc?.();
await new Promise((resolve) => setTimeout(resolve, 50));
globalThis.gc?.();
const rssAfterLoad = rssNow();
// The peak so far is loading's (the gunzipped files and the rows at once): fit raises it or not.
const loadPeak = process.resourceUsage().maxRSS / 1024;
const model = new SparseExpertModel({ experts, workers, seed: 1, backend, expert: { kind: 'mlp', fit: { epochs: 1 } } });
const report = await model.fit(train);
model.dispose();
console.log(JSON.stringify({
  storage, placement, rows: train.rows, experts, workers: report.workers,
  data_mb: mb(train.x.byteLength), rss_after_load_mb: rssAfterLoad, load_peak_rss_mb: loadPeak, peak_rss_mb: report.peakRssMb, wasm_high_water_mb: report.wasmHighWaterMb,
}));
