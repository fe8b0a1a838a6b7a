// Elementwise comparison with absolute and relative tolerance; the message names the seed.

/** Throws unless |got − want| ≤ atol + rtol·|want| everywhere (NaN matches only NaN). */
export function allClose(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number, seed: number, what = 'values'): void {
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length} ≠ ${want.length} (seed ${seed})`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= atol + rtol * Math.abs(w)) continue;
    throw new Error(`${what}[${i}] = ${g}, expected ${w} (atol ${atol}, rtol ${rtol}; seed ${seed}: rerun with SEED=${seed})`);
  }
}

/** Throws unless the arrays are equal element for element. */
export function allEqual(got: ArrayLike<number>, want: ArrayLike<number>, seed: number, what = 'values'): void {
  allClose(got, want, 0, 0, seed, what);
}
