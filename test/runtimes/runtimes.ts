// Runs scenario.mjs in each real runtime and returns the saved model file's bytes: Node, Deno
// and Bun (their npm packages) on dist/index.js with worker threads, and Cloudflare's workerd
// (through miniflare 4) on dist/index.edge.js with the kernels as a precompiled module binding.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;
const main = fileURLToPath(new URL('main.mjs', import.meta.url));

export type Runtime = 'node' | 'deno' | 'bun' | 'workerd';

const commands: Record<Exclude<Runtime, 'workerd'>, string[]> = {
  node: [process.execPath, main],
  deno: [bin('deno'), 'run', '--allow-read', '--allow-env', '--allow-sys', main],
  bun: [bin('bun'), 'run', main],
};

/** The runtime's version line, for the test output. */
export async function version(runtime: Runtime): Promise<string> {
  if (runtime === 'workerd') return (await run(bin('workerd'), ['--version'])).stdout.trim();
  const [file] = commands[runtime];
  return `${runtime} ${(await run(file, ['--version'])).stdout.trim().replace(/^\D+/, '').split(/\s/)[0]}`;
}

export async function trainAndSaveIn(runtime: Runtime, workers: number): Promise<Uint8Array> {
  if (runtime === 'workerd') return workerd();
  const [file, ...args] = commands[runtime];
  const { stdout } = await run(file, [...args, String(workers)], { cwd: root, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 << 20 });
  return Buffer.from(stdout.trim(), 'base64');
}

async function workerd(): Promise<Uint8Array> {
  const entry = `
    import * as lib from ${JSON.stringify(`${root}dist/index.edge.js`)};
    import { trainAndSave } from ${JSON.stringify(fileURLToPath(new URL('scenario.mjs', import.meta.url)))};
    import kernels from './kernels.wasm';
    export default { async fetch() { return new Response(await trainAndSave(lib, { workers: 0, module: kernels })); } };`;
  const bundle = await esbuild.build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' }, bundle: true, format: 'esm', platform: 'neutral', write: false, external: ['./kernels.wasm'],
  });
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare({
    compatibilityDate: '2025-01-01',
    modules: [
      { type: 'ESModule', path: 'worker.mjs', contents: bundle.outputFiles[0].text },
      { type: 'CompiledWasm', path: 'kernels.wasm', contents: readFileSync(`${root}dist/kernels.wasm`) },
    ],
  });
  try {
    const res = await mf.dispatchFetch('http://localhost/');
    const text = await res.text();
    if (!res.ok) throw new Error(`workerd answered ${res.status}: ${text.slice(0, 500)}`);
    return Buffer.from(text, 'base64');
  } finally {
    await mf.dispose();
  }
}
