// tfjs as every benchmark runs it: the wasm backend (the SIMD build when the runtime has
// SIMD), one thread; and what it reports about itself, for the self-check line.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { wasmLoaded } from './child.mjs';

/** Makes tfjs-backend-wasm the backend of `tf` (tfjs-core or tfjs), with one thread. */
export async function useTfjsWasm(tf) {
  setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);
  setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
}

export const tfjsSelf = (tf) => ({
  backend: tf.getBackend(), simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'), multithread: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'), threads: getThreadsCount(), wasm: wasmLoaded(),
});
