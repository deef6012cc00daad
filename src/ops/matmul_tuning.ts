/**
 * Which matmul kernel to run. Real GPUs and software drivers reward different habits
 * (workgroup-memory tiling on one, register blocking on the other), so the choice is made per
 * adapter: `sg.init()` times every vec4 version once on a 512^3 product and keeps the fastest,
 * remembered per adapter name (in Node also in ~/.cache/shadergrad, so later runs skip the
 * timing). `setMatmulVersion` forces one (benchmarks, tests).
 */
import naive from '../../shaders/matmul/01_naive.wgsl';
import register4x4 from '../../shaders/matmul/02_register_4x4.wgsl';
import vec4x4 from '../../shaders/matmul/03_vec4_4x4.wgsl';
import vec8x8 from '../../shaders/matmul/04_vec4_8x8.wgsl';
import rowStrip from '../../shaders/matmul/05_row_strip.wgsl';
import vec4x8 from '../../shaders/matmul/06_vec4_4x8.wgsl';
import uniformRows from '../../shaders/matmul/07_vec4_8x4_uniform_rows.wgsl';
import uniformRows16 from '../../shaders/matmul/08_vec4_16x4_uniform_rows.wgsl';
import subgroupBroadcast from '../../shaders/matmul/09_subgroup_broadcast.wgsl';
import subgroupRowOrder from '../../shaders/matmul/10_subgroup_broadcast_row_order.wgsl';
import { deviceInfo, hasFeature } from '../gpu/device.js';
import { synchronize } from '../gpu/commands.js';
import { Tensor } from '../tensor.js';
import { launchMatmul } from './matmul.js';
import { uniform } from './create.js';

export interface MatmulVersion {
  name: string;
  source: string;
  /** Needs K and N to be multiples of 4 (vec4 loads). */
  vec4: boolean;
  /** Units of the batch strides of A and B (elements per index of their WGSL arrays). */
  strideUnits: [number, number];
  /** A device feature the kernel needs, if any. */
  requires?: string;
  /** Workgroup x walks blocks of rows and y blocks of columns (the usual order is the reverse). */
  rowsFirst?: boolean;
  /** Output columns and rows per invocation. */
  tile: [number, number];
  workgroup: [number, number];
}

export const MATMUL_VERSIONS: readonly MatmulVersion[] = [
  { name: '01_naive', source: naive, vec4: false, strideUnits: [1, 1], tile: [1, 1], workgroup: [16, 16] },
  { name: '02_register_4x4', source: register4x4, vec4: false, strideUnits: [1, 1], tile: [4, 4], workgroup: [8, 8] },
  { name: '03_vec4_4x4', source: vec4x4, vec4: true, strideUnits: [4, 4], tile: [4, 4], workgroup: [8, 32] },
  { name: '04_vec4_8x8', source: vec8x8, vec4: true, strideUnits: [4, 4], tile: [8, 8], workgroup: [4, 16] },
  { name: '05_row_strip', source: rowStrip, vec4: true, strideUnits: [4, 1], tile: [1, 8], workgroup: [64, 1] },
  { name: '06_vec4_4x8', source: vec4x8, vec4: true, strideUnits: [4, 4], tile: [8, 4], workgroup: [8, 32] },
  { name: '07_vec4_8x4_uniform_rows', source: uniformRows, vec4: true, strideUnits: [4, 4], tile: [4, 8], workgroup: [64, 1] },
  { name: '08_vec4_16x4_uniform_rows', source: uniformRows16, vec4: true, strideUnits: [4, 4], tile: [4, 16], workgroup: [64, 1] },
  { name: '09_subgroup_broadcast', source: subgroupBroadcast, vec4: true, requires: 'subgroups', strideUnits: [4, 4], tile: [4, 8], workgroup: [64, 1] },
  { name: '10_subgroup_broadcast_row_order', source: subgroupRowOrder, vec4: true, requires: 'subgroups', strideUnits: [4, 4], tile: [4, 8], workgroup: [64, 1], rowsFirst: true },
];

let forced: string | null = null;
const tunedFor = new Map<string, MatmulVersion>();

/** Forces a version by name (null to go back to the adapter's choice). */
export function setMatmulVersion(name: string | null): void {
  if (name !== null && !MATMUL_VERSIONS.some((v) => v.name === name)) {
    throw new Error(`setMatmulVersion: unknown version ${name}; versions: ${MATMUL_VERSIONS.map((v) => v.name).join(', ')}`);
  }
  forced = name;
}

/** The version this adapter uses for shapes whose N and K are multiples of 4. */
export function chosenMatmulVersion(): string {
  return forced ?? (tunedFor.get(deviceInfo().adapterName) ?? MATMUL_VERSIONS[2]).name;
}

/** The version to run for an M x K by K x N product. */
export function chooseVersion(n: number, k: number): MatmulVersion {
  const aligned = n % 4 === 0 && k % 4 === 0;
  if (forced) {
    const v = MATMUL_VERSIONS.find((x) => x.name === forced)!;
    if (aligned || !v.vec4) return v;
  }
  if (!aligned) return MATMUL_VERSIONS[1];
  return tunedFor.get(deviceInfo().adapterName) ?? MATMUL_VERSIONS[2];
}

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
  const adapter = deviceInfo().adapterName;
  const known = tunedFor.get(adapter);
  if (known) return known.name;
  const cached = options.useCache === false ? null : await readCache(adapter);
  const fromCache = MATMUL_VERSIONS.find((v) => v.name === cached && (!v.requires || hasFeature(v.requires)));
  if (fromCache) {
    tunedFor.set(adapter, fromCache);
    return fromCache.name;
  }
  let best = MATMUL_VERSIONS[2];
  let bestTime = Infinity;
  for (const v of MATMUL_VERSIONS.filter((x) => x.vec4 && (!x.requires || hasFeature(x.requires)))) {
    if (!(await agreesWithReference(v))) continue;
    const t = await timeVersion(v, TUNE_SIZE);
    if (t < bestTime) [best, bestTime] = [v, t];
  }
  tunedFor.set(adapter, best);
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
