// The browser demo's page: controls and charts (plain SVG and canvas). The library runs in
// trainer.js, a Web Worker whose experts train in Web Workers of their own, so this thread
// only draws and stays responsive: live loss and accuracy curves per expert as epochs end.
// Query parameters preset the form (?experts=2&epochs=1; &run starts at once).
const COLORS = ['#5eb1ff', '#f5a524', '#4cc38a', '#ef5b5b', '#b48cff', '#36c5d0', '#f2d45c', '#ff7eb6', '#9fd356', '#c9a27e'];
const $ = (id) => document.getElementById(id);
const form = $('controls');
const status = (text) => ($('status').textContent = text);
const svg = (tag, attrs, text) => {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
};

for (const [key, value] of new URLSearchParams(location.search)) if (form.elements[key]) form.elements[key].value = value;

/** One line per expert: a value after each epoch (x: epochs, y: [0, yMax]), and a legend. */
function drawCurves(el, tracks, epochs, yMax, label) {
  el.replaceChildren();
  const [w, h, left, bottom] = [420, 200, 34, 20];
  const X = (e) => left + ((w - left - 10) * e) / Math.max(1, epochs - 1), Y = (v) => h - bottom - ((h - bottom - 24) * Math.min(v, yMax)) / yMax;
  for (const f of [0, 0.5, 1]) {
    el.append(svg('line', { x1: left, x2: w - 10, y1: Y(f * yMax), y2: Y(f * yMax), stroke: '#2a3447' }), svg('text', { x: 2, y: Y(f * yMax) + 3 }, label(f * yMax)));
  }
  for (const [e, anchor] of [[0, 'start'], [Math.floor((epochs - 1) / 2), 'middle'], [epochs - 1, 'end']]) el.append(svg('text', { x: X(e), y: h - 4, 'text-anchor': anchor }, `epoch ${e + 1}`));
  tracks.forEach((points, i) => {
    const color = COLORS[i % COLORS.length];
    el.append(svg('rect', { x: left + i * 62, y: 2, width: 10, height: 10, rx: 2, fill: color }), svg('text', { x: left + 14 + i * 62, y: 11 }, `expert ${i + 1}`));
    if (!points.length) return;
    el.append(svg('path', { d: points.map(([e, v], j) => `${j ? 'L' : 'M'}${X(e).toFixed(1)},${Y(v).toFixed(1)}`).join(''), fill: 'none', stroke: color, 'stroke-width': 2 }));
    for (const [e, v] of points) el.append(svg('circle', { cx: X(e), cy: Y(v), r: 2.5, fill: color }));
  });
}

/** One bar per expert: its training rows, labelled with its held-out accuracy. */
function drawLoad(experts) {
  const el = $('load');
  el.replaceChildren();
  const max = Math.max(...experts.map((e) => e.rows));
  const bw = Math.min(60, 380 / experts.length - 10);
  experts.forEach((e, i) => {
    const x = 30 + i * (bw + 10), bh = (150 * e.rows) / max;
    el.append(
      svg('rect', { x, y: 170 - bh, width: bw, height: bh, rx: 3, fill: COLORS[i % COLORS.length] }),
      svg('text', { x, y: 165 - bh }, `${e.rows} rows`),
      svg('text', { x, y: 184 }, `expert ${i + 1}`),
      svg('text', { x, y: 196 }, e.holdoutAccuracy === undefined ? '' : `acc ${(100 * e.holdoutAccuracy).toFixed(1)} %`),
    );
  });
}

function drawConfusion(m) {
  const el = $('confusion');
  el.replaceChildren();
  const cell = 26, off = 24;
  const rowMax = m.map((r) => Math.max(1, r.reduce((s, v) => s + v, 0)));
  m.forEach((row, t) => {
    el.append(svg('text', { x: 8, y: off + t * cell + 17 }, String(t)), svg('text', { x: off + t * cell + 10, y: 14 }, String(t)));
    row.forEach((v, p) => {
      const share = v / rowMax[t];
      const fill = t === p ? `rgba(76,195,138,${0.15 + 0.85 * share})` : v ? `rgba(239,91,91,${0.25 + 0.75 * Math.min(1, share * 4)})` : '#111827';
      el.append(svg('rect', { x: off + p * cell, y: off + t * cell, width: cell - 2, height: cell - 2, rx: 3, fill }));
      if (v) el.append(svg('text', { x: off + p * cell + 4, y: off + t * cell + 16, style: 'fill:#e7ecf5' }, String(v)));
    });
  });
}

function drawDigits(test, predicted, count = predicted.length) {
  const figures = [];
  for (let r = 0; r < count; r++) {
    const canvas = Object.assign(document.createElement('canvas'), { width: 28, height: 28 });
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = 255 - Math.round(255 * test.x[r * 784 + i]);
      img.data.set([v, v, v, 255], 4 * i);
    }
    ctx.putImageData(img, 0, 0);
    const fig = document.createElement('figure');
    fig.className = predicted[r] === test.y[r] ? 'right' : 'wrong';
    fig.append(canvas, Object.assign(document.createElement('figcaption'), { textContent: predicted[r] === test.y[r] ? `${predicted[r]}` : `${predicted[r]} (${test.y[r]})` }));
    figures.push(fig);
  }
  $('digits').replaceChildren(...figures);
}

const trainer = new Worker(new URL('./trainer.js', import.meta.url), { type: 'module' });
let running = null;

function train() {
  const f = Object.fromEntries(new FormData(form));
  const settings = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, ['partition', 'combine'].includes(k) ? v : Number(v)]));
  const losses = Array.from({ length: settings.experts }, () => []), accs = Array.from({ length: settings.experts }, () => []);
  // One-shot pruning fine-tunes half the epochs again (at least 2).
  const epochs = settings.epochs + (settings.sparsity > 0 ? Math.max(2, Math.round(settings.epochs / 2)) : 0);
  let queued = false, maxLoss = 0.5;
  const redraw = () => {
    queued = false;
    drawCurves($('loss'), losses, epochs, maxLoss, (v) => v.toFixed(2));
    drawCurves($('acc'), accs, epochs, 1, (v) => `${Math.round(v * 100)}%`);
  };
  redraw();
  status(`training ${settings.experts} experts on ${settings.train} digits in Web Workers…`);
  $('go').disabled = true;
  return new Promise((resolve) => {
    running = (msg) => {
      if (msg.type === 'progress') {
        if (msg.epoch === undefined) return; // within an epoch: nothing new to draw
        losses[msg.expert].push([msg.epoch, msg.loss]);
        if (msg.acc !== undefined) accs[msg.expert].push([msg.epoch, msg.acc]);
        maxLoss = Math.max(maxLoss, Math.ceil(msg.loss * 2) / 2);
        if (!queued) (queued = true), requestAnimationFrame(redraw);
        return;
      }
      running = null;
      $('go').disabled = false;
      if (msg.type === 'error') {
        status(`error: ${msg.message}`);
        return resolve({ error: msg.message });
      }
      const r = msg.result;
      redraw();
      drawLoad(r.experts);
      drawConfusion(r.confusion);
      drawDigits({ x: r.digits.x, y: r.digits.y }, r.digits.predicted);
      status(`test accuracy ${(100 * r.accuracy).toFixed(1)} % on ${r.testRows} held-out digits · ${settings.experts} experts, ${settings.partition} partition, ${settings.combine} combiner · trained in ${r.seconds.toFixed(1)} s on ${r.workers} workers`);
      resolve({ accuracy: r.accuracy, seconds: r.seconds, workers: r.workers });
    };
    trainer.postMessage({ type: 'train', settings });
  });
}

trainer.onmessage = ({ data }) => {
  if (running) return running(data);
  if (data.type === 'error') return status(`error: ${data.message}`);
  if (data.type !== 'ready') return;
  status('ready: choose the settings and train');
  window.demoReady = true;
  if (new URLSearchParams(location.search).has('run')) window.demo = { done: train() };
};
form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!running) window.demo = { done: train() };
});
