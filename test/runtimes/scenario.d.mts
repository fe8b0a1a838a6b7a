// Types for scenario.mjs, imported by the TypeScript tests.
import type * as Lib from '../../src/index.js';
export function trainAndSave(lib: typeof Lib, options: { workers: number; module?: WebAssembly.Module }): Promise<string>;
