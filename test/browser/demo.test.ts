// The browser demo (examples/web/, served as `npm run demo` serves it) in Chromium: it trains
// a small MNIST expert model in Web Workers, ends above an accuracy bound, the page thread has
// no long task over 100 ms while training (the library runs in a worker of the page's), and a
// screenshot lands in .scratch/test-output/.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { serveDemo } from '../../examples/web/serve.mjs';
import { launchChromium } from './launch.js';

const OUT = fileURLToPath(new URL('../../.scratch/test-output/', import.meta.url));

test('the demo trains MNIST experts in Web Workers without blocking the page, and draws its charts', async () => {
  const server = await serveDemo();
  const { browser } = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    // Long tasks on the page thread, from the moment training starts.
    await page.addInitScript(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    await page.goto(`${server.url}examples/web/?experts=3&epochs=3&train=3000&hidden=32`);
    await page.waitForFunction(() => (window as unknown as { demoReady?: boolean }).demoReady === true, undefined, { timeout: 60_000 });
    await page.evaluate(() => ((window as unknown as { longTasks: number[] }).longTasks.length = 0));
    await page.click('#go');
    const result = await page.evaluate(() => (window as unknown as { demo: { done: Promise<{ accuracy?: number; error?: string; workers?: number }> } }).demo.done);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    assert.not.ok(result.error, result.error);
    assert.equal(errors, [], 'errors thrown in the page');
    assert.ok(result.accuracy! > 0.8, `test accuracy ${result.accuracy}`);
    assert.ok(result.workers! >= 2, `trained on ${result.workers} workers`);
    assert.equal(longTasks.filter((d) => d > 100), [], 'long tasks (ms) on the page thread while training');
    assert.is(await page.locator('#digits figure').count(), 40, 'the grid of test digits');
    assert.is(await page.locator('#confusion rect').count(), 100, 'the confusion matrix');
    assert.is(await page.locator('#load rect').count(), 3, 'one load bar per expert');
    // A loss and an accuracy curve per expert, a point after each of its 3 epochs.
    assert.is(await page.locator('#loss path').count(), 3, 'one loss curve per expert');
    assert.is(await page.locator('#loss circle').count(), 9, 'a loss point per expert and epoch');
    assert.is(await page.locator('#acc circle').count(), 9, 'an accuracy point per expert and epoch');
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: `${OUT}demo.png`, fullPage: true });
    console.log(`\n  demo: accuracy ${(100 * result.accuracy!).toFixed(1)} %, ${result.workers} workers, long tasks ${longTasks.map((d) => d.toFixed(0)).join(', ') || 'none'}; screenshot ${OUT}demo.png`);
  } finally {
    await browser.close();
    await server.close();
  }
});

test.run();
