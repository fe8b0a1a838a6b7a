// From a combine option (plain data) to a combiner instance.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import type { Combiner } from '../combine/combiner.js';
import { LearnedWeights } from '../combine/convex.js';
import { FixedWeights } from '../combine/fixed.js';
import { GatingNetwork } from '../combine/gate.js';
import { HardRouting } from '../combine/hard-routing.js';
import { Stacking } from '../combine/stacking.js';
import { TopKGate } from '../combine/topk.js';
import type { Partition } from '../partition/create.js';
import type { CombineSpec } from './options.js';

export function createCombiner(spec: CombineSpec, ctx: { experts: number; partition: Partition; backend: Backend; seed: number }): Combiner {
  const train = { epochs: spec.epochs, lr: spec.lr, l2: spec.l2 };
  switch (spec.kind) {
    case 'fixed':
      return new FixedWeights(spec.weights ?? Array.from({ length: ctx.experts }, () => 1 / ctx.experts), { normalize: true });
    case 'convex':
      return new LearnedWeights(train);
    case 'stacking':
      return new Stacking({ backend: ctx.backend, fit: { seed: ctx.seed, ...(spec.epochs ? { epochs: spec.epochs } : {}) } });
    case 'gate':
      return new GatingNetwork(train);
    case 'topk':
      return new TopKGate({ k: Math.min(spec.k ?? 2, ctx.experts), backend: ctx.backend, ...train });
    case 'hard':
      if (ctx.partition.kind !== 'kmeans') fail('ERR_BAD_ARGUMENT', "combine 'hard' routes by cluster: it needs partition 'kmeans'");
      return new HardRouting(ctx.partition, ctx.backend);
    default:
      return fail('ERR_BAD_ARGUMENT', `combine must be one of fixed, convex, stacking, gate, hard, topk; got '${String((spec as { kind: unknown }).kind)}'`);
  }
}
