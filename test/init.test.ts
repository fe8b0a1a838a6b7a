// Loading a backend: the default and getBackend, kernels passed as bytes, the build chosen
// automatically in Node, bad options, and what import + init() load. What would replace this
// process's default runs in fresh processes: later files' tests rely on the default they find
// (backendFor caches by hash).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ReferenceBackend, createBackend, getBackend, init } from '../src/entry/node.js';
import { checkGemm } from './browser/gemm-check.js';

const dist = new URL('../dist/', import.meta.url);

async function rejects(p: Promise<unknown>, c: string): Promise<Error> {
  return p.then(() => assert.unreachable(`expected ${c}`), (e) => (assert.is(e.code, c, e.message), e));
}

test('init() with no options is the default getBackend() returns; a failed init keeps the default, which still computes', async () => {
  const first = await init();
  // assert.ok, not assert.is: on a mismatch uvu would diff two whole backends (minutes).
  assert.ok((await init()) === first, 'repeated init() returns the same backend');
  assert.ok((await getBackend()) === first);
  await rejects(init({ backend: 'gpu' as 'wasm' }), 'ERR_BAD_ARGUMENT');
  const after = await getBackend();
  assert.ok(after === first, 'a failed init keeps the default');
  assert.ok(checkGemm(after, new ReferenceBackend(), 3) > 0, 'the default still computes');
});

test("a bad backend option fails with ERR_BAD_ARGUMENT naming the choices", async () => {
  const e = await rejects(init({ backend: 'webgpu' as 'wasm' }), 'ERR_BAD_ARGUMENT');
  assert.match(e.message, "'wasm' or 'reference'");
  assert.match(e.message, 'webgpu');
});

test('a build that does not exist fails with ERR_BAD_ARGUMENT naming the builds', async () => {
  const e = await rejects(createBackend({ build: 'fast' as 'simd' }), 'ERR_BAD_ARGUMENT');
  assert.match(e.message, "'simd'");
  assert.match(e.message, '"fast"');
});

test('init({ bytes }) runs the plain build (a fresh process: the default stays); bytes that are not wasm fail with ERR_WASM_LOAD', async () => {
  const kernels = JSON.stringify(fileURLToPath(new URL('kernels.wasm', dist)));
  // [1 2; 3 4]·[5; 6] = [17; 39] on the backend made from the bytes.
  const product = `const b = await init({ bytes: readFileSync(${kernels}) }); const a = b.upload(new Float32Array([1, 2, 3, 4])), x = b.upload(new Float32Array([5, 6])), y = b.alloc(2);
    b.gemm(false, false, 2, 1, 2, a, x, y); console.log(b.name, Array.from(b.read(y)).join(' '));`;
  assert.is(inFreshNode([], product, "import { readFileSync } from 'node:fs';"), 'wasm-simd 17 39');
  const before = await getBackend();
  const e = await rejects(init({ bytes: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) }), 'ERR_WASM_LOAD');
  assert.match(e.message, 'could not compile the kernels');
  assert.ok((await getBackend()) === before, 'a failed init keeps the default');
});

test('import + init() load none of the Node modules the cold start does without (crypto, streams, worker_threads) until used', () => {
  const heavy = ['NativeModule crypto', 'NativeModule stream', 'NativeModule worker_threads'];
  const loaded = (body: string) => inFreshNode([], `${body}; console.log(JSON.stringify(process.moduleLoadList.filter((m) => ${JSON.stringify(heavy)}.includes(m))));`);
  const bare = new Set(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', `console.log(JSON.stringify(process.moduleLoadList))`], { encoding: 'utf8' })) as string[]);
  const added = (JSON.parse(loaded('await init()')) as string[]).filter((m) => !bare.has(m));
  assert.equal(added, [], 'loaded at import or init()');
  // The control: the list names them as loaded once they are.
  const later = (JSON.parse(loaded("await init(); await import('node:crypto'); await import('node:worker_threads')")) as string[]).filter((m) => !bare.has(m));
  assert.equal(later.sort(), heavy.filter((m) => !bare.has(m)));
});

/** What `body` (an ES module body with `init` imported from dist/) prints, in a fresh Node process started with `flags`. */
function inFreshNode(flags: string[], body: string, imports = ''): string {
  const script = `${imports} import { init } from ${JSON.stringify(new URL('index.js', dist).href)}; ${body}`;
  return execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
}

/** The backend name `init()` picks in a fresh Node process started with `flags`, or its error code. */
const autoBuild = (flags: string[], options = ''): string => inFreshNode(flags, `init(${options}).then((b) => console.log(b.name), (e) => console.log(e.code));`);

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
