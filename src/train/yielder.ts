// Hands control back to the event loop now and then, so a page stays responsive and
// abort signals and worker messages get through during long synchronous kernel work.

const BUDGET_MS = 15;

export class Yielder {
  private last = performance.now();

  async maybeYield(): Promise<void> {
    if (performance.now() - this.last < BUDGET_MS) return;
    await yieldToEventLoop();
    this.last = performance.now();
  }
}

/** A macrotask turn: setImmediate in Node, a MessageChannel post elsewhere (setTimeout clamps to 4 ms). */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
