// Cold start: fresh node processes, from before the first import to a backend ready for
// work, interleaved across the sides being compared.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Side, interleave } from './interleave.js';
import { type Spread, spread } from './stats.js';

const dist = pathToFileURL(fileURLToPath(new URL('../../dist/index.js', import.meta.url))).href;

/** An ES module body that prints {"ms": …} from before its first import to `ready` resolving. */
const timed = (ready: string) => `const t = performance.now(); ${ready}; console.log(JSON.stringify({ ms: performance.now() - t }));`;

/** Our init() on a build, and tfjs-backend-wasm's setBackend('wasm') with one thread. */
export function coldStartSides(tfjsWasmDir: string, flagsForRelaxed: string[]): Side[] {
  const ours = timed(`const m = await import(${JSON.stringify(dist)}); await m.init()`);
  const theirs = timed(`const tf = await import('@tensorflow/tfjs-core'); const w = await import('@tensorflow/tfjs-backend-wasm');
    w.setWasmPaths(${JSON.stringify(tfjsWasmDir)}); w.setThreadsCount(1); await tf.setBackend('wasm'); await tf.ready()`);
  const script = (code: string) => ['--input-type=module', '-e', code];
  return [
    { name: 'sparse-experts init() (simd: Node 20 default)', args: script(ours) },
    { name: `sparse-experts init() (relaxed: ${flagsForRelaxed.join(' ') || 'default'})`, args: [...flagsForRelaxed, ...script(ours)] },
    { name: "tfjs-backend-wasm setBackend('wasm')", args: script(theirs) },
  ];
}

export function coldStartMs(sides: Side[], rounds: number): Map<string, Spread> {
  const runs = interleave<{ ms: number }>(sides, rounds);
  return new Map([...runs].map(([name, rs]) => [name, spread(rs.map((r) => r.ms))]));
}
