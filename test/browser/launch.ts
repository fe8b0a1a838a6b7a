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

export async function launchChromium(): Promise<{ browser: Browser; name: string }> {
  const { name, ...options } = await pick();
  return { browser: await chromium.launch(options), name };
}
