// Memory of training on Fashion-MNIST: all 60,000 images, SparseExpertModel with 8 experts on 2
// workers, in a fresh node process on the built package (bench/train/memory.mjs), with u8 and
// float32 storage, the rows in shared memory (loadIdxPair's default in Node: every worker reads
// them in place) or plain (each expert's shard moved to its worker). One JSON row per run:
//   {"op":"memory","dataset":"fashion-mnist","rows":60000,"experts":8,"workers":2,"storage":"u8","placement":"shared",
//    "data_mb":…,"rss_after_load_mb":…,"load_peak_rss_mb":…,"peak_rss_mb":…,"wasm_high_water_mb":[…]}
//   node --import tsx bench/memory.ts [--experts 8] [--workers 2]   (bench:train -- --data fashion-mnist --json prints them too)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { missingFashion } from './train/data.mjs';
import { argValue } from './util/interleave.js';

export interface MemoryRow {
  op: 'memory';
  dataset: 'fashion-mnist';
  rows: number;
  experts: number;
  workers: number;
  storage: 'u8' | 'f32';
  placement: 'shared' | 'plain';
  data_mb: number;
  rss_after_load_mb: number;
  /** The peak while loading (gunzipped files and rows at once): peak_rss_mb above it is fit's. */
  load_peak_rss_mb: number;
  peak_rss_mb: number;
  wasm_high_water_mb: number[];
}

const child = fileURLToPath(new URL('./train/memory.mjs', import.meta.url));
const round = (v: number) => +v.toFixed(1);

/** One fresh process per storage and placement; MB are 2^20 bytes. */
export function memoryRows(experts = 8, workers = 2): MemoryRow[] {
  const runs = (['u8', 'f32'] as const).flatMap((storage) => (['shared', 'plain'] as const).map((placement) => ({ storage, placement })));
  return runs.map(({ storage, placement }) => {
    const out = execFileSync(process.execPath, ['--expose-gc', child, storage, String(experts), String(workers), placement], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    return {
      op: 'memory', dataset: 'fashion-mnist', rows: r.rows, experts, workers: r.workers, storage, placement,
      data_mb: round(r.data_mb), rss_after_load_mb: round(r.rss_after_load_mb), load_peak_rss_mb: round(r.load_peak_rss_mb), peak_rss_mb: round(r.peak_rss_mb), wasm_high_water_mb: r.wasm_high_water_mb.map(round),
    };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (missingFashion().length) {
    console.error(`Fashion-MNIST is missing (${missingFashion().join(', ')}): apt-get install -y dataset-fashion-mnist`);
    process.exit(1);
  }
  const args = process.argv.slice(2);
  for (const row of memoryRows(Number(argValue(args, '--experts', '8')), Number(argValue(args, '--workers', '2')))) console.log(JSON.stringify(row));
}
