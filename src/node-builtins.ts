// Node built-ins of the Node-only parts, loaded by require() on first use. An ES import of
// node:fs builds its whole namespace, which loads Node's stream modules, and node:crypto loads
// some forty modules of its own: ≈ 3 ms of the cold start together (bench/coldstart.ts) for
// calls made long after it, if ever. Even createRequire waits: ≈ 0.4 ms at import.
import { createRequire } from 'node:module';

let require: NodeJS.Require | undefined;
const load = <T>(name: string): T => (require ??= createRequire(import.meta.url))(name) as T;

export const nodeFs = (): typeof import('node:fs') => load('node:fs');
export const nodeCrypto = (): typeof import('node:crypto') => load('node:crypto');
