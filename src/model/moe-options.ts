// MoEModel's options, their defaults and checks. The mixture's own settings are the MoE
// layer's (src/moe/moe-spec.ts, checked there); the rest is how it trains.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import type { ScaleKind } from '../data/scale.js';
import { type MoESpec, resolveMoESpec } from '../moe/moe-spec.js';
import type { OptimizerConfig } from '../nn/optimizer.js';

export interface MoEModelOptions extends Omit<MoESpec, 'kind' | 'units' | 'experts' | 'hidden'> {
  /** E experts (default 8). */
  experts?: number;
  /** Each expert is inputs → hidden (ReLU) → outputs; default 64. */
  hidden?: number;
  /**
   * Shared experts every row runs besides its routed ones (DeepSeekMoE; default 0: each expert
   * a whole classifier of its own). hidden: 32, sharedExperts: 1 gives a top-1 row the 64 hidden
   * units of the default; measured against it in the README.
   */
  sharedExperts?: number;
  /** Default (or null): 10, more on small sets — at least 300 optimizer steps (src/model/moe-schedule.ts). */
  epochs?: number | null;
  /**
   * Rows per step. Default (or null): 256, on small sets the largest power of two ≤ rows / 16
   * (at least 8). A top-1 step splits the batch E ways, and an expert's weight gradient
   * costs the same whatever its rows: large batches keep the experts' GEMMs efficient
   * (Switch trains on batches of ~10⁶ tokens) — where there are rows enough.
   */
  batchSize?: number | null;
  /** Default Adam, lr 1e-3 (Keras' defaults). */
  optimizer?: OptimizerConfig;
  /**
   * Feature scaling fitted on the training rows (default 'standard'). The router is a linear
   * map of the raw input: on uncentred features (pixels in [0, 1]) Adam moves every logit
   * by ≈ lr·Σⱼ xⱼ per step in one shared direction and routing collapses; transformers'
   * routers see LayerNorm'ed input. null leaves the features as given.
   */
  scale?: ScaleKind | null;
  /** Share of the training rows held out for val_loss / val_acc and the per-expert accuracy (default 0). */
  validationSplit?: number;
  seed?: number;
  /** The backend the model lives on; default the library's (init()). */
  backend?: Backend;
}

export interface ResolvedMoEModelOptions {
  /** The layer's settings with their defaults (units comes from the data). */
  moe: Omit<Required<MoESpec>, 'units'>;
  /** null: from the training rows at fit (moeSchedule). */
  epochs: number | null;
  batchSize: number | null;
  optimizer: OptimizerConfig;
  scale: ScaleKind | null;
  validationSplit: number;
  seed: number;
}

export function resolveMoEModelOptions(o: MoEModelOptions): ResolvedMoEModelOptions {
  const { epochs = null, batchSize = null, optimizer = { kind: 'adam', lr: 1e-3 }, scale = 'standard', validationSplit = 0, seed = 0, backend: _, ...layer } = o;
  const int = (name: string, v: number, min: number): number => (Number.isInteger(v) && v >= min ? v : fail('ERR_BAD_ARGUMENT', `${name} must be an integer ≥ ${min}, got ${v}`));
  if (epochs !== null) int('epochs', epochs, 0);
  if (batchSize !== null) int('batchSize', batchSize, 1);
  int('seed', seed, 0);
  if (scale !== null && scale !== 'standard' && scale !== 'minmax') fail('ERR_BAD_ARGUMENT', `scale must be 'standard', 'minmax' or null, got '${String(scale)}'`);
  if (!(validationSplit >= 0 && validationSplit < 1)) fail('ERR_BAD_ARGUMENT', `validationSplit must be in [0, 1), got ${validationSplit}`);
  if (optimizer.kind !== 'adam' && optimizer.kind !== 'sgd') fail('ERR_BAD_ARGUMENT', `optimizer kind must be 'adam' or 'sgd', got '${String((optimizer as { kind: unknown }).kind)}'`);
  // Checked now (k > E, C ≤ 0, E < 1 …) with a stand-in output width: the data decides it at fit.
  const { units: __, ...moe } = resolveMoESpec({ ...layer, experts: layer.experts ?? 8, hidden: layer.hidden ?? 64, sharedExperts: layer.sharedExperts ?? 0, units: 1 });
  // A copy: a caller's object from another realm (an edge VM's host) is not plain data to the saver.
  return { moe, epochs, batchSize, optimizer: { ...optimizer }, scale, validationSplit, seed };
}
