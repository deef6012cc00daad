/**
 * Depthwise 2-D convolution (NCHW): conv2d with groups = C input channels and M C output
 * channels (channel multiplier M), the convolution of MobileNet, EfficientNet, ShuffleNet and
 * ConvNeXt. Each output channel co reads input channel co / M only:
 *   y[n, co, oh, ow] = b[co] + sum_{kh, kw} w[co, 0, kh, kw] x[n, co / M, oh SH - PH + kh DH, ow SW - PW + kw DW]
 * so there is nothing to share between output channels, and the implicit-GEMM kernels of
 * conv.ts (8 output channels per lane group) would leave 7/8 of their lanes idle. These
 * kernels (`shaders/depthwise_conv2d/`, launched by depthwise_kernels.ts) give each invocation a
 * tile or strip of one plane and reuse every loaded value across the tile's taps. Gradients:
 *   dx[n, c, ih, iw] = sum_{m, kh, kw} w[c M + m, 0, kh, kw] dy[n, c M + m, (ih + PH - kh DH) / SH, (iw + PW - kw DW) / SW]
 *                      over the taps where both divisions are exact;
 *   dw[co, 0, kh, kw] = sum_{n, oh, ow} dy[n, co, oh, ow] x[n, co / M, tap], db[co] = sum dy:
 *                      partial sums per plane or strip, then a sum over them (no atomics, deterministic).
 *
 * Versions (routes in `ROUTES` below; share of the vec4 copy probe's GB/s for the same bytes read
 * + written, timed round-robin from a cold cache by bench/depthwise.ts; llvmpipe, 2 cores,
 * 8x144x56x56, pad k/2, 2026-12-07, 3 runs on a machine loaded by other jobs (load average
 * 23-25); per-version notes in the shaders' headers):
 *   forward / dx 05 rolling rows        3x3 stride 1, widths of 4n: forward 90-146%, dx 78-143%
 *                                       (03 in the same rounds: 42-74%, 37-70%)
 *   forward 06, dx 02 streams at s2     3x3 stride 2 pad 1, W = 2 OW = 8n: forward 91-103%
 *                                       (01: 61-86%), dx 161-213% (01: 47-61%)
 *   forward / dx 03 vec4 rows           widths of 4n, stride 1 (5x5, 7x7): 5x5 27-42%, 7x7 17-33%
 *   forward 02 sliding rows             stride 1, any width; forward / dx 01 register tiles: any
 *                                       stride (5x5 stride 2: 27-33%)
 *   dW 03 vec4 strips, shifted windows  widths of 4n: 3x3 100-136%, 5x5 46-71%; dW 01 any width
 * 5x5 and 7x7 are bound by the FMAs (25 and 49 per output) more than by the loads on this driver.
 */
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import type { DepthwiseGeometry } from './depthwise_geometry.js';
import { FORWARD, INPUT_GRAD } from './depthwise_kernels.js';
import { WEIGHT_GRAD, sumPartials } from './depthwise_weight_kernels.js';

export type { DepthwiseGeometry } from './depthwise_geometry.js';

/** Kernel versions of each pass (any can be forced where it fits; `ROUTES` picks among them). */
export const DEPTHWISE_VERSIONS = {
  forward: ['06_stream_rows_s2', '05_stream_rows', '03_vec4_rows', '02_sliding_rows', '01_register_tile'],
  inputGrad: ['05_stream_rows', '02_stream_s2', '03_vec4_rows', '01_register_tile'],
  weightGrad: ['03_vec4_strips_shift', '01_plane_partials'],
} as const;
export type DepthwisePass = keyof typeof DEPTHWISE_VERSIONS;
type Version<P extends DepthwisePass> = (typeof DEPTHWISE_VERSIONS)[P][number];

const TABLES: { [P in DepthwisePass]: Record<Version<P>, { fits: (g: DepthwiseGeometry) => boolean }> } = {
  forward: FORWARD,
  inputGrad: INPUT_GRAD,
  weightGrad: WEIGHT_GRAD,
};

/**
 * The routes, in one table: per pass, at stride 1 and at larger strides, the versions tried in
 * order (the fastest measured on this machine's adapter first; each runs where it fits, see
 * depthwise_kernels.ts). At strides above 1 version 01's unrolled rows beat 03's sliding phases
 * (3x3: 53-115% of the copy probe against 50-59%; 5x5: 29-86% against 23-54%), and 02 fits
 * exactly where 01 does.
 */
const ROUTES: { [P in DepthwisePass]: { stride1: readonly Version<P>[]; strided: readonly Version<P>[] } } = {
  forward: {
    stride1: ['05_stream_rows', '03_vec4_rows', '02_sliding_rows'],
    strided: ['06_stream_rows_s2', '01_register_tile'],
  },
  inputGrad: {
    stride1: ['05_stream_rows', '03_vec4_rows', '01_register_tile'],
    strided: ['02_stream_s2', '01_register_tile'],
  },
  weightGrad: {
    stride1: ['03_vec4_strips_shift', '01_plane_partials'],
    strided: ['03_vec4_strips_shift', '01_plane_partials'],
  },
};

const forced: { [P in DepthwisePass]?: Version<P> } = {};

/** Forces a pass's kernel version (benchmarks, tests) where the shape allows it; null for the routed one. */
export function setDepthwiseVersion<P extends DepthwisePass>(pass: P, version: Version<P> | null): void {
  if (version !== null && !(DEPTHWISE_VERSIONS[pass] as readonly string[]).includes(version)) {
    throw new Error(
      `setDepthwiseVersion: unknown ${pass} version ${version}; versions: ${DEPTHWISE_VERSIONS[pass].join(', ')}`,
    );
  }
  if (version === null) delete forced[pass];
  else (forced as Record<string, string>)[pass] = version;
}

/** The version a pass runs for this shape: the forced one if it fits, else the first of its route that fits. */
export function depthwiseVersion<P extends DepthwisePass>(pass: P, g: DepthwiseGeometry): Version<P> {
  const table = TABLES[pass] as Record<string, { fits: (g: DepthwiseGeometry) => boolean }>;
  const want = forced[pass] as string | undefined;
  if (want && table[want].fits(g)) return want as Version<P>;
  const route = ROUTES[pass][g.stride[0] > 1 || g.stride[1] > 1 ? 'strided' : 'stride1'] as readonly string[];
  return route.find((v) => table[v].fits(g)) as Version<P>;
}

/** Whether these kernels cover the shape (every pass has a version that fits); else conv2d's general kernels run it. */
export function depthwiseFits(g: DepthwiseGeometry): boolean {
  return (Object.keys(TABLES) as DepthwisePass[]).every((pass) => depthwiseVersion(pass, g) !== undefined);
}

let fastPath = true;
/** Turns the depthwise kernels off (conv2d then runs depthwise shapes on its general kernels), for benchmarks and tests. */
export function setDepthwiseFastPath(on: boolean): void {
  fastPath = on;
}
export const depthwiseFastPath = (): boolean => fastPath;

/** y = depthwise conv of x with w, plus bias (`F.conv2d(x, w, b, ..., groups=C)` without autograd). */
export function depthwiseForward(x: Tensor, weight: Tensor, bias: Tensor | null, g: DepthwiseGeometry): Tensor {
  const y = Tensor.empty([g.n, g.cout, g.oh, g.ow]);
  FORWARD[depthwiseVersion('forward', g)].run(x, weight, bias, y, g);
  return y;
}

/** dx from dy (`torch.nn.grad.conv2d_input` for groups = C). */
export function depthwiseInputGrad(dy: Tensor, weight: Tensor, g: DepthwiseGeometry): Tensor {
  const dx = Tensor.empty([g.n, g.c, g.h, g.w]);
  INPUT_GRAD[depthwiseVersion('inputGrad', g)].run(dy, weight, dx, g);
  return dx;
}

/**
 * dw [M C, 1, KH, KW] and db [M C] from x and dy (`torch.nn.grad.conv2d_weight` for groups = C,
 * and dy summed over N, OH, OW), each only if asked for.
 */
export function depthwiseWeightGrad(
  x: Tensor,
  dy: Tensor,
  g: DepthwiseGeometry,
  weight = true,
  bias = false,
): [Tensor | null, Tensor | null] {
  const partials = WEIGHT_GRAD[depthwiseVersion('weightGrad', g)].partials(x, dy, g);
  const dw = weight ? sumPartials(partials, g, 0, [g.cout, 1, g.kh, g.kw]) : null;
  const db = bias ? sumPartials(partials, g, g.kh * g.kw, [g.cout]) : null;
  partials.partial.dispose();
  return [dw, db];
}

/**
 * Depthwise convolution of x [N, C, H, W] with weight [M C, 1, KH, KW] and bias [M C] or null,
 * with autograd, on shapes `depthwiseFits` accepts; called by `conv2d` (which checks the
 * shapes) when groups = C and the output channels are a multiple of C. The same as
 * `torch.nn.functional.conv2d(x, weight, bias, stride, padding, dilation, groups=C)`.
 */
export function depthwiseConv2d(x: Tensor, weight: Tensor, bias: Tensor | null, g: DepthwiseGeometry): Tensor {
  const y = depthwiseForward(x, weight, bias, g);
  return record(y, 'conv2d', bias ? [x, weight, bias] : [x, weight], (dy, needs) => {
    const dx = needs[0] ? depthwiseInputGrad(dy, weight, g) : null;
    const [dw, db] = needs[1] || needs[2] ? depthwiseWeightGrad(x, dy, g, needs[1], needs[2]) : [null, null];
    return [dx, dw, db];
  });
}
