// One-shot pruning then a short fine-tune of the same weights: the masks keep the pruned
// weights at zero while the survivors recover the accuracy.
import type { Dataset } from '../data/dataset.js';
import type { Network } from '../nn/network.js';
import type { FitOptions, History } from '../train/fit.js';
import { type LayerPruneReport, type PruneSpec, pruneNetwork } from './prune.js';

/** What pruneAndFineTune needs of an expert (NetworkExpert has both). */
export interface FineTunable {
  network(): Network;
  /** Continue training the current weights and masks with a fresh optimiser. */
  fineTune(ds: Dataset, options?: FitOptions): Promise<History>;
}

/** Prune the trained expert's network, then fine-tune it on `ds` (`epochs` defaults to 2). */
export async function pruneAndFineTune(
  expert: FineTunable,
  ds: Dataset,
  spec: PruneSpec,
  options: FitOptions = {},
): Promise<{ pruned: LayerPruneReport[]; history: History }> {
  const pruned = pruneNetwork(expert.network(), spec);
  return { pruned, history: await expert.fineTune(ds, { epochs: 2, ...options }) };
}
