// MoEModel's batch size and epochs when the user leaves them unset: taken from the number of
// training rows. Batch 256 × 10 epochs was set on (Fashion-)MNIST, where it makes 320–2,350
// Adam steps; on iris's 112 rows it makes 10, and the model barely leaves its initialisation
// (held out: 0.41, a dense MLP 0.77; with this rule 0.85 — test/moe-shapes.test.ts). So the batch
// is at most rows / 16 and the epochs make at least MIN_STEPS steps; from 7,425 rows up
// that is the old 256 × 10, so the (Fashion-)MNIST figures stay as they were.

/** The largest batch and the fewest epochs. */
const DEFAULT_BATCH = 256;
const DEFAULT_EPOCHS = 10;
/** Optimizer steps in all, at least: 8,000 MNIST rows at the defaults make 320. */
const MIN_STEPS = 300;
/** The batch is the largest power of two ≤ rows / 16 (16 steps an epoch or more) … */
const BATCHES_PER_EPOCH = 16;
/** … but at least 8 rows, so a top-1 step still gives a few experts a row each. */
const MIN_BATCH = 8;

export interface Schedule {
  epochs: number;
  batchSize: number;
}

/** The schedule for `rows` training rows; a value the user gave (not null) stays as given. */
export function moeSchedule(rows: number, given: { epochs: number | null; batchSize: number | null }): Schedule {
  const n = Math.max(1, rows);
  const batchSize = given.batchSize ?? Math.min(DEFAULT_BATCH, Math.max(MIN_BATCH, 2 ** Math.floor(Math.log2(n / BATCHES_PER_EPOCH))));
  const steps = Math.ceil(n / Math.min(batchSize, n));
  return { epochs: given.epochs ?? Math.max(DEFAULT_EPOCHS, Math.ceil(MIN_STEPS / steps)), batchSize };
}
