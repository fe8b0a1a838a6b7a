// Files on disk as sources that name themselves (Node): a worker reopens them by path and
// reads the rows of its own expert, so no rows are copied to it.
import { resolve } from 'node:path';
import { type CsvSource, type CsvSourceOptions, csvSource } from './chunked-csv.js';
import { type IdxSourceOptions, idxSource } from './chunked-idx.js';
import { fileBytes } from './file-bytes.js';
import type { RowSource } from './source.js';
import { type SourceRef, registerSourceOpener } from './source-refs.js';

/** An IDX images file and its labels file, read in chunks; workers reopen them by path. */
export async function idxFiles(images: string, labels: string, options: IdxSourceOptions = {}): Promise<RowSource> {
  [images, labels] = [resolve(images), resolve(labels)];
  const src = await idxSource(fileBytes(images), fileBytes(labels), options);
  // The classes found on opening travel along, so a worker skips the labels pass.
  return { ...src, ref: { kind: 'idx-files', images, labels, options: { ...options, classes: src.classes } } };
}

/** A CSV file, read in chunks (see csvSource); workers reopen it by path. */
export async function csvFile(path: string, options: CsvSourceOptions = {}): Promise<CsvSource> {
  path = resolve(path);
  return { ...(await csvSource(fileBytes(path), options)), ref: { kind: 'csv-file', path, options } };
}

/** Lets this thread open the references idxFiles and csvFile make. */
export function registerFileSources(): void {
  registerSourceOpener('idx-files', (r: SourceRef) => idxFiles(r.images as string, r.labels as string, r.options as IdxSourceOptions));
  registerSourceOpener('csv-file', (r: SourceRef) => csvFile(r.path as string, r.options as CsvSourceOptions));
}
