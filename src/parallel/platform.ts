// How workers are made in this runtime. The runtime entries install one (src/entry/node.ts →
// ./node.js, src/entry/browser.ts → ./browser.js); edge runtimes install none and run locally.
import type { Endpoint } from 'comlink';

export interface WorkerHandle {
  /** The comlink endpoint talking to the worker's exposed API. */
  readonly endpoint: Endpoint;
  /** Called once when the worker dies on its own (crash, exit, uncaught error). */
  onExit(listener: (reason: unknown) => void): void;
  /** Whether the worker may keep the process alive (Node: ref while busy, unref while idle). */
  keepAlive(busy: boolean): void;
  terminate(): Promise<void>;
}

export interface WorkerPlatform {
  /** Logical cores for workers: 'auto' uses cores − 1, leaving one for the calling thread. */
  cores(): number;
  /** Starts one worker running dist/worker.mjs, or `url` when given. */
  spawn(url?: string | URL): WorkerHandle;
}

let platform: WorkerPlatform | undefined;

export function setWorkerPlatform(next: WorkerPlatform): void {
  platform = next;
}

export function getWorkerPlatform(): WorkerPlatform | undefined {
  return platform;
}
