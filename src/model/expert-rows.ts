// Where each expert's training rows come from. Rows live once: where the tasks can read the
// caller's x in place (the calling thread; workers, when x lives in shared memory and the
// runtime lets workers share it) every expert gets a view of the same rows, an index list;
// elsewhere (plain x on workers, non-isolated pages, job queues, sparse rows) each gets its
// shard, cut from the caller's rows and moved to its worker.
import { type AnyDataset, isSparse, rowsView, take } from '../data/dataset.js';
import { isShared, sharedMemoryUsable } from '../data/shared.js';
import type { Executor } from '../parallel/executor.js';
import { LocalExecutor } from '../parallel/local.js';
import { WorkerPool } from '../parallel/pool.js';

/**
 * A function from an expert's row indices (rows of ds) to its training set: a view or a
 * shard. A plain x is not copied into shared memory for workers: measured on Fashion-MNIST
 * (8 experts, 2 workers), that copy peaks 38–47 MB higher than cutting shards (BENCHMARKS.md).
 */
export function expertRows(ds: AnyDataset, executor: Executor): (rows: ArrayLike<number>) => AnyDataset {
  if (isSparse(ds)) return (rows) => take(ds, rows);
  const inPlace = executor instanceof LocalExecutor || (executor instanceof WorkerPool && sharedMemoryUsable() && isShared(ds.x));
  return inPlace ? (rows) => rowsView(ds, rows) : (rows) => take(ds, rows);
}
