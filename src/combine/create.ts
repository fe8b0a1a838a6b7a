// One entry point from a combiner spec (what a model config names) to a combiner.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import type { Combiner } from './combiner.js';
import { LearnedWeights } from './convex.js';
import { FixedWeights } from './fixed.js';
import { GatingNetwork } from './gate.js';
import { HardRouting, type Router } from './hard-routing.js';
import { Stacking } from './stacking.js';
import { TopKGate } from './topk.js';

export interface CombinerSpec {
  kind: 'fixed' | 'convex' | 'stacking' | 'gate' | 'hard' | 'topk';
  /** fixed: one weight per expert, ≥ 0 summing to 1 (default uniform). */
  weights?: number[];
  /** topk: experts evaluated per input (default 2, at most the number of experts). */
  k?: number;
  /** convex, gate, topk: full-batch Adam steps, step size, L2; stacking: the meta-learner's epochs, Adam lr, L2. */
  epochs?: number;
  lr?: number;
  l2?: number;
}

export interface CombinerContext {
  experts: number;
  /** The partition the experts were trained on: hard routing needs one that routes rows (k-means). */
  partition?: { readonly kind: string };
  backend?: Backend;
  /** Seed of the stacking meta-learner's training. */
  seed?: number;
}

export function createCombiner(spec: CombinerSpec, ctx: CombinerContext): Combiner {
  const { epochs, lr, l2 } = spec;
  const train = { ...(epochs === undefined ? {} : { epochs }), ...(lr === undefined ? {} : { lr }), ...(l2 === undefined ? {} : { l2 }) };
  switch (spec.kind) {
    case 'fixed':
      if (spec.weights && spec.weights.length !== ctx.experts) fail('ERR_BAD_ARGUMENT', `fixed weights: ${spec.weights.length} weights for ${ctx.experts} experts`);
      return new FixedWeights(spec.weights);
    case 'convex':
      return new LearnedWeights(train);
    case 'gate':
      return new GatingNetwork({ ...train, backend: ctx.backend });
    case 'topk': {
      const k = spec.k ?? Math.min(2, ctx.experts);
      if (k > ctx.experts) fail('ERR_BAD_ARGUMENT', `top-k with k = ${k} needs at least k experts, got ${ctx.experts}`);
      return new TopKGate({ k, backend: ctx.backend, ...train });
    }
    case 'hard': {
      const p = ctx.partition;
      if (!p || p.kind === 'features' || typeof (p as Partial<Router>).route !== 'function') fail('ERR_BAD_ARGUMENT', `hard routing needs a partition that routes rows (k-means), got ${p?.kind ?? 'none'}`);
      return new HardRouting(p as unknown as Router, ctx.backend ?? null);
    }
    case 'stacking':
      return new Stacking({ backend: ctx.backend, lr, l2, fit: { seed: ctx.seed ?? 0, ...(epochs === undefined ? {} : { epochs }) } });
    default:
      return fail('ERR_BAD_ARGUMENT', `unknown combiner kind '${String((spec as { kind: unknown }).kind)}'`);
  }
}
