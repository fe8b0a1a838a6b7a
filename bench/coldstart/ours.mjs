// The measured side of bench/coldstart.ts for this project, in a fresh process: import a build
// of the package and make the default backend ready, then time the first product of the MNIST
// MLP's first layer (a warm-up skipped at start-up would show up there).
//   node bench/coldstart/ours.mjs INDEX_URL   → one JSON line
// No static imports: everything this process loads after Node's own start is on the clock.
const t0 = performance.now(); // since the process started: Node's own start-up
const { init } = await import(process.argv[2]);
const t1 = performance.now();
const b = await init();
const t2 = performance.now();
const { data } = await import('../gemm/shapes.mjs');
const [m, k, n] = [128, 784, 512];
const a = b.upload(data(m * k)), w = b.upload(data(k * n, 1)), c = b.alloc(m * n);
const t3 = performance.now();
b.gemm(false, false, m, n, k, a, w, c);
const t4 = performance.now();
console.log(JSON.stringify({ backend: b.name, threads: b.threads ?? 1, node: t0, import: t1 - t0, init: t2 - t1, ready: t2 - t0, first: t4 - t3 }));
