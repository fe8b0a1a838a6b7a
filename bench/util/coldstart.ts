// Cold start: fresh node processes, from before the first import to a backend ready for
// work (bench/coldstart/*.mjs), interleaved across the sides being compared.
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Side, interleave } from './interleave.js';
import { type Spread, spread } from './stats.js';

const child = (name: string) => fileURLToPath(new URL(`../coldstart/${name}`, import.meta.url));
const dist = fileURLToPath(new URL('../../dist/', import.meta.url));

/** What a side's process reports, in ms; Node's own start-up (process start to the script's first line) apart. */
export interface ColdRun {
  node: number;
  import: number;
  /** init(), or tfjs's setBackend + ready. */
  init?: number;
  /** import + ready: the cold start. */
  ready: number;
  /** The first 128×784×512 product after ready. */
  first?: number;
  backend?: string;
  threads?: number;
}

/** Our package (dist/index.js of `distDir`) with node `flags`. */
export const oursSide = (name: string, flags: string[] = [], distDir = dist): Side =>
  ({ name, args: [...flags, child('ours.mjs'), pathToFileURL(`${distDir}/index.js`).href] });

export const tfjsSide = (tfjsWasmDir: string): Side => ({ name: "tfjs-backend-wasm setBackend('wasm')", args: [child('tfjs.mjs'), tfjsWasmDir] });

/** Node's first ES module import (an empty one), or importing `modules`. */
export const floorSide = (name: string, modules: string[] = []): Side => ({ name, args: [child('floor.mjs'), ...modules] });

/** The Node built-ins a bundle imports (its top-level `from "node:…"`). */
export function builtinsOf(file = `${dist}/core.js`): string[] {
  return [...new Set([...readFileSync(file, 'utf8').matchAll(/^import .* from "(node:[^"]+)";$/gm)].map((m) => m[1]))].sort();
}

/** Our init() on a build, and tfjs-backend-wasm's setBackend('wasm') with one thread. */
export function coldStartSides(tfjsWasmDir: string, flagsForRelaxed: string[]): Side[] {
  return [
    oursSide('sparse-experts init() (default flags)'),
    oursSide(`sparse-experts init() (${flagsForRelaxed.join(' ') || 'relaxed SIMD on by default'})`, flagsForRelaxed),
    tfjsSide(tfjsWasmDir),
  ];
}

export function coldStartRuns(sides: Side[], rounds: number, log?: (line: string) => void): Map<string, ColdRun[]> {
  return interleave<ColdRun>(sides, rounds, log);
}

/** import + ready per side. */
export function coldStartMs(sides: Side[], rounds: number): Map<string, Spread> {
  return new Map([...coldStartRuns(sides, rounds)].map(([name, rs]) => [name, spread(rs.map((r) => r.ready))]));
}
