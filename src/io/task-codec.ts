// Tasks and their outputs as bytes, in the same container as model files: what a job queue
// stores or a file holds. Decoding gives back exactly what was encoded (typed arrays bit for bit).
import { fail } from '../errors.js';
import type { Blobs, TaskInput, TaskOutput } from '../parallel/task.js';
import { readContainer, writeContainer } from './container.js';
import { flatten, unflatten } from './tree.js';

type Kind = 'task' | 'task-output';

export function encodeTask(name: string, input: TaskInput<unknown>): Uint8Array {
  if (typeof name !== 'string' || name === '') fail('ERR_BAD_ARGUMENT', 'a task needs a name');
  return encode('task', { name, spec: input.spec, blobs: input.blobs });
}

export function decodeTask(bytes: Uint8Array | ArrayBuffer): { name: string; input: TaskInput<unknown> } {
  const { name, spec, blobs } = decode(bytes, 'task') as { name?: unknown; spec?: unknown; blobs?: unknown };
  if (typeof name !== 'string' || name === '') fail('ERR_BAD_FILE', 'the task has no name');
  return { name, input: { spec: spec ?? null, blobs: checkBlobs(blobs) } };
}

export function encodeTaskOutput(output: TaskOutput<unknown>): Uint8Array {
  return encode('task-output', { result: output.result, blobs: output.blobs });
}

export function decodeTaskOutput(bytes: Uint8Array | ArrayBuffer): TaskOutput<unknown> {
  const { result, blobs } = decode(bytes, 'task-output') as { result?: unknown; blobs?: unknown };
  return { result: result ?? null, blobs: checkBlobs(blobs) };
}

function encode(kind: Kind, body: Record<string, unknown>): Uint8Array {
  const blobs = body.blobs;
  if (blobs !== undefined) checkBlobs(blobs, 'ERR_BAD_ARGUMENT');
  const { tree, tensors, arrays } = flatten(body);
  return writeContainer({ format: 'sparse-experts', kind, arrays, state: tree }, tensors);
}

function decode(bytes: Uint8Array | ArrayBuffer, kind: Kind): unknown {
  const { header, tensors } = readContainer(bytes);
  if (header.format !== 'sparse-experts' || header.kind !== kind) fail('ERR_BAD_FILE', `expected a sparse-experts ${kind}, got ${JSON.stringify(header.kind)}`);
  return unflatten(header.state, tensors, header.arrays);
}

/** Blobs are a plain object of typed arrays (an absent one reads as none). */
function checkBlobs(blobs: unknown, code: 'ERR_BAD_FILE' | 'ERR_BAD_ARGUMENT' = 'ERR_BAD_FILE'): Blobs {
  if (blobs === undefined) return {};
  if (typeof blobs !== 'object' || blobs === null || Array.isArray(blobs)) fail(code, 'task blobs must be an object of named typed arrays');
  for (const [k, v] of Object.entries(blobs)) {
    const typed = v instanceof Float32Array || v instanceof Int32Array || v instanceof Float64Array || v instanceof Uint8Array || v instanceof Uint16Array;
    if (!typed) fail(code, `task blob '${k}' must be a Float32Array, Int32Array, Float64Array, Uint8Array or Uint16Array`);
  }
  return blobs as Blobs;
}
