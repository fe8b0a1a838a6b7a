// CSV text → Dataset: RFC 4180 quoting, one label column, errors that name the line.
import { fail } from '../errors.js';
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

export interface CsvRecord {
  fields: string[];
  line: number;
}

/** Split text into records; quoted fields may hold delimiters, "" and line breaks. */
function records(text: string, delimiter: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  const end = () => {
    fields.push(field);
    // a blank line is no record
    if (fields.length > 1 || fields[0] !== '') out.push({ fields, line: recordLine });
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      end();
      recordLine = ++line;
    } else field += ch;
  }
  if (quoted) fail('ERR_BAD_FILE', `line ${quoteLine}: a quoted field is never closed`);
  end();
  return out;
}

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

/**
 * Parse CSV into a dense dataset. Class labels are numbered in sorted order — numeric
 * order when every label is a number, else string order — and returned in labelNames.
 * ERR_BAD_FILE (wrong field count, non-numeric value, unclosed quote), ERR_NON_FINITE
 * (NaN/Infinity), ERR_EMPTY (no data rows); each message gives the line number.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvResult {
  const { header = true, delimiter = ',', task = 'classification' } = options;
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    fail('ERR_BAD_ARGUMENT', `delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
  }
  const recs = records(text, delimiter);
  const head = header ? recs.shift() : undefined;
  if (recs.length === 0) fail('ERR_EMPTY', 'the CSV has no data rows');
  const width = head ? head.fields.length : recs[0].fields.length;
  if (width < 2) fail('ERR_BAD_FILE', `line ${(head ?? recs[0]).line}: need at least one feature column and a label column`);
  const names = head ? head.fields.map((s) => s.trim()) : Array.from({ length: width }, (_, i) => `c${i}`);
  const want = options.labelColumn ?? width - 1;
  const label = typeof want === 'number' ? want : names.indexOf(want);
  if (typeof want === 'string' && label < 0) fail('ERR_BAD_ARGUMENT', `no column named ${JSON.stringify(want)}; the header has ${names.join(', ')}`);
  if (!Number.isInteger(label) || label < 0 || label >= width) fail('ERR_BAD_ARGUMENT', `labelColumn ${want} outside [0, ${width})`);

  const rows = recs.length;
  const cols = width - 1;
  const x = new Float32Array(rows * cols);
  const labelText: string[] = [];
  for (let r = 0; r < rows; r++) {
    const { fields, line } = recs[r];
    if (fields.length !== width) fail('ERR_BAD_FILE', `line ${line}: ${fields.length} fields, expected ${width}`);
    let c = 0;
    for (let f = 0; f < width; f++) {
      if (f === label) continue;
      x[r * cols + c++] = csvNumber(fields[f], line, names[f]);
    }
    const l = fields[label].trim();
    if (l === '') fail('ERR_BAD_FILE', `line ${line}: the label (column ${names[label]}) is empty`);
    labelText.push(l);
  }
  const featureNames = names.filter((_, f) => f !== label);

  if (task === 'regression') {
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const s = labelText[r];
      const v = Number(s);
      if (!Number.isFinite(v)) fail(Number.isNaN(v) && s !== 'NaN' ? 'ERR_BAD_FILE' : 'ERR_NON_FINITE', `line ${recs[r].line}, label ${JSON.stringify(s)} is not a finite number`);
      y[r] = v;
    }
    return { dataset: validate({ x, rows, cols, y }), featureNames };
  }
  const distinct = [...new Set(labelText)];
  const numeric = distinct.every((s) => Number.isFinite(Number(s)));
  const labelNames = numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const id = new Map(labelNames.map((s, i) => [s, i]));
  const y = Int32Array.from(labelText, (s) => id.get(s)!);
  return { dataset: validate({ x, rows, cols, y, classes: labelNames.length }), featureNames, labelNames };
}
