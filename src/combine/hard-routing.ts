// Hard routing by the partition: each row goes to the one expert that owns its region of
// input space (a k-means partition's nearest centroid) and only that expert's output is used.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import type { Labels } from '../data/dataset.js';
import { type CombinerDescription, type CombinerJSON, type ExpertEvaluator, type SparseCombiner, type SparseResult, checkOutputs } from './combiner.js';
import { evaluateRouted } from './sparse-eval.js';

/** What hard routing needs from a partition (ClusterPartition has it). */
export interface Router {
  readonly experts: number;
  route(x: Float32Array, rows: number): Int32Array;
}

export class HardRouting implements SparseCombiner {
  readonly kind = 'hard' as const;
  private load: number[] | null = null;

  constructor(
    private readonly router: Router,
    private backend: Backend | null = null,
  ) {}

  /** Nothing to learn; with outputs and x, checks them and records each expert's share of the rows for describe(). */
  async fit(outputs: readonly Float32Array[], y: Labels, x?: Float32Array): Promise<void> {
    if (outputs.length === 0) return;
    checkOutputs(outputs, y.length, this.router.experts);
    if (!x || y.length === 0) return;
    const load = new Array<number>(this.router.experts).fill(0);
    for (const e of this.router.route(x, y.length)) load[e] += 1 / y.length;
    this.load = load;
  }

  combine(outputs: readonly Float32Array[], rows: number, x?: Float32Array): Float32Array {
    const width = checkOutputs(outputs, rows, this.router.experts);
    const id = this.router.route(x ?? fail('ERR_BAD_ARGUMENT', 'hard routing looks at the input: pass x (rows × features)'), rows);
    const out = new Float32Array(rows * width);
    for (let r = 0; r < rows; r++) out.set(outputs[id[r]].subarray(r * width, (r + 1) * width), r * width);
    return out;
  }

  /** Runs each expert only on the rows routed to it. */
  async combineSparse(x: Float32Array, rows: number, evaluate: ExpertEvaluator): Promise<SparseResult> {
    this.backend ??= await getBackend();
    return evaluateRouted(this.backend, rows, this.router.experts, 1, this.router.route(x, rows), new Float32Array(rows).fill(1), evaluate);
  }

  describe(): CombinerDescription {
    return { kind: this.kind, summary: `hard routing: each row → the expert of its region (1 of ${this.router.experts} runs)`, ...(this.load ? { load: [...this.load] } : {}) };
  }

  toJSON(): CombinerJSON {
    return { kind: 'hard', experts: this.router.experts, load: this.load ? [...this.load] : null };
  }

  static fromJSON(json: CombinerJSON, router: Router, backend?: Backend): HardRouting {
    if (json.kind !== 'hard') fail('ERR_BAD_FILE', `not hard routing: ${json.kind}`);
    if (json.experts !== router.experts) fail('ERR_BAD_FILE', `hard routing was saved for ${json.experts} experts, the partition has ${router.experts}`);
    const h = new HardRouting(router, backend ?? null);
    h.load = json.load ? [...json.load] : null;
    return h;
  }
}
