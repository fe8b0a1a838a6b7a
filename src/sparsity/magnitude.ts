// Magnitude masks: prune the round(sparsity·n) smallest |w|, exactly, per layer or
// globally across layers. Ties are broken by position (the earlier weight goes first),
// so the mask is a pure function of the weights.
import { fail } from '../errors.js';

/** Mask (1 keep, 0 prune) of one weight array; `prior` zeros stay pruned. */
export function magnitudeMask(w: Float32Array, sparsity: number, prior?: ArrayLike<number> | null): Float32Array {
  return magnitudeMasks([w], sparsity, prior ? [prior] : undefined)[0];
}

/**
 * One ranking over all arrays together (global magnitude pruning): exactly
 * round(sparsity·Σn) zeros in total, placed on the smallest |w| wherever they are. Weights
 * a prior mask already pruned rank below every surviving weight, so they stay pruned
 * (and if they alone exceed the target, the result keeps them all pruned).
 */
export function magnitudeMasks(ws: readonly Float32Array[], sparsity: number, priors?: readonly (ArrayLike<number> | null)[]): Float32Array[] {
  if (!(sparsity >= 0 && sparsity <= 1)) fail('ERR_BAD_ARGUMENT', `sparsity must be in [0, 1], got ${sparsity}`);
  if (priors && priors.length !== ws.length) fail('ERR_BAD_SHAPE', `${priors.length} prior masks for ${ws.length} weight arrays`);
  const total = ws.reduce((s, w) => s + w.length, 0);
  const keys = new Float32Array(total);
  let at = 0, alreadyPruned = 0;
  ws.forEach((w, a) => {
    const prior = priors?.[a];
    if (prior && prior.length !== w.length) fail('ERR_BAD_SHAPE', `prior mask ${a} has ${prior.length} values for ${w.length} weights`);
    for (let i = 0; i < w.length; i++) {
      if (!Number.isFinite(w[i])) fail('ERR_NON_FINITE', `weight ${i} of array ${a} is ${w[i]}: cannot rank it by magnitude`);
      const pruned = prior ? prior[i] === 0 : false;
      keys[at++] = pruned ? -1 : Math.abs(w[i]);
      if (pruned) alreadyPruned++;
    }
  });
  const zeros = Math.max(Math.round(sparsity * total), alreadyPruned);
  const keep = new Float32Array(total).fill(1);
  if (zeros > 0) {
    // The zeros-th smallest key is the threshold: everything below it goes, then the
    // ties at the threshold in index order until the count is exact.
    const t = keys.slice().sort()[zeros - 1];
    let left = zeros;
    for (let i = 0; i < total; i++) if (keys[i] < t) { keep[i] = 0; left--; }
    for (let i = 0; i < total && left > 0; i++) if (keys[i] === t) { keep[i] = 0; left--; }
  }
  at = 0;
  return ws.map((w) => keep.slice(at, (at += w.length)));
}
