// A file on disk as chunked bytes (Node): an fs read stream per pass. node:fs is imported on
// the first read: its streams are among the modules import + init() never load.
import { SparseExpertsError, fail } from '../errors.js';
import type { OpenBytes } from './byte-stream.js';

/** The file at `path`, read in chunks of `chunkBytes` (default 1 MiB) on each pass; a file that cannot be read → ERR_BAD_FILE. */
export function fileBytes(path: string, chunkBytes = 1 << 20): OpenBytes {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) fail('ERR_BAD_ARGUMENT', `chunkBytes must be an integer ≥ 1, got ${chunkBytes}`);
  return () => read(path, chunkBytes);
}

async function* read(path: string, chunkBytes: number): AsyncGenerator<Uint8Array> {
  try {
    const { createReadStream } = await import('node:fs');
    yield* createReadStream(path, { highWaterMark: chunkBytes });
  } catch (err) {
    if (err instanceof SparseExpertsError) throw err;
    fail('ERR_BAD_FILE', `cannot read ${path}: ${(err as Error).message}`, err);
  }
}
