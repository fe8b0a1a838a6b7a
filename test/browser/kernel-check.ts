// Every kernel but GEMM (gemm-check.ts) against the reference backend of the same bundle, on
// sizes with 0, 1 and non-multiples of 4: what the browser part runs on the build Chromium
// picks. Throws with the seed, kernel and size on the first mismatch; returns the calls compared.
import type { Backend } from '../../src/index.js';
import type { F32, I32, ReferenceBackend } from '../../src/backend/index.js';
import { allClose } from '../util/close.js';
import { rng } from '../util/prng.js';

const SIZES: ReadonlyArray<readonly [rows: number, cols: number]> = [[0, 3], [1, 1], [3, 5], [7, 9], [13, 17], [33, 10]];

type Arr = Float32Array | Int32Array;

/** Upload `inputs`, run `call`, read every buffer back, free them all. */
function run(b: Backend, inputs: readonly Arr[], call: (bufs: (F32 | I32)[]) => unknown): { ret: unknown; out: Arr[] } {
  const bufs = inputs.map((a) => (a instanceof Int32Array ? b.upload(a) : b.upload(a)));
  try {
    const ret = call(bufs);
    return { ret, out: bufs.map((buf) => b.read(buf as F32)) };
  } finally {
    for (const buf of bufs) b.free(buf);
  }
}

export function checkKernels(backend: Backend, reference: ReferenceBackend, seed: number): number {
  const r = rng(seed);
  let checked = 0;
  const compare = (name: string, inputs: readonly Arr[], call: (b: Backend, bufs: (F32 | I32)[]) => unknown) => {
    const [got, want] = [run(backend, inputs, (bufs) => call(backend, bufs)), run(reference, inputs, (bufs) => call(reference, bufs))];
    got.out.forEach((o, i) => allClose(o, want.out[i], 1e-5, 1e-4, seed, `${name}: buffer ${i}`));
    if (typeof got.ret === 'number') allClose([got.ret], [want.ret as number], 1e-5, 1e-4, seed, `${name}: returned value`);
    checked++;
  };
  for (const [rows, cols] of SIZES) {
    const at = `rows=${rows} cols=${cols}`;
    const n = rows * cols;
    const x = r.floats(n, -2, 2), y = r.floats(n, -2, 2), bias = r.floats(cols, -1, 1);
    for (const act of ['identity', 'relu'] as const) {
      compare(`biasAct ${act} ${at}`, [x, bias, new Float32Array(n)], (b, [xb, bb, out]) => b.biasAct(xb as F32, bb as F32, rows, cols, act, out as F32));
      compare(`actBackward ${act} ${at}`, [x, y, new Float32Array(n)], (b, [dy, yb, dx]) => b.actBackward(dy as F32, yb as F32, n, act, dx as F32));
    }
    compare(`colSum ${at}`, [x, r.floats(cols)], (b, [xb, out]) => b.colSum(xb as F32, rows, cols, out as F32, true));
    compare(`softmax ${at}`, [x, new Float32Array(n)], (b, [xb, out]) => b.softmax(xb as F32, rows, cols, out as F32));
    const labels = r.ints(rows, 0, cols);
    compare(`softmaxCrossEntropy ${at}`, [x, labels, new Float32Array(n), new Float32Array(n)],
      (b, [lg, lb, pr, gr]) => b.softmaxCrossEntropy(lg as F32, lb as I32, rows, cols, pr as F32, gr as F32));
    const mask = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1));
    compare(`adam ${at}`, [x, y, r.floats(n), r.floats(n, 0, 1), mask],
      (b, [p, g, m, v, mk]) => b.adam(p as F32, g as F32, m as F32, v as F32, n, { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-7, step: 3, l1: 1e-3, weightDecay: 1e-2 }, mk as F32));
    compare(`sgd ${at}`, [x, y, r.floats(n)], (b, [p, g, vel]) => b.sgd(p as F32, g as F32, vel as F32, n, { lr: 1e-2, momentum: 0.9, l1: 1e-3, l2: 1e-2 }));
    // Sparse: x with about half its entries zeroed, as CSR.
    const sparse = x.map((v, i) => (i % 2 === 0 ? 0 : v));
    const k = 1 + (rows % 5);
    compare(`csrMatmul ${at}`, [sparse, r.floats(cols * k), r.floats(rows * k)], (b, [d, bb, c]) => {
      const a = b.denseToCsr(d as F32, rows, cols, 0);
      b.csrMatmul(a, bb as F32, k, c as F32, true);
      b.freeCsr(a);
    });
    compare(`matmulCsrT ${at}`, [sparse, r.floats(k * cols), r.floats(k * rows)], (b, [d, xb, c]) => {
      const w = b.denseToCsr(d as F32, rows, cols, 0); // rows × cols: W stored out × in
      b.matmulCsrT(xb as F32, k, w, c as F32, true);
      b.freeCsr(w);
    });
    // Routing and clustering.
    const centroids = Math.max(1, Math.min(rows, 4));
    compare(`kmeansAssign ${at}`, [x, r.floats(centroids * cols, -2, 2), new Int32Array(rows), new Float32Array(rows)],
      (b, [xb, cb, as, ds]) => b.kmeansAssign(xb as F32, rows, cols, cb as F32, centroids, as as I32, ds as F32));
    const top = Math.min(2, cols);
    compare(`topk ${at}`, [x, new Float32Array(rows * top), new Int32Array(rows * top)], (b, [xb, vs, is]) => b.topk(xb as F32, rows, cols, top, vs as F32, is as I32));
    const count = rows + 2 * (rows > 0 ? 1 : 0), idx = r.ints(count, 0, Math.max(rows, 1)).map((v) => (rows ? v : 0));
    if (rows > 0) {
      compare(`gatherRows ${at}`, [x, idx, new Float32Array(count * cols)], (b, [src, ib, dst]) => b.gatherRows(src as F32, cols, ib as I32, count, dst as F32));
      compare(`scatterAddRows ${at}`, [r.floats(count * cols), idx, y, r.floats(count)], (b, [src, ib, dst, w]) => b.scatterAddRows(src as F32, cols, ib as I32, count, dst as F32, w as F32));
      compare(`rowDot ${at}`, [x, idx, r.floats(count * cols), new Float32Array(count)], (b, [a, ib, bb, out]) => b.rowDot(a as F32, cols, ib as I32, count, bb as F32, out as F32));
      compare(`gatherRowsScaled ${at}`, [x, idx, r.floats(count), new Float32Array(count * cols)], (b, [src, ib, w, dst]) => b.gatherRowsScaled(src as F32, cols, ib as I32, count, w as F32, dst as F32));
    }
  }
  return checked;
}
