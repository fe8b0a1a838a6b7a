// MoEModel training as a task (plain data in and out, src/parallel/task.ts): the options and
// the rows in, the trained model's state out, so it trains the same on the calling thread,
// in a worker or from a job queue. Register it where tasks run (src/worker.ts does).
import type { Backend } from '../backend/backend.js';
import { type KernelRef, findKernelRef } from '../backend/identity.js';
import type { Dataset } from '../data/dataset.js';
import { type DatasetMeta, datasetFromParts, datasetToParts } from '../data/dataset-parts.js';
import { flatten, unflatten } from '../io/tree.js';
import type { Json, TaskInput, TaskOutput } from '../parallel/task.js';
import { defineTask } from '../parallel/task.js';
import { MoEModel, type MoEModelOptions, type MoEModelState } from './moe-model.js';
import { taskBackend } from './train-task.js';

export interface TrainMoESpec {
  options: Omit<MoEModelOptions, 'backend'>;
  /** The kernels to train with (see TrainExpertSpec.kernels). */
  kernels: KernelRef | null;
  data: DatasetMeta;
}

export interface TrainMoEResult {
  /** The state's JSON tree (src/io/tree.ts) as text — its { $tensor } references would clash with the task codec's own; the tensors travel as blobs t0, t1, … */
  tree: string;
  arrays: number[];
  seconds: number;
}

/** The task's input: MoEModel options (no backend), and the rows, on the caller's kernels. */
export function trainMoEInput(options: Omit<MoEModelOptions, 'backend'>, ds: Dataset, backend: Backend): TaskInput<TrainMoESpec> {
  const { meta, blobs } = datasetToParts(ds);
  return { spec: { options, kernels: findKernelRef(backend), data: meta }, blobs };
}

/** The trained model, on `backend`, from the task's output. */
export function trainedMoE({ result, blobs }: TaskOutput<TrainMoEResult>, backend?: Backend): Promise<MoEModel> {
  const tensors = Object.keys(blobs).map((_, i) => blobs[`t${i}`]);
  return MoEModel.fromState(unflatten(JSON.parse(result.tree), tensors, result.arrays) as MoEModelState, backend);
}

export const trainMoE = defineTask<TrainMoESpec, TrainMoEResult>('trainMoE', async ({ spec, blobs }, ctx) => {
  const started = performance.now();
  const backend = await taskBackend(spec.kernels, ctx.backend);
  const model = new MoEModel({ ...spec.options, backend });
  try {
    await model.fit(datasetFromParts(spec.data, blobs) as Dataset, { signal: ctx.signal, onProgress: (p) => ctx.onProgress(p as unknown as Json) });
    const { tree, tensors, arrays } = flatten(model.toState());
    return { result: { tree: JSON.stringify(tree), arrays, seconds: (performance.now() - started) / 1000 }, blobs: Object.fromEntries(tensors.map((t, i) => [`t${i}`, t])) };
  } finally {
    model.dispose();
  }
});
