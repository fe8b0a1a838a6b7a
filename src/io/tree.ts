// A state tree (plain objects, arrays, numbers, strings, booleans, null and typed arrays)
// ↔ a JSON-safe tree plus a list of tensors. Typed arrays and long number arrays become
// { $tensor: i }; numbers JSON cannot hold (NaN, ±Infinity, −0) become { $number: "…" };
// object keys are sorted so the same state always gives the same bytes.
import { fail } from '../errors.js';
import type { Json } from '../parallel/task.js';
import type { Tensor } from './container.js';

/** Number arrays at least this long go to the data section (short ones stay readable in the header). */
const LONG = 16;


export interface Flat {
  tree: Json;
  tensors: Tensor[];
  /** Indices of tensors that were plain number arrays (restored as arrays, not typed arrays). */
  arrays: number[];
}

export function flatten(state: unknown): Flat {
  const tensors: Tensor[] = [], arrays: number[] = [];
  const ref = (t: Tensor): Json => ({ $tensor: tensors.push(t) - 1 });
  const walk = (v: unknown, path: string): Json => {
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : { $number: Object.is(v, -0) ? '-0' : String(v) };
    if (v instanceof Float32Array || v instanceof Int32Array || v instanceof Float64Array) return ref(v);
    if (Array.isArray(v)) {
      if (v.length >= LONG && v.every((x) => typeof x === 'number')) {
        arrays.push(tensors.length);
        return ref(packNumbers(v));
      }
      return v.map((x, i) => walk(x, `${path}[${i}]`));
    }
    if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const out: { [key: string]: Json } = {};
      for (const key of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[key];
        if (x === undefined) continue;
        if (key.startsWith('$')) fail('ERR_BAD_ARGUMENT', `cannot save the key '${path}.${key}': keys starting with $ are reserved by the file format`);
        out[key] = walk(x, `${path}.${key}`);
      }
      return out;
    }
    return fail('ERR_BAD_ARGUMENT', `cannot save ${path}: a ${(v as object)?.constructor?.name ?? typeof v} is not plain data`);
  };
  return { tree: walk(state, 'state'), tensors, arrays };
}

/** The smallest exact typed array for the numbers: int32, else float32, else float64. */
function packNumbers(v: number[]): Tensor {
  if (v.every((x) => x === (x | 0) && !Object.is(x, -0))) return Int32Array.from(v);
  if (v.every((x) => Object.is(Math.fround(x), x))) return Float32Array.from(v);
  return Float64Array.from(v);
}

/** The state back from a JSON tree and its tensors; each tensor must be referenced exactly once. */
export function unflatten(tree: unknown, tensors: readonly Tensor[], arrays: unknown): unknown {
  if (!Array.isArray(arrays) || !arrays.every((i) => Number.isInteger(i) && i >= 0 && i < tensors.length)) fail('ERR_BAD_FILE', 'the header `arrays` list is not a list of tensor indices');
  const asArray = new Set(arrays as number[]);
  const used = new Uint8Array(tensors.length);
  const walk = (v: unknown, path: string): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    const o = v as Record<string, unknown>;
    if ('$tensor' in o) {
      const i = o.$tensor;
      if (!Number.isInteger(i) || (i as number) < 0 || (i as number) >= tensors.length) fail('ERR_BAD_FILE', `${path} refers to tensor ${JSON.stringify(i)}, but the file has ${tensors.length}`);
      if (used[i as number]++) fail('ERR_BAD_FILE', `${path} refers to tensor ${i}, already used elsewhere`);
      const t = tensors[i as number];
      return asArray.has(i as number) ? Array.from(t) : t;
    }
    if ('$number' in o) {
      if (!['NaN', 'Infinity', '-Infinity', '-0'].includes(o.$number as string)) fail('ERR_BAD_FILE', `${path} holds a bad number ${JSON.stringify(o.$number)}`);
      return o.$number === '-0' ? -0 : Number(o.$number);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x, `${path}.${k}`)]));
  };
  const state = walk(tree, 'state');
  const unused = used.indexOf(0);
  if (unused >= 0) fail('ERR_BAD_FILE', `tensor ${unused} is not referenced by the header`);
  return state;
}
