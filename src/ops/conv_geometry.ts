/**
 * The shapes of a 2-D convolution: `Pair` arguments as PyTorch takes them (one number or [h, w])
 * and the geometry every convolution kernel launch is computed from.
 */
import type { Tensor } from '../tensor.js';
import { formatShape, requireDtype } from './util.js';

/** One number for both axes, or [h, w], as PyTorch's `_pair` arguments. */
export type Pair = number | readonly [number, number];
export const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** Sizes of one convolution: input [n, c, h, w], output [n, cout, oh, ow], kernel kh x kw. */
export interface Geometry {
  n: number;
  c: number;
  h: number;
  w: number;
  cout: number;
  groups: number;
  oh: number;
  ow: number;
  kh: number;
  kw: number;
  stride: [number, number];
  pad: [number, number];
  dil: [number, number];
}

/** Options of `conv2d`, as the keyword arguments of `torch.nn.functional.conv2d` (stride 1, padding 0, dilation 1, groups 1 by default). */
export interface Conv2dOptions {
  /** Step of the kernel over the input, one number or [h, w] (default 1). */
  stride?: Pair;
  /** Zeros added on each side of the input, one number or [h, w] (default 0). */
  padding?: Pair;
  /** Spacing between kernel elements, one number or [h, w] (default 1). */
  dilation?: Pair;
  /** Split the channels into this many independent convolutions (default 1; `inChannels` for depthwise). */
  groups?: number;
}

/** Output size along one axis, as PyTorch: floor((in + 2P - D(K - 1) - 1) / S) + 1. */
export function convOutputSize(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/** Checks conv2d's operands (errors name both shapes, before any GPU work) and returns the geometry. */
export function conv2dGeometry(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  options: Conv2dOptions,
  layer: string,
): Geometry {
  requireDtype(layer, x, 'float32');
  const groups = options.groups ?? 1;
  if (x.ndim !== 4) throw new Error(`${layer}: expected a 4-D input [N, C, H, W], got shape ${formatShape(x.shape)}`);
  if (weight.ndim !== 4)
    throw new Error(`${layer}: expected a 4-D weight [Cout, Cin/groups, KH, KW], got ${formatShape(weight.shape)}`);
  const [n, c, h, w] = x.shape;
  const [cout, cg, kh, kw] = weight.shape;
  if (c !== cg * groups) {
    throw new Error(
      `${layer}: given groups=${groups}, weight of size ${formatShape(weight.shape)}, expected input ${formatShape(x.shape)} to have ${cg * groups} channels, but got ${c} channels instead`,
    );
  }
  if (cout % groups !== 0) throw new Error(`${layer}: out_channels ${cout} must be divisible by groups ${groups}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== cout))
    throw new Error(`${layer}: bias of shape ${formatShape(bias.shape)} does not match ${cout} output channels`);
  const stride = pair(options.stride ?? 1);
  const pad = pair(options.padding ?? 0);
  const dil = pair(options.dilation ?? 1);
  const oh = convOutputSize(h, kh, stride[0], pad[0], dil[0]);
  const ow = convOutputSize(w, kw, stride[1], pad[1], dil[1]);
  if (oh <= 0 || ow <= 0) {
    throw new Error(
      `${layer}: input ${formatShape(x.shape)} (padded ${h + 2 * pad[0]}x${w + 2 * pad[1]}) is smaller than the kernel ${kh}x${kw} (dilation ${dil.join('x')})`,
    );
  }
  if (n > 65535)
    throw new Error(`${layer}: batch of ${n} exceeds the 65535 samples one dispatch can cover; split the batch`);
  return { n, c, h, w, cout, groups, oh, ow, kh, kw, stride, pad, dil };
}
