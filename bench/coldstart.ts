// Cold start: a fresh Node process from before its first import to a backend ready to compute
// (import + init()), this project vs tfjs-backend-wasm, with what it is made of: import and
// init apart, the first product after ready (what a start-up without warm-up would move
// there), and the floor no library goes under here: Node's own start-up before the script's
// first line, its first ES module import (an empty module), and the Node built-ins the core
// bundle imports. Every side runs in fresh processes, interleaved over the rounds; figures are
// medians (first–third quartile).
//   npm run bench:coldstart [-- --rounds N (default 15)] [-- --json] [-- --baseline DIR (another build's dist/, e.g. main's)]
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { type ColdRun, builtinsOf, coldStartRuns, floorSide, oursSide, tfjsSide } from './util/coldstart.js';
import { argValue, relaxedFlags } from './util/interleave.js';
import { formatSpread, jsonSpread, spread } from './util/stats.js';
import { formatTable } from './util/table.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const rounds = Math.max(5, Number(argValue(args, '--rounds', '15')));
const baseline = argValue(args, '--baseline', '');
const tfjsWasmDir = `${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
const flags = relaxedFlags();
const builtins = builtinsOf();
const DEFAULT = 'sparse-experts init()';

const sides = [
  oursSide(DEFAULT),
  ...(flags.length ? [oursSide(`sparse-experts init(), ${flags.join(' ')}`, flags)] : []),
  ...(baseline ? [oursSide(`baseline ${baseline}`, [], resolve(baseline))] : []),
  tfjsSide(tfjsWasmDir),
  floorSide('floor: an empty ES module'),
  floorSide(`floor: the bundle's Node built-ins (${builtins.join(', ')})`, builtins),
];
const runs = coldStartRuns(sides, rounds, (line) => json || console.error(line));

const fields = ['node', 'import', 'init', 'ready', 'first'] as const;
type Field = (typeof fields)[number];
const JSON_NAMES: Record<Field, string> = { node: 'node_start_ms', import: 'import_ms', init: 'init_ms', ready: 'ready_ms', first: 'first_gemm_ms' };
/** The spread of a field over a side's runs; null for a field the side does not report. */
const of = (rs: ColdRun[], f: Field) => (rs[0][f] === undefined ? null : spread(rs.map((r) => r[f]!)));
if (json) {
  for (const [side, rs] of runs) {
    const cells = fields.flatMap((f) => {
      const s = of(rs, f);
      return s ? [[JSON_NAMES[f], jsonSpread(s, 1)]] : [];
    });
    console.log(JSON.stringify({ op: 'coldstart', side, backend: rs[0].backend ?? null, threads: rs[0].threads ?? null, rounds, ...Object.fromEntries(cells) }));
  }
} else {
  const what = ({ backend, threads }: ColdRun) => (backend ? ` [${backend}, ${threads} thread${threads === 1 ? '' : 's'}]` : '');
  const rows = [...runs].map(([side, rs]) => [side + what(rs[0]), ...fields.map((f) => {
    const s = of(rs, f);
    return s ? formatSpread(s) : '—';
  })]);
  console.log(`Cold start, ms: median (first–third quartile) of ${rounds} fresh processes per side, interleaved. Node start: process start to the`);
  console.log("script's first line (before the clock starts); import + ready: the cold start; first GEMM: 128×784×512 right after ready.");
  console.log(formatTable(['side', 'Node start', 'import', 'init', 'import + ready', 'first GEMM'], rows));
  console.log(`\n${DEFAULT}: import + ready ${of(runs.get(DEFAULT)!, 'ready')!.median.toFixed(1)} ms (target ≤ 30 ms)`);
}
