// The layer interface a network is a sequence of. A layer computes in backend buffers it
// owns; the network hands each layer's output to the next and the gradients back. Dense
// (dense.ts) is the worked example; a mixture-of-experts layer (router + E experts, top-k
// dispatch) fits the same shape: its routing lives inside forward/backward, its balance
// loss in auxLoss, its load in stats.
import type { Csr, F32 } from '../backend/backend.js';
import type { Rng } from '../data/prng.js';
import type { Param } from './param.js';

/**
 * A batch of sparse rows: x (rows × inputs) and, to train the layer it enters, its
 * transpose xT (inputs × rows) for the weight gradient.
 */
export interface SparseRows {
  readonly x: Csr;
  readonly xT?: Csr;
}

/** Dense rows (rows × inputs, row-major) or sparse rows; sparse rows only into the first layer. */
export type LayerInput = F32 | SparseRows;

export interface ForwardMode {
  /** Training: keep what backward needs. Inference may take faster paths (CSR weights). */
  training: boolean;
  /** The fit's random stream, for layers that draw (noise, dropout); absent at inference. */
  rng?: Rng;
}

/** How a layer stores its weights (biases excluded from the counts, included in bytes). */
export interface LayerInfo {
  kind: string;
  inputs: number;
  outputs: number;
  /** 'dense' f32 weights, or 'csr' (the inference-only sparse variant). */
  format: 'dense' | 'csr';
  weights: number;
  /** Stored non-zero weights. */
  nonZero: number;
  /** Fraction of zero weights. */
  sparsity: number;
  /** Bytes of weights and biases as stored, and as they would be all dense. */
  bytes: number;
  denseBytes: number;
}

/** A layer's plain-data description: `kind` picks the constructor in the registry (registry.ts). */
export interface LayerSpec {
  kind?: string;
  [option: string]: unknown;
}

export interface Layer {
  /** Registry key ('dense', …). */
  readonly kind: string;
  /** Unique in its network (built from specs: kind + index, 'dense0'); prefixes its params' names ('dense0/W'). */
  readonly name: string;
  readonly inputs: number;
  readonly outputs: number;
  /** Trainable tensors; weight matrices (penalised) are what pruning masks. */
  params(): readonly Param[];
  /** Fresh weights from the network's seeded stream (called in layer order). */
  initialize(rng: Rng): void;
  /** Output for `rows` rows of x, in a buffer the layer owns (valid until its next forward). */
  forward(x: LayerInput, rows: number, mode: ForwardMode): F32;
  /**
   * From dL/dy of the last training forward (which it may overwrite): writes each
   * Param.grad and returns dL/dx (rows × inputs, a buffer the layer owns), or null when
   * !needInput. The auxiliary loss's gradient is part of it.
   */
  backward(dy: F32, rows: number, needInput: boolean): F32 | null;
  /** Auxiliary loss of the last training forward (a router's balance loss), added to the head's. */
  auxLoss?(): number;
  /** Statistics of the epoch so far, to log (router load, dropped share, …). */
  stats?(): Record<string, number>;
  /** FLOPs of one sample's forward pass, counting only stored (non-zero) weights when sparse. */
  flopsPerSample(): number;
  info(): LayerInfo;
  /** Rebuilds the layer with the registry, given its input width. */
  spec(): LayerSpec;
  /** Free the per-batch buffers (kept between calls otherwise). */
  release(): void;
  /** Free everything; the layer is unusable afterwards. */
  dispose(): void;
}

export function isSparseRows(x: LayerInput): x is SparseRows {
  return 'x' in x;
}
