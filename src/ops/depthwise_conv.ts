/**
 * Depthwise 2-D convolution (NCHW): conv2d with groups = C input channels and M C output
 * channels (channel multiplier M), the convolution of MobileNet, EfficientNet, ShuffleNet and
 * ConvNeXt. Each output channel co reads input channel co / M only:
 *   y[n, co, oh, ow] = b[co] + sum_{kh, kw} w[co, 0, kh, kw] x[n, co / M, oh SH - PH + kh DH, ow SW - PW + kw DW]
 * so there is nothing to share between output channels, and the implicit-GEMM kernels of
 * conv.ts (8 output channels per lane group) would leave 7/8 of their lanes idle. These
 * kernels (`shaders/depthwise_conv2d/`) give each invocation a tile of one output plane and
 * reuse every loaded input across the tile's taps. Gradients:
 *   dx[n, c, ih, iw] = sum_{m, kh, kw} w[c M + m, 0, kh, kw] dy[n, c M + m, (ih + PH - kh DH) / SH, (iw + PW - kw DW) / SW]
 *                      over the taps where both divisions are exact;
 *   dw[co, 0, kh, kw] = sum_{n, oh, ow} dy[n, co, oh, ow] x[n, co / M, tap], db[co] = sum dy:
 *                      per-plane partial sums, then a sum over the batch (no atomics, deterministic).
 */
import forward01 from '../../shaders/depthwise_conv2d/forward_01_register_tile.wgsl';
import backwardInput01 from '../../shaders/depthwise_conv2d/backward_input_01_register_tile.wgsl';
import backwardWeight01 from '../../shaders/depthwise_conv2d/backward_weight_01_plane_partials.wgsl';
import backwardWeightSum from '../../shaders/depthwise_conv2d/backward_weight_sum.wgsl';
import { dispatch, gridFor } from '../gpu/commands.js';
import { Params } from '../gpu/params.js';
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';

/** Everything the kernels need to know about one depthwise convolution (sizes already checked). */
export interface DepthwiseGeometry {
  n: number; c: number; h: number; w: number; cout: number;
  oh: number; ow: number; kh: number; kw: number;
  stride: [number, number]; pad: [number, number]; dil: [number, number];
}

// Limits of the kernels' register arrays (MAX_BH, MAX_BW, MAX_SEG, MAX_TAPS in the shaders).
const MAX_BH = 4;
const MAX_BW = 8;
const MAX_SEG = 64;
const MAX_TAPS = 121;
/** Workgroup memory of the weight-gradient reduction: (taps + 1) x lanes floats. */
const WORKGROUP_BYTES = 16384;
const MAX_PLANES = 65535;

/** Tile of the forward and dW kernels: BH x BW outputs per invocation. */
function tile(g: DepthwiseGeometry) {
  const [bh, bw] = [4, 4];
  return { bh, bw, segW: (bw - 1) * g.stride[1] + (g.kw - 1) * g.dil[1] + 1 };
}

/** dx tile: multiples of the strides, so every tile starts on a stride boundary. */
function inputTile(g: DepthwiseGeometry) {
  const [sh, sw] = g.stride;
  const bh = sh * Math.max(1, Math.floor(4 / sh));
  const bw = sw * Math.max(1, Math.floor(4 / sw));
  const first = (k: number, s: number, p: number, d: number) => Math.floor((p - (k - 1) * d) / s);
  const fh = first(g.kh, sh, g.pad[0], g.dil[0]);
  const fw = first(g.kw, sw, g.pad[1], g.dil[1]);
  const segH = Math.floor((bh - 1 + g.pad[0]) / sh) - fh + 1;
  const segW = Math.floor((bw - 1 + g.pad[1]) / sw) - fw + 1;
  return { bh, bw, fh, fw, segH, segW };
}

/** Whether these kernels cover the shape (else conv2d's general kernels run it). */
export function depthwiseFits(g: DepthwiseGeometry): boolean {
  const t = tile(g);
  const d = inputTile(g);
  return t.segW <= MAX_SEG && d.bh <= MAX_BH && d.bw <= MAX_BW && d.segW <= MAX_SEG && g.kh * g.kw <= MAX_TAPS;
}

let fastPath = true;
/** Turns the depthwise kernels off (conv2d then runs depthwise shapes on its general kernels), for benchmarks and tests. */
export function setDepthwiseFastPath(on: boolean): void {
  fastPath = on;
}
export const depthwiseFastPath = (): boolean => fastPath;

const pow2AtMost = (v: number, cap: number) => Math.min(cap, 2 ** Math.ceil(Math.log2(Math.max(1, v))));

/** Lanes (x along the row's tiles, y along its rows), at most 64, no wider than the plane. */
function lanes(tilesX: number, tilesY: number): [number, number] {
  const x = pow2AtMost(tilesX, 16);
  return [x, pow2AtMost(tilesY, 64 / x)];
}

function planeParams(g: DepthwiseGeometry, plane0: number): ArrayBuffer {
  return new Params().u32(g.h).u32(g.w).u32(g.oh).u32(g.ow).u32(g.c).u32(g.cout).u32(plane0).bytes();
}

/** Runs `launch(plane0, planes)` over all planes, at most 65535 workgroups deep each. */
function overPlanes(total: number, launch: (plane0: number, planes: number) => void): void {
  for (let p0 = 0; p0 < total; p0 += MAX_PLANES) launch(p0, Math.min(MAX_PLANES, total - p0));
}

function geometryConstants(g: DepthwiseGeometry) {
  return {
    KH: g.kh, KW: g.kw, STRIDE_H: g.stride[0], STRIDE_W: g.stride[1], DIL_H: g.dil[0], DIL_W: g.dil[1],
    PAD_H: g.pad[0], PAD_W: g.pad[1], MULT: g.cout / g.c,
  };
}

/** y = depthwise conv of x with w, plus bias: forward_01_register_tile.wgsl. */
function forward(x: Tensor, weight: Tensor, bias: Tensor | null, g: DepthwiseGeometry): Tensor {
  const y = Tensor.empty([g.n, g.cout, g.oh, g.ow]);
  const t = tile(g);
  const tilesX = Math.ceil(g.ow / t.bw);
  const tilesY = Math.ceil(g.oh / t.bh);
  const [wgX, wgY] = lanes(tilesX, tilesY);
  const kernel = {
    name: 'depthwise_conv2d_forward_01',
    source: forward01,
    bindings: ['read', 'read', 'read', 'write', 'uniform'] as const,
    constants: { ...geometryConstants(g), WG_X: wgX, WG_Y: wgY, BH: t.bh, BW: t.bw, HAS_BIAS: bias ? 1 : 0 },
  };
  overPlanes(g.n * g.cout, (p0, planes) => dispatch(kernel, [x.buffer, weight.buffer, (bias ?? weight).buffer, y.buffer], planeParams(g, p0),
    [Math.ceil(tilesX / wgX), Math.ceil(tilesY / wgY), planes]));
  return y;
}

/** dx from dy (`torch.nn.grad.conv2d_input` for groups = C): backward_input_01_register_tile.wgsl. */
export function depthwiseInputGrad(dy: Tensor, weight: Tensor, g: DepthwiseGeometry): Tensor {
  const dx = Tensor.empty([g.n, g.c, g.h, g.w]);
  const t = inputTile(g);
  const tilesX = Math.ceil(g.w / t.bw);
  const tilesY = Math.ceil(g.h / t.bh);
  const [wgX, wgY] = lanes(tilesX, tilesY);
  const kernel = {
    name: 'depthwise_conv2d_backward_input_01',
    source: backwardInput01,
    bindings: ['read', 'read', 'write', 'uniform'] as const,
    constants: { ...geometryConstants(g), WG_X: wgX, WG_Y: wgY, BH: t.bh, BW: t.bw, FH: t.fh, FW: t.fw, SEG_H: t.segH, SEG_W: t.segW },
  };
  overPlanes(g.n * g.c, (p0, planes) => dispatch(kernel, [dy.buffer, weight.buffer, dx.buffer], planeParams(g, p0),
    [Math.ceil(tilesX / wgX), Math.ceil(tilesY / wgY), planes]));
  return dx;
}

/** Per-plane sums [N Cout, KH KW + 1] of dy x over each tap, then of dy: backward_weight_01_plane_partials.wgsl. */
function planePartials(x: Tensor, dy: Tensor, g: DepthwiseGeometry): Tensor {
  const taps = g.kh * g.kw;
  const partial = Tensor.empty([g.n * g.cout, taps + 1]);
  const t = tile(g);
  const maxLanes = Math.min(64, 2 ** Math.floor(Math.log2(WORKGROUP_BYTES / (4 * (taps + 1)))));
  const wgX = pow2AtMost(Math.ceil(g.ow / t.bw), Math.min(16, maxLanes));
  const wgY = pow2AtMost(Math.ceil(g.oh / t.bh), maxLanes / wgX);
  const kernel = {
    name: 'depthwise_conv2d_backward_weight_01',
    source: backwardWeight01,
    bindings: ['read', 'read', 'write', 'uniform'] as const,
    constants: { ...geometryConstants(g), WG_X: wgX, WG_Y: wgY, BH: t.bh, BW: t.bw },
  };
  overPlanes(g.n * g.cout, (p0, planes) => dispatch(kernel, [x.buffer, dy.buffer, partial.buffer], planeParams(g, p0), [1, 1, planes]));
  return partial;
}

/** out[co, t] = sum over n of partial[n Cout + co, first + t]: backward_weight_sum.wgsl. */
function sumOverBatch(partial: Tensor, g: DepthwiseGeometry, first: number, shape: number[]): Tensor {
  const taps = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = Tensor.empty(shape);
  const kernel = { name: 'depthwise_conv2d_backward_weight_sum', source: backwardWeightSum, bindings: ['read', 'write', 'uniform'] as const, constants: { WG: 64 } };
  const params = new Params().u32(g.n).u32(g.cout).u32(g.kh * g.kw + 1).u32(first).u32(taps).bytes();
  dispatch(kernel, [partial.buffer, out.buffer], params, gridFor(g.cout * taps, 64));
  return out;
}

/**
 * dw [M C, 1, KH, KW] and db [M C] from x and dy (`torch.nn.grad.conv2d_weight` for groups = C,
 * and dy summed over N, OH, OW), each only if asked for: per-plane partial sums, then their sum
 * over the batch.
 */
export function depthwiseWeightGrad(x: Tensor, dy: Tensor, g: DepthwiseGeometry, weight = true, bias = false): [Tensor | null, Tensor | null] {
  const partial = planePartials(x, dy, g);
  const dw = weight ? sumOverBatch(partial, g, 0, [g.cout, 1, g.kh, g.kw]) : null;
  const db = bias ? sumOverBatch(partial, g, g.kh * g.kw, [g.cout]) : null;
  partial.dispose();
  return [dw, db];
}

/**
 * Depthwise convolution of x [N, C, H, W] with weight [M C, 1, KH, KW] and bias [M C] or null,
 * on shapes `depthwiseFits` accepts; called by `conv2d` (which checks the shapes) when
 * groups = C and the output channels are a multiple of C. The same as
 * `torch.nn.functional.conv2d(x, weight, bias, stride, padding, dilation, groups=C)`.
 */
export function depthwiseConv2d(x: Tensor, weight: Tensor, bias: Tensor | null, g: DepthwiseGeometry): Tensor {
  const y = forward(x, weight, bias, g);
  return record(y, 'conv2d', bias ? [x, weight, bias] : [x, weight], (dy, needs) => {
    const dx = needs[0] ? depthwiseInputGrad(dy, weight, g) : null;
    const [dw, db] = needs[1] || needs[2] ? depthwiseWeightGrad(x, dy, g, needs[1], needs[2]) : [null, null];
    return [dx, dw, db];
  });
}
