/**
 * File access for `sg.io`, through dynamic `import('node:fs')` so that the library still bundles
 * for browsers (where only Uint8Array sources work), and atomic writes: write a temporary file
 * beside the target, fsync it, then rename it over the target, so that a crash mid-write never
 * leaves a half-written checkpoint under the real name.
 */

/** Bytes read so far and the file's size, for `onProgress` while a large file loads. */
export type ReadProgress = (read: number, total: number) => void;

/** Bytes per read: large enough to be fast, small enough to report progress often. */
const CHUNK = 64 * 2 ** 20;
/** The largest Uint8Array JavaScript engines allocate (V8: 2^32 bytes). */
const MAX_BYTES = 2 ** 32;

/**
 * The bytes of a source and the name to use in errors (the path, `name`, or "<bytes>"). Files
 * are read by ranges through a file handle into one buffer of the file's size (`fs.readFile`
 * refuses files over 2 GiB, and would briefly hold them twice), calling `onProgress` per chunk.
 */
export async function readSource(
  source: string | Uint8Array,
  name?: string,
  onProgress?: ReadProgress,
): Promise<{ bytes: Uint8Array; file: string }> {
  if (source instanceof Uint8Array) return { bytes: source, file: name ?? '<bytes>' };
  const file = name ?? source;
  let fs: typeof import('node:fs/promises');
  try {
    fs = await import('node:fs/promises');
  } catch {
    throw new Error(
      `${file}: reading files needs Node's fs module; in a browser, pass the file's bytes (a Uint8Array) instead`,
    );
  }
  // Only regular files, whose size is known before reading: an endless device (/dev/zero), a
  // FIFO (whose open() would wait for a writer) or a socket is refused before it is opened, and
  // the file is opened non-blocking in case one was swapped in since.
  let handle: import('node:fs/promises').FileHandle;
  try {
    const kind = fileKind(await fs.stat(source));
    if (kind) throw Object.assign(new Error(`it is ${kind}, not a regular file`), { code: 'ENOTFILE' });
    const { constants } = await import('node:fs');
    handle = await fs.open(source, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new Error(`${file}: cannot read the file: ${why}`);
  }
  try {
    const stat = await handle.stat();
    const kind = fileKind(stat);
    if (kind) throw new Error(`it is ${kind}, not a regular file`);
    if (stat.size > MAX_BYTES)
      throw new Error(`it is ${stat.size} bytes; files over 4 GiB (JavaScript's largest array) are not supported`);
    const bytes = new Uint8Array(stat.size);
    for (let at = 0; at < bytes.length;) {
      const { bytesRead } = await handle.read(bytes, at, Math.min(CHUNK, bytes.length - at), at);
      if (bytesRead === 0) throw new Error(`it shrank while being read (${at} of ${bytes.length} bytes)`);
      at += bytesRead;
      onProgress?.(at, bytes.length);
    }
    return { bytes, file };
  } catch (e) {
    throw new Error(`${file}: cannot read the file: ${(e as Error).message}`);
  } finally {
    await handle.close();
  }
}

/** What a non-regular file is ('a directory', 'a FIFO', ...), or null for a regular file. */
function fileKind(stat: import('node:fs').Stats): string | null {
  if (stat.isFile()) return null;
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Writes `bytes` to `path` atomically (temp file `path.tmp-<pid>-<random>`, fsync, rename). */
export async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const handle = await fs.open(tmp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw new Error(`${path}: writing failed: ${(e as Error).message}`);
  }
  await handle.close();
  try {
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new Error(`${path}: could not move the written file into place: ${(e as Error).message}`);
  }
}
