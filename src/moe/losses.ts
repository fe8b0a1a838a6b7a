// The router's auxiliary losses exactly as published, each with its gradient. Masked
// rows (valid[i] = 0) count nowhere: not in n, not in the sums.
import { portableLog } from '../data/portable-log.js';
import type { DispatchPlan } from './routing.js';

/**
 * Switch Transformer load balancing: L = α·E·Σᵢ fᵢ·Pᵢ, fᵢ = share of the n·k assignments
 * that chose expert i (before the capacity cut, as Switch and GShard count them),
 * Pᵢ = (1/n)·Σ_rows p[row, i]. Dividing by n·k (not n) keeps L = α at uniform routing
 * for every k, so top-1 and top-2 agree. fᵢ is piecewise constant: ∂L/∂p[row, i] = α·E·fᵢ/n,
 * added into dProbs. Expert choice is balanced by construction: 0.
 */
export function balanceLoss(plan: DispatchPlan, probs: Float32Array, alpha: number, valid: Uint8Array | null, dProbs: Float32Array | null): number {
  const { rows, experts: E, k, routed: n, choice } = plan;
  if (!choice || n === 0 || alpha === 0) return 0;
  const f = new Float64Array(E), P = new Float64Array(E);
  for (let i = 0; i < rows * k; i++) if (choice[i] >= 0) f[choice[i]]++;
  for (let i = 0; i < rows; i++) {
    if (valid && !valid[i]) continue;
    for (let e = 0; e < E; e++) P[e] += probs[i * E + e];
  }
  let sum = 0;
  for (let e = 0; e < E; e++) {
    f[e] /= n * k;
    sum += f[e] * (P[e] / n);
  }
  if (dProbs) {
    for (let i = 0; i < rows; i++) {
      if (valid && !valid[i]) continue;
      for (let e = 0; e < E; e++) dProbs[i * E + e] += (alpha * E * f[e]) / n;
    }
  }
  return alpha * E * sum;
}

/**
 * ST-MoE router z-loss: L = β·(1/n)·Σ_rows lse², lse = log Σⱼ e^{zⱼ} (logSumExps), with
 * ∂L/∂z[row, j] = β·(2/n)·lse·pⱼ, added into dLogits.
 */
export function zLoss(lse: Float64Array, probs: Float32Array, rows: number, E: number, beta: number, valid: Uint8Array | null, dLogits: Float32Array | null): number {
  let n = 0, sum = 0;
  for (let i = 0; i < rows; i++) n += !valid || valid[i] ? 1 : 0;
  if (n === 0 || beta === 0 || E === 0) return 0;
  for (let i = 0; i < rows; i++) {
    if (valid && !valid[i]) continue;
    sum += lse[i] * lse[i];
    if (!dLogits) continue;
    const g = ((beta * 2) / n) * lse[i];
    for (let j = 0; j < E; j++) dLogits[i * E + j] += g * probs[i * E + j];
  }
  return (beta * sum) / n;
}

/**
 * Per row, log Σ e^z from its softmax: z_m − log p_m at the most probable column m — one
 * portable log a row (no engine-dependent exp) from the probabilities the backend computed.
 */
export function logSumExps(logits: Float32Array, probs: Float32Array, rows: number, E: number, out: Float64Array): Float64Array {
  for (let i = 0, o = 0; i < rows; i++, o += E) {
    let m = 0;
    for (let j = 1; j < E; j++) if (probs[o + j] > probs[o + m]) m = j;
    out[i] = E > 0 ? logits[o + m] - portableLog(probs[o + m]) : 0;
  }
  return out;
}

/**
 * Mean over rows of the router's entropy −Σ p·log p (nats; log E at uniform, 0 at collapse),
 * as lse − Σ p·z (log p = z − lse): no log per probability.
 */
export function routerEntropy(lse: Float64Array, logits: Float32Array, probs: Float32Array, rows: number, E: number, valid: Uint8Array | null): number {
  let n = 0, sum = 0;
  for (let i = 0; i < rows; i++) {
    if (valid && !valid[i]) continue;
    n++;
    let pz = 0;
    for (let j = 0; j < E; j++) pz += probs[i * E + j] * logits[i * E + j];
    sum += lse[i] - pz;
  }
  return n > 0 ? sum / n : 0;
}

/** dz = p ⊙ (dp − Σⱼ pⱼ·dpⱼ) per row: back through the router's softmax, added into dLogits. */
export function softmaxBackward(probs: Float32Array, dProbs: Float32Array, rows: number, E: number, dLogits: Float32Array): void {
  for (let i = 0; i < rows; i++) {
    const o = i * E;
    let dot = 0;
    for (let j = 0; j < E; j++) dot += probs[o + j] * dProbs[o + j];
    for (let j = 0; j < E; j++) dLogits[o + j] += probs[o + j] * (dProbs[o + j] - dot);
  }
}
