import { createBackend } from '../src/entry/node.js';
const b1 = await createBackend({ build: 'relaxed', threads: 1 }), b2 = await createBackend({ build: 'relaxed', threads: 2 });
const shapes = [[32, 32, 64], [64, 64, 64], [128, 10, 512], [64, 128, 128], [128, 128, 128], [128, 256, 256], [128, 512, 512]];
for (const [m, n, k] of shapes) {
  const res = [b1, b2].map(() => [] as number[]);
  const bufs = [b1, b2].map((b) => [b.alloc(m * k), b.alloc(k * n), b.alloc(m * n)]);
  for (let r = 0; r < 7; r++) [b1, b2].forEach((b, i) => {
    const [a, bb, c] = bufs[i];
    let calls = 0; const s = performance.now();
    do { b.gemm(false, false, m, n, k, a, bb, c); calls++; } while (performance.now() - s < 100);
    if (r) res[i].push((performance.now() - s) / calls * 1000);
  });
  const med = (x: number[]) => x.sort((p, q) => p - q)[x.length >> 1];
  console.log(`${m}x${n}x${k} mnk=${m * n * k} t1=${med(res[0]).toFixed(1)}us t2=${med(res[1]).toFixed(1)}us speedup=${(med(res[0]) / med(res[1])).toFixed(2)}`);
}
