/**
 * Node built-ins for the file-based parts of `sg.data` (ImageFolder, readImage, workers),
 * fetched with `process.getBuiltinModule` so that the library bundle has no static `node:`
 * import and still loads in browsers (where these parts throw a clear error instead).
 */
import type * as Fs from 'node:fs';
import type * as Path from 'node:path';

/** A Node built-in module by id (`'node:url'`), or a clear error naming `what` needs it. */
export function builtin<T>(id: string, what: string): T {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.(id);
  if (!mod) throw new Error(`${what}: needs Node.js >= 20.16 (module ${id} is unavailable in this environment)`);
  return mod as T;
}

export const nodeFs = (what: string): typeof Fs => builtin<typeof Fs>('node:fs', what);
export const nodePath = (what: string): typeof Path => builtin<typeof Path>('node:path', what);

/**
 * `require` of an npm package at run time, hidden from bundlers. Used for pngjs, whose Node
 * build needs zlib and streams: the library's browser-neutral bundle cannot include it.
 */
export function nodeRequire<T>(id: string, what: string): T {
  const { createRequire } = builtin<typeof import('node:module')>('node:module', what);
  return createRequire(import.meta.url)(id) as T;
}

/** The path of a file inside an installed npm package (`require.resolve`), hidden from bundlers. */
export function resolvePackageFile(id: string, what: string): string {
  const { createRequire } = builtin<typeof import('node:module')>('node:module', what);
  return createRequire(import.meta.url).resolve(id);
}
