// DeepSeek-V3's auxiliary-loss-free balancing: a per-expert bias that only steers the
// choice (top-k on p + b; weights stay p) and is nudged after each step towards even load
// (γ: the spec's biasRate; why its default is not the paper's 1e-3: moe-spec.ts).
import type { DispatchPlan } from './routing.js';

/**
 * bᵢ += γ·sign(mean load − loadᵢ): overloaded experts become less attractive. Load counts
 * the assignments chosen (before any capacity cut), so a cut never hides an overload.
 */
export function updateBias(bias: Float32Array, plan: DispatchPlan, gamma: number): void {
  const { rows, experts: E, k, choice } = plan;
  if (!choice || plan.routed === 0) return;
  const load = new Float64Array(E);
  for (let i = 0; i < rows * k; i++) if (choice[i] >= 0) load[choice[i]]++;
  const mean = (plan.routed * k) / E;
  for (let e = 0; e < E; e++) bias[e] += gamma * Math.sign(mean - load[e]);
}
