// Dense vs CSR inference time on one pruned MLP, for the report: the same masked weights
// through gemm (the network) and through matmulCsrT (its compileSparse() snapshot).
import type { Backend, Csr, F32 } from '../backend/backend.js';
import { Rng } from '../data/prng.js';
import { transposedCsr } from '../nn/dense.js';
import { Network } from '../nn/network.js';
import { pruneNetwork } from './prune.js';

export interface SpeedOptions {
  /** Default 784 (MNIST). */
  inputs?: number;
  /** Default [512], the seed's MLP. */
  hidden?: number[];
  /** Default 10. */
  outputs?: number;
  /** Magnitude sparsity of every layer (default 0.9). */
  sparsity?: number;
  /** Batch rows (default 2000). */
  rows?: number;
  /** Timed repeats, median reported (default 5), after `warmup` untimed runs (default 2). */
  repeats?: number;
  warmup?: number;
  seed?: number;
}

export interface SpeedResult {
  backend: string;
  rows: number;
  sparsity: number;
  /** Median ms of one forward pass over `rows`. */
  denseMs: number;
  sparseMs: number;
  /** denseMs / sparseMs. */
  speedup: number;
  /** Per layer: median ms of the product alone (gemm vs matmulCsrT, no bias/activation). */
  layers: { inputs: number; units: number; nonZero: number; gemmMs: number; csrMs: number; csrGflops: number }[];
  bytes: number;
  denseBytes: number;
}

/** Random He-initialised weights (speed does not depend on training), uniform [0, 1) inputs. */
export function measureSparseSpeed(backend: Backend, options: SpeedOptions = {}): SpeedResult {
  const { inputs = 784, hidden = [512], outputs = 10, sparsity = 0.9, rows = 2000, repeats = 5, warmup = 2, seed = 1 } = options;
  const rng = new Rng(seed);
  const net = new Network(backend, {
    inputs, head: 'softmax',
    layers: [...hidden.map((units) => ({ units, activation: 'relu' as const })), { units: outputs, activation: 'identity' as const }],
  });
  net.initialize(rng);
  pruneNetwork(net, { method: 'magnitude', sparsity, layers: 'all' });
  const sparse = net.compileSparse({ minSparsity: 0 });
  const x = backend.upload(Float32Array.from({ length: rows * inputs }, () => rng.next()));
  const time = (f: () => void): number => {
    for (let i = 0; i < warmup; i++) f();
    const ms: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      f();
      ms.push(performance.now() - t);
    }
    return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
  };
  const scratch: F32[] = [], csrs: Csr[] = [];
  try {
    const denseMs = time(() => backend.view(net.predictInto(x, rows)));
    const sparseMs = time(() => backend.view(sparse.predictInto(x, rows)));
    const layers = net.layers.map((l, i) => {
      const input = i === 0 ? x : scratch[scratch.length - 1];
      const out = backend.alloc(rows * l.units);
      scratch.push(out);
      const csr = transposedCsr(backend, backend.read(l.W.value), l.inputs, l.units);
      csrs.push(csr);
      const gemmMs = time(() => backend.gemm(false, false, rows, l.units, l.inputs, input, l.W.value, out));
      const csrMs = time(() => backend.matmulCsrT(input, rows, csr, out));
      return { inputs: l.inputs, units: l.units, nonZero: csr.nnz, gemmMs, csrMs, csrGflops: (2 * rows * csr.nnz) / (csrMs * 1e6) };
    });
    return { backend: backend.name, rows, sparsity, denseMs, sparseMs, speedup: denseMs / sparseMs, layers, bytes: sparse.bytes, denseBytes: sparse.denseBytes };
  } finally {
    for (const b of [x, ...scratch]) backend.free(b);
    for (const c of csrs) backend.freeCsr(c);
    sparse.dispose();
    net.dispose();
  }
}
