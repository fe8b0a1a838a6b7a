// Runs a kernel on operands laid out two ways — packed buffers, and views at odd offsets
// with row strides inside larger parents full of other values — and returns what each
// operand holds afterwards (packed), plus whether anything outside the views changed.
import type { Backend } from '../../src/index.js';
import type { Buf } from '../../src/backend/index.js';
import type { Arr } from './backends.js';
import type { Rng } from './prng.js';

/** A rows×cols matrix operand (stepped by a stride when strided), or a vector (offset only). */
export interface Operand {
  data: Arr;
  /** The shape of a matrix; omitted for a vector. */
  rows?: number;
  cols?: number;
}

/** A matrix operand. */
export const mat = (data: Arr, rows: number, cols: number): Operand => ({ data, rows, cols });

export interface Layout {
  /** Each operand's contents afterwards, packed. */
  out: Arr[];
  /** Indices of parent elements outside the views that changed (should be none). */
  touched: string[];
}

const ints = (a: Arr): boolean => a instanceof Int32Array;

/** Elements of a matrix operand's parent: positions of element (i, j) are off + i·ld + j. */
interface Placed {
  parent: Buf;
  view: Buf;
  off: number;
  ld: number;
  rows: number;
  cols: number;
  before: Arr;
}

/**
 * Upload `ops` to `b` — packed when `strided` is false, else each as a view (sometimes a
 * view of a view) at an odd offset, matrices with a stride wider than their rows — call
 * `run`, and read everything back; frees all it allocated.
 */
export function layout<R>(b: Backend, ops: Operand[], strided: boolean, r: Rng, run: (bufs: Buf[]) => R): Layout & { ret: R } {
  const placed: Placed[] = ops.map((op) => {
    const cols = op.cols ?? op.data.length, rows = op.rows ?? 1;
    const off = strided ? 2 * r.int(0, 4) + 1 : 0;
    const ld = strided && op.cols !== undefined ? Math.max(1, cols + r.int(0, 4)) : cols;
    const len = rows > 0 ? (rows - 1) * ld + cols : 0;
    const total = off + len + (strided ? r.int(0, 3) : 0);
    const before = ints(op.data) ? Int32Array.from({ length: total }, () => r.int(-50, 50)) : Float32Array.from({ length: total }, () => r.uniform(-9, 9));
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) before[off + i * ld + j] = op.data[i * cols + j];
    const parent = before instanceof Int32Array ? b.upload(before) : b.upload(before);
    let view: Buf = parent;
    if (strided) {
      const stride = op.cols !== undefined ? ld : undefined;
      if (r.int(0, 2) === 0) view = b.subBuffer(parent, off, len, stride);
      else {
        // Through an outer view: its offset adds up, and a strided outer passes its stride on.
        const o1 = r.int(0, off + 1), outer = b.subBuffer(parent, o1, total - o1, r.int(0, 2) === 0 ? stride : undefined);
        view = b.subBuffer(outer, off - o1, len, outer.stride === undefined ? stride : undefined);
      }
    }
    return { parent, view, off, ld, rows, cols, before };
  });
  try {
    const ret = run(placed.map((p) => p.view));
    const touched: string[] = [];
    const out = placed.map((p, k) => {
      const after = b.read(p.parent as never) as Arr;
      const inside = new Set<number>();
      const packed = ints(p.before) ? new Int32Array(p.rows * p.cols) : new Float32Array(p.rows * p.cols);
      for (let i = 0; i < p.rows; i++) {
        for (let j = 0; j < p.cols; j++) {
          inside.add(p.off + i * p.ld + j);
          packed[i * p.cols + j] = after[p.off + i * p.ld + j];
        }
      }
      for (let e = 0; e < after.length; e++) if (!inside.has(e) && !Object.is(after[e], p.before[e])) touched.push(`operand ${k} element ${e}`);
      return packed;
    });
    return { ret, out, touched };
  } finally {
    for (const p of placed) b.free(p.parent);
  }
}
