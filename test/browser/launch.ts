// The browser for every Chromium test: /usr/bin/chromium (or $CHROMIUM_PATH) where present,
// else the headless Chromium shipped inside the @sparticuz/chromium devDependency, so that
// `npm install && npm test` needs nothing else on the machine.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Which Chromium runs the tests, and with which flags. */
async function pick(): Promise<{ executablePath: string; args: string[]; name: string }> {
  const system = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(system)) return { executablePath: system, args: ['--headless', ...FLAGS], name: system };
  const { default: packaged } = await import('@sparticuz/chromium');
  // Unpacks the browser into the temp folder on first use (a few seconds), then reuses it. Its
  // --single-process (for serverless sandboxes) ends the whole browser when a page closes.
  const args = packaged.args.filter((a) => a !== '--single-process');
  return { executablePath: await packaged.executablePath(), args: [...args, ...FLAGS], name: '@sparticuz/chromium' };
}

/**
 * The packaged browser's flags that switch off web security and site isolation and turn
 * SharedArrayBuffer on everywhere: without them COOP/COEP isolate a page (and only such a
 * page has SharedArrayBuffer), as in a shipped Chromium.
 */
const UNISOLATING = /^--(disable-web-security|disable-site-isolation-trials|enable-features=SharedArrayBuffer|disable-features=.*site-per-process)/;

/** `isolation`: cross-origin isolation works as shipped (see UNISOLATING). */
export async function launchChromium(opts: { isolation?: boolean } = {}): Promise<{ browser: Browser; name: string }> {
  const { name, ...options } = await pick();
  if (opts.isolation) options.args = options.args.filter((a) => !UNISOLATING.test(a));
  return { browser: await chromium.launch(options), name };
}
