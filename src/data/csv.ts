// CSV text → Dataset: RFC 4180 quoting, one label column, errors that name the line.
import { fail } from '../errors.js';
import { type CsvRecord, csvRecords as records } from './csv-records.js';
import { type Dataset, validate } from './dataset.js';

export interface CsvOptions {
  /** First record holds column names (default true). */
  header?: boolean;
  /** Label column: a header name or a 0-based index (default: the last column). */
  labelColumn?: string | number;
  /** Field separator, one character (default ','). */
  delimiter?: string;
  /** 'classification' (default): labels mapped to class ids; 'regression': numeric targets. */
  task?: 'classification' | 'regression';
}

export interface CsvResult {
  readonly dataset: Dataset;
  /** Feature column names (from the header, else "c0", "c1", … by original position). */
  readonly featureNames: string[];
  /** Classification: labelNames[id] is the original label text of class id. */
  readonly labelNames?: string[];
}

export type { CsvRecord } from './csv-records.js';

/** One numeric field; ERR_BAD_FILE (not a number) or ERR_NON_FINITE naming its line and column. */
export function csvNumber(field: string, line: number, column: string): number {
  const s = field.trim();
  const v = Number(s);
  if (s === '' || (Number.isNaN(v) && s !== 'NaN')) fail('ERR_BAD_FILE', `line ${line}, column ${column}: ${JSON.stringify(field)} is not a number`);
  if (!Number.isFinite(v)) fail('ERR_NON_FINITE', `line ${line}, column ${column}: ${s}`);
  return v;
}

/** A CSV with a header as column names and unparsed records, for reading columns by name. */
export function readCsvTable(text: string, delimiter = ','): { names: string[]; records: CsvRecord[] } {
  const recs = records(text, delimiter);
  const head = recs.shift();
  if (!head || recs.length === 0) fail('ERR_EMPTY', 'the CSV has no data rows');
  return { names: head.fields.map((s) => s.trim()), records: recs };
}

/** Where the features and the label sit in each record. */
export interface CsvLayout {
  width: number;
  /** Every column's name (header, else "c0", "c1", …). */
  names: string[];
  label: number;
}

/** ERR_BAD_ARGUMENT unless `delimiter` is one character other than a quote or line break. */
export function checkDelimiter(delimiter: string): void {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    fail('ERR_BAD_ARGUMENT', `delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
  }
}

/** The columns, from the header (if any) and the first data record. */
export function csvLayout(head: CsvRecord | undefined, first: CsvRecord, labelColumn: string | number | undefined): CsvLayout {
  const width = head ? head.fields.length : first.fields.length;
  if (width < 2) fail('ERR_BAD_FILE', `line ${(head ?? first).line}: need at least one feature column and a label column`);
  const names = head ? head.fields.map((s) => s.trim()) : Array.from({ length: width }, (_, i) => `c${i}`);
  const want = labelColumn ?? width - 1;
  const label = typeof want === 'number' ? want : names.indexOf(want);
  if (typeof want === 'string' && label < 0) fail('ERR_BAD_ARGUMENT', `no column named ${JSON.stringify(want)}; the header has ${names.join(', ')}`);
  if (!Number.isInteger(label) || label < 0 || label >= width) fail('ERR_BAD_ARGUMENT', `labelColumn ${want} outside [0, ${width})`);
  return { width, names, label };
}

/** One record's features into x at `offset`; returns its label text. */
export function csvRow({ fields, line }: CsvRecord, { width, names, label }: CsvLayout, x: Float32Array, offset: number): string {
  if (fields.length !== width) fail('ERR_BAD_FILE', `line ${line}: ${fields.length} fields, expected ${width}`);
  let c = offset;
  for (let f = 0; f < width; f++) {
    if (f === label) continue;
    x[c++] = csvNumber(fields[f], line, names[f]);
  }
  const l = fields[label].trim();
  if (l === '') fail('ERR_BAD_FILE', `line ${line}: the label (column ${names[label]}) is empty`);
  return l;
}

/** A regression target; ERR_BAD_FILE (not a number) or ERR_NON_FINITE naming its line. */
export function csvTarget(s: string, line: number): number {
  const v = Number(s);
  if (!Number.isFinite(v)) fail(Number.isNaN(v) && s !== 'NaN' ? 'ERR_BAD_FILE' : 'ERR_NON_FINITE', `line ${line}, label ${JSON.stringify(s)} is not a finite number`);
  return v;
}

/** Class names in id order: numeric order when every label is a number, else string order. */
export function sortLabels(distinct: string[]): string[] {
  const numeric = distinct.every((s) => Number.isFinite(Number(s)));
  return numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Parse CSV into a dense dataset. Class labels are numbered in sorted order — numeric
 * order when every label is a number, else string order — and returned in labelNames.
 * ERR_BAD_FILE (wrong field count, non-numeric value, unclosed quote), ERR_NON_FINITE
 * (NaN/Infinity), ERR_EMPTY (no data rows); each message gives the line number.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvResult {
  const { header = true, delimiter = ',', task = 'classification' } = options;
  checkDelimiter(delimiter);
  const recs = records(text, delimiter);
  const head = header ? recs.shift() : undefined;
  if (recs.length === 0) fail('ERR_EMPTY', 'the CSV has no data rows');
  const layout = csvLayout(head, recs[0], options.labelColumn);
  const rows = recs.length;
  const cols = layout.width - 1;
  const x = new Float32Array(rows * cols);
  const labelText = recs.map((rec, r) => csvRow(rec, layout, x, r * cols));
  const featureNames = layout.names.filter((_, f) => f !== layout.label);

  if (task === 'regression') {
    const y = Float32Array.from(labelText, (s, r) => csvTarget(s, recs[r].line));
    return { dataset: validate({ x, rows, cols, y }), featureNames };
  }
  const labelNames = sortLabels([...new Set(labelText)]);
  const id = new Map(labelNames.map((s, i) => [s, i]));
  const y = Int32Array.from(labelText, (s) => id.get(s)!);
  return { dataset: validate({ x, rows, cols, y, classes: labelNames.length }), featureNames, labelNames };
}
