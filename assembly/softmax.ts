// Row softmax and softmax cross-entropy, max-shifted, with the polynomial exp.
import { exp1, exp4 } from "./exp";
import { logAtLeastOne } from "./log";

/** -log of the smallest normal f32: the loss of a probability that underflowed. */
const MAX_LOSS: f64 = 87.33654475055310898657;

function rowMax(x: usize, cols: i32): f32 {
  const end = x + (<usize>cols << 2), end4 = x + (<usize>(cols & ~3) << 2);
  let m4 = f32x4.splat(-Infinity);
  let p = x;
  for (; p < end4; p += 16) m4 = f32x4.max(m4, v128.load(p));
  let m = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
  for (; p < end; p += 4) m = max(m, load<f32>(p));
  return m;
}

function rowSum(x: usize, cols: i32): f32 {
  const end = x + (<usize>cols << 2), end4 = x + (<usize>(cols & ~3) << 2);
  let s4 = f32x4.splat(0);
  let p = x;
  for (; p < end4; p += 16) s4 = f32x4.add(s4, v128.load(p));
  let s = (f32x4.extract_lane(s4, 0) + f32x4.extract_lane(s4, 1)) + (f32x4.extract_lane(s4, 2) + f32x4.extract_lane(s4, 3));
  for (; p < end; p += 4) s += load<f32>(p);
  return s;
}

/** out[j] = e^(x[j] − shift); returns the row sum. */
function expShift(x: usize, cols: i32, shift: f32, out: usize): f32 {
  const bytes = <usize>cols << 2, body = <usize>(cols & ~3) << 2;
  const s4 = f32x4.splat(shift);
  let sum4 = f32x4.splat(0);
  let j: usize = 0;
  for (; j < body; j += 16) {
    const e = exp4(f32x4.sub(v128.load(x + j), s4));
    v128.store(out + j, e);
    sum4 = f32x4.add(sum4, e);
  }
  let sum = (f32x4.extract_lane(sum4, 0) + f32x4.extract_lane(sum4, 1)) + (f32x4.extract_lane(sum4, 2) + f32x4.extract_lane(sum4, 3));
  for (; j < bytes; j += 4) {
    const e = exp1(load<f32>(x + j) - shift);
    store<f32>(out + j, e);
    sum += e;
  }
  return sum;
}

function scale(p: usize, cols: i32, s: f32): void {
  const bytes = <usize>cols << 2, body = <usize>(cols & ~3) << 2;
  const s4 = f32x4.splat(s);
  let j: usize = 0;
  for (; j < body; j += 16) v128.store(p + j, f32x4.mul(v128.load(p + j), s4));
  for (; j < bytes; j += 4) store<f32>(p + j, load<f32>(p + j) * s);
}

/** Row softmax of a rows×cols matrix (row strides ldx, ldo); out may be x. */
export function softmax(x: usize, ldx: i32, rows: i32, cols: i32, out: usize, ldo: i32): void {
  for (let r = 0; r < rows; r++) {
    const sum = expShift(x, cols, rowMax(x, cols), out);
    scale(out, cols, 1 / sum);
    x += <usize>ldx << 2; out += <usize>ldo << 2;
  }
}

/**
 * Softmax cross-entropy: probs = softmax(logits) per row; if grad ≠ 0,
 * grad = (probs − onehot(label))·gradScale. Returns the mean over rows of
 * −log(max(p_label, 2^-126)), computed as log Σe^(z−max) − (z_label − max) so small
 * probabilities keep their precision. probs may be logits; grad may be logits, not probs.
 * ldl, ldp, ldg: the row strides of logits, probs and grad.
 */
export function softmaxCrossEntropy(logits: usize, ldl: i32, labels: usize, rows: i32, cols: i32, probs: usize, ldp: i32, grad: usize, ldg: i32, gradScale: f32): f64 {
  const rowBytes = <usize>cols << 2, body = <usize>(cols & ~3) << 2;
  const g4 = f32x4.splat(gradScale);
  let loss: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const label = load<i32>(labels + (<usize>r << 2));
    const zl = load<f32>(logits + (<usize>label << 2));
    const m = rowMax(logits, cols);
    const sum = expShift(logits, cols, m, probs);
    loss += min(logAtLeastOne(<f64>sum) - (<f64>zl - <f64>m), MAX_LOSS);
    scale(probs, cols, 1 / sum);
    if (grad) {
      let j: usize = 0;
      for (; j < body; j += 16) v128.store(grad + j, f32x4.mul(v128.load(probs + j), g4));
      for (; j < rowBytes; j += 4) store<f32>(grad + j, load<f32>(probs + j) * gradScale);
      // p_label − 1 = −Σ_{j≠label} p_j: summing the others avoids cancelling against 1
      // when p_label is close to 1 (the usual case late in training).
      const gl = grad + (<usize>label << 2);
      store<f32>(gl, 0);
      store<f32>(gl, -rowSum(grad, cols));
      grad += <usize>ldg << 2;
    }
    logits += <usize>ldl << 2; probs += <usize>ldp << 2;
  }
  return rows > 0 ? loss / rows : 0;
}
