// Run only the experts each row was routed to, each once on all of its rows, and add their
// outputs into place with the scatter-add kernel (weights per row × choice).
import { fail } from '../errors.js';
import type { Backend, F32 } from '../backend/backend.js';
import type { ExpertEvaluator, SparseResult } from './combiner.js';

/** choice and weight are rows × k: expert ids (−1 = none) and their weights. */
export async function evaluateRouted(b: Backend, rows: number, experts: number, k: number, choice: Int32Array, weight: Float32Array, evaluate: ExpertEvaluator): Promise<SparseResult> {
  const perExpert = new Array<number>(experts).fill(0);
  const lists = Array.from({ length: experts }, () => ({ rows: [] as number[], w: [] as number[] }));
  for (let i = 0; i < rows * k; i++) {
    const e = choice[i];
    if (e < 0) continue;
    lists[e].rows.push(Math.floor(i / k));
    lists[e].w.push(weight[i]);
  }
  let width = 0, dst: F32 | null = null;
  try {
    for (let e = 0; e < experts; e++) {
      const count = lists[e].rows.length;
      if (count === 0) continue;
      const idx = Int32Array.from(lists[e].rows);
      const out = await evaluate(e, idx);
      if (!(out instanceof Float32Array) || out.length === 0 || out.length % count !== 0) fail('ERR_BAD_SHAPE', `expert ${e} returned ${out?.length} values for ${count} rows`);
      if (dst === null) dst = b.alloc(rows * (width = out.length / count));
      else if (out.length !== count * width) fail('ERR_BAD_SHAPE', `expert ${e} returned ${out.length / count} values per row, earlier experts ${width}`);
      for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) fail('ERR_NON_FINITE', `expert ${e}'s output for row ${idx[Math.floor(i / width)]} is ${out[i]}`);
      const src = b.upload(out), ib = b.upload(idx), wb = b.upload(Float32Array.from(lists[e].w));
      try {
        b.scatterAddRows(src, width, ib, count, dst, wb);
      } finally {
        for (const buf of [src, ib, wb]) b.free(buf);
      }
      perExpert[e] = count;
    }
    const evaluations = perExpert.reduce((a, v) => a + v, 0);
    return { output: dst ? b.read(dst) : new Float32Array(0), evaluations, saved: rows * experts - evaluations, perExpert };
  } finally {
    if (dst) b.free(dst);
  }
}
