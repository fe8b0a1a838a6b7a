// Types for serve.mjs, imported by the TypeScript tests.
export interface Served {
  url: string;
  /** URL paths requested so far. */
  requested: Set<string>;
  close(): Promise<void>;
}
export function serve(folder: string, options?: { port?: number; routes?: Record<string, Uint8Array> }): Promise<Served>;
