// Router statistics summed over the training batches since the last read, so a collapse
// shows in the epoch it happens.
import type { DispatchPlan } from './routing.js';

export class RouterStats {
  private load: Float64Array;
  private assignments = 0;
  private routed = 0;
  private dropped = 0;
  private unrouted = 0;
  private entropy = 0;
  private balance = 0;
  private z = 0;
  private batches = 0;

  constructor(readonly experts: number) {
    this.load = new Float64Array(experts);
  }

  /** One batch: its plan, its mean router entropy and its unweighted balance and z-losses. */
  add(plan: DispatchPlan, entropy: number, balance: number, z: number): void {
    for (let e = 0; e < this.experts; e++) this.load[e] += plan.offsets[e + 1] - plan.offsets[e];
    // Assignments asked for: n·k for token choice, E·c for expert choice.
    this.assignments += plan.choice ? plan.routed * plan.k : this.experts * plan.capacity;
    this.routed += plan.routed;
    this.dropped += plan.dropped;
    this.unrouted += plan.unrouted;
    this.entropy += entropy * plan.routed;
    this.balance += balance;
    this.z += z;
    this.batches++;
  }

  /**
   * rows per expert (`expert<i>Rows`), load / ideal (min, max; ideal = assignments / E),
   * the dropped share of assignments, the share of rows no expert took, the mean router
   * entropy (nats) and the mean balance and z-loss per batch (before their coefficients).
   * Resets the sums.
   */
  read(): Record<string, number> {
    const E = this.experts, ideal = this.assignments / E, out: Record<string, number> = {};
    let min = Infinity, max = 0;
    for (let e = 0; e < E; e++) {
      out[`expert${e}Rows`] = this.load[e];
      min = Math.min(min, ideal > 0 ? this.load[e] / ideal : 0);
      max = Math.max(max, ideal > 0 ? this.load[e] / ideal : 0);
    }
    const per = (v: number, n: number): number => (n > 0 ? v / n : 0);
    Object.assign(out, {
      loadMin: this.batches > 0 ? min : 0, loadMax: max,
      droppedShare: per(this.dropped, this.assignments), unroutedShare: per(this.unrouted, this.routed),
      routerEntropy: per(this.entropy, this.routed), balanceLoss: per(this.balance, this.batches), zLoss: per(this.z, this.batches),
    });
    this.load.fill(0);
    this.assignments = this.routed = this.dropped = this.unrouted = this.entropy = this.balance = this.z = this.batches = 0;
    return out;
  }
}
