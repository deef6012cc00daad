/**
 * 2-D convolution (NCHW), as `torch.nn.functional.conv2d`, computed as matrix products:
 * `im2col.wgsl` unrolls every receptive field into a column, and the fastest matmul kernel
 * multiplies the weights [Cout, Cin*KH*KW] by each sample's columns [Cin*KH*KW, OH*OW], which
 * lands in NCHW order. Its gradient comes from the matmul's (two products) and from
 * `col2im.wgsl`, the gradient of im2col.
 */
import { dispatch, gridFor } from '../gpu/commands.js';
import { Params } from '../gpu/params.js';
import { shaders } from '../shaders.js';
import { Tensor } from '../tensor.js';
import { isGradEnabled, record } from '../autograd.js';
import { add } from './elementwise.js';
import { matmul } from './matmul.js';
import { reshape } from './shape.js';
import { formatShape, requireDtype } from './util.js';

const WG = 64;

export type Pair = number | readonly [number, number];
export const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
}

interface Geometry {
  n: number; c: number; h: number; w: number;
  groups: number; oh: number; ow: number;
  kh: number; kw: number;
  stride: [number, number]; pad: [number, number]; dil: [number, number];
}

function geometryParams(g: Geometry): ArrayBuffer {
  return new Params()
    .u32(g.n).u32(g.c).u32(g.h).u32(g.w).u32(g.groups).u32(g.oh).u32(g.ow)
    .u32(g.kh).u32(g.kw).u32(g.stride[0]).u32(g.stride[1]).u32(g.pad[0]).u32(g.pad[1]).u32(g.dil[0]).u32(g.dil[1])
    .bytes();
}

/** Workgroups (x, rows) with the rows folded into y and z past the 65535 limit. */
function rowsGrid(x: number, rows: number): number[] {
  const y = Math.min(rows, 65535);
  return [x, y, Math.ceil(rows / y)];
}

/** [N, G, Cg*KH*KW, OH*OW]: receptive fields as columns (differentiable; gradient col2im). */
function im2col(x: Tensor, g: Geometry): Tensor {
  const rowsPerGroup = (g.c / g.groups) * g.kh * g.kw;
  const pixels = g.oh * g.ow;
  const cols = Tensor.empty([g.n, g.groups, rowsPerGroup, pixels]);
  const kernel = { name: 'im2col', source: shaders.im2col, bindings: ['read', 'write', 'uniform'] as const, constants: { WG } };
  dispatch(kernel, [x.buffer, cols.buffer], geometryParams(g), rowsGrid(Math.ceil(pixels / WG), g.n * g.c));
  return record(cols, 'im2col', [x], (dcols) => {
    const dx = Tensor.empty(x.shape);
    const back = { name: 'col2im', source: shaders.col2im, bindings: ['read', 'write', 'uniform'] as const, constants: { WG } };
    dispatch(back, [dcols.buffer, dx.buffer], geometryParams(g), rowsGrid(Math.ceil((g.h * g.w) / WG), g.n * g.c));
    return [dx];
  });
}

/** Output size along one axis, as PyTorch: floor((in + 2P - D(K - 1) - 1) / S) + 1. */
export function convOutputSize(size: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/**
 * y = conv2d(x, weight) + bias, with x [N, C, H, W], weight [Cout, C / groups, KH, KW],
 * bias [Cout] or null. Errors name both shapes before any GPU work.
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}, layer = 'conv2d'): Tensor {
  requireDtype(layer, x, 'float32');
  const groups = options.groups ?? 1;
  if (x.ndim !== 4) throw new Error(`${layer}: expected a 4-D input [N, C, H, W], got shape ${formatShape(x.shape)}`);
  if (weight.ndim !== 4) throw new Error(`${layer}: expected a 4-D weight [Cout, Cin/groups, KH, KW], got ${formatShape(weight.shape)}`);
  const [n, c, h, w] = x.shape;
  const [cout, cg, kh, kw] = weight.shape;
  if (c !== cg * groups) {
    throw new Error(`${layer}: given groups=${groups}, weight of size ${formatShape(weight.shape)}, expected input ${formatShape(x.shape)} to have ${cg * groups} channels, but got ${c} channels instead`);
  }
  if (cout % groups !== 0) throw new Error(`${layer}: out_channels ${cout} must be divisible by groups ${groups}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== cout)) throw new Error(`${layer}: bias of shape ${formatShape(bias.shape)} does not match ${cout} output channels`);
  const stride = pair(options.stride ?? 1);
  const pad = pair(options.padding ?? 0);
  const dil = pair(options.dilation ?? 1);
  const oh = convOutputSize(h, kh, stride[0], pad[0], dil[0]);
  const ow = convOutputSize(w, kw, stride[1], pad[1], dil[1]);
  if (oh <= 0 || ow <= 0) {
    throw new Error(`${layer}: input ${formatShape(x.shape)} (padded ${h + 2 * pad[0]}x${w + 2 * pad[1]}) is smaller than the kernel ${kh}x${kw} (dilation ${dil.join('x')})`);
  }
  const g: Geometry = { n, c, h, w, groups, oh, ow, kh, kw, stride, pad, dil };
  const coutG = cout / groups;
  const keep = isGradEnabled() && (x.requiresGrad || weight.requiresGrad || !!bias?.requiresGrad);
  const temps: Tensor[] = [];
  const temp = (t: Tensor) => (temps.push(t), t);

  // out[n, g] = W[g] @ cols[n, g]: one product per sample and group, already in NCHW order.
  const cols = temp(im2col(x, g)); //                                       [N, G, Kg, OH*OW]
  const w3 = temp(reshape(weight, [groups, coutG, cg * kh * kw])); //      [G, Cout/G, Kg]
  const prod = temp(groups === 1 ? matmul(temp(reshape(w3, [coutG, cg * kh * kw])), temp(reshape(cols, [n, cg * kh * kw, oh * ow]))) : matmul(w3, cols));
  const nchw = prod; //                                                     [N, (G,) Cout/G, OH*OW]
  let out = reshape(nchw, [n, cout, oh, ow]);
  if (bias) {
    const withBias = add(out, temp(reshape(bias, [1, cout, 1, 1])));
    temps.push(out);
    out = withBias;
  }
  // Without a graph to keep them alive, the intermediates (the unrolled input above all) go now.
  if (!keep) for (const t of temps) t.dispose();
  return out;
}
