// Where cutting a GEMM across threads starts to pay: µs per call on 1 thread and cut for 2
// threads (the pool's threshold lowered so every product is cut), loops interleaved. Sets
// MIN_FLOPS in src/backend/wasm.ts. Back-to-back calls keep the helper awake, so this is
// the best case; in training a hand-over also pays for waking it (bench/threads.ts).
//   node --experimental-wasm-relaxed-simd --import tsx bench/threshold.ts
import type { WasmBackend } from '../src/backend/wasm.js';
import { createBackend } from '../src/entry/node.js';
import { median } from './util/stats.js';

const backends = [await createBackend({ threads: 1 }), await createBackend({ threads: 2 })];
(backends[1] as WasmBackend).cutAt.flops = 1;
// Square-ish products, then the MLP's small ones (the 10-class layer, forward and backward).
const SHAPES = [[32, 32, 64], [64, 64, 64], [64, 128, 128], [128, 128, 128], [128, 256, 256], [128, 512, 512], [128, 10, 512], [512, 10, 128], [128, 512, 10]];
for (const [m, n, k] of SHAPES) {
  const us = backends.map(() => [] as number[]);
  const bufs = backends.map((b) => [b.alloc(m * k), b.alloc(k * n), b.alloc(m * n)]);
  for (let round = 0; round < 7; round++) {
    backends.forEach((b, i) => {
      const [a, bb, c] = bufs[i];
      let calls = 0;
      const start = performance.now();
      do (b.gemm(false, false, m, n, k, a, bb, c), calls++);
      while (performance.now() - start < 100);
      if (round > 0) us[i].push(((performance.now() - start) / calls) * 1000); // round 0 warms up
    });
  }
  const [one, two] = us.map(median);
  console.log(`${m}×${n}×${k} (${m * n * k} multiply-adds): 1 thread ${one.toFixed(1)} µs, cut for 2 threads ${two.toFixed(1)} µs, ${(one / two).toFixed(2)}×`);
}
