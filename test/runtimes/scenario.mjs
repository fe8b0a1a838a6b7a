// The model every runtime trains: the same seed, the plain SIMD kernels, three MLP experts
// and a convex combiner (host-side float code: its fit, the softmax over experts). Plain
// JavaScript on the library's public API, so Node, Deno, Bun and workerd run it unchanged.
// Returns the saved model file as base64.

/** `lib` is a runtime's bundle of sparse-experts; `module` the precompiled kernels where compiling is forbidden. */
export async function trainAndSave(lib, { workers, module }) {
  const backend = await lib.init(module ? { module, build: 'simd' } : { build: 'simd' });
  const rng = new lib.Rng(11);
  const rows = 240, cols = 12, classes = 3;
  const centers = Array.from({ length: classes }, () => Array.from({ length: cols }, () => rng.normal() * 3));
  const x = [], y = [];
  for (let i = 0; i < rows; i++) {
    x.push(centers[i % classes].map((c) => c + rng.normal()));
    y.push(i % classes);
  }
  const model = new lib.SparseExpertModel({
    experts: 3, partition: 'shuffled', combine: 'convex', workers, seed: 3, backend,
    expert: { kind: 'mlp', hidden: [16], optimizer: { kind: 'adam', lr: 0.01 }, fit: { epochs: 5, batchSize: 16 } },
  });
  await model.fit(lib.fromArrays(x, y, { classes }));
  const bytes = lib.saveModel(model);
  model.dispose();
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}
