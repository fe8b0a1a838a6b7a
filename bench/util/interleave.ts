// Runs each side of a comparison in fresh node processes, interleaved: round r runs every
// side once, starting with side r mod n, so a load spike on the shared machine hits all
// sides alike. Each process prints one JSON line last; returns those lines per side.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface Side {
  name: string;
  /** Arguments to node: flags, then the script (a file, or --input-type=module -e code). */
  args: string[];
}

export function interleave<T>(sides: readonly Side[], rounds: number, log: (line: string) => void = () => {}): Map<string, T[]> {
  const out = new Map<string, T[]>(sides.map((s) => [s.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < sides.length; i++) {
      const side = sides[(r + i) % sides.length];
      const p = spawnSync(process.execPath, side.args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
      const last = p.stdout.trim().split('\n').pop() ?? '';
      if (p.status !== 0 || !last.startsWith('{')) throw new Error(`${side.name} (round ${r + 1}) failed (exit ${p.status}): ${p.stderr || p.stdout}`);
      out.get(side.name)!.push(JSON.parse(last) as T);
    }
    log(`round ${r + 1}/${rounds} done`);
  }
  return out;
}

/** Node 20 keeps relaxed SIMD behind a flag (V8 ships it from 11.4 on). */
export function relaxedFlags(): string[] {
  const [major, minor] = process.versions.v8.split('.').map(Number);
  return major * 100 + minor < 1104 ? ['--experimental-wasm-relaxed-simd'] : [];
}

/** `--name value` from argv, or the fallback. */
export function argValue(args: readonly string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
