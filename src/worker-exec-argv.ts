// The Node options a worker thread inherits: the parent's, minus those only a main script
// takes. `node --input-type=module -e …` would otherwise start every worker with
// --input-type, which Node refuses for a file ("can only be used with string input"); flags
// such as --experimental-wasm-relaxed-simd must still reach the worker.
export function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => !a.startsWith('--input-type'));
}
