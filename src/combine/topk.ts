// Sparse top-k gating: a gating network whose weights are cut to each row's k largest
// (the top-k kernel) and renormalised, so only k of N experts run per row (Shazeer et al.
// 2017, without the noise: the gate is trained dense on held-out rows, then applied top-k).
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import type { Labels } from '../data/dataset.js';
import { type CombinerDescription, type CombinerJSON, type ExpertEvaluator, type SparseCombiner, type SparseResult, checkOutputs, mixOutputs } from './combiner.js';
import { GatingNetwork, type GateOptions } from './gate.js';
import { evaluateRouted } from './sparse-eval.js';

export interface TopKOptions extends GateOptions {
  /** Experts per row, 1 ≤ k ≤ N. */
  k: number;
}

export class TopKGate implements SparseCombiner {
  readonly kind = 'topk' as const;
  readonly k: number;
  private readonly gate: GatingNetwork;
  private backend: Backend | null;

  constructor(options: TopKOptions, gate?: GatingNetwork) {
    const { k, backend, ...gateOptions } = options;
    if (!Number.isInteger(k) || k < 1) fail('ERR_BAD_ARGUMENT', `top-k needs an integer k ≥ 1, got ${k}`);
    this.k = k;
    this.backend = backend ?? null;
    this.gate = gate ?? new GatingNetwork({ ...gateOptions, backend });
  }

  async fit(outputs: readonly Float32Array[], y: Labels, x?: Float32Array): Promise<void> {
    if (this.k > outputs.length) fail('ERR_BAD_ARGUMENT', `top-k with k = ${this.k} needs at least k experts, got ${outputs.length}`);
    this.backend ??= await getBackend();
    await this.gate.fit(outputs, y, x);
  }

  /** Per row the chosen experts (rows × k, by falling weight) and their renormalised weights. */
  route(x: Float32Array, rows: number): { experts: Int32Array; weights: Float32Array } {
    const b = this.backend ?? fail('ERR_NOT_FITTED', 'top-k gate: call fit() first');
    const n = this.gate.experts, k = this.k;
    const g = b.upload(this.gate.weights(x, rows)), vb = b.alloc(rows * k), ib = b.alloc(rows * k, 'i32');
    try {
      b.topk(g, rows, n, k, vb, ib);
      const weights = b.read(vb), experts = b.read(ib);
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += weights[r * k + t];
        for (let t = 0; t < k; t++) weights[r * k + t] /= s;
      }
      return { experts, weights };
    } finally {
      for (const buf of [g, vb, ib]) b.free(buf);
    }
  }

  /** From already computed outputs of all N experts (for evaluation; combineSparse is the fast path). */
  combine(outputs: readonly Float32Array[], rows: number, x?: Float32Array): Float32Array {
    const n = this.gate.experts, width = checkOutputs(outputs, rows, n);
    const { experts, weights } = this.route(x ?? fail('ERR_BAD_ARGUMENT', 'a gate looks at the input: pass x (rows × features)'), rows);
    const dense = new Float32Array(rows * n);
    for (let i = 0; i < rows * this.k; i++) dense[Math.floor(i / this.k) * n + experts[i]] = weights[i];
    return mixOutputs(outputs, rows, width, dense, true);
  }

  /** Runs only the k chosen experts per row: evaluate(e, rowIdx) gets the rows routed to e. */
  async combineSparse(x: Float32Array, rows: number, evaluate: ExpertEvaluator): Promise<SparseResult> {
    const { experts, weights } = this.route(x, rows);
    return evaluateRouted(this.backend!, rows, this.gate.experts, this.k, experts, weights, evaluate);
  }

  describe(): CombinerDescription {
    const d = this.gate.describe();
    return { ...d, kind: this.kind, summary: `top-${this.k} of ${this.gate.experts} experts per row, by a gating network (${d.summary})` };
  }

  toJSON(): CombinerJSON {
    return { kind: 'topk', k: this.k, gate: this.gate.toJSON() };
  }

  static fromJSON(json: CombinerJSON, backend: Backend): TopKGate {
    if (json.kind !== 'topk') fail('ERR_BAD_FILE', `not a top-k gate: ${json.kind}`);
    const gate = GatingNetwork.fromJSON(json.gate, backend);
    if (!(json.k <= gate.experts)) fail('ERR_BAD_FILE', `top-k JSON: k = ${json.k} but the gate has ${gate.experts} experts`);
    return new TopKGate({ k: json.k, backend }, gate);
  }
}
