/**
 * Starting the studio's engine: in a module Web Worker (studio-worker.js) when the worker gets a
 * WebGPU adapter, so that decoding, augmentation and the training loop never block the page;
 * otherwise the same module on the main thread, where the loop yields to the page at every
 * batch (it awaits each batch's loss from the GPU) and the page stays usable between batches.
 */
import type { EngineEvent, EngineRequest } from './protocol.js';

/** A running engine: where it runs and how to send it requests. */
export interface EngineClient {
  mode: 'worker' | 'main thread';
  send(r: EngineRequest, transfer?: Transferable[]): void;
  /** The 'ready' event (adapter name, limits, features). */
  ready: Extract<EngineEvent, { type: 'ready' }>;
}

const WORKER_URL = './studio-worker.js';

/** Tries the worker first; `onEvent` receives every event of whichever engine runs. */
export async function startEngine(featureLevel: string, onEvent: (e: EngineEvent) => void): Promise<EngineClient> {
  const why = { message: '' };
  const inWorker = await tryWorker(featureLevel, onEvent, why);
  if (inWorker) return inWorker;
  onEvent({ type: 'log', line: `no WebGPU adapter in a Web Worker (${why.message}): training on the main thread` });
  const mod = (await import(
    /* @vite-ignore */ new URL(WORKER_URL, location.href).href
  )) as typeof import('./worker.js');
  let ready: EngineClient['ready'] | null = null;
  let failure = '';
  const engine = new mod.Engine((e) => {
    if (e.type === 'ready') ready = e;
    else if (e.type === 'error' && e.request === 'init') failure = e.message;
    onEvent(e);
  });
  await engine.handle({ type: 'init', featureLevel });
  if (!ready) throw new Error(failure || 'the engine did not start');
  return { mode: 'main thread', send: (r) => void engine.handle(r), ready };
}

function tryWorker(
  featureLevel: string,
  onEvent: (e: EngineEvent) => void,
  why: { message: string },
): Promise<EngineClient | null> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_URL, { type: 'module' });
    } catch (e) {
      why.message = (e as Error).message;
      resolve(null);
      return;
    }
    const give = (message: string) => {
      why.message = message;
      worker.terminate();
      resolve(null);
    };
    // The worker must find an adapter in time; choosing the matmul kernel afterwards may take longer.
    const timer = setTimeout(() => give('it found no adapter in 30 s'), 30_000);
    worker.onerror = (e) => {
      clearTimeout(timer);
      give(e.message || 'the worker failed to load');
    };
    worker.onmessage = (m: MessageEvent<EngineEvent>) => {
      const e = m.data;
      if (e.type === 'adapter') clearTimeout(timer);
      else if (e.type === 'ready') {
        clearTimeout(timer);
        worker.onmessage = (m2: MessageEvent<EngineEvent>) => onEvent(m2.data);
        onEvent(e);
        resolve({ mode: 'worker', send: (r, transfer) => worker.postMessage(r, transfer ?? []), ready: e });
      } else if (e.type === 'error' && e.request === 'init') {
        clearTimeout(timer);
        give(e.message.split('\n')[0]);
      }
    };
    worker.postMessage({ type: 'init', featureLevel } satisfies EngineRequest);
  });
}
