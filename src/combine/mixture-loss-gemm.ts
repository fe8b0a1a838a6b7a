// mixtureLoss with its two products — the logits x·W and the weight gradient xᵀ·∂L/∂z — on a
// backend's gemm in float32; the per-row softmax and loss (N experts, few) stay in float64 TS.
// Products are laid out transposed (experts × rows, experts × dims): the long side is then the
// gemm's output width, which the kernels vectorise (about 2× faster than rows × experts at N = 5).
// Buffers are made once per fit; a step only writes W and ∂L/∂z and reads the two products.
import type { Backend, F32 } from '../backend/backend.js';
import { type MixtureTargets, l2Penalty, rowLoss } from './mixture-loss.js';

export class GemmMixtureLoss {
  private readonly x: F32;
  /** Wᵀ (experts × dims), the logits zᵀ (experts × rows), ∂L/∂zᵀ and ∂L/∂Wᵀ. */
  private readonly wT: F32;
  private readonly zT: F32;
  private readonly dzT: F32;
  private readonly gWT: F32;
  private readonly w32: Float32Array;
  private readonly dz32: Float32Array;
  private readonly z: Float64Array;
  private readonly dz: Float64Array;

  /** x is rows × dims (t.rows rows), copied to the backend in float32. */
  constructor(
    private readonly backend: Backend,
    private readonly t: MixtureTargets,
    x: ArrayLike<number>,
    private readonly dims: number,
  ) {
    const { rows, experts: n } = t;
    const x32 = new Float32Array(rows * dims);
    for (let i = 0; i < x32.length; i++) x32[i] = x[i];
    this.x = backend.upload(x32);
    this.wT = backend.alloc(n * dims);
    this.zT = backend.alloc(n * rows);
    this.dzT = backend.alloc(n * rows);
    this.gWT = backend.alloc(n * dims);
    this.w32 = new Float32Array(n * dims);
    this.dz32 = new Float32Array(n * rows);
    this.z = new Float64Array(n);
    this.dz = new Float64Array(n);
  }

  /** As mixtureLoss(t, x, dims, W, b, l2, gW, gb), to float32 rounding of x, W and the products. */
  loss(W: Float64Array, b: Float64Array, l2: number, gW?: Float64Array, gb?: Float64Array): number {
    const { backend: k, t, dims, z, dz, w32, dz32 } = this;
    const { rows, experts: n } = t;
    for (let d = 0; d < dims; d++) for (let e = 0; e < n; e++) w32[e * dims + d] = W[d * n + e];
    k.write(this.wT, w32);
    k.gemm(false, true, n, rows, dims, this.wT, this.x, this.zT);
    const zT = k.view(this.zT); // nothing below allocates on the backend
    const grad = gW !== undefined && gb !== undefined;
    if (grad) gb.fill(0);
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      for (let e = 0; e < n; e++) z[e] = zT[e * rows + r] + b[e];
      loss += rowLoss(t, r, z, dz);
      if (!grad) continue;
      for (let e = 0; e < n; e++) {
        gb[e] += dz[e] / rows;
        dz32[e * rows + r] = dz[e] / rows;
      }
    }
    if (grad) {
      k.write(this.dzT, dz32);
      k.gemm(false, false, n, dims, rows, this.dzT, this.x, this.gWT);
      const gWT = k.view(this.gWT);
      for (let d = 0; d < dims; d++) for (let e = 0; e < n; e++) gW[d * n + e] = gWT[e * dims + d];
    }
    return loss / rows + l2Penalty(W, l2, grad ? gW : undefined);
  }

  dispose(): void {
    for (const buf of [this.x, this.wT, this.zT, this.dzT, this.gWT]) this.backend.free(buf);
  }
}
