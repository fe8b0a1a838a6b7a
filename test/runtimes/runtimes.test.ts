// Same seed + the same kernel build → byte-identical model files in Node, Deno, Bun and
// workerd, whatever the worker count (a model file does not record it). Where files differ
// otherwise, the failure names the header values and tensors that differ (each tensor has
// its CRC-32 in the v2 header).
import { createHash } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Runtime, trainAndSaveIn, version } from './runtimes.js';

const runtimes = suite<{ files: Map<string, Uint8Array>; notes: string[] }>('runtimes', { files: new Map(), notes: [] });

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex').slice(0, 16);
const headerOf = (b: Uint8Array) => JSON.parse(Buffer.from(b.subarray(16, 16 + new DataView(b.buffer, b.byteOffset).getUint32(8, true))).toString());

/** Where two model files differ: header paths with both values, tensors by index. */
function differences(a: Uint8Array, b: Uint8Array): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
    } else if (!Object.is(x, y)) out.push(`${path}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  };
  walk(headerOf(a), headerOf(b), 'header');
  return out.slice(0, 20);
}

const cases: Array<[Runtime, number]> = [['node', 2], ['node', 0], ['deno', 2], ['bun', 2], ['workerd', 0]];
for (const [runtime, workers] of cases) {
  runtimes(`${runtime} (${workers} workers) trains and saves the model`, async (ctx) => {
    const bytes = await trainAndSaveIn(runtime, workers);
    assert.is(new TextDecoder().decode(bytes.subarray(0, 4)), 'SPXM');
    ctx.files.set(`${runtime}/${workers}`, bytes);
    ctx.notes.push(`  ${(await version(runtime)).padEnd(20)} ${workers} workers: ${bytes.length} bytes, sha256 ${sha(bytes)}`);
  });
}

runtimes('every runtime saved byte-identical files (one seed, simd build)', (ctx) => {
  console.log(`\n${ctx.notes.join('\n')}`);
  assert.is(ctx.files.size, cases.length, 'every runtime produced a file');
  const [[firstName, first], ...rest] = [...ctx.files];
  for (const [name, bytes] of rest) {
    if (Buffer.compare(Buffer.from(bytes), Buffer.from(first)) !== 0) assert.unreachable(`${name} differs from ${firstName}:\n    ${differences(first, bytes).join('\n    ')}`);
  }
});

runtimes.run();
