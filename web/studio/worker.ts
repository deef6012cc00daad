/**
 * The studio's Web Worker: the engine (engine.ts) behind postMessage, so that training never
 * blocks the page. Loaded as a module worker by main.ts. When this file is imported by a page
 * instead (the main-thread fallback, where a worker gets no WebGPU adapter) it only exports the
 * engine.
 */
import { Engine } from './engine.js';
import type { EngineRequest } from './protocol.js';

export { Engine };

const scope = globalThis as unknown as {
  WorkerGlobalScope?: unknown;
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<EngineRequest>) => void) | null;
};
if (scope.WorkerGlobalScope !== undefined) {
  const engine = new Engine((event, transfer) => scope.postMessage(event, transfer ?? []));
  // Requests run one at a time, except 'stop', which must reach a running 'train' at once.
  let queue = Promise.resolve();
  scope.onmessage = (e) => {
    if (e.data.type === 'stop') void engine.handle(e.data);
    else queue = queue.then(() => engine.handle(e.data));
  };
}
