// dist/index.edge.js inside an Edge Runtime VM that, like Cloudflare Workers and Vercel Edge,
// refuses to compile wasm at run time: the kernels are compiled outside and passed in.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EdgeVM } from '@edge-runtime/vm';
import * as esbuild from 'esbuild';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkGemm } from '../browser/gemm-check.js';
import { trainMixture } from '../browser/train-check.js';
import type * as Lib from '../../src/entry/edge.js';
import * as NodeLib from '../../src/entry/node.js';
import { allEqual } from '../util/close.js';

const dist = new URL('../../dist/', import.meta.url);

/**
 * The package's edge entries (the root and /backend), bundled as an edge deploy bundles them and
 * evaluated in a fresh VM; the iife format only changes how exports are returned.
 */
async function loadInEdgeVM(codeGeneration = { strings: false, wasm: false }): Promise<{ vm: EdgeVM; lib: typeof Lib }> {
  const { outputFiles } = await esbuild.build({
    stdin: { contents: "export * from './index.edge.js'; export * from './backend.edge.js';", resolveDir: fileURLToPath(dist) },
    bundle: true, write: false, format: 'iife', globalName: '__lib', target: 'es2022', logLevel: 'silent',
  });
  const code = outputFiles[0].text;
  const vm = new EdgeVM({ codeGeneration });
  vm.evaluate(`${code};globalThis.__lib = __lib;`);
  return { vm, lib: vm.context.__lib as typeof Lib };
}

test('the VM refuses to compile wasm from bytes, as edge runtimes do', async () => {
  const { vm } = await loadInEdgeVM();
  const bytes = readFileSync(new URL('kernels.wasm', dist));
  vm.context.__bytes = new Uint8Array(bytes);
  // Thrown in the VM's realm, so matched by name and message rather than instanceof.
  assert.throws(() => vm.evaluate('new WebAssembly.Module(__bytes)'), (e: Error) => e.name === 'CompileError' && /disallowed by embedder/.test(e.message));
});

test('init({ bytes }) where compiling is refused fails with ERR_WASM_LOAD and points to init({ module })', async () => {
  const { lib } = await loadInEdgeVM();
  try {
    await lib.init({ bytes: new Uint8Array(readFileSync(new URL('kernels.wasm', dist))) });
    assert.unreachable('init({ bytes }) resolved');
  } catch (err) {
    const e = err as { code?: string; message: string };
    assert.is(e.code, 'ERR_WASM_LOAD', e.message);
    assert.match(e.message, 'init({ module })');
  }
});

test('init() without a module fails with ERR_WASM_LOAD and says what to do', async () => {
  const { lib } = await loadInEdgeVM();
  try {
    await lib.init();
    assert.unreachable('init() resolved');
  } catch (err) {
    const e = err as { code?: string; message: string };
    assert.is(e.code, 'ERR_WASM_LOAD', e.message);
    assert.match(e.message, 'init({ module');
  }
});

test('init({ module }) with a module precompiled in the same realm (Cloudflare) runs gemm like the reference', async () => {
  // Compiled by the platform at deploy time, in the worker's own realm; after that, any
  // compile from bytes throws, as in workerd.
  const { vm, lib } = await loadInEdgeVM({ strings: false, wasm: true });
  vm.context.__bytes = new Uint8Array(readFileSync(new URL('kernels.wasm', dist)));
  vm.evaluate(`
    globalThis.__module = new WebAssembly.Module(__bytes);
    const refuse = () => { throw new Error('Wasm code generation disallowed by embedder'); };
    const instantiate = WebAssembly.instantiate;
    WebAssembly.compile = refuse;
    WebAssembly.instantiate = (m, imports) => m instanceof WebAssembly.Module ? instantiate(m, imports) : refuse();
  `);
  const backend = await lib.init({ module: vm.context.__module as WebAssembly.Module });
  assert.is(backend.name, 'wasm-simd');
  assert.ok(checkGemm(backend, new lib.ReferenceBackend(), 7) > 0);
});

test('init({ module }) with a module compiled outside the sandbox (Next.js / Vercel edge) runs gemm', async () => {
  const { lib } = await loadInEdgeVM();
  // Next.js compiles a middleware's wasm in Node and hands the Module to the edge sandbox.
  const module = new WebAssembly.Module(readFileSync(new URL('kernels.wasm', dist)));
  const backend = await lib.init({ module });
  assert.is(backend.name, 'wasm-simd');
  assert.ok(checkGemm(backend, new lib.ReferenceBackend(), 8) > 0);
});

test("init({ backend: 'reference' }) works with no wasm at all and computes a product", async () => {
  const { lib } = await loadInEdgeVM();
  const backend = await lib.init({ backend: 'reference' });
  assert.is(backend.name, 'reference');
  // [1 2; 3 4]·[5; 6] by hand.
  const a = backend.upload(new Float32Array([1, 2, 3, 4])), b = backend.upload(new Float32Array([5, 6])), c = backend.alloc(2);
  backend.gemm(false, false, 2, 1, 2, a, b, c);
  assert.equal(Array.from(backend.read(c)), [17, 39]);
});

/** Two MLP experts on seeded blobs, trained on the calling thread; their weights and probabilities. */
async function trainSmall(lib: typeof Lib, backend: Lib.Backend) {
  const rng = new lib.Rng(5);
  const classes = 3, centers = Array.from({ length: classes }, () => Array.from({ length: 6 }, () => rng.normal() * 3));
  const x = Array.from({ length: 150 }, (_, i) => centers[i % classes].map((c) => c + rng.normal()));
  const ds = lib.fromArrays(x, x.map((_, i) => i % classes), { classes });
  const model = new lib.SparseExpertModel({ experts: 2, expert: { kind: 'mlp', hidden: [8], optimizer: { kind: 'adam', lr: 0.01 }, fit: { epochs: 10, batchSize: 16 } }, combine: 'convex', workers: 'auto', seed: 4, backend });
  const report = await model.fit(ds);
  const proba = await model.predictProba(ds.x, ds.rows);
  const out = {
    workers: report.workers,
    accuracy: lib.accuracy(ds.y, await model.predict(ds.x, ds.rows)),
    weights: model.expertList().flatMap((e) => e.toState().tensors.map((t) => Float32Array.from(t.data))),
    proba: Float32Array.from(proba),
  };
  model.dispose();
  return out;
}

test('a small model trains in the edge VM, on the calling thread, to the same bytes as in Node', async () => {
  const { lib } = await loadInEdgeVM();
  const module = new WebAssembly.Module(readFileSync(new URL('kernels.wasm', dist)));
  const edge = await trainSmall(lib, await lib.init({ module }));
  const node = await trainSmall(NodeLib, await NodeLib.init({ build: 'simd' }));
  assert.is(edge.workers, 0, "workers: 'auto' has no workers to use here");
  assert.ok(edge.accuracy > 0.9, `accuracy ${edge.accuracy}`);
  assert.is(edge.weights.length, node.weights.length);
  edge.weights.forEach((w, i) => allEqual(w, node.weights[i], 4, `tensor ${i}`));
  allEqual(edge.proba, node.proba, 4, 'probabilities');
});

test('a mixture of experts trains in the edge VM to the same model file as in Node', async () => {
  const { lib } = await loadInEdgeVM();
  const module = new WebAssembly.Module(readFileSync(new URL('kernels.wasm', dist)));
  const edge = await trainMixture(lib, await lib.init({ module }));
  const node = await trainMixture(NodeLib, await NodeLib.init({ build: 'simd' }));
  assert.ok(edge.accuracy > 0.9, `accuracy ${edge.accuracy}`);
  assert.ok(edge.file === node.file, `the edge VM's model file (${edge.file.length / 2} bytes) differs from Node's`);
});

test.run();
