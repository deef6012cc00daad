/**
 * Where the matmul tuning (matmul_tuning.ts) remembers its choice between runs: one small
 * `{adapter name: version}` record per cache version, so that a later run on the same adapter
 * skips the timing. In Node a JSON file, `~/.cache/shadergrad/matmul-v<N>.json` (or under
 * `SHADERGRAD_CACHE_DIR`); in a browser (a page or a Web Worker) IndexedDB, database
 * `shadergrad`, store `tuning`, key `matmul-v<N>`, per origin; elsewhere nothing (every run times).
 * A store that cannot be read or written only costs a re-timing.
 */

type Entries = Record<string, string>;

const isNode = () => typeof process !== 'undefined' && !!process.versions?.node;

/** The version stored for `adapter` under `key` (e.g. 'matmul-v1'), or null. */
export async function readTuning(key: string, adapter: string): Promise<string | null> {
  try {
    const all = isNode() ? await readFileRecord(key) : await readBrowserRecord(key);
    return all?.[adapter] ?? null;
  } catch {
    return null;
  }
}

/** Stores `version` for `adapter` under `key`, keeping the other adapters' entries. */
export async function writeTuning(key: string, adapter: string, version: string): Promise<void> {
  try {
    if (isNode()) {
      await writeFileRecord(key, { ...((await readFileRecord(key)) ?? {}), [adapter]: version });
    } else {
      const all = (await readBrowserRecord(key)) ?? {};
      await writeBrowserRecord(key, { ...all, [adapter]: version });
    }
  } catch {
    // A cache we cannot write only costs a re-timing next run.
  }
}

// Node: a JSON file, replaced atomically (written aside, then renamed).
async function fileOf(key: string): Promise<string> {
  const { homedir } = await import('node:os');
  return `${process.env.SHADERGRAD_CACHE_DIR ?? `${homedir()}/.cache/shadergrad`}/${key}.json`;
}

async function readFileRecord(key: string): Promise<Entries | null> {
  const { readFile } = await import('node:fs/promises');
  try {
    return JSON.parse(await readFile(await fileOf(key), 'utf8')) as Entries;
  } catch {
    return null;
  }
}

async function writeFileRecord(key: string, all: Entries): Promise<void> {
  const file = await fileOf(key);
  const { writeFile, mkdir, rename } = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(all, null, 2));
  await rename(tmp, file);
}

// Browsers: IndexedDB (a Web Worker has it; localStorage exists only on a page's main thread).
const DB = 'shadergrad';
const STORE = 'tuning';

function openDb(): Promise<IDBDatabase | null> {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const req = idb.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
  });
}

/** One request on the store, resolved with its result; the database is closed afterwards. */
async function onStore<T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T | null> {
  const db = await openDb();
  if (!db) return null;
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = op(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('indexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

async function readBrowserRecord(key: string): Promise<Entries | null> {
  const value = await onStore('readonly', (s) => s.get(key) as IDBRequest<unknown>);
  return value && typeof value === 'object' ? (value as Entries) : null;
}

async function writeBrowserRecord(key: string, all: Entries): Promise<void> {
  await onStore('readwrite', (s) => s.put(all, key));
}
