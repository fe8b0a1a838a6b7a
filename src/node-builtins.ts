// Node built-ins of the Node-only parts, loaded by require() on first use. An ES import of
// node:fs builds its whole namespace, which loads Node's stream modules, and node:crypto loads
// some forty modules of its own: ≈ 3 ms of the cold start together (bench/coldstart.ts) for
// calls made long after it, if ever.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const nodeFs = (): typeof import('node:fs') => require('node:fs');
export const nodeCrypto = (): typeof import('node:crypto') => require('node:crypto');
