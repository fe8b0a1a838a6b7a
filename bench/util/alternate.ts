// Trains models in one process with their epochs alternating (a, b, a, b, …), each epoch
// timed alone: a ratio of their rates then compares the same stretch of a shared machine,
// whose speed can drift 2× within a minute. Each fit gets callbacks that wait for the turn
// at the start of an epoch and hand it on at the end (first come, first served), so while
// one model trains the others only wait; a model that finishes drops out of the turns.
import type { Callbacks } from '../../src/train/fit.js';

/** Callbacks to pass to a fit, and the seconds its epochs took (filled in as it trains). */
export interface Turn {
  callbacks: Pick<Callbacks, 'onEpochBegin' | 'onEpochEnd'>;
  epochSeconds: number[];
}

/** Runs every `fit` with its Turn's callbacks, epochs alternating; their results in order. */
export async function alternateEpochs<T extends readonly unknown[]>(fits: readonly [...{ [K in keyof T]: (turn: Turn) => Promise<T[K]> }]): Promise<T> {
  const waiting: (() => void)[] = [];
  let busy = false;
  const acquire = () => (busy ? new Promise<void>((resolve) => waiting.push(resolve)) : void (busy = true));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else busy = false;
  };
  const holding = fits.map(() => false);
  const turns = fits.map((_, i): Turn => {
    let started = 0;
    const turn: Turn = {
      epochSeconds: [],
      callbacks: {
        onEpochBegin: async () => {
          await acquire();
          holding[i] = true;
          started = performance.now();
        },
        onEpochEnd: () => {
          turn.epochSeconds.push((performance.now() - started) / 1000);
          holding[i] = false;
          release();
        },
      },
    };
    return turn;
  });
  const results = await Promise.all(fits.map(async (fit: (turn: Turn) => Promise<unknown>, i) => {
    try {
      return await fit(turns[i]);
    } finally {
      // A fit that failed inside an epoch still holds the turn: hand it on so the others end.
      if (holding[i]) {
        holding[i] = false;
        release();
      }
    }
  }));
  return results as unknown as T;
}

/** rows × epochs / the epochs' seconds. */
export function rowsPerSecond(rows: number, turn: Turn): number {
  return (rows * turn.epochSeconds.length) / turn.epochSeconds.reduce((a, s) => a + s, 0);
}
