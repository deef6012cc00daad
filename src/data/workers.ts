/**
 * Worker threads for the DataLoader (Node's worker_threads). A worker needs the decoding and
 * transform code as JavaScript Node can load: the package's prebuilt `data_worker.js` beside
 * the library bundle when there is one, otherwise (a source checkout, tests, tools/run.mjs)
 * `src/data/worker.ts` bundled once per process with esbuild into `.cache/data_worker.mjs`.
 * Workers get the pipeline as data (`transform.toJSON()`) and file paths, never closures.
 */
import { nodeFs, nodePath, builtin } from './node.js';
import { type HostTensor, type Image } from './image.js';
import { type BadSample, type WorkerReply, type WorkerRequest } from './load_sample.js';
import { type TransformSpec } from './transforms/base.js';

type NodeWorker = import('node:worker_threads').Worker;

let script: Promise<string> | null = null;

/** The path of a worker script Node can run (built on first use). */
export function workerScript(): Promise<string> {
  script ??= locateWorkerScript();
  return script;
}

async function locateWorkerScript(): Promise<string> {
  const fs = nodeFs('DataLoader workers');
  const path = nodePath('DataLoader workers');
  const { fileURLToPath } = builtin<typeof import('node:url')>('node:url', 'DataLoader workers');
  const here = path.dirname(fileURLToPath(import.meta.url));
  const prebuilt = path.join(here, 'data_worker.js');
  if (fs.existsSync(prebuilt)) return prebuilt;
  // Find the package root (the package.json named shadergrad) above this module.
  let root = here;
  while (!isPackageRoot(fs, path, root)) {
    const up = path.dirname(root);
    if (up === root)
      throw new Error(
        `DataLoader: numWorkers > 0 needs the worker script data_worker.js beside ${fileURLToPath(import.meta.url)}; use numWorkers: 0`,
      );
    root = up;
  }
  const entry = path.join(root, 'src', 'data', 'worker.ts');
  if (!fs.existsSync(entry))
    throw new Error(
      `DataLoader: numWorkers > 0 needs ${path.join(here, 'data_worker.js')} (run npm run build) or the source ${entry}; use numWorkers: 0`,
    );
  // A computed specifier keeps bundlers from pulling esbuild into the library bundle.
  const specifier = 'esbuild';
  const esbuild: typeof import('esbuild') = await import(/* @vite-ignore */ specifier).catch(() => {
    throw new Error(
      'DataLoader: numWorkers > 0 from a source checkout needs esbuild (a dev dependency) to bundle src/data/worker.ts; use numWorkers: 0',
    );
  });
  const outDir = path.join(root, '.cache');
  fs.mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'data_worker.mjs');
  const tmp = `${outfile}.${(globalThis as { process?: { pid?: number } }).process?.pid ?? 0}.tmp.mjs`;
  await esbuild.build({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  fs.renameSync(tmp, outfile); // atomic: another process may be reading the previous one
  return outfile;
}

function isPackageRoot(fs: ReturnType<typeof nodeFs>, path: ReturnType<typeof nodePath>, dir: string): boolean {
  const pkg = path.join(dir, 'package.json');
  if (!fs.existsSync(pkg)) return false;
  try {
    return JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'shadergrad';
  } catch {
    return false;
  }
}

/**
 * A fixed set of workers that load batches of [path, seed], answering by request id. The pool
 * lives as long as its DataLoader (workers start once, not every epoch); between epochs the
 * workers are unref'd, so an idle pool never keeps the process alive.
 */
export class WorkerPool {
  private workers: NodeWorker[] = [];
  private waiting = new Map<
    number,
    { resolve: (s: Array<Image | HostTensor | BadSample>) => void; reject: (e: Error) => void }
  >();
  private next = 0;
  private nextId = 0;
  /** Set when a worker died; the loader then starts a new pool. */
  dead = false;

  static async start(count: number, spec: TransformSpec | null, maxImagePixels?: number | null): Promise<WorkerPool> {
    const pool = new WorkerPool();
    const { Worker } = builtin<typeof import('node:worker_threads')>('node:worker_threads', 'DataLoader workers');
    const file = await workerScript();
    for (let i = 0; i < count; i++) {
      const w = new Worker(file);
      w.on('message', (reply: WorkerReply) => pool.settle(reply));
      w.on('error', (e) => pool.fail(new Error(`DataLoader worker ${i}: ${e.message}`)));
      w.on('exit', (code) => pool.fail(new Error(`DataLoader worker ${i} exited (code ${code})`)));
      const init: WorkerRequest = { kind: 'init', spec, maxImagePixels };
      w.postMessage(init);
      w.unref();
      pool.workers.push(w);
    }
    return pool;
  }

  /** Keeps the process alive while batches are on their way (an epoch is running), or not. */
  hold(on: boolean): void {
    for (const w of this.workers) on ? w.ref() : w.unref();
  }

  /** Loads one batch on the next worker (round robin). */
  load(items: Array<[string, number]>): Promise<Array<Image | HostTensor | BadSample>> {
    const id = this.nextId++;
    const promise = new Promise<Array<Image | HostTensor | BadSample>>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: WorkerRequest = { kind: 'batch', id, items };
      this.workers[this.next++ % this.workers.length].postMessage(request);
    });
    // Batches loaded ahead may never be awaited (the loop broke, or an earlier batch failed):
    // their rejection must not surface as an unhandled one.
    promise.catch(() => {});
    return promise;
  }

  private settle(reply: WorkerReply): void {
    const w = this.waiting.get(reply.id);
    if (!w) return;
    this.waiting.delete(reply.id);
    if (reply.error !== undefined) w.reject(new Error(reply.error));
    else w.resolve(reply.samples);
  }

  private fail(error: Error): void {
    this.dead = true;
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    this.fail(new Error('DataLoader: workers were stopped'));
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
