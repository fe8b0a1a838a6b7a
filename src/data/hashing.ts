// Hashing vectorizer: text → sparse bag-of-words rows without a vocabulary to store,
// each token's column = murmur3(token, seed) mod features.
import { fail } from '../errors.js';
import type { CsrMatrix } from './csr.js';
import { murmur3 } from './murmur3.js';

export interface HashingOptions {
  /** Number of columns (hash buckets); default 2^18. */
  features?: number;
  /** Hash seed; default 0 (scikit-learn's choice, so columns match its HashingVectorizer). */
  seed?: number;
  /** 'count' (default): term frequency; 'binary': 1 if the token occurs. */
  weighting?: 'count' | 'binary';
  /** Scale each row to unit L2 norm (default true; an empty row stays empty). */
  normalize?: boolean;
  /** Lower-case before tokenizing (default true). */
  lowercase?: boolean;
  /** Largest word n-gram: 1 (default) words only, 2 adds adjacent word pairs. */
  ngrams?: 1 | 2;
}

const TOKEN = /[\p{L}\p{N}_]+/gu;

/** Runs of letters, digits and underscores. */
export function tokenize(text: string, lowercase = true): string[] {
  return (lowercase ? text.toLowerCase() : text).match(TOKEN) ?? [];
}

export function hashingVectorize(texts: readonly string[], options: HashingOptions = {}): CsrMatrix {
  const features = options.features ?? 2 ** 18;
  const seed = options.seed ?? 0;
  const ngrams = options.ngrams ?? 1;
  if (!Number.isInteger(features) || features < 1 || features > 2 ** 31 - 1) fail('ERR_BAD_ARGUMENT', `features must be an integer in [1, 2^31), got ${features}`);
  if (!Number.isInteger(seed)) fail('ERR_BAD_ARGUMENT', `seed must be an integer, got ${seed}`);
  if (ngrams !== 1 && ngrams !== 2) fail('ERR_BAD_ARGUMENT', `ngrams must be 1 or 2, got ${ngrams}`);
  const binary = options.weighting === 'binary';
  const rowPtr = new Int32Array(texts.length + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < texts.length; r++) {
    if (typeof texts[r] !== 'string') fail('ERR_BAD_ARGUMENT', `text ${r} is not a string`);
    const words = tokenize(texts[r], options.lowercase ?? true);
    const terms = ngrams === 2 ? words.concat(words.slice(1).map((w, i) => `${words[i]} ${w}`)) : words;
    const counts = new Map<number, number>();
    for (const t of terms) {
      const c = murmur3(t, seed) % features;
      counts.set(c, binary ? 1 : (counts.get(c) ?? 0) + 1);
    }
    const cols = [...counts.keys()].sort((a, b) => a - b);
    let norm = 0;
    for (const c of cols) norm += counts.get(c)! ** 2;
    const scale = options.normalize === false || norm === 0 ? 1 : 1 / Math.sqrt(norm);
    for (const c of cols) {
      colIdx.push(c);
      values.push(counts.get(c)! * scale);
    }
    rowPtr[r + 1] = colIdx.length;
  }
  return { rows: texts.length, cols: features, rowPtr, colIdx: Int32Array.from(colIdx), values: Float32Array.from(values) };
}
