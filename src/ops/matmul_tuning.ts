/**
 * Choosing the matmul version (matmul_versions.ts). Real GPUs and software drivers reward
 * different habits (workgroup-memory tiling on one, register blocking on the other), so the
 * choice is made per adapter: `sg.init()` times every vec4 version once on a 512^3 product and
 * keeps the fastest, remembered per adapter name (and between runs by tuning_store.ts: in Node
 * under ~/.cache/shadergrad, in a browser in IndexedDB), so later runs skip the timing.
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
import { readTuning, writeTuning } from './tuning_store.js';

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

/** Bumped when the versions or the way of timing them change: older records are then ignored. */
const CACHE_VERSION = 1;
const CACHE_KEY = `matmul-v${CACHE_VERSION}`;

/** How this adapter's matmul version was chosen, by the latest `tuneMatmul` (see `matmulTuning`). */
export interface MatmulTuning {
  adapter: string;
  version: string;
  /** 'timed' (the candidates were timed now), 'cache' (a stored earlier choice) or 'memory' (already chosen in this run). */
  source: 'timed' | 'cache' | 'memory';
}
let last: MatmulTuning | null = null;

/**
 * How the latest `tuneMatmul` (which `sg.init()` runs) chose the matmul version: timed now, read
 * from the cache of an earlier run (a file in Node, IndexedDB in a browser), or already known;
 * null before any tuning. PyTorch's nearest is `torch.backends.cudnn.benchmark` (cuDNN times
 * its algorithms per shape), which does not report its choices.
 */
export function matmulTuning(): MatmulTuning | null {
  return last && { ...last };
}
/** The product timed to choose a version: large enough to show cache effects, fast to run. */
const TUNE_SIZE = 512;

/** Chooses this adapter's matmul version by timing the vec4 candidates (or reading the cache). */
export async function tuneMatmul(options: { useCache?: boolean } = {}): Promise<string> {
  checkOptions('tuneMatmul', options, { useCache: 'boolean' });
  const adapter = deviceInfo().adapterName;
  const known = tunedVersion(adapter);
  if (known) return (last = { adapter, version: known.name, source: 'memory' }).version;
  const cached = options.useCache === false ? null : await readTuning(CACHE_KEY, adapter);
  // A stored name this build does not have, or whose feature this device lacks, is timed again.
  const fromCache = MATMUL_VERSIONS.find((v) => v.name === cached && (!v.requires || hasFeature(v.requires)));
  if (fromCache) {
    setTunedVersion(adapter, fromCache);
    return (last = { adapter, version: fromCache.name, source: 'cache' }).version;
  }
  let best = DEFAULT_VERSION;
  let bestTime = Infinity;
  for (const v of MATMUL_VERSIONS.filter((x) => x.vec4 && (!x.requires || hasFeature(x.requires)))) {
    if (!(await agreesWithReference(v))) continue;
    const t = await timeVersion(v, TUNE_SIZE);
    if (t < bestTime) [best, bestTime] = [v, t];
  }
  setTunedVersion(adapter, best);
  await writeTuning(CACHE_KEY, adapter, best.name);
  return (last = { adapter, version: best.name, source: 'timed' }).version;
}
