import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Turn, alternateEpochs, rowsPerSecond } from '../bench/util/alternate.js';

/** A stand-in for fit: `epochs` epochs through the turn's callbacks, each yielding mid-way (as fit's batches do). */
async function fakeFit(name: string, epochs: number, log: string[], turn: Turn, failAt = -1): Promise<string> {
  for (let e = 0; e < epochs; e++) {
    await turn.callbacks.onEpochBegin!(e);
    log.push(`${name}${e}`);
    await new Promise((resolve) => setImmediate(resolve));
    if (e === failAt) throw new Error(`${name} failed`);
    log.push(`${name}${e}.`);
    await turn.callbacks.onEpochEnd!(e, { loss: 0 });
  }
  return name;
}

test('epochs alternate, never overlap, and a model that finishes drops out of the turns', async () => {
  const log: string[] = [];
  const turns: Turn[] = [];
  const [a, b] = await alternateEpochs<[string, string]>([
    (t) => (turns.push(t), fakeFit('a', 3, log, t)),
    (t) => (turns.push(t), fakeFit('b', 1, log, t)),
  ]);
  assert.equal([a, b], ['a', 'b']);
  // Each epoch's begin is followed by its own end before anything else starts.
  assert.equal(log, ['a0', 'a0.', 'b0', 'b0.', 'a1', 'a1.', 'a2', 'a2.']);
  assert.equal(turns.map((t) => t.epochSeconds.length), [3, 1]);
  assert.ok(turns.every((t) => t.epochSeconds.every((s) => s >= 0)));
  assert.ok(rowsPerSecond(100, turns[0]) > 0);
});

test('a fit that fails inside its epoch hands the turn on: the others finish, the error surfaces', async () => {
  const log: string[] = [];
  let finished = '';
  const run = alternateEpochs<[string, string]>([
    (t) => fakeFit('a', 2, log, t, 0),
    (t) => fakeFit('b', 2, log, t).then((r) => (finished = r)),
  ]);
  const err = await run.then(() => null, (e: Error) => e);
  assert.match(String(err?.message), /a failed/);
  // Promise.all rejects at once; b still gets the turn and ends.
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.is(finished, 'b');
  assert.equal(log, ['a0', 'b0', 'b0.', 'b1', 'b1.']);
});

test.run();
