/**
 * The files a training run writes (classes.json, metrics, plots), through Node's fs fetched at
 * run time (src/data/node.ts), so that `sg.train` still bundles for browsers, where a run given
 * no `out` folder writes nothing. Writes are atomic: a temporary file beside the target, then a
 * rename, so that an interrupted run never leaves a half-written file under the real name.
 */
import { nodeFs } from '../data/node.js';

/** `dir/name` (both separators are fine for Node on every platform). */
export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') || dir.endsWith('\\') ? `${dir}${name}` : `${dir}/${name}`;
}

/** Creates `dir` and its parents when missing. */
export function makeDir(dir: string): void {
  nodeFs('sg.train: writing outputs').mkdirSync(dir, { recursive: true });
}

/** Whether `path` exists. */
export function exists(path: string): boolean {
  return nodeFs('sg.train: reading outputs').existsSync(path);
}

/** Writes `data` to `path` atomically: a temporary file beside it, then a rename. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const fs = nodeFs('sg.train: writing outputs');
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  const tmp = `${path}.tmp-${pid}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, path);
}
