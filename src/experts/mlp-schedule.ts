// MlpExpert's batch size and epochs when the user leaves them unset (src/train/schedule.ts).
// The seed's batch 128 × 10 epochs makes 30 Adam steps on 300 rows and the MLP barely leaves
// its initialisation (held out, the mean of two seeds: iris 0.67, 300 MNIST digits 0.85;
// test/small-data.test.ts); from 3,713 rows up the rule gives the seed's 128 × 10. Given epochs
// keep the seed's batch: the run's length is the caller's (the report's recipe gives 10 epochs
// to experts of 1,440 rows and must train as the seed did).
import { type Schedule, rowSchedule } from '../train/schedule.js';

/** The largest batch: the seed's. */
const DEFAULT_BATCH = 128;

/** The schedule for `rows` training rows; a value the user gave (not undefined) stays as given. */
export function mlpSchedule(rows: number, given: { epochs?: number; batchSize?: number }): Schedule {
  if (given.epochs !== undefined) return { epochs: given.epochs, batchSize: given.batchSize ?? DEFAULT_BATCH };
  return rowSchedule(rows, DEFAULT_BATCH, given);
}
