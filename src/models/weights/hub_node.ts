/**
 * Weight files in Node, shared with PyTorch: torch.hub's cache directory
 * (`$TORCH_HOME/hub/checkpoints`, `$TORCH_HOME` defaulting to `$XDG_CACHE_HOME/torch`, itself
 * `~/.cache/torch`), so a file PyTorch downloaded is used as it is, and the other way round.
 * A missing file is downloaded as `torch.hub.download_url_to_file` does: into a temporary file
 * beside the target, hashing as it streams; only a complete file whose sha256 matches (the full
 * pinned hash, or the hex after the name's '-', torchvision's `check_hash` convention) is renamed
 * into place. Node built-ins come from `process.getBuiltinModule` (Node >= 20.16), so the
 * library's bundle imports none of them.
 */
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';
import type * as Os from 'node:os';
import type * as Crypto from 'node:crypto';
import { progressReporter, type ProgressOption } from './progress.js';

function builtin<T>(id: string): T {
  const mod = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(
    id,
  );
  if (!mod) throw new Error(`pretrained weights: needs Node.js >= 20.16 (module ${id} is unavailable)`);
  return mod as T;
}

type Env = Record<string, string | undefined>;

/** `torch.hub._get_torch_home()`: `$TORCH_HOME`, else `$XDG_CACHE_HOME/torch`, else `~/.cache/torch`. */
export function torchHome(env: Env = process.env): string {
  const path = builtin<typeof Path>('node:path');
  const home = env.TORCH_HOME ?? path.join(env.XDG_CACHE_HOME ?? '~/.cache', 'torch');
  return home === '~' || home.startsWith('~/')
    ? path.join(builtin<typeof Os>('node:os').homedir(), home.slice(1))
    : home;
}

/** Where torch.hub keeps downloaded weights: `<torchHome>/hub/checkpoints`. */
export function checkpointsDir(env: Env = process.env): string {
  return builtin<typeof Path>('node:path').join(torchHome(env), 'hub', 'checkpoints');
}

/** torch.hub's HASH_REGEX `-([a-f0-9]*)\.`: 'resnet18-f37072fd.pth' -> 'f37072fd' (null if none). */
export function hashPrefix(fileName: string): string | null {
  return /-([a-f0-9]*)\./.exec(fileName)?.[1] ?? null;
}

/** Options of `cachedFile`. */
export interface FetchOptions {
  /** The cache directory (default `checkpointsDir()`). */
  cacheDir?: string;
  /** The full sha256 the file must have; otherwise its name's prefix is checked. */
  sha256?: string;
  /** false skips the hash check (as torch.hub's `check_hash=False`), for a mirror known good. */
  checkHash?: boolean;
  progress?: ProgressOption;
}

/**
 * The path of `fileName` in the cache, downloading it from `url` first if it is not there.
 * Errors name the URL and the cache path, and leave nothing in the cache.
 */
export async function cachedFile(url: string, fileName: string, options: FetchOptions = {}): Promise<string> {
  const fs = builtin<typeof Fs>('node:fs');
  const dir = options.cacheDir ?? checkpointsDir();
  const target = builtin<typeof Path>('node:path').join(dir, fileName);
  if (fs.statSync(target, { throwIfNoEntry: false })?.isFile()) return target;
  const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.partial`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    await download(url, tmp, fileName, options);
    fs.renameSync(tmp, target);
    return target;
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new Error(`pretrained weights: cannot download ${url} to ${target}: ${(e as Error).message}`);
  }
}

/** Streams `url` into `tmp`, checking length and sha256. */
async function download(url: string, tmp: string, fileName: string, options: FetchOptions): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`no connection (${cause?.code ?? cause?.message ?? (e as Error).message})`);
  }
  if (!response.ok || !response.body)
    throw new Error(`the server answered HTTP ${response.status} ${response.statusText}`.trim());
  const length = response.headers.get('content-length');
  const total = length === null ? null : Number(length);
  const report = progressReporter(url, total, options.progress);
  const hash = builtin<typeof Crypto>('node:crypto').createHash('sha256');
  const file = await builtin<typeof Fs>('node:fs').promises.open(tmp, 'w');
  let received = 0;
  try {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        await file.write(chunk);
        received += chunk.byteLength;
        report(received);
      }
    } catch (e) {
      throw new Error(
        `the connection broke after ${received} bytes${total !== null ? ` of ${total}` : ''} (${(e as Error).message})`,
      );
    }
    if (total !== null && received !== total)
      throw new Error(`truncated: received ${received} bytes, the server announced ${total}`);
    await file.sync();
  } finally {
    await file.close();
  }
  report(received, true);
  if (options.checkHash !== false) checkDigest(hash.digest('hex'), fileName, options.sha256);
}

/** Throws unless `digest` is the pinned sha256, or starts with the file name's hash prefix. */
export function checkDigest(digest: string, fileName: string, sha256?: string): void {
  if (sha256 !== undefined) {
    if (digest !== sha256) throw new Error(`sha256 mismatch: expected ${sha256}, the downloaded file has ${digest}`);
    return;
  }
  const prefix = hashPrefix(fileName);
  if (prefix && !digest.startsWith(prefix)) {
    throw new Error(
      `sha256 mismatch: the file name says the hash starts with ${prefix}, the downloaded file has ${digest}`,
    );
  }
}
