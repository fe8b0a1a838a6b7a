// A classification report: per-class precision/recall/F1/support, the three averages,
// accuracy and the confusion matrix, plus the same as aligned text for logs.
import { fail } from '../errors.js';
import { type Averaged, accuracy, confusionMatrix, precisionRecallF1 } from './classification.js';

export interface ClassReport extends Averaged {
  name: string;
  support: number;
}

export interface ClassificationReport {
  perClass: ClassReport[];
  accuracy: number;
  macro: Averaged;
  micro: Averaged;
  weighted: Averaged;
  /** confusion[t][p]: true class t predicted as p. */
  confusion: number[][];
  /** A fixed-width table of the above (4 decimals). */
  text: string;
}

export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classes: number,
  names?: readonly string[],
): ClassificationReport {
  if (names && names.length !== classes) fail('ERR_BAD_ARGUMENT', `${names.length} class names for ${classes} classes`);
  const prf = precisionRecallF1(yTrue, yPred, classes);
  const acc = accuracy(yTrue, yPred);
  const perClass = prf.precision.map((p, c) => ({
    name: names ? names[c] : String(c),
    precision: p,
    recall: prf.recall[c],
    f1: prf.f1[c],
    support: prf.support[c],
  }));
  const n = yTrue.length;
  const width = Math.max(12, ...perClass.map((r) => r.name.length));
  const num = (v: number) => v.toFixed(4).padStart(10);
  const row = (name: string, a: Averaged, support: number) => `${name.padStart(width)}${num(a.precision)}${num(a.recall)}${num(a.f1)}${String(support).padStart(10)}`;
  const lines = [
    `${''.padStart(width)}${'precision'.padStart(10)}${'recall'.padStart(10)}${'f1'.padStart(10)}${'support'.padStart(10)}`,
    ...perClass.map((r) => row(r.name, r, r.support)),
    '',
    `${'accuracy'.padStart(width)}${''.padStart(20)}${num(acc)}${String(n).padStart(10)}`,
    row('macro avg', prf.macro, n),
    row('micro avg', prf.micro, n),
    row('weighted avg', prf.weighted, n),
  ];
  return {
    perClass,
    accuracy: acc,
    macro: prf.macro,
    micro: prf.micro,
    weighted: prf.weighted,
    confusion: confusionMatrix(yTrue, yPred, classes),
    text: lines.join('\n'),
  };
}
