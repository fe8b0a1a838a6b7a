// `npm run size`: what a page downloads, gzipped (level 9), from the built dist/. The core is
// the browser bundle plus one kernel build (budget ≤ 92 KB; it was 80 until the mixture of
// experts, streamed sources and stored bytes made it 83, and 90 until the narrow-product kernels
// and Backend.concurrently made it 90.2); the worker script comes when
// training uses workers. "minified" is what an app's bundler would ship after minifying.
//   node scripts/size.mjs [--json]        exit 1 when the core is over budget
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { transformSync } from 'esbuild';

const BUDGET_KB = 92;
const dist = new URL('../dist/', import.meta.url);
const kb = (bytes) => Math.round((bytes / 1024) * 10) / 10;
const gz = (bytes) => gzipSync(bytes, { level: 9 }).length;

function measure(name) {
  const bytes = readFileSync(new URL(name, dist));
  const row = { file: name, kb: kb(bytes.length), gzip_kb: kb(gz(bytes)) };
  if (name.endsWith('.js') || name.endsWith('.mjs')) row.minified_gzip_kb = kb(gz(Buffer.from(transformSync(bytes.toString(), { minify: true, format: 'esm' }).code)));
  return row;
}

const files = ['core.browser.js', 'index.browser.js', 'kernels.wasm', 'kernels-relaxed.wasm', 'worker.mjs'].map(measure);
const core = kb(gz(readFileSync(new URL('index.browser.js', dist))) + gz(readFileSync(new URL('core.browser.js', dist))) + gz(readFileSync(new URL('kernels.wasm', dist))));
const report = { files, core_gzip_kb: core, budget_kb: BUDGET_KB, within_budget: core <= BUDGET_KB };

if (process.argv.includes('--json')) console.log(JSON.stringify(report));
else {
  for (const f of files) console.log(`${f.file.padEnd(22)} ${String(f.kb).padStart(7)} KB   gzip ${String(f.gzip_kb).padStart(6)} KB${f.minified_gzip_kb ? `   minified + gzip ${f.minified_gzip_kb} KB` : ''}`);
  console.log(`core (index.browser.js + core.browser.js + kernels.wasm), gzipped: ${core} KB of a ${BUDGET_KB} KB budget${core <= BUDGET_KB ? '' : ' — OVER BUDGET'}`);
}
process.exitCode = core <= BUDGET_KB ? 0 : 1;
