// Checks that a dataset or prediction input fits a network, and the validation hold-out.
import { fail } from '../errors.js';
import { type CsrMatrix, validateCsr } from '../data/csr.js';
import { type AnyDataset, take, validate } from '../data/dataset.js';
import type { Rng } from '../data/prng.js';
import type { Network } from '../nn/network.js';

/** The dataset is valid (finite, labels in range) and shaped for the network's input and head. */
export function checkTrainingSet(net: Network, ds: AnyDataset): void {
  validate(ds);
  if (ds.cols !== net.spec.inputs) fail('ERR_BAD_SHAPE', `the data has ${ds.cols} features but the model expects ${net.spec.inputs}`);
  const head = net.spec.head;
  if (head === 'mse') {
    if (ds.classes !== undefined) fail('ERR_BAD_ARGUMENT', 'a regression model needs float targets (a dataset without `classes`)');
    if (net.outputs !== 1) fail('ERR_BAD_SHAPE', `a regression model predicts one target per row; this one has ${net.outputs} outputs`);
    return;
  }
  if (ds.classes === undefined || !(ds.y instanceof Int32Array)) fail('ERR_BAD_ARGUMENT', 'a classifier needs integer class labels (a dataset with `classes`)');
  const most = head === 'sigmoid' ? 2 : net.outputs;
  if (ds.classes > most) fail('ERR_LABEL_RANGE', `the data has ${ds.classes} classes but the model has room for ${most}`);
}

/** Prediction input: `rows` dense rows of the network's width, or a valid CSR of that shape. */
export function checkPredictInput(net: Network, x: Float32Array | CsrMatrix, rows: number): void {
  const cols = net.spec.inputs;
  if (!Number.isInteger(rows) || rows < 0) fail('ERR_BAD_SHAPE', `rows must be an integer ≥ 0, got ${rows}`);
  if (x instanceof Float32Array) {
    if (x.length !== rows * cols) fail('ERR_BAD_SHAPE', `x has ${x.length} values, expected ${rows} rows × ${cols} features`);
    return;
  }
  if (x.rows !== rows || x.cols !== cols) fail('ERR_BAD_SHAPE', `sparse x is ${x.rows}×${x.cols}, expected ${rows} rows × ${cols} features`);
  validateCsr(x);
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
