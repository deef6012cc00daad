/**
 * The launches of batch normalisation's kernels (ops/batchnorm.ts), by version:
 *   01_scalar: `shaders/batchnorm_{stats,forward,backward}.wgsl`, one f32 per invocation, the
 *              channel from a division of the plane index; reductions divide every index.
 *   02_vec4:   `shaders/batchnorm/02_vec4_*.wgsl`, a vec4 per invocation where the plane size S
 *              divides by 4 (f32 otherwise), channel and sample from the grid, reductions walking
 *              samples then the plane: no per-element division. Needs N and C <= 65535.
 * Sizes: x is [N, C, S]. Memory-bound: bench/layers.ts gives GB/s beside the copy probe.
 */
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';

export const BATCHNORM_VERSIONS = ['02_vec4', '01_scalar'] as const;
export type BatchNormVersion = (typeof BATCHNORM_VERSIONS)[number];
let forced: BatchNormVersion | null = null;

/** Forces a batch norm kernel version (tests, benchmarks); null for the fastest that fits. */
export function setBatchNormVersion(version: BatchNormVersion | null): void {
  if (version !== null && !BATCHNORM_VERSIONS.includes(version))
    throw new Error(`setBatchNormVersion: unknown version ${version}; versions: ${BATCHNORM_VERSIONS.join(', ')}`);
  forced = version;
}

/** x is [N, XC, S], of which channels [0, C) are normalised (XC > C: a DenseNet feature store's prefix). */
export interface Sizes {
  n: number;
  c: number;
  s: number;
  xc: number;
}

const WG = 64;

function planesGrid(x: number, planes: number): number[] {
  const y = Math.min(planes, 65535);
  return [x, y, Math.ceil(planes / y)];
}

/**
 * Below this many values per channel the scalar kernels run unless 02 is forced: vec4 loads gain
 * nothing there, and version 01's pure tree reduction rounds less (tiny training batches, where
 * batch norm's gradient amplifies rounding, are where that shows).
 */
const VEC4_MIN_PER_CHANNEL = 4096;

/** The launches for x of `sizes`, by the forced version or the fastest that fits. */
export function batchNormKernels(sizes: Sizes) {
  const big = forced === '02_vec4' || sizes.n * sizes.s >= VEC4_MIN_PER_CHANNEL;
  const v2 = forced !== '01_scalar' && big && sizes.n <= 65535 && sizes.c <= 65535 && sizes.xc === sizes.c;
  return v2 ? vec4Kernels(sizes) : scalarKernels(sizes);
}

type Buffers = GPUBuffer[];
interface StatsUniforms {
  eps: number;
  momentum: number;
  update_running: number;
}

function scalarKernels(sizes: Sizes) {
  const planes = planesGrid(Math.ceil(sizes.s / WG), sizes.n * sizes.c);
  return {
    /** [x, stats, running_mean, running_var, tracked] */
    stats: (u: StatsUniforms, b: Buffers) => dispatch(K.batchnorm_stats, { WG: 256 }, { ...sizes, ...u }, b, [sizes.c]),
    /** [x, stats, gamma, beta, y] */
    forward: (b: Buffers) => dispatch(K.batchnorm_forward, { WG }, sizes, b, planes),
    /** [g, x, stats, gamma, sums, dx]: the per-channel sums, then (if `dx`) the input gradient, added to dx with `accumulate`. */
    backward: (training: boolean, dx: boolean, accumulate: boolean, b: Buffers) => {
      const spec = { WG, TRAINING: training, ACCUMULATE: accumulate };
      dispatch(K.batchnorm_backward, { ...spec, entryPoint: 'reduce' }, sizes, b, [sizes.c]);
      if (dx) dispatch(K.batchnorm_backward, spec, sizes, b, planes);
    },
  };
}

/** Version 02 (x is [N, C, S]: xc = c); an accumulating backward runs version 01's kernel. */
function vec4Kernels(sizes: Sizes) {
  const VEC4 = sizes.s % 4 === 0;
  const V = VEC4 ? ('vec4<f32>' as const) : ('f32' as const);
  const u = { n: sizes.n, c: sizes.c, s: VEC4 ? sizes.s / 4 : sizes.s };
  const grid = [Math.ceil(u.s / WG), sizes.c, sizes.n];
  return {
    stats: (su: StatsUniforms, b: Buffers) =>
      dispatch(K.batchnorm_02_vec4_stats, { WG: 256, VEC4, V }, { ...u, ...su }, b, [sizes.c]),
    forward: (b: Buffers) => dispatch(K.batchnorm_02_vec4_forward, { WG, V }, u, b, grid),
    backward: (training: boolean, dx: boolean, accumulate: boolean, b: Buffers) => {
      if (accumulate) return scalarKernels(sizes).backward(training, dx, accumulate, b);
      const spec = { TRAINING: training, VEC4, V };
      dispatch(K.batchnorm_02_vec4_backward, { ...spec, WG: 256, entryPoint: 'reduce' }, u, b, [sizes.c]);
      if (dx) dispatch(K.batchnorm_02_vec4_backward, { ...spec, WG }, u, b, grid);
    },
  };
}
