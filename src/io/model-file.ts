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

export interface SaveOptions {
  /** Plain JSON kept with the model (feature and label names, where the data came from…); see readModelMeta. */
  meta?: Record<string, unknown>;
}

/** A trained model as bytes: the same model gives the same bytes on every runtime. */
export function saveModel(model: SparseExpertModel, options: SaveOptions = {}): Uint8Array {
  return write('model', model.toState(), options.meta);
}

/** The `meta` a model file was saved with (undefined if none), without building the model. Bad bytes → ERR_BAD_FILE. */
export function readModelMeta(bytes: Uint8Array | ArrayBuffer): Record<string, unknown> | undefined {
  const { header } = readContainer(bytes);
  checkHeader(header, 'model');
  const { meta } = header;
  if (meta === undefined) return undefined;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) fail('ERR_BAD_FILE', 'the header\'s meta is not a JSON object');
  return meta as Record<string, unknown>;
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

function write(kind: FileKind, state: unknown, meta?: Record<string, unknown>): Uint8Array {
  const { tree, tensors, arrays } = flatten(state);
  if (meta !== undefined && (typeof meta !== 'object' || meta === null || Array.isArray(meta))) fail('ERR_BAD_ARGUMENT', 'meta must be a plain JSON object');
  return writeContainer({ format: 'sparse-experts', kind, arrays, state: tree, ...(meta === undefined ? {} : { meta }) }, tensors);
}

function read(bytes: Uint8Array | ArrayBuffer, kind: FileKind): unknown {
  const { header, tensors } = readContainer(bytes);
  checkHeader(header, kind);
  return unflatten(header.state, tensors, header.arrays);
}

function checkHeader(header: Record<string, unknown>, kind: FileKind): void {
  if (header.format !== 'sparse-experts') fail('ERR_BAD_FILE', `the header's format is ${JSON.stringify(header.format)}, expected "sparse-experts"`);
  if (header.kind !== kind) {
    const other = header.kind === 'model' ? 'a model: use loadModel' : header.kind === 'expert' ? 'an expert: use loadExpert' : `an unknown kind ${JSON.stringify(header.kind)}`;
    fail('ERR_BAD_FILE', `the file holds ${other}, not ${kind === 'model' ? 'a model' : 'an expert'}`);
  }
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
