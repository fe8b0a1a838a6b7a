// Node, Deno and Bun: `<runtime> main.mjs <workers>` prints the saved model (base64) on stdout.
import * as lib from '../../dist/index.js';
import { trainAndSave } from './scenario.mjs';

console.log(await trainAndSave(lib, { workers: Number(process.argv[2] ?? 2) }));
process.exit(0);
