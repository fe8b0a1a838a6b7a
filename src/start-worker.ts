// How Node starts a worker thread on a script file. A worker inherits the parent's Node
// options, and `node --input-type=module -e …` passes --input-type on, which Node refuses
// for a file ("can only be used with string input"). Giving the worker other options
// instead is no way out: V8 flags such as --experimental-wasm-relaxed-simd are inherited but
// rejected when listed. So such a parent starts its workers from string input that imports
// the file.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker, WorkerOptions } from 'node:worker_threads';

export function startWorker(W: typeof Worker, url: string | URL, options: WorkerOptions): Worker {
  if (!process.execArgv.some((a) => a.startsWith('--input-type'))) return new W(url, options);
  // A path string is relative to the working directory, as Worker takes it.
  const href = url instanceof URL ? url.href : url.startsWith('file:') ? url : pathToFileURL(resolve(url)).href;
  return new W(`import(${JSON.stringify(href)})`, { ...options, eval: true });
}
