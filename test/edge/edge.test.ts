// dist/index.edge.js inside an Edge Runtime VM that, like Cloudflare Workers and Vercel Edge,
// refuses to compile wasm at run time: the kernels are compiled outside and passed in.
import { readFileSync } from 'node:fs';
import { EdgeVM } from '@edge-runtime/vm';
import * as esbuild from 'esbuild';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkGemm } from '../browser/gemm-check.js';
import type * as Lib from '../../src/entry/edge.js';

const dist = new URL('../../dist/', import.meta.url);

/** The edge bundle, evaluated in a fresh VM; ESM → script only changes how exports are returned. */
async function loadInEdgeVM(codeGeneration = { strings: false, wasm: false }): Promise<{ vm: EdgeVM; lib: typeof Lib }> {
  const source = readFileSync(new URL('index.edge.js', dist), 'utf8');
  const { code } = await esbuild.transform(source, { format: 'iife', globalName: '__lib', target: 'es2022' });
  const vm = new EdgeVM({ codeGeneration });
  vm.evaluate(`${code};globalThis.__lib = __lib;`);
  return { vm, lib: vm.context.__lib as typeof Lib };
}

test('the VM refuses to compile wasm from bytes, as edge runtimes do', async () => {
  const { vm } = await loadInEdgeVM();
  const bytes = readFileSync(new URL('kernels.wasm', dist));
  vm.context.__bytes = new Uint8Array(bytes);
  await assert.throws(() => vm.evaluate('new WebAssembly.Module(__bytes)'));
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

test("init({ backend: 'reference' }) works with no wasm at all", async () => {
  const { lib } = await loadInEdgeVM();
  const backend = await lib.init({ backend: 'reference' });
  assert.is(backend.name, 'reference');
});

test.run();
