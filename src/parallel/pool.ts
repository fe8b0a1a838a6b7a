// A pool of workers behind the Executor interface. Tasks wait in one queue and each idle worker
// takes the next; workers start only when a task is waiting, so never more run than tasks exist.
// A worker that dies fails only its own task and is replaced by the next dispatch.
import { proxy, transfer, wrap, type Remote } from 'comlink';
import { SparseExpertsError } from '../errors.js';
import { knownKernels } from '../backend/identity.js';
import type { Executor, RunOptions } from './executor.js';
import type { WorkerHandle, WorkerPlatform } from './platform.js';
import { abortedError, closedError, fromWire, taskFailed, type WorkerApi } from './protocol.js';
import type { Json, TaskInput, TaskOutput } from './task.js';
import { collectTransferables } from './transfer.js';

export interface WorkerPoolOptions {
  size: number;
  platform: WorkerPlatform;
  /** Where worker.mjs is served or stored; defaults to next to the bundle. */
  workerUrl?: string | URL;
  /** How long an aborted task may keep its worker before the worker is terminated (ms). */
  abortGraceMs?: number;
  /**
   * Cores the workers share (default: the platform's). With shared memory, each worker's
   * kernels use floor(cores / busy workers) threads: never more threads than cores, and
   * the last tasks running take the cores the finished ones freed. 1 pins one thread each.
   */
  cores?: number;
}

interface Job {
  id: number;
  task: string;
  input: TaskInput<unknown>;
  opts: RunOptions;
  settled: boolean;
  /** Settles the caller's promise once; later calls are ignored. */
  settle(outcome: { value: unknown } | { error: unknown }): void;
}

interface Slot {
  handle: WorkerHandle;
  remote: Remote<WorkerApi>;
  job?: Job; // the task the worker is busy with (still so after its caller was told it aborted)
  grace?: ReturnType<typeof setTimeout>;
  dead: boolean;
  /** Hashes of the kernel modules posted to this worker. */
  kernels: Set<string>;
  /** The worker's number, in the order the pool started them (TaskOutput.worker). */
  index: number;
  /** Counted in `busy` (from its task's start until it finishes or the worker dies). */
  counted: boolean;
}

export class WorkerPool implements Executor {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private queue: Job[] = [];
  private nextId = 1;
  private started = 0;
  private closed = false;
  /** Workers running a task, read by their kernels (null without shared memory: one thread each). */
  private readonly busy: Int32Array | null;

  constructor(private readonly options: WorkerPoolOptions) {
    this.size = options.size;
    const shared = typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;
    this.busy = shared ? new Int32Array(new SharedArrayBuffer(4)) : null;
  }

  run<R>(task: string, input: TaskInput<unknown>, opts: RunOptions = {}): Promise<TaskOutput<R>> {
    if (this.closed) return Promise.reject(closedError());
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(abortedError(task));
    return new Promise<TaskOutput<R>>((resolve, reject) => {
      const onAbort = () => this.abort(job);
      const job: Job = {
        id: this.nextId++,
        task,
        input,
        opts,
        settled: false,
        settle(outcome) {
          if (job.settled) return;
          job.settled = true;
          signal?.removeEventListener('abort', onAbort);
          if ('error' in outcome) reject(outcome.error);
          else resolve(outcome.value as TaskOutput<R>);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue) job.settle({ error: closedError() });
    this.queue = [];
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.dead = true;
      clearTimeout(slot.grace);
      slot.job?.settle({ error: closedError() });
    }
    await Promise.all(slots.map((slot) => slot.handle.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) {
        try {
          slot = this.spawn();
        } catch (err) {
          this.queue.shift()!.settle({ error: err }); // e.g. worker.mjs missing: say so to the caller
          continue;
        }
      }
      if (!slot) return; // all busy: the next finished task dispatches again
      this.start(slot, this.queue.shift()!);
    }
  }

  private spawn(): Slot {
    const handle = this.options.platform.spawn(this.options.workerUrl);
    const slot: Slot = { handle, remote: wrap<WorkerApi>(handle.endpoint), dead: false, kernels: new Set(), index: this.started++, counted: false };
    const cores = this.options.cores ?? this.options.platform.cores();
    if (this.busy) slot.remote.shareCores(this.busy, cores).catch(() => {});
    handle.onExit((reason) => this.bury(slot, reason));
    this.slots.push(slot);
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    this.count(slot, true);
    // Compiled kernels of this thread the worker lacks (a backend made since it started), so its
    // tasks build the very same backends; messages keep their order, so they arrive first.
    const missing = knownKernels().filter((k) => !slot.kernels.has(k.ref.hash));
    if (missing.length > 0) {
      for (const k of missing) slot.kernels.add(k.ref.hash);
      slot.remote.registerKernels(missing).catch(() => {});
    }
    slot.handle.keepAlive(true);
    const { onProgress } = job.opts;
    const progress = onProgress && proxy((p: Json) => job.settled || onProgress(p));
    // The blobs move to the worker (detached here), shared ones excepted.
    const input = transfer(job.input, collectTransferables(job.input.blobs));
    slot.remote.run(job.id, job.task, input, progress).then(
      (outcome) => outcome.ok ? this.finish(slot, job, { value: { ...(outcome.value as TaskOutput<unknown>), worker: slot.index } }) : this.finish(slot, job, { error: taskFailed(job.task, fromWire(outcome.error)) }),
      (err) => this.finish(slot, job, { error: taskFailed(job.task, err) }), // e.g. a payload that cannot be cloned
    );
  }

  private finish(slot: Slot, job: Job, outcome: { value: unknown } | { error: unknown }): void {
    if (slot.dead) return;
    job.settle(outcome);
    clearTimeout(slot.grace);
    slot.job = undefined;
    this.count(slot, false);
    slot.handle.keepAlive(false);
    this.dispatch();
  }

  private abort(job: Job): void {
    job.settle({ error: abortedError(job.task) });
    const queued = this.queue.indexOf(job);
    if (queued >= 0) return void this.queue.splice(queued, 1);
    const slot = this.slots.find((s) => s.job === job);
    if (!slot) return;
    // Ask the task to stop; if its thread is too busy to hear it, take the worker down (frees its memory).
    slot.remote.abort(job.id).catch(() => {});
    const graceMs = this.options.abortGraceMs ?? 200;
    slot.grace = setTimeout(() => this.bury(slot, new Error(`task '${job.task}' did not stop within ${graceMs} ms of its abort`)), graceMs);
  }

  /** Counts a worker in or out of the busy ones its kernels divide the cores by. */
  private count(slot: Slot, busy: boolean): void {
    if (!this.busy || slot.counted === busy) return;
    slot.counted = busy;
    Atomics.add(this.busy, 0, busy ? 1 : -1);
  }

  /** Removes a dead (or stuck) worker, failing its task; a new worker starts when a task needs one. */
  private bury(slot: Slot, reason: unknown): void {
    if (slot.dead) return;
    slot.dead = true;
    clearTimeout(slot.grace);
    this.count(slot, false);
    this.slots.splice(this.slots.indexOf(slot), 1);
    const why = reason instanceof Error ? reason.message : String(reason);
    slot.job?.settle({ error: new SparseExpertsError('ERR_WORKER_FAILED', `the worker running task '${slot.job.task}' died: ${why}`, { cause: reason }) });
    void slot.handle.terminate();
    this.dispatch();
  }
}
