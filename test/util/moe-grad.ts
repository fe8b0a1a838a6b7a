// Finite differences for layers whose loss is piecewise smooth (routing choices, ReLU
// kinks): coordinates whose step changes the routing, or whose one-sided slopes disagree,
// are skipped and counted instead of compared.
import type { DispatchPlan } from '../../src/moe/routing.js';

/** Routing's discrete choice: the same plan means the loss is smooth between two points. */
export function planKey(p: DispatchPlan): string {
  return `${p.offsets.join()}|${p.row.join()}|${p.choice?.join()}`;
}

export interface Coordinate {
  what: string;
  analytic: number;
  /** Set the coordinate's value (restored after). */
  set(v: number): void;
  value: number;
}

/** Throws on a mismatch; returns how many coordinates were compared and skipped. */
export function finiteDiff(coords: Iterable<Coordinate>, loss: () => number, routing: () => string, eps = 1e-3): { checked: number; skipped: number } {
  const tol = (v: number): number => 1e-3 + 1e-2 * Math.abs(v);
  let checked = 0, skipped = 0;
  for (const c of coords) {
    const at = (v: number): [number, string] => {
      c.set(v);
      return [loss(), routing()];
    };
    const [mid] = at(c.value), [up, kUp] = at(c.value + eps), [down, kDown] = at(c.value - eps);
    c.set(c.value);
    const numeric = (up - down) / (2 * eps);
    if (kUp !== kDown || Math.abs(up - mid - (mid - down)) / eps > tol(numeric)) {
      skipped++;
      continue;
    }
    checked++;
    if (Math.abs(c.analytic - numeric) > tol(numeric)) throw new Error(`${c.what}: analytic ${c.analytic}, numeric ${numeric}`);
  }
  return { checked, skipped };
}

/** Every element of a backend tensor as a coordinate, against its analytic gradient. */
export function* elements(name: string, read: () => Float32Array, write: (v: Float32Array) => void, analytic: Float32Array): Generator<Coordinate> {
  const w = read();
  for (let i = 0; i < w.length; i++) {
    yield {
      what: `${name}[${i}]`, analytic: analytic[i], value: w[i],
      set: (v) => {
        const moved = w.slice();
        moved[i] = v;
        write(moved);
      },
    };
  }
}
