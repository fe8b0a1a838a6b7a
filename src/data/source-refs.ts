// Sources that reopen from plain data: a task names its rows by such a reference, and the
// worker that runs it reads them itself (no rows cross threads). Each runtime registers the
// kinds it can open (Node: files by path).
import { fail } from '../errors.js';
import type { RowSource } from './source.js';

/** JSON that says how to open a source again: its kind and that kind's fields. */
export interface SourceRef {
  kind: string;
  [field: string]: unknown;
}

const openers = new Map<string, (ref: SourceRef) => Promise<RowSource>>();

export function registerSourceOpener(kind: string, open: (ref: SourceRef) => Promise<RowSource>): void {
  openers.set(kind, open);
}

/** The source a reference names, opened afresh; ERR_BAD_ARGUMENT when this runtime cannot open its kind. */
export function openSource(ref: SourceRef): Promise<RowSource> {
  const open = openers.get(ref?.kind);
  if (!open) fail('ERR_BAD_ARGUMENT', `a '${String(ref?.kind)}' source cannot be opened here${openers.size ? ` (this runtime opens ${[...openers.keys()].join(', ')})` : ''}`);
  return open(ref);
}
