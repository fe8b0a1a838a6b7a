// For the measured side of a benchmark (a plain node process running the built package):
// timing loops, and which wasm files the process compiled (the self-check line).
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Median milliseconds per call of `fn`: warm up, then `loops` timed loops of ≥ minMs. */
export function msPerCall(fn, { loops = 3, minMs = 300, warmMs = 200 } = {}) {
  const loop = (ms) => {
    let calls = 0;
    const start = performance.now();
    let now = start;
    do {
      fn();
      calls++;
      now = performance.now();
    } while (now - start < ms);
    return (now - start) / calls;
  };
  loop(warmMs);
  const times = Array.from({ length: Math.max(3, loops) }, () => loop(minMs)).sort((a, b) => a - b);
  return times[times.length >> 1];
}

// Every .wasm file a benchmark may load, by byte length (each differs).
const dirs = ['../../dist/', '../../node_modules/@tensorflow/tfjs-backend-wasm/dist/'];
const known = new Map();
for (const dir of dirs) {
  const path = fileURLToPath(new URL(dir, import.meta.url));
  for (const f of readdirSync(path).filter((n) => n.endsWith('.wasm'))) known.set(statSync(path + f).size, f);
}
const loaded = new Set();
// Modules of other sizes are Node's own (undici's HTTP parser) and not listed.
const note = (src) => {
  const file = known.get(src?.byteLength);
  if (file) loaded.add(file);
};
for (const name of ['compile', 'instantiate']) {
  const original = WebAssembly[name];
  WebAssembly[name] = (src, ...rest) => (note(src), original.call(WebAssembly, src, ...rest));
}
/** The .wasm files compiled so far in this process. */
export const wasmLoaded = () => [...loaded].sort();
