// The browser bundle in real Chromium (see launch.ts for which one, driven by playwright-core):
// each page-side check in checks.ts is one test.
import type { Browser, Page } from 'playwright-core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as checks from './checks.js';
import { digest, hex, trainBlobs, trainMixture } from './train-check.js';
import { launchChromium } from './launch.js';
import { trainAndSave } from '../runtimes/scenario.mjs';
import { startServer, type TestServer } from './server.js';

interface Ctx {
  server?: TestServer;
  browser?: Browser;
  page?: Page;
  /** Uncaught errors in the page. */
  errors: string[];
  /** What setting up threw, if it did. */
  setup?: unknown;
  /** What each check said, printed at the end (not between uvu's marks). */
  notes: string[];
  /** The page's note from the training check: the digest of its predictions. */
  trained?: string;
  /** The model file the page saved (test/runtimes/scenario.mjs), base64. */
  saved?: string;
  /** The mixture of experts' model file the page saved, hex. */
  moe?: string;
}
const browser = suite<Ctx>('browser', { errors: [], notes: [] });

// uvu drops errors thrown by a before hook, so setup keeps its error for the tests to report.
browser.before(async (ctx) => {
  try {
    await setUp(ctx);
  } catch (err) {
    ctx.setup = err;
  }
});
const setUp = async (ctx: Ctx) => {
  ctx.server = await startServer();
  const launched = await launchChromium();
  ctx.browser = launched.browser;
  ctx.notes.push(`  browser: ${launched.name}`);
  ctx.page = await ctx.browser.newPage();
  ctx.page.on('pageerror', (err) => ctx.errors.push(err.message));
  await ctx.page.goto(ctx.server.url);
  await ctx.page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 20_000 });
};

browser.after(async (ctx) => {
  await ctx.browser?.close();
  await ctx.server?.close();
  if (ctx.notes.length) console.log(`\n${ctx.notes.join('\n')}`);
});

for (const name of Object.keys(checks)) {
  browser(name, async (ctx) => {
    if (ctx.setup) throw ctx.setup;
    const page = ctx.page!;
    const result = await page.evaluate((n) => (window as unknown as { runCheck(n: string): Promise<{ ok: boolean; note?: string; message?: string }> }).runCheck(n), name);
    assert.ok(result.ok, result.message);
    assert.equal(ctx.errors, [], 'errors thrown in the page');
    if (name === 'savesTheModelFileOtherRuntimesSave') ctx.saved = result.note;
    else if (name === 'mixtureOfExpertsTrainsOnThePage') ctx.moe = result.note;
    else if (result.note) ctx.notes.push(`  ${name}: ${result.note.replace(/weights (\w+)/, (_, h: string) => `${h.length / 2} weight bytes`)}`);
    if (name === 'trainsInWebWorkersLikeOnThePage') ctx.trained = result.note;
  });
}

browser('Chromium trains bit-identical weights to Node (same seed, plain SIMD)', async (ctx) => {
  if (ctx.setup) throw ctx.setup;
  const lib = await import('../../src/entry/node.js');
  const node = await trainBlobs(lib, 1);
  assert.is(node.workers, 1);
  assert.ok(ctx.trained, 'the page-side training check ran');
  const page = /weights (\w+)/.exec(ctx.trained!)?.[1] ?? '';
  assert.is(page.length / 2, node.weights.byteLength, 'as many weight bytes as in Node');
  assert.ok(page === hex(node.weights), "Chromium's weight bytes differ from Node's");
  assert.match(ctx.trained!, `digest ${digest(node.proba)}`);
});

browser('Chromium saves byte-identical model files to Node (the runtimes scenario, 2 workers each)', async (ctx) => {
  if (ctx.setup) throw ctx.setup;
  const node = await trainAndSave(await import('../../src/entry/node.js'), { workers: 2 });
  assert.ok(ctx.saved, 'the page-side saving check ran');
  assert.ok(ctx.saved === node, `Chromium's file (${ctx.saved!.length} base64 chars) differs from Node's (${node.length})`);
  ctx.notes.push(`  Chromium and Node saved the same ${Buffer.from(node, 'base64').length}-byte model file`);
});

browser('Chromium trains a mixture of experts to the same model file as Node', async (ctx) => {
  if (ctx.setup) throw ctx.setup;
  const lib = await import('../../src/entry/node.js');
  const node = await trainMixture(lib, await lib.init({ build: 'simd' }));
  assert.ok(ctx.moe, 'the page-side mixture check ran');
  assert.ok(ctx.moe === `moe file ${node.file}`, `Chromium's mixture file differs from Node's (${node.file.length / 2} bytes)`);
  ctx.notes.push(`  Chromium and Node saved the same ${node.file.length / 2}-byte mixture-of-experts file`);
});

browser.run();
