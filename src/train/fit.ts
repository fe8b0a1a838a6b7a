// The training loop, tfjs-style: epochs of shuffled mini-batches, callbacks with logs
// (loss, acc, val_loss, val_acc, the model's own stats), early stopping, AbortSignal,
// divergence detection — for any Trainable. Dense data within a budget is uploaded once and
// each batch gathered by a kernel (a larger set: each batch's rows copied); sparse (CSR) data
// is sliced per batch on the host (nn/batches.ts); a source streams through a bounded shuffle
// window (train/feed.ts).
import { fail } from '../errors.js';
import type { F32, I32 } from '../backend/backend.js';
import type { AnyDataset } from '../data/dataset.js';
import { Rng } from '../data/prng.js';
import { type RowSource, isSource } from '../data/source.js';
import type { Optimizer } from '../nn/optimizer.js';
import { type Feed, defaultWindow, memoryFeed, streamFeed } from './feed.js';
import { checkShape, checkTrainingSet, holdOut } from './inputs.js';
import type { Trainable } from './trainable.js';
import { Yielder } from './yielder.js';

export interface Logs {
  loss: number;
  acc?: number;
  val_loss?: number;
  val_acc?: number;
  [metric: string]: number | undefined;
}

export interface Callbacks {
  onTrainBegin?: () => void | Promise<void>;
  onEpochBegin?: (epoch: number) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: { loss: number; size: number; epoch: number }) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  onTrainEnd?: (history: History) => void | Promise<void>;
}

export interface EarlyStopping {
  /** Default 'val_loss' when there is validation data, else 'loss'. */
  monitor?: string;
  patience?: number;
  minDelta?: number;
  /** Restore the weights of the best epoch at the end (default true). */
  restoreBestWeights?: boolean;
}

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  seed?: number;
  /** Fraction of the (seed-shuffled) data held out for validation; ignored with validationData. */
  validationSplit?: number;
  validationData?: AnyDataset;
  callbacks?: Callbacks;
  earlyStopping?: EarlyStopping | boolean;
  signal?: AbortSignal;
  /** Called between batches with the fraction done, for progress bars. */
  onProgress?: (fraction: number) => void;
  /**
   * Training from a source: rows per shuffle window (default: 32 MiB of rows, at least a
   * batch). Rows are shuffled within a window, windows come in source order; two windows
   * live in backend memory. A window of every row shuffles exactly as in-memory data.
   */
  shuffleWindow?: number;
}

export interface History {
  epochs: number[];
  history: Record<string, number[]>;
  /** Wall-clock seconds spent in fit. */
  seconds: number;
  stoppedEarly: boolean;
}

/** Train `net` with `opt` on `ds` (in memory, or a source streamed in windows). Weights must already be initialised. */
export async function fitNetwork(net: Trainable, opt: Optimizer, ds: AnyDataset | RowSource, options: FitOptions = {}): Promise<History> {
  const started = performance.now();
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 0) fail('ERR_BAD_ARGUMENT', `epochs must be a non-negative integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize <= 0) fail('ERR_BAD_ARGUMENT', `batchSize must be a positive integer, got ${batchSize}`);
  const stream = isSource(ds);
  if (stream) checkShape(net, ds);
  else checkTrainingSet(net, ds);
  const rng = new Rng(options.seed ?? 0);
  const { train, validation } = stream ? streamHoldOut(ds, options) : holdOut(ds, options, rng);
  // Layers that draw (noise, dropout) get their own stream: the shuffle stays the same. Not
  // fork(1): that is the experts' weight-init stream for the same seed (forks are pure).
  const draws = rng.fork(2);
  if (validation) checkTrainingSet(net, validation);
  const b = net.backend;
  const rows = train.rows;
  const bs = Math.min(batchSize, rows);

  const classes = net.head !== 'mse';
  const yBatch: I32 | F32 = classes ? b.alloc(bs, 'i32') : b.alloc(bs);
  let feed: Feed;
  try {
    feed = isSource(train) ? streamFeed(b, train, bs, options.shuffleWindow ?? defaultWindow(train, bs)) : memoryFeed(b, train, bs);
  } catch (err) {
    b.free(yBatch); // data too large for the backend's memory leaves nothing behind
    throw err;
  }
  const history: History = { epochs: [], history: {}, seconds: 0, stoppedEarly: false };
  const stopper = earlyStopper(options.earlyStopping, validation !== null);
  const yielder = new Yielder();
  const cb = options.callbacks ?? {};
  const batches = Math.ceil(rows / bs);
  try {
    await cb.onTrainBegin?.();
    for (let epoch = 0; epoch < epochs; epoch++) {
      await cb.onEpochBegin?.(epoch);
      let lossSum = 0, correct = 0, bi = 0;
      for await (const { x: xBatch, y: yStage, n } of feed.epoch(rng, options.shuffle ?? true)) {
        if (options.signal?.aborted) fail('ERR_ABORTED', `training aborted at epoch ${epoch}, batch ${bi}`, options.signal.reason);
        b.write(yBatch as F32, yStage.subarray(0, n));
        const loss = net.trainStep(xBatch, yBatch, n, draws);
        if (!Number.isFinite(loss)) {
          fail('ERR_DIVERGED', `loss became ${loss} at epoch ${epoch}, batch ${bi}: lower the learning rate or scale the inputs`);
        }
        opt.apply(net.params());
        lossSum += loss * n;
        if (classes) correct += net.correct(yStage, n);
        await cb.onBatchEnd?.(bi, { loss, size: n, epoch });
        options.onProgress?.((epoch * batches + bi + 1) / (epochs * batches));
        await yielder.maybeYield();
        bi++;
      }
      const logs: Logs = { loss: lossSum / rows };
      // Like tfjs, training accuracy is the running mean over the epoch's batches.
      if (classes) logs.acc = correct / rows;
      Object.assign(logs, net.stats?.());
      if (validation) {
        const v = net.evaluate(validation);
        logs.val_loss = v.loss;
        if (v.acc !== undefined) logs.val_acc = v.acc;
      }
      history.epochs.push(epoch);
      for (const [key, value] of Object.entries(logs)) (history.history[key] ??= []).push(value as number);
      await cb.onEpochEnd?.(epoch, logs);
      if (stopper?.update(logs, net)) {
        history.stoppedEarly = true;
        break;
      }
    }
    stopper?.restore(net);
    history.seconds = (performance.now() - started) / 1000;
    await cb.onTrainEnd?.(history);
    return history;
  } finally {
    feed.dispose();
    b.free(yBatch);
    net.release();
  }
}

/** A source keeps no rows to hold out: validation comes as its own (in-memory) dataset. */
function streamHoldOut(src: RowSource, opts: FitOptions): { train: RowSource; validation: AnyDataset | null } {
  if (opts.validationSplit) fail('ERR_BAD_ARGUMENT', 'validationSplit needs the rows in memory; with a source, pass validationData (e.g. readAll of a small source)');
  return { train: src, validation: opts.validationData ?? null };
}

/** Tracks the monitored metric; snapshots the best weights. */
function earlyStopper(opt: FitOptions['earlyStopping'], hasValidation: boolean) {
  if (!opt) return null;
  const o = opt === true ? {} : opt;
  const monitor = o.monitor ?? (hasValidation ? 'val_loss' : 'loss');
  const patience = o.patience ?? 2, minDelta = o.minDelta ?? 0, restore = o.restoreBestWeights ?? true;
  const higherIsBetter = /acc/.test(monitor);
  let best = higherIsBetter ? -Infinity : Infinity, wait = 0;
  let snapshot: Float32Array[] | null = null;
  return {
    update(logs: Logs, net: Trainable): boolean {
      const v = logs[monitor];
      if (v === undefined) fail('ERR_BAD_ARGUMENT', `earlyStopping monitors '${monitor}', which the logs do not have (${Object.keys(logs).join(', ')})`);
      const improved = higherIsBetter ? v > best + minDelta : v < best - minDelta;
      if (improved) {
        best = v;
        wait = 0;
        if (restore) snapshot = net.params().map((p) => net.backend.read(p.value));
        return false;
      }
      return ++wait > patience;
    },
    restore(net: Trainable): void {
      if (restore && snapshot) net.params().forEach((p, i) => net.backend.write(p.value, snapshot![i]));
    },
  };
}
