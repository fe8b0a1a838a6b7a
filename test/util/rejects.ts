// A promise that must fail with one of the library's typed errors.
import * as assert from 'uvu/assert';
import { SparseExpertsError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';

/** Asserts that `p` rejects with a SparseExpertsError of `code`; `what` names the case. */
export async function rejectsWith(p: Promise<unknown>, code: ErrorCode, what: string): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.instance(err, SparseExpertsError, `${what}: no typed error`);
  assert.is((err as SparseExpertsError).code, code, what);
}
