// The report: plain tables on a terminal, or one JSON object with --json.
import type { EnsembleResult, MoEResult, PrunedSingleResult, SingleResult } from './recipe.js';

export interface Report {
  single: SingleResult;
  /** The single model pruned to the pruned experts' sparsity (null when no ensemble was pruned). */
  single_pruned: PrunedSingleResult | null;
  ensembles: EnsembleResult[];
  /** Mixtures of experts trained jointly (router and experts). */
  moe: MoEResult[];
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
  const s = r.single, p = r.single_pruned;
  const out: string[] = [];
  const delta = (acc: number) => (acc >= s.accuracy ? '+' : '') + pct(acc - s.accuracy);
  const row = (what: string, how: string, sparsity: number, x: SingleResult, params: number) => [
    what, how, sparsity.toFixed(2), pct(x.accuracy), x.macro_f1.toFixed(4), what === 'single dense model' && sparsity === 0 ? '—' : delta(x.accuracy),
    x.train_s.toFixed(1), x.infer_ms.toFixed(1), k(params), k(x.flops_per_sample),
  ];
  // The pruned single model sits right above the pruned ensembles: the baseline at their FLOPs.
  const ensembleRows = r.ensembles.map((e) => ({ sparse: e.sparsity > 0, cells: row(e.partition, e.combine, e.sparsity, e, e.parameters) }));
  const prunedRow = p ? [row('single dense model', `pruned, ${p.fine_tune_epochs} fine-tune epochs`, p.sparsity, p, p.non_zero)] : [];
  const mixture = (m: MoEResult) => row(m.init === 'partition' ? `k-means → MoE, ${m.experts} experts` : `MoE, ${m.experts} experts`,
    m.init === 'partition' ? `top-${m.k} router, fine-tuned jointly` : `top-${m.k} router, trained jointly`, 0, m, m.parameters);
  out.push('\nOn the held-out digits (train_s includes every expert; infer_ms for all held-out rows; params per expert, non-zero — MoE: all)');
  out.push(table(
    ['partition', 'combine', 'sparsity', 'acc %', 'macro-F1', 'Δ acc vs single', 'train s', 'infer ms', 'params', 'FLOPs/sample'],
    [
      row('single dense model', 'all data', 0, s, s.parameters),
      ...ensembleRows.filter((e) => !e.sparse).map((e) => e.cells),
      ...prunedRow,
      ...ensembleRows.filter((e) => e.sparse).map((e) => e.cells),
      ...r.moe.map(mixture),
    ],
  ));
  if (r.moe.length) {
    out.push('\nMixtures: rows per expert over the last training epoch, as a fraction of the ideal (rows · k / E)');
    for (const m of r.moe) out.push(`${mixture(m).slice(0, 2).join(', ')}: load ${m.load_min.toFixed(2)}–${m.load_max.toFixed(2)}`);
  }
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
