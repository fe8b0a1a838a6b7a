// A tiny static server on 127.0.0.1 for the browser tests: dist/ as built, the test page,
// and the page-side checks bundled by esbuild (they import test helpers); optionally with
// the headers that make its pages cross-origin isolated, and files of the caller's.
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
const types: Record<string, string> = {
  '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json', '.html': 'text/html',
};

/** The page: loads the library and the checks, then offers window.runCheck(name). */
const PAGE = `<!doctype html><meta charset="utf-8"><title>sparse-experts browser tests</title>
<script type="module">
  import * as root from '/dist/index.browser.js';
  import * as backend from '/dist/backend.browser.js';
  import * as checks from '/checks.js';
  const lib = { ...root, ...backend };
  window.runCheck = async (name) => {
    try {
      return { ok: true, note: String((await checks[name](lib)) ?? '') };
    } catch (err) {
      return { ok: false, message: String(err && err.stack || err) };
    }
  };
  window.ready = true;
</script>`;

export interface TestServer {
  url: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Send COOP/COEP headers: the pages are cross-origin isolated (SharedArrayBuffer, kernel threads). */
  isolated?: boolean;
  /** More files by path ('/bench.html'), served as given. */
  files?: Record<string, { type: string; body: string | Buffer }>;
}

/** Besides dist/, what pages may load: TensorFlow.js for the browser benchmark. */
const SERVED = ['dist/', 'node_modules/@tensorflow/'];

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const bundle = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('checks.ts', import.meta.url))], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false,
    define: { 'process.env.SEED': 'undefined' }, // test/util/prng.ts reads it; pages have no process
  });
  const checksJs = bundle.outputFiles[0].text;
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const isolation = options.isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...isolation });
      res.end(body);
    };
    if (path === '/') return send(200, types['.html'], PAGE);
    if (path === '/checks.js') return send(200, types['.js'], checksJs);
    const extra = options.files?.[path];
    if (extra) return send(200, extra.type, extra.body);
    const file = normalize(path).replace(/^\/+/, '');
    if (!SERVED.some((dir) => file.startsWith(dir))) return send(404, 'text/plain', 'not found');
    try {
      send(200, types[extname(file)] ?? 'application/octet-stream', await readFile(root + file));
    } catch {
      send(404, 'text/plain', 'not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
