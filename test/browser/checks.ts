// Page-side checks, each run in Chromium as one test: a check receives the library
// (dist/index.browser.js) and throws on failure; what it returns is printed next to its
// name. To add a browser check, export one more async function here.
import { checkGemm } from './gemm-check.js';
import { checkKernels } from './kernel-check.js';
import { digest, hex, trainBlobs, trainMixture } from './train-check.js';
import { trainAndSave } from '../runtimes/scenario.mjs';
import type * as Lib from '../../src/entry/browser.js';

type Check = (lib: typeof Lib) => Promise<string | void>;

export const defaultInitPicksRelaxed: Check = async (lib) => {
  const backend = await lib.init();
  // Chromium validates relaxed SIMD, so 'auto' must take the FMA build.
  if (backend.name !== 'wasm-relaxed') throw new Error(`init() chose ${backend.name}, expected wasm-relaxed`);
  return `init() chose ${backend.name}`;
};

export const gemmSimdMatchesReference: Check = async (lib) => {
  const backend = await lib.init({ build: 'simd' });
  return `${checkGemm(backend, new lib.ReferenceBackend(), 21)} products on ${backend.name}`;
};

export const gemmRelaxedMatchesReference: Check = async (lib) => {
  const backend = await lib.init({ build: 'relaxed' });
  return `${checkGemm(backend, new lib.ReferenceBackend(), 22)} products on ${backend.name}`;
};

export const everyKernelOnTheBuildChromiumPicksMatchesReference: Check = async (lib) => {
  const backend = await lib.init(); // 'auto': the relaxed (FMA) build here
  const reference = new lib.ReferenceBackend();
  let calls = 0;
  for (const seed of [31, 32, 33]) calls += checkKernels(backend, reference, seed);
  return `${calls} kernel calls on ${backend.name}`;
};

export const initFromGivenUrl: Check = async (lib) => {
  const url = new URL('/dist/kernels.wasm', location.href);
  const backend = await lib.init({ build: 'simd', url });
  return `${checkGemm(backend, new lib.ReferenceBackend(), 23)} products from ${url.pathname}`;
};

export const missingKernelsFailWithCode: Check = async (lib) => {
  try {
    await lib.init({ url: new URL('/no-such/kernels.wasm', location.href) });
  } catch (err) {
    const e = err as { code?: string; message: string };
    if (e.code !== 'ERR_WASM_LOAD' || !e.message.includes('init({ url })')) throw new Error(`wrong error: ${e.code} ${e.message}`);
    return e.code;
  }
  throw new Error('init() from a missing URL resolved');
};

export const trainsInWebWorkersLikeOnThePage: Check = async (lib) => {
  const inline = await trainBlobs(lib, 0);
  const workers = await trainBlobs(lib, 2);
  if (workers.workers !== 2) throw new Error(`the fit report says ${workers.workers} workers, not 2`);
  if (hex(inline.weights) !== hex(workers.weights)) throw new Error('2 Web Workers gave other weights than the page thread');
  if (digest(inline.proba) !== digest(workers.proba)) throw new Error('2 Web Workers gave other predictions than the page thread');
  if (inline.accuracy < 0.9) throw new Error(`accuracy ${inline.accuracy}`);
  // The Node side compares these weight bytes with its own run (browser.test.ts).
  return `digest ${digest(inline.proba)}, accuracy ${inline.accuracy.toFixed(3)}, weights ${hex(inline.weights)}`;
};

export const savesTheModelFileOtherRuntimesSave: Check = async (lib) => {
  // Returns the file (base64): the Node side saves the same model and compares (browser.test.ts).
  return trainAndSave(lib, { workers: 2 });
};

export const mixtureOfExpertsTrainsOnThePage: Check = async (lib) => {
  const { accuracy, file } = await trainMixture(lib, await lib.init({ build: 'simd' }));
  if (accuracy < 0.9) throw new Error(`accuracy ${accuracy}`);
  // The Node side trains the same mixture and compares the file (browser.test.ts).
  return `moe file ${file}`;
};
