/**
 * Pooling (NCHW), as PyTorch's: max pooling (its gradient goes to the element each window
 * selected), average pooling, and adaptive average pooling (PyTorch's start/end formula, which
 * also handles outputs larger than the input). Kernels: `maxpool2d_*.wgsl`, `avgpool2d_*.wgsl`.
 */
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { pair, type Pair } from './conv.js';
import { formatShape, requireDtype } from './util.js';
import { splitBatch } from './batch_split.js';
import { PAIR, checkOptions } from '../args.js';

const WG = 256;

/** Options of `maxPool2d`, as `torch.nn.functional.max_pool2d` (stride defaults to the kernel size). */
export interface MaxPool2dOptions {
  /** Step of the window, one number or [h, w] (default: the kernel size). */
  stride?: Pair;
  /** Implicit -Infinity padding on each side, one number or [h, w] (default 0; at most half the kernel size). */
  padding?: Pair;
  /** Spacing between window elements, one number or [h, w] (default 1). */
  dilation?: Pair;
  /** Round the output size up instead of down (default false); a window must still start inside the input or left padding. */
  ceilMode?: boolean;
}

/** Options of `avgPool2d`, as `torch.nn.functional.avg_pool2d` (stride defaults to the kernel size). */
export interface AvgPool2dOptions {
  /** Step of the window, one number or [h, w] (default: the kernel size). */
  stride?: Pair;
  /** Implicit zero padding on each side, one number or [h, w] (default 0; at most half the kernel size). */
  padding?: Pair;
  /** Round the output size up instead of down (default false); a window must still start inside the input or left padding. */
  ceilMode?: boolean;
  /** Divide by the window's full size including padding (default true), or by the number of input elements in it. */
  countIncludePad?: boolean;
}

/**
 * Output size along one axis, as PyTorch's pooling_output_shape: with ceilMode the division
 * rounds up, but the last window must start inside the input or its left padding.
 */
export function poolOutputSize(size: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  let out = Math.floor((size + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0)) / s) + 1;
  if (ceilMode && (out - 1) * s >= size + p) out--;
  return out;
}

interface PoolGeometry {
  h: number;
  w: number;
  oh: number;
  ow: number;
  k: [number, number];
  s: [number, number];
  p: [number, number];
  d: [number, number];
}

function check4d(layer: string, x: Tensor): void {
  requireDtype(layer, x, 'float32');
  if (x.ndim !== 4) throw new Error(`${layer}: expected a 4-D input [N, C, H, W], got shape ${formatShape(x.shape)}`);
}

function geometry(
  layer: string,
  x: Tensor,
  kernel: Pair,
  stride: Pair | undefined,
  padding: Pair,
  dilation: Pair,
  ceilMode: boolean,
): PoolGeometry {
  const k = pair(kernel);
  const s = pair(stride ?? kernel);
  const p = pair(padding);
  const d = pair(dilation);
  const [h, w] = x.shape.slice(2);
  for (let i = 0; i < 2; i++) {
    if (p[i] * 2 > k[i])
      throw new Error(
        `${layer}: pad should be at most half of effective kernel size, but got pad=${p[i]}, kernel_size=${k[i]}`,
      );
  }
  const oh = poolOutputSize(h, k[0], s[0], p[0], d[0], ceilMode);
  const ow = poolOutputSize(w, k[1], s[1], p[1], d[1], ceilMode);
  if (oh <= 0 || ow <= 0)
    throw new Error(
      `${layer}: input ${formatShape(x.shape)} is too small for kernel ${k.join('x')} (output ${oh}x${ow})`,
    );
  return { h, w, oh, ow, k, s, p, d };
}

/** The pooling kernels' uniforms over `total` invocations (avg pooling takes no dilation). */
function poolUniforms(total: number, g: PoolGeometry) {
  return {
    total,
    h: g.h,
    w: g.w,
    oh: g.oh,
    ow: g.ow,
    kh: g.k[0],
    kw: g.k[1],
    stride_h: g.s[0],
    stride_w: g.s[1],
    pad_h: g.p[0],
    pad_w: g.p[1],
  };
}

const withDilation = (u: ReturnType<typeof poolUniforms>, g: PoolGeometry) => ({ ...u, dil_h: g.d[0], dil_w: g.d[1] });

/** Invocations per workgroup along an output row in maxpool2d version 02. */
const WG_ROW = 64;
let maxPoolPlanes = true;

/** A 2 x 2 window at stride 2 without padding or dilation, every window inside the input (ceil mode may add a half one). */
const isPlain2x2 = (g: PoolGeometry) =>
  [...g.k, ...g.s].every((v) => v === 2) &&
  g.p.every((v) => v === 0) &&
  g.d.every((v) => v === 1) &&
  g.ow * 2 === g.w &&
  g.oh * 2 <= g.h;

/** Turns max pooling versions 02 and 03 (`shaders/maxpool2d/0*.wgsl`) off or back on, for tests and benchmarks. */
export function setMaxPoolPlanes(on: boolean): void {
  maxPoolPlanes = on;
}

/** out = max over each KH x KW window (stride, padding, dilation, ceilMode); `F.max_pool2d`. The gradient flows to the selected element. */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}, layer = 'max_pool2d'): Tensor {
  checkOptions(layer, options, { stride: PAIR, padding: PAIR, dilation: PAIR, ceilMode: 'boolean' });
  check4d(layer, x);
  const g = geometry(
    layer,
    x,
    kernelSize,
    options.stride,
    options.padding ?? 0,
    options.dilation ?? 1,
    options.ceilMode ?? false,
  );
  const [n, c] = x.shape;
  const split = splitBatch(layer, x, c * g.oh * g.ow, (part) => maxPool2d(part, kernelSize, options, layer));
  if (split) return split;
  const out = Tensor.empty([n, c, g.oh, g.ow]);
  const index = Tensor.empty([n, c, g.oh, g.ow], 'int32');
  const uniforms = withDilation(poolUniforms(out.size, g), g);
  const planes = n * c;
  // Version 02 takes the output position from the grid (no integer division per element).
  if (maxPoolPlanes && planes <= 65535 && g.oh <= 65535 && out.size > 0) {
    // Version 03: the plain 2 x 2 / 2 window, one vec4 per input row for two outputs.
    const pairs = isPlain2x2(g) && g.w % 4 === 0;
    const grid = [Math.ceil((pairs ? g.w / 4 : g.ow) / WG_ROW), g.oh, planes];
    const kernel = pairs ? K.maxpool2d_03_vec4_2x2 : K.maxpool2d_02_planes;
    dispatch(kernel, { WG: WG_ROW }, uniforms, [x.buffer, out.buffer, index.buffer], grid);
  } else dispatch(K.maxpool2d_forward, { WG }, uniforms, [x.buffer, out.buffer, index.buffer], gridFor(out.size, WG));
  return record(
    out,
    'max_pool2d',
    [x],
    (grad) => {
      const dx = Tensor.empty(x.shape);
      dispatch(
        K.maxpool2d_backward,
        { WG },
        withDilation(poolUniforms(dx.size, g), g),
        [grad.buffer, index.buffer, dx.buffer],
        gridFor(dx.size, WG),
      );
      return [dx];
    },
    [index],
  );
}

function avgPool(x: Tensor, g: PoolGeometry, adaptive: boolean, countPad: boolean, name: string): Tensor {
  const [n, c] = x.shape;
  const out = Tensor.empty([n, c, g.oh, g.ow]);
  const spec = { WG, ADAPTIVE: adaptive, COUNT_PAD: countPad };
  dispatch(K.avgpool2d_forward, spec, poolUniforms(out.size, g), [x.buffer, out.buffer], gridFor(out.size, WG));
  return record(out, name, [x], (grad) => {
    const dx = Tensor.empty(x.shape);
    dispatch(K.avgpool2d_backward, spec, poolUniforms(dx.size, g), [grad.buffer, dx.buffer], gridFor(dx.size, WG));
    return [dx];
  });
}

/** out = mean over each window (countIncludePad: divide by the window size with its padding); `F.avg_pool2d`. dx = g / count spread over the window. */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}, layer = 'avg_pool2d'): Tensor {
  checkOptions(layer, options, { stride: PAIR, padding: PAIR, ceilMode: 'boolean', countIncludePad: 'boolean' });
  check4d(layer, x);
  const g = geometry(layer, x, kernelSize, options.stride, options.padding ?? 0, 1, options.ceilMode ?? false);
  return avgPool(x, g, false, options.countIncludePad ?? true, 'avg_pool2d');
}

/** Averages into a fixed output size: window o covers [floor(o H / OH), ceil((o + 1) H / OH)); `F.adaptive_avg_pool2d`. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair, layer = 'adaptive_avg_pool2d'): Tensor {
  check4d(layer, x);
  const [oh, ow] = pair(outputSize);
  if (oh <= 0 || ow <= 0) throw new Error(`${layer}: output size must be positive, got ${oh}x${ow}`);
  const [h, w] = x.shape.slice(2);
  const g: PoolGeometry = { h, w, oh, ow, k: [1, 1], s: [1, 1], p: [0, 0], d: [1, 1] };
  return avgPool(x, g, true, true, 'adaptive_avg_pool2d');
}
