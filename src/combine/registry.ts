// Every combiner kind, one entry each: how to make it from a spec, how to restore it from its
// JSON, and what it needs (held-out rows to learn from; the input rows themselves).
// A new kind is its own file, its test, and one entry here.
import { fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import type { Combiner, CombinerJSON } from './combiner.js';
import { LearnedWeights } from './convex.js';
import { FixedWeights } from './fixed.js';
import { GatingNetwork } from './gate.js';
import { HardRouting, type Router } from './hard-routing.js';
import { Stacking } from './stacking.js';
import { TopKGate } from './topk.js';

export interface CombinerSpec {
  kind: CombinerKind;
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

/** What restoring a saved combiner may need: hard routing routes by the saved partition. */
export interface RestoreContext {
  backend?: Backend;
  router?: Router;
}

interface CombinerEntry {
  create(spec: CombinerSpec, ctx: CombinerContext): Combiner;
  fromJSON(json: CombinerJSON, ctx: RestoreContext): Combiner | Promise<Combiner>;
  /** Fits on held-out expert outputs (the model then holds rows out). */
  learns: boolean;
  /** Reads the input rows (so they must be dense). */
  readsInput: boolean;
}

/** The training options a spec names, without the ones it leaves out. */
function training({ epochs, lr, l2 }: CombinerSpec): { epochs?: number; lr?: number; l2?: number } {
  return { ...(epochs === undefined ? {} : { epochs }), ...(lr === undefined ? {} : { lr }), ...(l2 === undefined ? {} : { l2 }) };
}

export type CombinerKind = 'fixed' | 'convex' | 'stacking' | 'gate' | 'hard' | 'topk';

const COMBINERS: Record<CombinerKind, CombinerEntry> = {
  fixed: {
    create: (spec, ctx) => {
      if (spec.weights && spec.weights.length !== ctx.experts) fail('ERR_BAD_ARGUMENT', `fixed weights: ${spec.weights.length} weights for ${ctx.experts} experts`);
      return new FixedWeights(spec.weights);
    },
    fromJSON: (json) => new FixedWeights((json as { weights: number[] | null }).weights ?? undefined),
    learns: false, readsInput: false,
  },
  convex: {
    create: (spec, ctx) => new LearnedWeights({ ...training(spec), backend: ctx.backend }),
    fromJSON: (json) => LearnedWeights.fromJSON(json as { weights: number[]; loss: number }),
    learns: true, readsInput: false,
  },
  stacking: {
    create: (spec, ctx) => new Stacking({ backend: ctx.backend, lr: spec.lr, l2: spec.l2, fit: { seed: ctx.seed ?? 0, ...(spec.epochs === undefined ? {} : { epochs: spec.epochs }) } }),
    fromJSON: async (json, ctx) => Stacking.fromJSON(json, ctx.backend ?? (await getBackend())),
    learns: true, readsInput: false,
  },
  gate: {
    create: (spec, ctx) => new GatingNetwork({ ...training(spec), backend: ctx.backend }),
    fromJSON: async (json, ctx) => GatingNetwork.fromJSON(json, ctx.backend ?? (await getBackend())),
    learns: true, readsInput: true,
  },
  hard: {
    create: (_spec, ctx) => {
      const p = ctx.partition;
      if (!p || typeof (p as Partial<Router>).route !== 'function') fail('ERR_BAD_ARGUMENT', `hard routing needs a partition that routes rows (k-means), got ${p?.kind ?? 'none'}`);
      return new HardRouting(p as unknown as Router, ctx.backend ?? null);
    },
    fromJSON: (json, ctx) => HardRouting.fromJSON(json, ctx.router ?? fail('ERR_BAD_ARGUMENT', 'restoring hard routing needs the partition: pass { router }'), ctx.backend),
    learns: false, readsInput: true,
  },
  topk: {
    create: (spec, ctx) => {
      const k = spec.k ?? Math.min(2, ctx.experts);
      if (k > ctx.experts) fail('ERR_BAD_ARGUMENT', `top-k with k = ${k} needs at least k experts, got ${ctx.experts}`);
      return new TopKGate({ k, backend: ctx.backend, ...training(spec) });
    },
    fromJSON: async (json, ctx) => TopKGate.fromJSON(json, ctx.backend ?? (await getBackend())),
    learns: true, readsInput: true,
  },
};

/** The kinds whose entry passes `test`, for messages that name the choices. */
export function combinerKinds(test: (e: CombinerEntry) => boolean): string {
  return (Object.keys(COMBINERS) as CombinerKind[]).filter((k) => test(COMBINERS[k])).join(', ');
}

export function combinerEntry(kind: unknown, fault: 'ERR_BAD_ARGUMENT' | 'ERR_BAD_FILE' = 'ERR_BAD_ARGUMENT'): CombinerEntry {
  if (typeof kind === 'string' && Object.hasOwn(COMBINERS, kind)) return COMBINERS[kind as CombinerKind];
  return fail(fault, `unknown combiner kind '${String(kind)}': use one of ${Object.keys(COMBINERS).map((k) => `'${k}'`).join(', ')}`);
}
