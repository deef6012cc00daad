/**
 * File access for `sg.io`, through dynamic `import('node:fs')` so that the library still bundles
 * for browsers (where only Uint8Array sources work), and atomic writes: write a temporary file
 * beside the target, fsync it, then rename it over the target, so that a crash mid-write never
 * leaves a half-written checkpoint under the real name.
 */

/** The bytes of a source and the name to use in errors (the path, `name`, or "<bytes>"). */
export async function readSource(source: string | Uint8Array, name?: string): Promise<{ bytes: Uint8Array; file: string }> {
  if (source instanceof Uint8Array) return { bytes: source, file: name ?? '<bytes>' };
  const file = name ?? source;
  let fs: typeof import('node:fs/promises');
  try {
    fs = await import('node:fs/promises');
  } catch {
    throw new Error(`${file}: reading files needs Node's fs module; in a browser, pass the file's bytes (a Uint8Array) instead`);
  }
  try {
    return { bytes: new Uint8Array(await fs.readFile(source)), file };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new Error(`${file}: cannot read the file: ${why}`);
  }
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
