// The report: plain tables on a terminal, or one JSON object with --json.
import type { EnsembleResult, SingleResult } from './recipe.js';

export interface Report {
  single: SingleResult;
  ensembles: EnsembleResult[];
  workers_speedup: { workers: number; one_s: number; n_s: number; speedup: number } | null;
  sparse_speedup: { dense_ms: number; csr_ms: number; speedup: number } | null;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const pct = (x: number) => (100 * x).toFixed(2);
const k = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : `${(n / 1e3).toFixed(0)}k`);

export function printReport(r: Report, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(r));
    return;
  }
  const s = r.single;
  const out: string[] = [];
  out.push('\nEnsembles on the held-out digits (train_s includes every expert; infer_ms for all held-out rows)');
  out.push(table(
    ['partition', 'combine', 'sparsity', 'acc %', 'macro-F1', 'Δ acc vs single', 'train s', 'infer ms', 'params/expert', 'FLOPs/sample'],
    [
      ['single dense model', 'all data', '0', pct(s.accuracy), s.macro_f1.toFixed(4), '—', s.train_s.toFixed(1), s.infer_ms.toFixed(1), k(s.parameters), k(s.flops_per_sample)],
      ...r.ensembles.map((e) => [
        e.partition, e.combine, e.sparsity.toFixed(2), pct(e.accuracy), e.macro_f1.toFixed(4),
        `${e.accuracy >= s.accuracy ? '+' : ''}${pct(e.accuracy - s.accuracy)}`, e.train_s.toFixed(1), e.infer_ms.toFixed(1), k(e.parameters), k(e.flops_per_sample),
      ]),
    ],
  ));
  const seen = new Set<string>();
  out.push('\nPer expert (accuracy on the rows held out for the combiner)');
  for (const e of r.ensembles) {
    const key = `${e.partition}/${e.sparsity}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(`${e.partition}, sparsity ${e.sparsity}: ` + e.experts.map((x, i) =>
      `#${i + 1} ${x.rows} rows, acc ${x.accuracy === undefined ? '—' : pct(x.accuracy)}, ${pct(x.sparsity)}% zero, ${k(x.non_zero)}/${k(x.parameters)} params, ${x.wasm_high_water_mb} MB wasm`).join('; '));
  }
  if (r.workers_speedup) {
    const w = r.workers_speedup;
    out.push(`\nTraining 5 experts: ${w.one_s.toFixed(1)} s on one core, ${w.n_s.toFixed(1)} s on all (${w.workers} workers sharing the cores): ${w.speedup.toFixed(2)}× faster`);
  }
  if (r.sparse_speedup) {
    const p = r.sparse_speedup;
    out.push(`Inference of the pruned experts: dense ${p.dense_ms.toFixed(1)} ms, CSR ${p.csr_ms.toFixed(1)} ms: ${p.speedup.toFixed(2)}× faster`);
  }
  console.log(out.join('\n'));
}
