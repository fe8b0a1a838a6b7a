// Node entry: kernels are read from the package's dist/ folder, workers are worker_threads.
import { installNodeRuntime } from './node-runtime.js';

installNodeRuntime();

// The core bundle: every surface (the build makes each package entry re-export its own part).
export * from '../index.node.js';
export * from '../backend/index.js';
export * from '../parallel/index.js';
export * from '../nn/index.js';
