// Text classification on sparse input: a synthetic corpus of three topics (each with its
// own vocabulary, all sharing common words and a little cross-topic noise) is hashed into
// 2^12 bag-of-words columns and fed, still sparse, to a softmax regression.
//   node --import tsx examples/text.ts
import { Rng, SoftmaxRegression, accuracy, hashingVectorize, init, trainTestSplit } from '../src/entry/node.js';
import type { SparseDataset } from '../src/entry/node.js';

const TOPICS = [
  'goal match striker keeper referee league season coach stadium penalty tackle midfield score derby final',
  'oven flour butter simmer recipe garlic onion whisk saucepan roast bake dough pepper slice boil',
  'orbit rocket planet comet telescope astronaut galaxy lunar launch satellite crater nebula gravity probe eclipse',
].map((t) => t.split(' '));
const COMMON = 'the a of and to in is it that was for on with as at by this from but not or have an they which'.split(' ');

/** `docs` documents with labels 0..2: 30 % topic words, 5 % another topic's, the rest common words. */
export function syntheticCorpus(docs: number, seed: number): { texts: string[]; labels: Int32Array } {
  const rng = new Rng(seed);
  const pick = (words: string[]): string => words[rng.int(words.length)];
  const texts: string[] = [], labels = new Int32Array(docs);
  for (let d = 0; d < docs; d++) {
    const topic = rng.int(TOPICS.length), length = 6 + rng.int(15), words: string[] = [];
    for (let w = 0; w < length; w++) {
      const u = rng.next();
      words.push(u < 0.3 ? pick(TOPICS[topic]) : u < 0.35 ? pick(TOPICS[(topic + 1 + rng.int(2)) % 3]) : pick(COMMON));
    }
    texts.push(words.join(' '));
    labels[d] = topic;
  }
  return { texts, labels };
}

export async function run(seed = 1, docs = 600): Promise<{ accuracy: number; nnzPerRow: number; seconds: number }> {
  await init();
  const { texts, labels } = syntheticCorpus(docs, seed);
  const x = hashingVectorize(texts, { features: 2 ** 12 });
  const ds: SparseDataset = { x, rows: x.rows, cols: x.cols, y: labels, classes: TOPICS.length };
  const { train, test } = trainTestSplit(ds, { testFraction: 0.25, seed });
  const model = new SoftmaxRegression({ fit: { epochs: 15, batchSize: 32, seed } });
  const history = await model.fit(train);
  const acc = accuracy(test.y, model.predict(test.x, test.rows));
  model.dispose();
  return { accuracy: acc, nnzPerRow: x.rowPtr[x.rows] / x.rows, seconds: history.seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  console.log(`${r.nnzPerRow.toFixed(1)} non-zeros per row of 4096; trained in ${r.seconds.toFixed(2)} s; held-out accuracy ${(r.accuracy * 100).toFixed(1)} %`);
}
