// The mixture loss and its gradient on a backend, in float32: the logits and the weight
// gradient by gemm, the bias and the gate's softmax by kernels; on the host only the per-row
// mixing of the N gate weights with the experts' targets: + − × ÷ and the loss value's log
// from those (portableLog), so the same bits in every JS engine. The gate's weights are stored transposed, Wᵀ (experts × dims): the long
// side is then the gemm's output width, which the kernels vectorise (about 2× faster than
// rows × experts at N = 5). Buffers are made once per fit; a step allocates nothing.
import type { Backend, F32 } from '../backend/backend.js';
import { portableLog } from '../data/portable-log.js';
import type { Param } from '../nn/param.js';
import { MIXTURE_EPS, type MixtureTargets } from './mixture-loss.js';

export class GemmMixtureLoss {
  private readonly x: F32 | null;
  /** The logits zᵀ (experts × rows) from gemm, then z (rows × experts) → the gate's g; ∂L/∂z in both layouts. */
  private readonly zT: F32;
  private readonly z: F32;
  private readonly dz: F32;
  private readonly dzT: F32;

  /** x is rows × dims (t.rows rows), copied to the backend in float32; null when dims = 0. */
  constructor(
    private readonly backend: Backend,
    private readonly t: MixtureTargets,
    x: ArrayLike<number> | null,
    private readonly dims: number,
  ) {
    const size = Math.max(t.rows * t.experts, 1);
    this.x = dims > 0 ? backend.upload(Float32Array.from({ length: t.rows * dims }, (_, i) => x![i])) : null;
    this.zT = backend.alloc(size);
    this.z = backend.alloc(size);
    this.dz = backend.alloc(size);
    this.dzT = backend.alloc(size);
  }

  /**
   * The mean loss of the gate (W: Wᵀ, experts × dims; b: experts) plus (l2/2)·‖W‖²; with
   * `grad`, writes ∂L/∂Wᵀ and ∂L/∂b into W.grad and b.grad. The gate's probabilities stay
   * readable through probabilities() until the next call.
   */
  loss(W: Param, b: Param, l2: number, grad: boolean): number {
    const { backend: k, t, dims } = this;
    const { rows, experts: n, q } = t;
    if (this.x) {
      k.gemm(false, true, n, rows, dims, W.value, this.x, this.zT);
      const zT = k.view(this.zT), z = k.view(this.z);
      for (let r = 0; r < rows; r++) for (let e = 0; e < n; e++) z[r * n + e] = zT[e * rows + r];
    } else k.fill(this.z, 0);
    k.biasAct(this.z, b.value, rows, n, 'identity', this.z);
    k.softmax(this.z, rows, n, this.z);
    const g = k.view(this.z), dz = k.view(this.dz), dzT = k.view(this.dzT); // nothing below allocates
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let e = 0; e < n; e++) s += g[r * n + e] * q[r * n + e];
      if (t.task === 'classification') {
        s += MIXTURE_EPS;
        loss -= portableLog(s);
        for (let e = 0; e < n; e++) dz[r * n + e] = (g[r * n + e] * (s - MIXTURE_EPS - q[r * n + e])) / s / rows;
      } else {
        const err = s - t.y![r];
        loss += err * err;
        for (let e = 0; e < n; e++) dz[r * n + e] = (2 * err * g[r * n + e] * (q[r * n + e] - s)) / rows;
      }
      for (let e = 0; e < n; e++) dzT[e * rows + r] = dz[r * n + e];
    }
    if (grad) {
      k.colSum(this.dz, rows, n, b.grad);
      if (this.x) k.gemm(false, false, n, dims, rows, this.dzT, this.x, W.grad);
    }
    // The L2 term and its gradient l2·W: elementwise, on the host.
    const w = k.view(W.value), gW = k.view(W.grad);
    let penalty = 0;
    for (let i = 0; i < W.length; i++) {
      penalty += w[i] * w[i];
      if (grad) gW[i] += l2 * w[i];
    }
    return loss / rows + (l2 / 2) * penalty;
  }

  /** The gate's probabilities (rows × experts) of the last loss() call. */
  probabilities(): Float32Array {
    return this.backend.read(this.z).subarray(0, this.t.rows * this.t.experts);
  }

  dispose(): void {
    for (const buf of [this.x, this.zT, this.z, this.dz, this.dzT]) if (buf) this.backend.free(buf);
  }
}
