// CSV text → records, RFC 4180 quoting, fed a piece at a time: the same tokenizer reads a
// whole string (parseCsv) or a file's chunks (csvSource), quotes and CRLF across chunk edges.
import { fail } from '../errors.js';

export interface CsvRecord {
  fields: string[];
  line: number;
}

export class CsvTokenizer {
  private fields: string[] = [];
  private field = '';
  private line = 1;
  private recordLine = 1;
  private quoted = false;
  private quoteLine = 0;
  /** A closing-quote candidate at the end of the last piece: "" if the next piece starts with ". */
  private quoteAtEnd = false;
  /** A \r ended the last piece: a \n starting the next belongs to it. */
  private crAtEnd = false;
  private started = false;

  constructor(private readonly delimiter: string) {}

  /** Tokenize the next piece of text; complete records go to `out`. */
  push(text: string, out: CsvRecord[]): void {
    let i = 0;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1; // byte-order mark
    }
    if (this.crAtEnd && i < text.length) {
      this.crAtEnd = false;
      if (text[i] === '\n') i++;
    }
    if (this.quoteAtEnd && i < text.length) {
      this.quoteAtEnd = false;
      if (text[i] === '"') {
        this.field += '"';
        i++;
      } else this.quoted = false;
    }
    const d = this.delimiter;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (this.quoted) {
        if (ch === '"') {
          if (i + 1 === text.length) this.quoteAtEnd = true;
          else if (text[i + 1] === '"') {
            this.field += '"';
            i++;
          } else this.quoted = false;
        } else {
          if (ch === '\n') this.line++;
          this.field += ch;
        }
      } else if (ch === '"' && this.field === '') {
        this.quoted = true;
        this.quoteLine = this.line;
      } else if (ch === d) {
        this.fields.push(this.field);
        this.field = '';
      } else if (ch === '\n' || ch === '\r') {
        if (ch === '\r') {
          if (i + 1 === text.length) this.crAtEnd = true;
          else if (text[i + 1] === '\n') i++;
        }
        this.endRecord(out);
        this.recordLine = ++this.line;
      } else this.field += ch;
    }
  }

  /** The text is over: the last record to `out`; ERR_BAD_FILE for a quote never closed. */
  end(out: CsvRecord[]): void {
    if (this.quoteAtEnd) this.quoted = false;
    if (this.quoted) fail('ERR_BAD_FILE', `line ${this.quoteLine}: a quoted field is never closed`);
    this.endRecord(out);
  }

  private endRecord(out: CsvRecord[]): void {
    this.fields.push(this.field);
    // a blank line is no record
    if (this.fields.length > 1 || this.fields[0] !== '') out.push({ fields: this.fields, line: this.recordLine });
    this.fields = [];
    this.field = '';
  }
}

/** Every record of a whole text. */
export function csvRecords(text: string, delimiter: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  const t = new CsvTokenizer(delimiter);
  t.push(text, out);
  t.end(out);
  return out;
}
