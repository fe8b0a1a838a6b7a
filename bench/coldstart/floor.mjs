// The floor under bench/coldstart.ts's figures, in a fresh process: Node's first ES module
// import (an empty module), or the Node built-in modules given (what a bundle imports).
//   node bench/coldstart/floor.mjs [node:fs node:os …]   → one JSON line
const t0 = performance.now();
const modules = process.argv.slice(2);
for (const m of modules.length ? modules : ['data:text/javascript,export {}']) await import(m);
const t1 = performance.now();
console.log(JSON.stringify({ node: t0, import: t1 - t0, ready: t1 - t0 }));
