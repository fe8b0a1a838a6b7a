// Types for serve.mjs, imported by the browser tests.
import type { Served } from '../../scripts/serve.mjs';
export function serveDemo(port?: number): Promise<Served>;
