// Training shared by the browser page and Node: the same seeded model, so its weight bytes must
// be identical in both runtimes (plain SIMD build: FMA would round differently).
import type * as Lib from '../../src/entry/browser.js';

/** Two small MLP experts on seeded blobs; returns every expert weight, the combined probabilities and the fit report's worker count. */
export async function trainBlobs(lib: typeof Lib, workers: number): Promise<{ weights: Float32Array; proba: Float32Array; accuracy: number; workers: number }> {
  const backend = await lib.init({ build: 'simd' });
  const rng = new lib.Rng(11);
  const rows = 240, cols = 12, classes = 3;
  const centers = Array.from({ length: classes }, () => Array.from({ length: cols }, () => rng.normal() * 3));
  const x: number[][] = [], y: number[] = [];
  for (let i = 0; i < rows; i++) {
    x.push(centers[i % classes].map((c) => c + rng.normal()));
    y.push(i % classes);
  }
  const ds = lib.fromArrays(x, y, { classes });
  const model = new lib.SparseExpertModel({
    experts: 2, expert: { kind: 'mlp', hidden: [16], optimizer: { kind: 'adam', lr: 0.01 }, fit: { epochs: 10, batchSize: 16 } }, partition: 'shuffled',
    combine: 'convex', workers, seed: 3, backend,
  });
  const report = await model.fit(ds);
  const proba = await model.predictProba(ds.x, ds.rows);
  const accuracy = lib.accuracy(ds.y, await model.predict(ds.x, ds.rows));
  const tensors = model.expertList().flatMap((e) => e.toState().tensors.map((t) => Array.from(t.data)));
  model.dispose();
  return { weights: Float32Array.from(tensors.flat()), proba, accuracy, workers: report.workers };
}

/** A small mixture of experts (top-2, noisy, bias-balanced) on seeded blobs: its accuracy and its model file as hex. */
export async function trainMixture(lib: Pick<typeof Lib, 'Rng' | 'fromArrays' | 'MoEModel'>, backend: Lib.Backend): Promise<{ accuracy: number; file: string }> {
  const rng = new lib.Rng(6);
  const centers = Array.from({ length: 3 }, () => Array.from({ length: 5 }, () => rng.normal() * 3));
  const x = Array.from({ length: 120 }, (_, i) => centers[i % 3].map((c) => c + rng.normal()));
  const ds = lib.fromArrays(x, x.map((_, i) => i % 3), { classes: 3 });
  const model = new lib.MoEModel({ experts: 3, hidden: 6, k: 2, noise: true, epochs: 15, batchSize: 16, optimizer: { kind: 'adam', lr: 0.01 }, seed: 2, backend });
  await model.fit(ds);
  const bytes = model.save();
  const out = { accuracy: (await model.evaluate(ds)).acc!, file: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') };
  model.dispose();
  return out;
}

/** Every byte of a float array, as hex: what the page sends Node to compare. */
export function hex(a: Float32Array): string {
  return Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A short exact fingerprint of a float array (its bits). */
export function digest(a: Float32Array): string {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length);
  let h = 0x811c9dc5;
  for (let i = 0; i < u.length; i++) h = Math.imul(h ^ u[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
