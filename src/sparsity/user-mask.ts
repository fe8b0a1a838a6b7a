// A caller's own mask (manual sparsity): checked for shape and 0/1 values.
import { fail } from '../errors.js';

/** A Float32Array copy of `mask` after checking it has `length` values, each 0 or 1. */
export function checkMask(mask: ArrayLike<number>, length: number, what = 'mask'): Float32Array {
  if (!mask || typeof mask.length !== 'number') fail('ERR_BAD_ARGUMENT', `${what} must be an array of 0s and 1s`);
  if (mask.length !== length) fail('ERR_BAD_SHAPE', `${what} has ${mask.length} values, the layer has ${length} weights (inputs × units)`);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const v = mask[i];
    if (v !== 0 && v !== 1) fail('ERR_BAD_ARGUMENT', `${what}[${i}] is ${v}: a mask holds only 0 (prune) and 1 (keep)`);
    out[i] = v;
  }
  return out;
}
