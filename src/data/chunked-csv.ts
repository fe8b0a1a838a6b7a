// A CSV file as a source: one pass at opening reads the header, counts the rows, checks
// every record and collects the class names; each later pass parses a block of records at
// a time from the file's chunks. Same columns, labels and errors as parseCsv.
import { fail } from '../errors.js';
import { type OpenBytes, byteChunks } from './byte-stream.js';
import { type CsvLayout, type CsvOptions, checkDelimiter, csvLayout, csvRow, csvTarget, sortLabels } from './csv.js';
import { type CsvRecord, CsvTokenizer } from './csv-records.js';
import { type RowSource, blockSource } from './source.js';

export interface CsvSourceOptions extends CsvOptions {
  /** Rows per block (default 4096). */
  blockRows?: number;
}

export interface CsvSource extends RowSource {
  readonly featureNames: string[];
  /** Classification: labelNames[id] is the original label text of class id. */
  readonly labelNames?: string[];
}

/** The data records of one pass, in groups of at most `size`, each after the header (if any). */
async function* recordGroups(open: OpenBytes, options: CsvSourceOptions, size: number): AsyncGenerator<{ head?: CsvRecord; records: CsvRecord[] }> {
  const tokens = new CsvTokenizer(options.delimiter ?? ',');
  const decoder = new TextDecoder();
  let head: CsvRecord | undefined;
  let pending: CsvRecord[] = [];
  let wantHead = options.header ?? true;
  const ready = function* (all: boolean) {
    if (wantHead && pending.length > 0) {
      head = pending.shift();
      wantHead = false;
    }
    while (pending.length >= size || (all && pending.length > 0)) yield { head, records: pending.splice(0, size) };
  };
  for await (const chunk of byteChunks(open)) {
    tokens.push(decoder.decode(chunk, { stream: true }), pending);
    yield* ready(false);
  }
  tokens.push(decoder.decode(), pending);
  tokens.end(pending);
  yield* ready(true);
}

/**
 * The rows of a CSV read in chunks (labels and columns as parseCsv): ERR_BAD_FILE (wrong
 * field count, non-numeric value, unclosed quote), ERR_NON_FINITE, ERR_EMPTY; messages give
 * the line.
 */
export async function csvSource(open: OpenBytes, options: CsvSourceOptions = {}): Promise<CsvSource> {
  const { task = 'classification', blockRows = 4096 } = options;
  checkDelimiter(options.delimiter ?? ',');
  if (!Number.isInteger(blockRows) || blockRows < 1) fail('ERR_BAD_ARGUMENT', `blockRows must be an integer ≥ 1, got ${blockRows}`);
  let layout: CsvLayout | undefined;
  let rows = 0;
  const labels = new Set<string>();
  let row = new Float32Array(0);
  for await (const { head, records } of recordGroups(open, options, blockRows)) {
    layout ??= csvLayout(head, records[0], options.labelColumn);
    if (row.length === 0) row = new Float32Array(layout.width - 1);
    for (const rec of records) {
      const l = csvRow(rec, layout, row, 0);
      if (task === 'regression') csvTarget(l, rec.line);
      else labels.add(l);
    }
    rows += records.length;
  }
  if (!layout) fail('ERR_EMPTY', 'the CSV has no data rows');
  const lay = layout;
  const cols = lay.width - 1;
  const featureNames = lay.names.filter((_, f) => f !== lay.label);
  const labelNames = task === 'regression' ? undefined : sortLabels([...labels]);
  const id = new Map(labelNames?.map((s, i) => [s, i]));

  async function* blocks() {
    for await (const { records } of recordGroups(open, options, blockRows)) {
      const n = records.length;
      const x = new Float32Array(n * cols);
      const text = records.map((rec, r) => csvRow(rec, lay, x, r * cols));
      const y = labelNames ? Int32Array.from(text, (s, r) => id.get(s) ?? fail('ERR_BAD_FILE', `line ${records[r].line}: label ${JSON.stringify(s)} was not in the file when it was opened`))
        : Float32Array.from(text, (s, r) => csvTarget(s, records[r].line));
      yield { x, y, rows: n };
    }
  }
  const src = await blockSource(blocks, { rows, cols, ...(labelNames ? { classes: labelNames.length } : {}) });
  return { ...src, featureNames, ...(labelNames ? { labelNames } : {}) };
}
