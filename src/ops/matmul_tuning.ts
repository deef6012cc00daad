/**
 * Choosing the matmul version (matmul_versions.ts). Real GPUs and software drivers reward
 * different habits (workgroup-memory tiling on one, register blocking on the other), so the
 * choice is made per adapter: `sg.init()` times every vec4 version once on a 512^3 product and
 * keeps the fastest, remembered per adapter name (in Node also in ~/.cache/shadergrad, so later
 * runs skip the timing).
 */
import { deviceInfo, hasFeature } from '../gpu/device.js';
import { synchronize } from '../gpu/commands.js';
import { Tensor } from '../tensor.js';
import { uniform } from './create.js';
import {
  DEFAULT_VERSION,
  MATMUL_VERSIONS,
  launchMatmul,
  setTunedVersion,
  tunedVersion,
  type MatmulVersion,
} from './matmul_versions.js';
import { checkOptions } from '../args.js';

/** Median seconds of `runs` products of size `size`^3 with `version`, after one warm-up. */
export async function timeVersion(version: MatmulVersion, size: number, runs = 3): Promise<number> {
  const a = uniform([size, size], -1, 1);
  const b = uniform([size, size], -1, 1);
  const c = Tensor.empty([size, size]);
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    await synchronize();
    const start = performance.now();
    launchMatmul(version, a, b, c, size, size, size, 1, 0, 0);
    await synchronize();
    if (i > 0) times.push((performance.now() - start) / 1000);
  }
  for (const t of [a, b, c]) t.dispose();
  return times.sort((x, y) => x - y)[Math.floor(times.length / 2)];
}

/**
 * Whether `version` computes the same product as version 02 on a small batched problem with
 * ragged edges (M, N, K not multiples of its tiles). A kernel that relies on an adapter
 * property (a subgroup size, say) and gets it wrong is never chosen.
 */
async function agreesWithReference(version: MatmulVersion): Promise<boolean> {
  const [m, n, k, batch] = [37, 44, 20, 2];
  const a = uniform([batch, m, k], -1, 1);
  const b = uniform([batch, k, n], -1, 1);
  const expected = Tensor.empty([batch, m, n]);
  const actual = Tensor.empty([batch, m, n]);
  launchMatmul(MATMUL_VERSIONS[1], a, b, expected, m, n, k, batch, m * k, k * n);
  launchMatmul(version, a, b, actual, m, n, k, batch, m * k, k * n);
  try {
    const [e, x] = [await expected.data(), await actual.data()];
    return e.every((v, i) => Math.abs(v - x[i]) <= 1e-5 * (1 + Math.abs(v)));
  } catch {
    return false; // e.g. a shader this adapter cannot compile
  } finally {
    for (const t of [a, b, expected, actual]) t.dispose();
  }
}

const CACHE_VERSION = 1;
/** The product timed to choose a version: large enough to show cache effects, fast to run. */
const TUNE_SIZE = 512;

/** Chooses this adapter's matmul version by timing the vec4 candidates (or reading the cache). */
export async function tuneMatmul(options: { useCache?: boolean } = {}): Promise<string> {
  checkOptions('tuneMatmul', options, { useCache: 'boolean' });
  const adapter = deviceInfo().adapterName;
  const known = tunedVersion(adapter);
  if (known) return known.name;
  const cached = options.useCache === false ? null : await readCache(adapter);
  const fromCache = MATMUL_VERSIONS.find((v) => v.name === cached && (!v.requires || hasFeature(v.requires)));
  if (fromCache) {
    setTunedVersion(adapter, fromCache);
    return fromCache.name;
  }
  let best = DEFAULT_VERSION;
  let bestTime = Infinity;
  for (const v of MATMUL_VERSIONS.filter((x) => x.vec4 && (!x.requires || hasFeature(x.requires)))) {
    if (!(await agreesWithReference(v))) continue;
    const t = await timeVersion(v, TUNE_SIZE);
    if (t < bestTime) [best, bestTime] = [v, t];
  }
  setTunedVersion(adapter, best);
  await writeCache(adapter, best.name);
  return best.name;
}

// The on-disk cache (Node only): ~/.cache/shadergrad/matmul.json, {adapter: version}.
async function cacheFile(): Promise<string | null> {
  if (typeof process === 'undefined' || !process.versions?.node) return null;
  const { homedir } = await import('node:os');
  return `${process.env.SHADERGRAD_CACHE_DIR ?? `${homedir()}/.cache/shadergrad`}/matmul-v${CACHE_VERSION}.json`;
}

async function readCache(adapter: string): Promise<string | null> {
  try {
    const file = await cacheFile();
    if (!file) return null;
    const { readFile } = await import('node:fs/promises');
    return (JSON.parse(await readFile(file, 'utf8')) as Record<string, string>)[adapter] ?? null;
  } catch {
    return null;
  }
}

async function writeCache(adapter: string, version: string): Promise<void> {
  try {
    const file = await cacheFile();
    if (!file) return;
    const { readFile, writeFile, mkdir, rename } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await mkdir(dirname(file), { recursive: true });
    let all: Record<string, string> = {};
    try {
      all = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      // no cache yet
    }
    all[adapter] = version;
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(all, null, 2));
    await rename(tmp, file);
  } catch {
    // A cache we cannot write only costs a re-timing next run.
  }
}
