// Every expert kind, one line each: how to build it from its config and which tasks it learns.
// A new kind is its own file, its test, and one line here.
import { fail } from '../errors.js';
import type { Task } from './expert.js';
import { LinearRegression } from './linear.js';
import { LogisticRegression } from './logistic.js';
import { MlpExpert } from './mlp.js';
import type { NetworkExpert } from './network-expert.js';
import { SoftmaxRegression } from './softmax.js';

interface ExpertEntry {
  create(config: Record<string, unknown>): NetworkExpert;
  tasks: readonly Task[];
}

export type ExpertKind = 'mlp' | 'softmax' | 'logistic' | 'linear';

const EXPERTS: Record<ExpertKind, ExpertEntry> = {
  mlp: { create: (c) => new MlpExpert(c), tasks: ['classification', 'regression'] },
  softmax: { create: (c) => new SoftmaxRegression(c), tasks: ['classification'] },
  logistic: { create: (c) => new LogisticRegression(c), tasks: ['classification'] },
  linear: { create: (c) => new LinearRegression(c), tasks: ['regression'] },
};

export function expertEntry(kind: unknown, fault: 'ERR_BAD_ARGUMENT' | 'ERR_BAD_FILE' = 'ERR_BAD_ARGUMENT'): ExpertEntry {
  if (typeof kind === 'string' && Object.hasOwn(EXPERTS, kind)) return EXPERTS[kind as ExpertKind];
  return fail(fault, `unknown expert kind '${String(kind)}': use one of ${Object.keys(EXPERTS).map((k) => `'${k}'`).join(', ')}`);
}

/** ERR_BAD_ARGUMENT unless experts of `kind` can learn `task` — checked before any training starts. */
export function checkExpertTask(kind: unknown, task: Task): void {
  const { tasks } = expertEntry(kind);
  if (!tasks.includes(task)) {
    const fits = Object.entries(EXPERTS).filter(([, e]) => e.tasks.includes(task)).map(([k]) => `'${k}'`);
    fail('ERR_BAD_ARGUMENT', `a '${String(kind)}' expert does ${tasks.join(' and ')}, but the dataset is ${task} (${task === 'regression' ? 'no `classes`' : 'it has `classes`'}): use ${fits.join(' or ')}`);
  }
}
