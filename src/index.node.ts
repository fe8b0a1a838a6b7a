// The package root in Node: the portable root plus the MNIST loader (it reads the optional
// `mnist` package's files). Re-exports only.
export * from './index.js';
export { loadMnist, mnistAll } from './data/mnist.js';
export type { MnistOptions } from './data/mnist.js';
