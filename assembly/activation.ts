// Dense-layer elementwise kernels: fused bias + activation forward, activation backward,
// and the column sums that make the bias gradient. Activations: 0 = identity, 1 = relu.
// Matrices are row-major with a leading dimension (ld*: elements from one row to the next).

/** out[r][c] = act(x[r][c] + bias[c]); bias 0 = none; out may be x. */
export function biasAct(x: usize, ldx: i32, bias: usize, rows: i32, cols: i32, act: i32, out: usize, ldo: i32): void {
  const relu = act == 1;
  const zero = f32x4.splat(0);
  const rowBytes = <usize>cols << 2, body = <usize>(cols & ~3) << 2;
  const xStep = <usize>ldx << 2, oStep = <usize>ldo << 2;
  for (let r = 0; r < rows; r++) {
    let j: usize = 0;
    // Vector body, then the scalar tail of each row.
    for (; j < body; j += 16) {
      let v = v128.load(x + j);
      if (bias) v = f32x4.add(v, v128.load(bias + j));
      if (relu) v = f32x4.max(v, zero);
      v128.store(out + j, v);
    }
    for (; j < rowBytes; j += 4) {
      let v = load<f32>(x + j);
      if (bias) v += load<f32>(bias + j);
      if (relu) v = max(v, 0);
      store<f32>(out + j, v);
    }
    x += xStep; out += oStep;
  }
}

/** dx = dy ⊙ act'(y) over n floats, from the activation output y (relu: y > 0); dx may be dy. */
function actBackwardRow(dy: usize, y: usize, n: i32, relu: bool, dx: usize): void {
  const bytes = <usize>n << 2;
  if (!relu) {
    // identity: the gradient passes through.
    if (dx != dy) memory.copy(dx, dy, bytes);
    return;
  }
  const zero = f32x4.splat(0), body = <usize>(n & ~3) << 2;
  let i: usize = 0;
  for (; i < body; i += 16) {
    v128.store(dx + i, v128.and(v128.load(dy + i), f32x4.gt(v128.load(y + i), zero)));
  }
  for (; i < bytes; i += 4) store<f32>(dx + i, load<f32>(y + i) > 0 ? load<f32>(dy + i) : 0);
}

/** actBackwardRow over rows×cols matrices with row strides lddy, ldy, lddx. */
export function actBackward(dy: usize, lddy: i32, y: usize, ldy: i32, rows: i32, cols: i32, act: i32, dx: usize, lddx: i32): void {
  for (let r = 0; r < rows; r++) {
    actBackwardRow(dy, y, cols, act == 1, dx);
    dy += <usize>lddy << 2; y += <usize>ldy << 2; dx += <usize>lddx << 2;
  }
}

/** out[c] = Σ_r x[r][c] (accumulate = 0) or out[c] += Σ_r x[r][c]. */
export function colSum(x: usize, ldx: i32, rows: i32, cols: i32, out: usize, accumulate: i32): void {
  const rowBytes = <usize>cols << 2, body = <usize>(cols & ~3) << 2;
  if (!accumulate) memory.fill(out, 0, rowBytes);
  // Row by row, so x streams once and out stays in cache.
  for (let r = 0; r < rows; r++) {
    let j: usize = 0;
    for (; j < body; j += 16) v128.store(out + j, f32x4.add(v128.load(out + j), v128.load(x + j)));
    for (; j < rowBytes; j += 4) store<f32>(out + j, load<f32>(out + j) + load<f32>(x + j));
    x += <usize>ldx << 2;
  }
}
