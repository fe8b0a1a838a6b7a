// A small static file server on 127.0.0.1 that sends COOP/COEP, so pages are cross-origin
// isolated (SharedArrayBuffer, precise timers). The demo (examples/web/serve.mjs) and the
// bundler tests serve with it.
//   node scripts/serve.mjs [folder] [--port N]
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png',
};

/**
 * Serves `folder`; a path naming a folder serves its index.html; `routes` maps a path to bytes
 * made in memory. Resolves once listening, with the URL and the paths requested so far (tests
 * check which files a page really loaded).
 */
export async function serve(folder, { port = 0, routes = {} } = {}) {
  const root = resolve(folder);
  const requested = new Set();
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requested.add(path);
    let file = join(root, normalize(path));
    const headers = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cache-control': 'no-store' };
    try {
      if (Object.hasOwn(routes, path)) {
        res.writeHead(200, { ...headers, 'content-type': 'application/octet-stream' });
        return res.end(routes[path]);
      }
      if (file !== root && !file.startsWith(root + sep)) throw new Error('outside the folder');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(port, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    requested,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const port = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : 8080;
  const folder = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--port') ?? fileURLToPath(new URL('..', import.meta.url));
  const { url } = await serve(folder, { port });
  console.log(`serving ${folder} at ${url} (Ctrl-C stops)`);
}
