// Bad arguments fail with a SparseExpertsError and a stable code before any kernel runs
// (outputs untouched), on both backends alike, and the backend keeps working afterwards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend } from '../src/index.js';
import type { Csr, F32, I32 } from '../src/backend/index.js';
import { SparseExpertsError } from '../src/index.js';
import { reference, wasm } from './util/backends.js';
import { allClose } from './util/close.js';

type Call = (b: Backend, k: Kit) => unknown;
interface Kit {
  x: F32; // 12 floats: a 3×4 matrix
  out: F32; // 12 floats, watched: must stay untouched
  small: F32; // 2 floats
  labels: I32; // 3 labels
  idx: I32; // 3 indices
  csr: Csr; // 3×4
  freed: F32;
}

const SENTINEL = 7;

const cases: Array<[what: string, code: string, call: Call]> = [
  ['negative rows', 'ERR_BAD_SHAPE', (b, k) => b.biasAct(k.x, null, -1, 4, 'relu', k.out)],
  ['fractional cols', 'ERR_BAD_SHAPE', (b, k) => b.softmax(k.x, 3, 2.5, k.out)],
  ['x too small', 'ERR_BAD_SHAPE', (b, k) => b.biasAct(k.small, null, 3, 4, 'relu', k.out)],
  ['bias too small', 'ERR_BAD_SHAPE', (b, k) => b.biasAct(k.x, k.small, 3, 4, 'relu', k.out)],
  ['unknown activation', 'ERR_BAD_ARGUMENT', (b, k) => b.biasAct(k.x, null, 3, 4, 'tanh' as 'relu', k.out)],
  ['i32 buffer where f32 is needed', 'ERR_BAD_ARGUMENT', (b, k) => b.colSum(k.labels as unknown as F32, 1, 3, k.out)],
  ['freed buffer', 'ERR_BUFFER_FREED', (b, k) => b.actBackward(k.freed, k.x, 2, 'relu', k.out)],
  ['buffer of another backend', 'ERR_BUFFER_FREED', (b, k) => b.softmax(other(b).x, 3, 4, k.out)],
  ['gemm c too small', 'ERR_BAD_SHAPE', (b, k) => b.gemm(false, false, 3, 4, 4, k.x, k.x, k.small)],
  ['label out of range', 'ERR_LABEL_RANGE', (b, k) => { b.write(k.labels, [0, 4, 1]); return b.softmaxCrossEntropy(k.x, k.labels, 3, 4, k.out, null); }],
  ['negative label', 'ERR_LABEL_RANGE', (b, k) => { b.write(k.labels, [0, 1, -1]); return b.softmaxCrossEntropy(k.x, k.labels, 3, 4, k.out, null); }],
  ['non-finite gradScale', 'ERR_BAD_ARGUMENT', (b, k) => b.softmaxCrossEntropy(k.x, k.labels, 3, 4, k.out, null, NaN)],
  ['adam step 0', 'ERR_BAD_ARGUMENT', (b, k) => b.adam(k.out, k.x, k.x, k.x, 12, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7, step: 0 })],
  ['adam beta1 = 1', 'ERR_BAD_ARGUMENT', (b, k) => b.adam(k.out, k.x, k.x, k.x, 12, { lr: 1e-3, beta1: 1, beta2: 0.999, eps: 1e-7, step: 1 })],
  ['adam m too small', 'ERR_BAD_SHAPE', (b, k) => b.adam(k.out, k.x, k.small, k.x, 12, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7, step: 1 })],
  ['adam mask too small', 'ERR_BAD_SHAPE', (b, k) => b.adam(k.out, k.x, k.x, k.x, 12, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7, step: 1 }, k.small)],
  ['sgd momentum without velocity', 'ERR_BAD_ARGUMENT', (b, k) => b.sgd(k.out, k.x, null, 12, { lr: 0.1, momentum: 0.9 })],
  ['sgd negative lr', 'ERR_BAD_ARGUMENT', (b, k) => b.sgd(k.out, k.x, null, 12, { lr: -0.1 })],
  ['denseToCsr NaN threshold', 'ERR_BAD_ARGUMENT', (b, k) => b.denseToCsr(k.x, 3, 4, NaN)],
  ['denseToCsr dense too small', 'ERR_BAD_SHAPE', (b, k) => b.denseToCsr(k.small, 3, 4, 0)],
  ['csrMatmul c too small', 'ERR_BAD_SHAPE', (b, k) => b.csrMatmul(k.csr, k.x, 3, k.small)],
  ['matmulCsrT x too small', 'ERR_BAD_SHAPE', (b, k) => b.matmulCsrT(k.small, 3, k.csr, k.out)],
  ['CSR column out of range', 'ERR_BAD_SHAPE', (b, k) => b.matmulCsrT(k.x, 3, { ...k.csr, colIdx: b.upload(new Int32Array(k.csr.nnz).fill(9)) }, k.out)],
  ['CSR rowPtr not rising', 'ERR_BAD_SHAPE', (b, k) => b.csrMatmul({ ...k.csr, rowPtr: b.upload(new Int32Array([0, 5, 2, k.csr.nnz])) }, k.x, 3, k.out)],
  ['kmeans k = 0', 'ERR_BAD_SHAPE', (b, k) => b.kmeansAssign(k.x, 3, 4, k.x, 0, k.labels, k.out)],
  ['kmeans assign is f32', 'ERR_BAD_ARGUMENT', (b, k) => b.kmeansAssign(k.x, 3, 4, k.x, 1, k.out as unknown as I32, k.out)],
  ['topk k > cols', 'ERR_BAD_SHAPE', (b, k) => b.topk(k.x, 3, 4, 5, k.out, k.labels)],
  ['gather index past the rows', 'ERR_BAD_SHAPE', (b, k) => { b.write(k.idx, [0, 3, 1]); b.gatherRows(k.x, 4, k.idx, 3, k.out); }],
  ['scatter negative index', 'ERR_BAD_SHAPE', (b, k) => { b.write(k.idx, [0, -1, 1]); b.scatterAddRows(k.x, 4, k.idx, 3, k.out); }],
  ['scatter weights too small', 'ERR_BAD_SHAPE', (b, k) => b.scatterAddRows(k.x, 4, k.idx, 3, k.out, k.small)],
  ['view past the end of its buffer', 'ERR_BAD_SHAPE', (b, k) => b.subBuffer(k.x, 10, 5)],
  ['view with stride 0', 'ERR_BAD_SHAPE', (b, k) => b.subBuffer(k.x, 0, 12, 0)],
  ['view of a freed buffer', 'ERR_BUFFER_FREED', (b, k) => b.subBuffer(k.freed, 0, 4)],
  ['row stride narrower than the columns', 'ERR_BAD_SHAPE', (b, k) => b.softmax(b.subBuffer(k.x, 0, 12, 3), 3, 4, k.out)],
  ['strided view too short for its rows', 'ERR_BAD_SHAPE', (b, k) => b.biasAct(b.subBuffer(k.x, 1, 11, 5), null, 3, 4, 'relu', k.out)],
  ['gemm output a view too short', 'ERR_BAD_SHAPE', (b, k) => b.gemm(false, false, 3, 4, 4, k.x, k.x, b.subBuffer(k.out, 1, 11))],
  ['strided view in an element-wise call', 'ERR_BAD_ARGUMENT', (b, k) => b.actBackward(b.subBuffer(k.x, 0, 12, 4), k.x, 12, 'relu', k.out)],
  ['actBackward n not whole rows of cols', 'ERR_BAD_SHAPE', (b, k) => b.actBackward(k.x, k.x, 12, 'relu', k.out, 5)],
  ['strided view as the bias vector', 'ERR_BAD_ARGUMENT', (b, k) => b.biasAct(k.x, b.subBuffer(k.x, 0, 4, 4), 3, 4, 'relu', k.out)],
  ['free() of a view', 'ERR_BAD_ARGUMENT', (b, k) => b.free(b.subBuffer(k.x, 0, 4))],
];

const kits = new Map<Backend, Kit>();
function kit(b: Backend): Kit {
  let k = kits.get(b);
  if (!k) {
    const x = b.upload(Float32Array.from({ length: 12 }, (_, i) => i - 5.5));
    const freed = b.alloc(12);
    b.free(freed);
    k = { x, out: b.alloc(12), small: b.alloc(2), labels: b.upload(new Int32Array([0, 1, 2])), idx: b.upload(new Int32Array([0, 1, 2])), csr: b.denseToCsr(x, 3, 4, 2), freed };
    kits.set(b, k);
  }
  return k;
}
const other = (b: Backend): Kit => kit(b === wasm ? reference : wasm);

for (const b of [wasm, reference]) {
  for (const [what, code, call] of cases) {
    test(`${b.name}: ${what} → ${code}`, () => {
      const k = kit(b);
      b.fill(k.out, SENTINEL);
      try {
        call(b, k);
        assert.unreachable('no error was raised');
      } catch (err) {
        assert.instance(err, SparseExpertsError);
        assert.is((err as SparseExpertsError).code, code, (err as Error).message);
      }
      assert.ok(b.read(k.out).every((v) => v === SENTINEL), 'a kernel wrote its output before the check failed');
      // Still working: a valid call right after.
      b.write(k.labels, [3, 0, 1]);
      const loss = b.softmaxCrossEntropy(k.x, k.labels, 3, 4, k.out, null);
      allClose([loss], [expectedLoss()], 1e-6, 1e-6, 0, 'loss after the error');
    });
  }
}

/** Mean cross-entropy of x = (i − 5.5) in rows of 4 with labels [3, 0, 1]. */
function expectedLoss(): number {
  const labels = [3, 0, 1];
  let s = 0;
  for (let r = 0; r < 3; r++) {
    const z = [0, 1, 2, 3].map((c) => r * 4 + c - 5.5);
    s += Math.log(z.reduce((a, v) => a + Math.exp(v), 0)) - z[labels[r]];
  }
  return s / 3;
}

test.run();
