// What MoEModel hands to fit: its network, plus the accuracy of each expert on the rows it
// took in the epoch's training batches, so a starved or failing expert shows in the logs.
import type { F32, I32 } from '../backend/backend.js';
import type { AnyDataset } from '../data/dataset.js';
import type { Rng } from '../data/prng.js';
import type { MoE } from '../moe/moe-layer.js';
import type { DispatchPlan } from '../moe/routing.js';
import type { SparseRows } from '../nn/layer.js';
import { type Network, predictedClass } from '../nn/network.js';
import type { Trainable } from '../train/trainable.js';

/** Counts, per expert, the rows it took and how many of them the model got right. */
export class ExpertHits {
  readonly hits: Float64Array;
  readonly seen: Float64Array;

  constructor(readonly experts: number) {
    this.hits = new Float64Array(experts);
    this.seen = new Float64Array(experts);
  }

  /** One batch: its plan and, per row, 1 when the prediction was right. */
  add(plan: DispatchPlan, right: Uint8Array): void {
    for (let e = 0; e < this.experts; e++) {
      for (let s = plan.offsets[e]; s < plan.offsets[e + 1]; s++) {
        this.seen[e]++;
        this.hits[e] += right[plan.row[s]];
      }
    }
  }

  /** Accuracy per expert (null for an expert that took no rows); resets the counts. */
  read(): (number | null)[] {
    const out = Array.from(this.seen, (n, e) => (n > 0 ? this.hits[e] / n : null));
    this.hits.fill(0);
    this.seen.fill(0);
    return out;
  }
}

/** Per row of the last forward through `moe` (the network's last layer): 1 if its class is right (into `right`, at least rows long). */
export function rightRows(moe: MoE, labels: ArrayLike<number>, rows: number, right = new Uint8Array(rows)): Uint8Array {
  const out = moe.backend.view(moe.output!), k = moe.outputs;
  for (let r = 0; r < rows; r++) right[r] = predictedClass(out, r, k, 'softmax') === labels[r] ? 1 : 0;
  return right;
}

export class MoETrainable implements Trainable {
  private readonly hits: ExpertHits;
  /** rightRows' flags, reused by every batch. */
  private right = new Uint8Array(0);

  constructor(
    readonly net: Network,
    readonly moe: MoE,
  ) {
    this.hits = new ExpertHits(moe.experts.length);
  }

  get backend() {
    return this.net.backend;
  }
  get inputs(): number {
    return this.net.inputs;
  }
  get outputs(): number {
    return this.net.outputs;
  }
  get head() {
    return this.net.head;
  }

  params() {
    return this.net.params();
  }

  trainStep(x: F32 | SparseRows, y: I32 | F32, rows: number, rng: Rng): number {
    return this.net.trainStep(x, y, rows, rng);
  }

  correct(labels: ArrayLike<number>, rows: number): number {
    if (this.right.length < rows) this.right = new Uint8Array(rows);
    const right = rightRows(this.moe, labels, rows, this.right);
    this.hits.add(this.moe.plan!, right);
    let n = 0;
    for (let r = 0; r < rows; r++) n += right[r];
    return n;
  }

  evaluate(ds: AnyDataset) {
    return this.net.evaluate(ds);
  }

  /** The router's statistics and, for classifiers, `expert<i>Acc` of the experts that took rows. */
  stats(): Record<string, number> {
    const out = this.net.stats();
    if (this.head !== 'mse') this.hits.read().forEach((a, e) => a !== null && (out[`${this.moe.name}/expert${e}Acc`] = a));
    return out;
  }

  release(): void {
    this.net.release();
  }
}
