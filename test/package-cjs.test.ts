// The CommonJS bundle, loaded by name through the exports map as a `require` user would,
// finds its kernels and computes like the reference backend.
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkGemm } from './browser/gemm-check.js';
import type * as Lib from '../src/entry/node.js';

const require = createRequire(new URL('../package.json', import.meta.url));

test("require('sparse-experts') loads dist/index.cjs and runs gemm like the reference", async () => {
  assert.ok(require.resolve('sparse-experts').endsWith('dist/index.cjs'));
  const lib = require('sparse-experts') as typeof Lib;
  const { ReferenceBackend, createBackend } = require('sparse-experts/backend') as typeof Lib;
  const backend = await lib.init({ build: 'simd' });
  assert.is(backend.name, 'wasm-simd');
  assert.ok(checkGemm(backend, new ReferenceBackend(), 11) > 0);
  assert.is(await lib.getBackend(), backend, 'the root and /backend share one module state');
  assert.ok((await createBackend({ build: 'simd' })) !== backend, "/backend's createBackend is its own");
  assert.is((lib as Record<string, unknown>).ReferenceBackend, undefined, 'the root exports only the user API');
});

test.run();
