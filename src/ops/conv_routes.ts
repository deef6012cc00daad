/**
 * Which convolution algorithm runs each shape, in one place per adapter (with subgroups of 8 or
 * more lanes, or without): the forward path (`convPath`), the implicit kernel version
 * (`kernelVersion`), and the backward's routes for dx and dW (`backwardRoutes`); and the version
 * forced by `setConvVersion` for benchmarks and tests.
 */
import { gpuDevice, hasFeature } from '../gpu/device.js';
import { depthwiseFastPath, depthwiseFits } from './depthwise_conv.js';
import { isPointwise } from './conv_im2col.js';
import type { Geometry } from './conv_geometry.js';

/**
 * The convolution algorithms, fastest first where their needs are met. Forward of the VGG-like
 * layer (batch 8, 64 -> 64 channels, 56x56, 3x3, pad 1, bias) on llvmpipe (2 cores), one run of
 * bench/cnn.ts (2026-12-01; the equivalent 25088x64x576 matmul took 67.3 ms):
 *   03 row window 69.7 ms (97% of the matmul's speed), 01 106.7 ms (63%), 02 (no subgroups)
 *   179.3 ms (38%), im2col_matmul 170.4 ms (40%); forward + backward with 03: 3.2x its forward.
 */
export const CONV_VERSIONS = [
  '03_implicit_subgroup_row_window',
  '01_implicit_subgroup',
  '02_implicit_uniform_rows',
  'im2col_matmul',
] as const;
export type ConvVersion = (typeof CONV_VERSIONS)[number];
/** The versions that are kernels of shaders/conv2d/forward/. */
export type ImplicitVersion = Exclude<ConvVersion, 'im2col_matmul'>;
let forced: ConvVersion | null = null;

/** The version forced by `setConvVersion`, or null. */
export const forcedConvVersion = (): ConvVersion | null => forced;

/** Forces a convolution algorithm by name (benchmarks, tests); null for this adapter's choice. */
export function setConvVersion(name: ConvVersion | null): void {
  if (name !== null && !CONV_VERSIONS.includes(name))
    throw new Error(`setConvVersion: unknown version ${name}; versions: ${CONV_VERSIONS.join(', ')}`);
  forced = name;
}

/** Subgroup broadcasts need lanes 0..7 of a subgroup: the feature, and subgroups of 8 or more. */
export function subgroupsOf8(): boolean {
  const info = (gpuDevice() as GPUDevice & { adapterInfo?: { subgroupMinSize?: number } }).adapterInfo;
  return hasFeature('subgroups') && (info?.subgroupMinSize ?? 0) >= 8;
}

/**
 * The version conv2d runs on this adapter for shapes with stride and dilation 1 along the width
 * (the VGG-like layer). Unless a version is forced, other shapes follow `convPath`.
 */
export function chosenConvVersion(): ConvVersion {
  return forced ?? (subgroupsOf8() ? '03_implicit_subgroup_row_window' : '02_implicit_uniform_rows');
}

/** Version 03's row window: stride and dilation 1 along the width, and at most 13 taps there. */
export function rowWindowFits(g: Geometry): boolean {
  return g.stride[1] === 1 && g.dil[1] === 1 && g.kw <= 13;
}

/**
 * The kernel for the forward product and dx's: the forced version where its needs are met,
 * else the fastest that fits: 03, 01 with subgroups, 02 without.
 */
export function kernelVersion(g: Geometry): ImplicitVersion {
  const sub = subgroupsOf8();
  const fits = (v: ConvVersion) =>
    (v === '02_implicit_uniform_rows' || sub) && (v !== '03_implicit_subgroup_row_window' || rowWindowFits(g));
  if (forced && forced !== 'im2col_matmul' && fits(forced)) return forced;
  return CONV_VERSIONS.find((v): v is ImplicitVersion => v !== 'im2col_matmul' && fits(v))!;
}

/**
 * How the backward of an implicit-GEMM convolution computes dx and dW on this adapter. With
 * subgroups and one group (and no version forced): dx by a product and col2im where the stride
 * exceeds 1 (the transposed kernel would visit stride^2 times the taps that contribute: ResNet's
 * downsampling dx ran at ~0.3 K); dW by a product over im2col columns where fewer than 32 input
 * channels feed the tap-per-workgroup kernel (ResNet's stem, 3 channels, ran at ~0.2 K). Else the
 * kernels of shaders/conv2d/.
 */
export function backwardRoutes(g: Geometry): { dx: 'implicit' | 'col2im'; dw: 'implicit' | 'im2col' } {
  const byProduct = forced === null && subgroupsOf8() && g.groups === 1;
  const strided = g.stride[0] > 1 || g.stride[1] > 1;
  const rowWindowDw = g.stride[1] === 1 && g.dil[1] === 1 && g.kw >= 2 && g.kw <= 3;
  return {
    dx: byProduct && strided ? 'col2im' : 'implicit',
    dw: byProduct && !rowWindowDw && g.c < 32 ? 'im2col' : 'implicit',
  };
}

/**
 * Whether the product over im2col columns, [Cout/G, Cg KH KW] x [Cg KH KW, OH OW] per sample and
 * group, runs the matmul's vec4 versions: both its reduction and its columns multiples of 4. Else
 * the matmul falls back to its scalar version 02 (ResNet's stem, Cg KH KW = 147, ran at a quarter
 * of K that way; the 7x7 planes of ResNet's last stage, OH OW = 49, at a third).
 */
function im2colVectorised(g: Geometry): boolean {
  return ((g.c / g.groups) * g.kh * g.kw) % 4 === 0 && (g.oh * g.ow) % 4 === 0;
}

/**
 * Which algorithm runs a convolution of geometry g: depthwise kernels (groups = C, Cout a multiple
 * of C) unless a version is forced; else, with subgroups, the matmul where its vec4 versions run
 * and either the shape is pointwise (1x1, stride 1, no padding: the input is its own im2col
 * columns, conv_im2col.ts skips the unrolling) or no row window fits (strides along the width);
 * else the implicit kernels (03's row window where it fits, else 01; 02 without subgroups).
 */
export function convPath(g: Geometry): 'depthwise' | 'im2col' | 'implicit' {
  const depthwise =
    g.groups === g.c && g.cout % g.c === 0 && forced === null && depthwiseFastPath() && depthwiseFits(g);
  if (depthwise) return 'depthwise';
  const im2colBetter =
    forced === null && subgroupsOf8() && im2colVectorised(g) && (isPointwise(g) || !rowWindowFits(g));
  return forced === 'im2col_matmul' || im2colBetter ? 'im2col' : 'implicit';
}
