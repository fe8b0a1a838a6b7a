// Checks that a dataset fits what is trained, and the validation hold-out.
import { fail } from '../errors.js';
import { type AnyDataset, take, validate } from '../data/dataset.js';
import type { Rng } from '../data/prng.js';
import type { RowSource } from '../data/source.js';
import type { Trainable } from './trainable.js';

/** The dataset is valid (finite, labels in range) and shaped for the model's input and head. */
export function checkTrainingSet(net: Trainable, ds: AnyDataset): void {
  validate(ds);
  checkShape(net, ds);
}

/** Columns and label kind fit the model's input and head (a source's rows are checked as they stream). */
export function checkShape(net: Trainable, ds: AnyDataset | RowSource): void {
  if (ds.cols !== net.inputs) fail('ERR_BAD_SHAPE', `the data has ${ds.cols} features but the model expects ${net.inputs}`);
  const head = net.head;
  if (head === 'mse') {
    if (ds.classes !== undefined) fail('ERR_BAD_ARGUMENT', 'a regression model needs float targets (a dataset without `classes`)');
    if (net.outputs !== 1) fail('ERR_BAD_SHAPE', `a regression model predicts one target per row; this one has ${net.outputs} outputs`);
    return;
  }
  if (ds.classes === undefined || ('y' in ds && !(ds.y instanceof Int32Array))) fail('ERR_BAD_ARGUMENT', 'a classifier needs integer class labels (a dataset with `classes`)');
  const most = head === 'sigmoid' ? 2 : net.outputs;
  if (ds.classes > most) fail('ERR_LABEL_RANGE', `the data has ${ds.classes} classes but the model has room for ${most}`);
}

/** Split off validation data as asked: explicit validationData, or a seeded validationSplit share. */
export function holdOut(
  ds: AnyDataset,
  opts: { validationSplit?: number; validationData?: AnyDataset },
  rng: Rng,
): { train: AnyDataset; validation: AnyDataset | null } {
  if (opts.validationData) return { train: ds, validation: opts.validationData };
  const share = opts.validationSplit ?? 0;
  if (!(share >= 0 && share < 1)) fail('ERR_BAD_ARGUMENT', `validationSplit must be in [0, 1), got ${share}`);
  const nVal = Math.floor(ds.rows * share);
  if (nVal === 0) return { train: ds, validation: null };
  if (nVal === ds.rows) fail('ERR_EMPTY', 'validationSplit leaves no training rows');
  const perm = rng.permutation(ds.rows);
  return { train: take(ds, perm.subarray(nVal)), validation: take(ds, perm.subarray(0, nVal)) };
}
