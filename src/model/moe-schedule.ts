// MoEModel's batch size and epochs when the user leaves them unset (src/train/schedule.ts).
// Batch 256 × 10 epochs was set on (Fashion-)MNIST, where it makes 320–2,350 Adam steps; on
// iris's 112 rows it makes 10, and the model barely leaves its initialisation (held out: 0.41, a
// dense MLP 0.77; with the rule 0.85 — test/moe-shapes.test.ts). From 7,425 rows up the rule
// gives the old 256 × 10, so the (Fashion-)MNIST figures stay as they were.
import { type Schedule, rowSchedule } from '../train/schedule.js';

/** The largest batch. */
const DEFAULT_BATCH = 256;

export type { Schedule };

/** The schedule for `rows` training rows; a value the user gave (not null) stays as given. */
export function moeSchedule(rows: number, given: { epochs: number | null; batchSize: number | null }): Schedule {
  return rowSchedule(rows, DEFAULT_BATCH, given);
}
