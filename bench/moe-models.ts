// The models bench:moe trains, built one way for its comparison (bench/moe.ts) and its learning
// curves (bench/moe-curves.ts): Adam 1e-3, batch 256, rows standardised beforehand.
import type { Backend } from '../src/backend/backend.js';
import { Rng } from '../src/data/prng.js';
import { MoEModel, type MoEModelOptions } from '../src/model/moe-model.js';
import { Network } from '../src/nn/network.js';
import type { AdamConfig } from '../src/nn/optimizer.js';

export const E = 8, HIDDEN = 64, BATCH = 256;
export const ADAM: AdamConfig = { kind: 'adam', lr: 1e-3 };

/** A dense inputs-hidden-classes classifier, initialised as MoEModel initialises its layer. */
export function denseNetwork(b: Backend, inputs: number, classes: number, hidden: number, seed: number): Network {
  const net = new Network(b, { inputs, layers: [{ units: hidden, activation: 'relu' }, { units: classes, activation: 'identity' }], head: 'softmax' });
  net.initialize(new Rng(seed).fork(1));
  return net;
}

/**
 * MoEModel with its default settings (bias balancing, dropless) but no scaler of its own: the
 * rows come standardised, done once for every model so that inference times the models alone.
 */
export function moeModel(b: Backend, shape: MoEModelOptions, epochs: number, seed: number): MoEModel {
  return new MoEModel({ ...shape, epochs, batchSize: BATCH, seed, scale: null, backend: b });
}
