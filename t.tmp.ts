import { wasm } from './test/util/backends.js';
import { take } from './src/data/dataset.js';
import { LogisticRegression } from './src/experts/logistic.js';
import { SoftmaxRegression } from './src/experts/softmax.js';
import { loadSet, reference } from './test/util/linear-fixtures.js';
for (const name of ['iris', 'wine', 'breast-cancer']) {
  const ds = loadSet(name), s = reference.splits[name];
  const train = take(ds, s.train), test = take(ds, s.test);
  const M = ds.classes === 2 ? LogisticRegression : SoftmaxRegression;
  for (const cfg of [{}, { penalty: 'l1' as const, C: 1 }]) {
    const m = new M({ backend: wasm, ...cfg });
    const t = performance.now();
    const h = await m.fit(train);
    const p = m.predict(test.x, test.rows);
    console.log(name, 'raw', JSON.stringify(cfg), (p.filter((v, i) => v === test.y[i]).length / test.rows).toFixed(3), JSON.stringify(h.solver), (performance.now() - t).toFixed(0) + 'ms');
  }
}
