/**
 * The DataLoader's worker thread (entry point of its own bundle: see workers.ts). It rebuilds
 * the CPU part of the pipeline from its `toJSON()` data, then for each batch request reads,
 * decodes and transforms the files with the per-sample seeds it is given (the same function
 * the main thread uses with numWorkers 0), and sends the pixels back without copying; a file
 * that fails to decode comes back as a BadSample for the loader to skip or report.
 */
import { parentPort } from 'node:worker_threads';
import { fromJSON } from './transforms/compose.js';
import { isBadSample, tryLoadFileSample, type WorkerReply, type WorkerRequest } from './load_sample.js';
import { type AnyTransform } from './transforms/base.js';

let transform: AnyTransform | undefined;
let maxImagePixels: number | null | undefined;

parentPort!.on('message', (msg: WorkerRequest) => {
  if (msg.kind === 'init') {
    transform = msg.spec ? fromJSON(msg.spec) : undefined;
    maxImagePixels = msg.maxImagePixels;
    return;
  }
  try {
    const samples = msg.items.map(([path, seed]) => tryLoadFileSample(path, transform, seed, maxImagePixels));
    const reply: WorkerReply = { id: msg.id, samples };
    const buffers = samples.flatMap((s) => (isBadSample(s) ? [] : [s.data.buffer as ArrayBuffer]));
    parentPort!.postMessage(reply, [...new Set(buffers)]);
  } catch (e) {
    const reply: WorkerReply = { id: msg.id, error: (e as Error).message };
    parentPort!.postMessage(reply);
  }
});
