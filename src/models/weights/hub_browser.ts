/**
 * Weight files in the browser: `fetch`, kept in the Cache Storage API (cache
 * `shadergrad-weights`, keyed by URL) so the next page load reads them from disk. The bytes
 * are checked as in Node (the pinned sha256, or the prefix in the file name, through
 * `crypto.subtle`) before they are cached; nothing incomplete is ever stored.
 */
import { progressReporter, type ProgressOption } from './progress.js';

/** The Cache Storage cache that holds downloaded weights. */
export const CACHE_NAME = 'shadergrad-weights';

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** The bytes of `url`, from Cache Storage or downloaded (then cached). */
export async function cachedBytes(
  url: string,
  fileName: string,
  options: { sha256?: string; progress?: ProgressOption } = {},
): Promise<Uint8Array> {
  const cache = typeof caches !== 'undefined' ? await caches.open(CACHE_NAME) : null;
  const hit = await cache?.match(url);
  if (hit) return new Uint8Array(await hit.arrayBuffer());
  const where = cache ? `Cache Storage '${CACHE_NAME}'` : 'memory (no Cache Storage here)';
  try {
    const bytes = await download(url, options.progress);
    const digest = hex(await crypto.subtle.digest('SHA-256', bytes));
    const prefix = /-([a-f0-9]*)\./.exec(fileName)?.[1];
    if (options.sha256 !== undefined ? digest !== options.sha256 : prefix && !digest.startsWith(prefix)) {
      throw new Error(
        `sha256 mismatch: expected ${options.sha256 ?? `a hash starting with ${prefix}`}, the downloaded file has ${digest}`,
      );
    }
    await cache?.put(url, new Response(bytes, { headers: { 'content-length': String(bytes.byteLength) } }));
    return bytes;
  } catch (e) {
    throw new Error(`pretrained weights: cannot download ${url} to ${where}: ${(e as Error).message}`);
  }
}

async function download(url: string, progress: ProgressOption | undefined): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url).catch((e: Error) => {
    throw new Error(`no connection (${e.message})`);
  });
  if (!response.ok || !response.body)
    throw new Error(`the server answered HTTP ${response.status} ${response.statusText}`.trim());
  const length = response.headers.get('content-length');
  const total = length === null ? null : Number(length);
  const report = progressReporter(url, total, progress ?? false);
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    report(received);
  }
  if (total !== null && received !== total)
    throw new Error(`truncated: received ${received} bytes, the server announced ${total}`);
  report(received, true);
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}
