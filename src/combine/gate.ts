// A gating network: input x → softmax weights over the experts, trained on held-out rows
// with the experts frozen, on the mixture's own loss (see train-gate.ts). Inputs are
// standardised per feature (constant features pass through unscaled). Training and the
// weights for new rows both run on a backend (gemm, bias, softmax kernels).
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import type { Labels } from '../data/dataset.js';
import { type Combiner, type CombinerDescription, type CombinerJSON, type GateJSON, checkInput, checkOutputs, fitWarnings, mixOutputs, taskOf, warned } from './combiner.js';
import { mixtureTargets } from './mixture-loss.js';
import { type GateTrainOptions, trainGate } from './train-gate.js';

export interface GateOptions extends GateTrainOptions {
  /** Where the gate trains and runs (default: getBackend()). */
  backend?: Backend;
}

export class GatingNetwork implements Combiner {
  readonly kind = 'gate' as const;
  private state: GateJSON | null = null;
  private backend: Backend | null;
  private warnings: string[] = [];

  constructor(private readonly options: GateOptions = {}) {
    this.backend = options.backend ?? null;
  }

  get experts(): number {
    return this.fitted().experts;
  }

  async fit(outputs: readonly Float32Array[], y: Labels, x?: Float32Array): Promise<void> {
    const rows = y.length, width = checkOutputs(outputs, rows), dims = checkInput(x, rows);
    const task = taskOf(y, rows, width);
    const mean = new Array<number>(dims).fill(0), scale = new Array<number>(dims).fill(0);
    for (let i = 0; i < rows * dims; i++) mean[i % dims] += x![i] / rows;
    for (let i = 0; i < rows * dims; i++) scale[i % dims] += (x![i] - mean[i % dims]) ** 2 / rows;
    for (let d = 0; d < dims; d++) scale[d] = scale[d] > 1e-12 ? Math.sqrt(scale[d]) : 1;
    const xs = standardise(x!, rows, dims, mean, scale);
    const { backend: _b, ...train } = this.options;
    this.backend ??= await getBackend();
    const { W, b, g, loss } = trainGate(mixtureTargets(outputs, y, width, task), xs, dims, this.backend, train);
    const n = outputs.length;
    const { weights, load } = usage(g, rows, n);
    this.state = { kind: 'gate', experts: n, dims, W: Array.from(W), b: Array.from(b), mean, scale, loss, weights, load };
    this.warnings = fitWarnings(y, width);
  }

  /** The gate's weights for each row: rows × experts, each row summing to 1. */
  weights(x: Float32Array, rows: number): Float32Array {
    const s = this.fitted(), k = this.backend!, n = s.experts;
    checkInput(x, rows, s.dims);
    const xs = k.upload(Float32Array.from(standardise(x, rows, s.dims, s.mean, s.scale)));
    const W = k.upload(Float32Array.from(s.W)), b = k.upload(Float32Array.from(s.b)), z = k.alloc(Math.max(rows * n, 1));
    try {
      if (s.dims > 0) k.gemm(false, false, rows, n, s.dims, xs, W, z);
      k.biasAct(z, b, rows, n, 'identity', z);
      k.softmax(z, rows, n, z);
      return k.read(z).subarray(0, rows * n);
    } finally {
      for (const buf of [xs, W, b, z]) k.free(buf);
    }
  }

  combine(outputs: readonly Float32Array[], rows: number, x?: Float32Array): Float32Array {
    const width = checkOutputs(outputs, rows, this.experts);
    return mixOutputs(outputs, rows, width, this.weights(x ?? fail('ERR_BAD_ARGUMENT', 'a gate looks at the input: pass x (rows × features)'), rows), true);
  }

  describe(): CombinerDescription {
    const s = this.fitted();
    return { kind: this.kind, summary: `gating network over ${s.experts} experts (${s.dims} inputs → softmax)`, weights: [...s.weights], load: [...s.load], loss: s.loss, ...warned(this.warnings) };
  }

  toJSON(): GateJSON {
    const s = this.fitted();
    return { ...s, W: [...s.W], b: [...s.b], mean: [...s.mean], scale: [...s.scale], weights: [...s.weights], load: [...s.load] };
  }

  static fromJSON(json: CombinerJSON, backend: Backend): GatingNetwork {
    if (json.kind !== 'gate') fail('ERR_BAD_FILE', `not a gate: ${json.kind}`);
    const { experts: n, dims } = json;
    if (!(n >= 1) || !(dims >= 0) || json.W?.length !== dims * n || json.b?.length !== n || json.mean?.length !== dims || json.scale?.length !== dims) {
      fail('ERR_BAD_FILE', `gate JSON: weights do not fit ${n} experts × ${dims} inputs`);
    }
    const gate = new GatingNetwork({ backend });
    gate.state = { ...json };
    return gate;
  }

  private fitted(): GateJSON {
    return this.state ?? fail('ERR_NOT_FITTED', 'gating network: call fit() on held-out expert outputs and inputs first');
  }
}

function standardise(x: Float32Array, rows: number, dims: number, mean: number[], scale: number[]): Float64Array {
  const out = new Float64Array(rows * dims);
  for (let i = 0; i < out.length; i++) out[i] = (x[i] - mean[i % dims]) / scale[i % dims];
  return out;
}

/** Mean gate weight per expert and the share of rows each expert wins (ties → lower index). */
export function usage(g: ArrayLike<number>, rows: number, n: number): { weights: number[]; load: number[] } {
  const weights = new Array<number>(n).fill(0), load = new Array<number>(n).fill(0);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let e = 0; e < n; e++) {
      weights[e] += g[r * n + e] / rows;
      if (g[r * n + e] > g[r * n + best]) best = e;
    }
    load[best] += 1 / rows;
  }
  return { weights, load };
}
