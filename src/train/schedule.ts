// The batch size and epochs a model trains with when the user leaves them unset, taken from
// its training rows: a batch tuned on (Fashion-)MNIST makes only a handful of optimizer steps on
// a few hundred rows, and the model barely leaves its initialisation. So the batch is the
// largest power of two ≤ rows / 16 (16 steps an epoch or more) within [8, the model's largest],
// and the epochs (at least 10) make at least 300 steps in all. MlpExpert (largest batch 128)
// and MoEModel (256) say why in src/experts/mlp-schedule.ts and src/model/moe-schedule.ts.

const DEFAULT_EPOCHS = 10;
const MIN_STEPS = 300;
const BATCHES_PER_EPOCH = 16;
/** At least 8 rows, so a top-1 MoE step still gives a few experts a row each. */
const MIN_BATCH = 8;

export interface Schedule {
  epochs: number;
  batchSize: number;
}

/** The schedule for `rows` training rows and batches of at most `maxBatch`; a value the user gave (not null / undefined) stays as given. */
export function rowSchedule(rows: number, maxBatch: number, given: { epochs?: number | null; batchSize?: number | null }): Schedule {
  const n = Math.max(1, rows);
  const batchSize = given.batchSize ?? Math.min(maxBatch, Math.max(MIN_BATCH, 2 ** Math.floor(Math.log2(n / BATCHES_PER_EPOCH))));
  const steps = Number.isInteger(batchSize) && batchSize > 0 ? Math.ceil(n / Math.min(batchSize, n)) : 1; // a bad batch is fit's to refuse
  return { epochs: given.epochs ?? Math.max(DEFAULT_EPOCHS, Math.ceil(MIN_STEPS / steps)), batchSize };
}
