// sparse-experts/nn: networks of layers, for building and training your own (README: "Adding a
// layer", with Dense as the worked example). Re-exports only.
export { Network } from './network.js';
export type { CompileOptions, Evaluation, NamedTensor, NetworkOptions, NetworkSpec } from './network.js';
export { Dense } from './dense.js';
export type { DenseSpec } from './dense.js';
export type { ForwardMode, Layer, LayerInfo, LayerInput, LayerSpec, SparseRows } from './layer.js';
export { Param } from './param.js';
export { createLayer, registerLayer } from './registry.js';
export type { LayerFactory } from './registry.js';
export type { Head, Loss } from './losses.js';
export { Optimizer } from './optimizer.js';
export type { Penalty } from './optimizer.js';
export { fitNetwork } from '../train/fit.js';
export type { Trainable } from '../train/trainable.js';
