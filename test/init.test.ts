// Loading a backend: the default and getBackend, kernels passed as bytes, the build chosen
// automatically in Node (checked in fresh processes, with and without relaxed SIMD), and
// bad options.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend, getBackend, init } from '../src/entry/node.js';
import { checkGemm } from './browser/gemm-check.js';

const dist = new URL('../dist/', import.meta.url);

async function rejects(p: Promise<unknown>, c: string): Promise<Error> {
  return p.then(() => assert.unreachable(`expected ${c}`), (e) => (assert.is(e.code, c, e.message), e));
}

test('init() with no options is the default getBackend() returns; a failed init leaves a usable default', async () => {
  const first = await init();
  assert.is(await init(), first, 'repeated init() returns the same backend');
  assert.is(await getBackend(), first);
  await rejects(init({ backend: 'gpu' as 'wasm' }), 'ERR_BAD_ARGUMENT');
  const after = await getBackend();
  assert.ok(checkGemm(after, new ReferenceBackend(), 3) > 0, 'the default still computes');
});

test("a bad backend option fails with ERR_BAD_ARGUMENT naming the choices", async () => {
  const e = await rejects(init({ backend: 'webgpu' as 'wasm' }), 'ERR_BAD_ARGUMENT');
  assert.match(e.message, "'wasm' or 'reference'");
  assert.match(e.message, 'webgpu');
});

test('init({ bytes }) runs the plain build; bytes that are not wasm fail with ERR_WASM_LOAD', async () => {
  const backend = await init({ bytes: readFileSync(new URL('kernels.wasm', dist)) });
  assert.is(backend.name, 'wasm-simd');
  assert.ok(checkGemm(backend, new ReferenceBackend(), 5) > 0);
  const e = await rejects(init({ bytes: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) }), 'ERR_WASM_LOAD');
  assert.match(e.message, 'could not compile the kernels');
});

/** The backend name `init()` picks in a fresh Node process started with `flags`, or its error code. */
function autoBuild(flags: string[], options = ''): string {
  const script = `import { init } from ${JSON.stringify(new URL('index.js', dist).href)};
    init(${options}).then((b) => console.log(b.name), (e) => console.log(e.code));`;
  return execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
}

test('Node: init() picks the relaxed build exactly where relaxed SIMD is on; asking for it elsewhere fails', () => {
  // V8 ships relaxed SIMD from 11.4 (Node 21+); Node 20 has it behind a flag.
  const [major, minor] = process.versions.v8.split('.').map(Number);
  const shipped = major * 100 + minor >= 1104;
  assert.is(autoBuild(['--experimental-wasm-relaxed-simd']), 'wasm-relaxed');
  assert.is(autoBuild([]), shipped ? 'wasm-relaxed' : 'wasm-simd');
  assert.is(autoBuild([], "{ build: 'simd' }"), 'wasm-simd');
  if (!shipped) assert.is(autoBuild([], "{ build: 'relaxed' }"), 'ERR_WASM_LOAD');
});

test.run();
