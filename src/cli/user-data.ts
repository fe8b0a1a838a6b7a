// The user's data for the CLI: a CSV (one label column) or an IDX pair (images + labels,
// gzipped or not), read from disk with errors that name the file.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fail } from '../errors.js';
import { csvNumber, parseCsv, readCsvTable } from '../data/csv.js';
import { type Dataset, type DenseX, floatRows } from '../data/dataset.js';
import { loadIdxPair, parseIdx } from '../data/idx.js';

export type Task = 'classification' | 'regression';

/** What a model file remembers about its data (saved as the file's meta), to read new data the same way. */
export interface DataMeta {
  input: 'csv' | 'idx';
  task: Task;
  /** CSV: the label column and the feature columns, in the model's order. */
  label?: string;
  features?: string[];
  cols: number;
  /** Classification: the original label of each class id. */
  classes?: string[];
}

function readBytes(path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return fail('ERR_BAD_FILE', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, err);
  }
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
}

/** Runs `f` (sync or async), prefixing the file name to a typed error's message. */
export function about<T>(path: string, f: () => T): T {
  const mark = (err: unknown): never => {
    if (err instanceof Error && 'code' in err && !err.message.startsWith(path)) err.message = `${path}: ${err.message}`;
    throw err;
  };
  try {
    const value = f();
    return (value instanceof Promise ? value.catch(mark) : value) as T;
  } catch (err) {
    return mark(err);
  }
}

const isIdx = (path: string) => /\.idx(\d-ubyte)?(\.gz)?$|-ubyte(\.gz)?$/.test(path);

/** IDX images of bytes (dtype code 0x08) stay bytes, scale 1/255; other dtypes load as float32. */
function idxPair(data: string, labels: string, classes?: number): Dataset<DenseX> {
  const images = readBytes(data);
  return about(data, () => loadIdxPair(images, readBytes(labels), { storage: images[2] === 0x08 ? 'u8' : 'f32', ...(classes === undefined ? {} : { classes }) }));
}

/**
 * Training data: `--data x.csv [--label col] [--task …]` or `--data images.idx --labels
 * labels.idx` (u8 images kept as bytes: a quarter of float32's memory, in shared memory that
 * every worker reads).
 */
export function readTrainingData(data: string, o: { labels?: string; label?: string; task?: Task }): { dataset: Dataset<DenseX>; meta: DataMeta } {
  if (o.labels !== undefined || isIdx(data)) {
    if (o.labels === undefined) fail('ERR_BAD_ARGUMENT', `${data} looks like an IDX images file: give its labels with --labels labels.idx`);
    if (o.task === 'regression') fail('ERR_BAD_ARGUMENT', 'IDX images with labels are a classification task');
    const dataset = idxPair(data, o.labels);
    return { dataset, meta: { input: 'idx', task: 'classification', cols: dataset.cols, classes: Array.from({ length: dataset.classes! }, (_, i) => String(i)) } };
  }
  const task = o.task ?? 'classification';
  const text = new TextDecoder().decode(readBytes(data));
  const { dataset, featureNames, labelNames } = about(data, () => parseCsv(text, { labelColumn: o.label, task }));
  const label = o.label ?? readCsvTable(text).names.at(-1)!;
  return { dataset, meta: { input: 'csv', task, label, features: featureNames, cols: dataset.cols, classes: labelNames } };
}

/**
 * Rows to predict or evaluate, read the way the model's data was: CSV columns by name (any
 * order, extra columns ignored), or IDX images (u8 pixels widened as training widened them,
 * f32(v)·f32(1/255)). `y` holds class ids (or targets) when the file has the labels, mapped
 * through the model's class names.
 */
export function readRows(data: string, meta: DataMeta, labels?: string): { x: Float32Array; rows: number; y?: Int32Array | Float32Array } {
  if (meta.input === 'idx') {
    const images = about(data, () => parseIdx(readBytes(data)));
    const rows = images.dims[0] ?? 0;
    const cols = images.dims.slice(1).reduce((a, b) => a * b, 1);
    if (cols !== meta.cols) fail('ERR_BAD_SHAPE', `${data}: ${cols} values per image, the model takes ${meta.cols}`);
    if (labels === undefined) {
      const stored = images.dtype === 'u8' ? { x: images.data as Uint8Array, scale: 1 / 255 } : { x: Float32Array.from(images.data) };
      return { x: floatRows({ ...stored, rows, cols, y: new Int32Array(rows) }), rows };
    }
    const ds = idxPair(data, labels, meta.classes!.length);
    return { x: floatRows(ds), rows: ds.rows, y: ds.y };
  }
  const { names, records } = about(data, () => readCsvTable(new TextDecoder().decode(readBytes(data))));
  const at = meta.features!.map((name) => {
    const i = names.indexOf(name);
    if (i < 0) fail('ERR_BAD_ARGUMENT', `${data} has no column ${JSON.stringify(name)}, which the model was trained on (its header: ${names.join(', ')})`);
    return i;
  });
  const rows = records.length, cols = at.length;
  const x = new Float32Array(rows * cols);
  const labelAt = names.indexOf(meta.label!);
  const y = labelAt < 0 ? undefined : meta.task === 'regression' ? new Float32Array(rows) : new Int32Array(rows);
  const classOf = new Map(meta.classes?.map((name, id) => [name, id]));
  about(data, () => records.forEach(({ fields, line }, r) => {
    if (fields.length !== names.length) fail('ERR_BAD_FILE', `line ${line}: ${fields.length} fields, expected ${names.length}`);
    at.forEach((f, c) => (x[r * cols + c] = csvNumber(fields[f], line, names[f])));
    if (!y) return;
    const text = fields[labelAt].trim();
    if (meta.task === 'regression') y[r] = csvNumber(text, line, meta.label!);
    else y[r] = classOf.get(text) ?? fail('ERR_LABEL_RANGE', `line ${line}: label ${JSON.stringify(text)} is not one the model knows (${meta.classes!.join(', ')})`);
  }));
  return { x, rows, y };
}
