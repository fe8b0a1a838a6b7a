// MlpExpert's batch size and epochs when the user leaves them unset, taken from its training
// rows as MoEModel's are (src/model/moe-schedule.ts). The seed's batch 128 × 10 epochs makes 30
// Adam steps on 300 rows and the MLP barely leaves its initialisation (held out, the mean of
// two seeds: iris 0.67, 300 MNIST digits 0.85; test/small-data.test.ts). So the batch is at
// most rows / 16 and the epochs make at least MIN_STEPS steps; from 3,713 rows up that is the
// seed's 128 × 10. Given epochs keep the seed's batch: the run's length is the caller's (the
// report's recipe gives 10 epochs to experts of 1,440 rows and must train as the seed did).

/** The largest batch and the fewest epochs: the seed's. */
const DEFAULT_BATCH = 128;
const DEFAULT_EPOCHS = 10;
/** Optimizer steps in all, at least (MoEModel's floor). */
const MIN_STEPS = 300;
/** The batch is the largest power of two ≤ rows / 16 (16 steps an epoch or more) … */
const BATCHES_PER_EPOCH = 16;
/** … but at least 8 rows. */
const MIN_BATCH = 8;

export interface MlpSchedule {
  epochs: number;
  batchSize: number;
}

/** The schedule for `rows` training rows; a value the user gave (not undefined) stays as given. */
export function mlpSchedule(rows: number, given: { epochs?: number; batchSize?: number }): MlpSchedule {
  if (given.epochs !== undefined) return { epochs: given.epochs, batchSize: given.batchSize ?? DEFAULT_BATCH };
  const n = Math.max(1, rows);
  const batchSize = given.batchSize ?? Math.min(DEFAULT_BATCH, Math.max(MIN_BATCH, 2 ** Math.floor(Math.log2(n / BATCHES_PER_EPOCH))));
  const steps = Number.isInteger(batchSize) && batchSize > 0 ? Math.ceil(n / Math.min(batchSize, n)) : 1; // a bad batch is fit's to refuse
  return { epochs: Math.max(DEFAULT_EPOCHS, Math.ceil(MIN_STEPS / steps)), batchSize };
}
