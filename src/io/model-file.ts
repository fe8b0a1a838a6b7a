// Save and load trained models and single experts as bytes (no fs: the same code runs in
// Node, browsers and edge runtimes; a Node user writes the bytes with fs.writeFile).
import { SparseExpertsError, fail } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import { getBackend } from '../backend/init.js';
import type { ExpertState } from '../experts/expert.js';
import { expertFromState } from '../experts/from-state.js';
import type { NetworkExpert } from '../experts/network-expert.js';
import { type ModelState, SparseExpertModel } from '../model/sparse-expert-model.js';
import { readContainer, writeContainer } from './container.js';
import { flatten, unflatten } from './tree.js';

export interface LoadOptions {
  /** The backend the loaded weights live on; default the library's (see init()). */
  backend?: Backend;
}

type FileKind = 'model' | 'expert';

/** A trained model as bytes: the same model gives the same bytes on every runtime. */
export function saveModel(model: SparseExpertModel): Uint8Array {
  return write('model', model.toState());
}

/** A model from saveModel() bytes; it predicts bit for bit as the saved one did. Bad bytes → ERR_BAD_FILE. */
export async function loadModel(bytes: Uint8Array | ArrayBuffer, options: LoadOptions = {}): Promise<SparseExpertModel> {
  const state = read(bytes, 'model');
  const backend = options.backend ?? (await getBackend());
  return rebuild(backend, (b) => SparseExpertModel.fromState(state as ModelState, b), 'model');
}

/** One trained expert as bytes. */
export function saveExpert(expert: { toState(): ExpertState }): Uint8Array {
  return write('expert', expert.toState());
}

/** An expert from saveExpert() bytes. Bad bytes → ERR_BAD_FILE. */
export async function loadExpert(bytes: Uint8Array | ArrayBuffer, options: LoadOptions = {}): Promise<NetworkExpert> {
  const state = read(bytes, 'expert');
  const backend = options.backend ?? (await getBackend());
  return rebuild(backend, async (b) => expertFromState(state as ExpertState, b), 'expert');
}

function write(kind: FileKind, state: unknown): Uint8Array {
  const { tree, tensors, arrays } = flatten(state);
  return writeContainer({ format: 'sparse-experts', kind, arrays, state: tree }, tensors);
}

function read(bytes: Uint8Array | ArrayBuffer, kind: FileKind): unknown {
  const { header, tensors } = readContainer(bytes);
  if (header.format !== 'sparse-experts') fail('ERR_BAD_FILE', `the header's format is ${JSON.stringify(header.format)}, expected "sparse-experts"`);
  if (header.kind !== kind) {
    const other = header.kind === 'model' ? 'a model: use loadModel' : header.kind === 'expert' ? 'an expert: use loadExpert' : `an unknown kind ${JSON.stringify(header.kind)}`;
    fail('ERR_BAD_FILE', `the file holds ${other}, not ${kind === 'model' ? 'a model' : 'an expert'}`);
  }
  return unflatten(header.state, tensors, header.arrays);
}

/**
 * Builds on `backend`; a state the rebuild rejects frees what it had built (fromState and
 * expert loading clean up after themselves). Any failure means the file's contents are
 * wrong: ERR_BAD_FILE, with the cause.
 */
async function rebuild<T extends { dispose(): void }>(backend: Backend, build: (b: Backend) => Promise<T>, kind: FileKind): Promise<T> {
  try {
    return await build(backend);
  } catch (e) {
    if (e instanceof SparseExpertsError && e.code === 'ERR_BAD_FILE') throw e;
    return fail('ERR_BAD_FILE', `the file's ${kind} state is invalid: ${(e as Error)?.message ?? String(e)}`, e);
  }
}
