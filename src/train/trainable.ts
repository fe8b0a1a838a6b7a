// What fit trains: anything with parameters, a training step and an evaluation — a
// Network of any layers, or a model of its own. fit never looks further inside.
import type { Backend, F32, I32 } from '../backend/backend.js';
import type { AnyDataset } from '../data/dataset.js';
import type { Rng } from '../data/prng.js';
import type { SparseRows } from '../nn/layer.js';
import type { Head } from '../nn/losses.js';
import type { Evaluation } from '../nn/network.js';
import type { Param } from '../nn/param.js';

export interface Trainable {
  readonly backend: Backend;
  /** Features per row. */
  readonly inputs: number;
  readonly outputs: number;
  /** The loss: decides the label type (class ids or float targets) and whether accuracy is logged. */
  readonly head: Head;
  /** What the optimiser updates (and early stopping snapshots). */
  params(): readonly Param[];
  /** Forward + backward on one batch: gradients into each Param.grad; returns the mean loss. */
  trainStep(x: F32 | SparseRows, y: I32 | F32, rows: number, rng: Rng): number;
  /** Correct predictions among the last step's rows (classification heads). */
  correct(labels: ArrayLike<number>, rows: number): number;
  evaluate(ds: AnyDataset): Evaluation;
  /** Statistics to add to each epoch's logs (e.g. a router's load). */
  stats?(): Record<string, number>;
  /** Free per-batch buffers. */
  release(): void;
}
