/**
 * 2-D convolution (NCHW), as `torch.nn.functional.conv2d`, as an implicit matrix product:
 *   y[n, co, p] = b[co] + sum over (ci, kh, kw) of W[co, ci, kh, kw] x[n, ci, tap(p, kh, kw)]
 * read straight from the input by the kernels of `shaders/conv2d/forward/` (no unrolled copy of it),
 * the bias added as each output is stored. The gradients are two more such products:
 *   dx = conv_transpose(dy, W): the same kernels with TRANSPOSED set (taps run backwards);
 *   dW[co, ci, kh, kw] = sum over (n, p) of dy[n, co, p] x[n, ci, tap(p, kh, kw)]:
 *        `shaders/conv2d/backward_weight/`;
 *   db[co] = sum over (n, p) of dy[n, co, p].
 * The previous algorithm, im2col (`shaders/im2col.wgsl`) then one matmul per sample, with its
 * gradient through the matmul's and `col2im.wgsl`, is version 'im2col_matmul'. With subgroups
 * it still wins where no row window fits (strides or dilations along the width: ResNet's
 * downsampling, AlexNet's 11x11 stride 4) and for pointwise convolutions, wherever the matmul
 * runs vectorised; and the backward of strided or few-channel shapes takes products too. Which
 * algorithm runs each shape and each gradient is one table: conv_routes.ts.
 */
import { dispatch } from '../gpu/kernel.js';
import { K, type CONV_ACTIVATIONS } from '../kernels.js';
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { sumToShape } from './reduce.js';
import { reshape } from './shape.js';
import { splitBatch } from './batch_split.js';
import { depthwiseConv2d } from './depthwise_conv.js';
import { conv2dGeometry, type Conv2dOptions, type Geometry } from './conv_geometry.js';
import { conv2dIm2col, inputGradIm2col, weightGradIm2col } from './conv_im2col.js';
import {
  backwardRoutes,
  convPath,
  forcedConvVersion,
  kernelVersion,
  subgroupsOf8,
  type ImplicitVersion,
} from './conv_routes.js';
import { PAIR, checkOptions } from '../args.js';
import { activationGradFromOutput } from './activation.js';

/** The activation a convolution applies as it stores its outputs ('none': plain conv2d). */
export type ConvActivation = keyof typeof CONV_ACTIVATIONS;

const WG = 64;

export { pair, convOutputSize, conv2dGeometry, type Pair, type Conv2dOptions } from './conv_geometry.js';
export { CONV_VERSIONS, chosenConvVersion, convPath, setConvVersion, type ConvVersion } from './conv_routes.js';

const KERNELS: Record<ImplicitVersion, (typeof K)[`conv2d_${ImplicitVersion}`]> = {
  '01_implicit_subgroup': K.conv2d_01_implicit_subgroup,
  '02_implicit_uniform_rows': K.conv2d_02_implicit_uniform_rows,
  '03_implicit_subgroup_row_window': K.conv2d_03_implicit_subgroup_row_window,
} as const;

// ---- the implicit-GEMM kernels ----

/**
 * out = src (*) W (forward, + bias) or its transpose (dx from dy), by version 01, 02 or 03. Rows
 * are the output channels of one group, r the reduced channels; W is read through strides.
 */
function launchImplicit(
  src: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  out: Tensor,
  g: Geometry,
  transposed: boolean,
  act: ConvActivation = 'none',
): void {
  const version = kernelVersion(g);
  const taps = g.kh * g.kw;
  const cg = g.c / g.groups;
  const coutG = g.cout / g.groups;
  const [rows, reduce] = transposed ? [cg, coutG] : [coutG, cg];
  const [srcH, srcW, outH, outW] = transposed ? [g.oh, g.ow, g.h, g.w] : [g.h, g.w, g.oh, g.ow];
  const uniforms = {
    src_h: srcH,
    src_w: srcW,
    out_h: outH,
    out_w: outW,
    rows,
    reduce,
    groups: g.groups,
    pad_h: g.pad[0],
    pad_w: g.pad[1],
    a_row_stride: transposed ? taps : cg * taps,
    a_r_stride: transposed ? cg * taps : taps,
    a_group_stride: coutG * cg * taps,
  };
  // Lanes of 4 output pixels; version 03 cuts each row into quads, the last one partial.
  const lanes =
    version === '03_implicit_subgroup_row_window' ? outH * Math.ceil(outW / 4) : Math.ceil((outH * outW) / 4);
  // Small planes (7x7 at the end of a ResNet) would leave most of a 64-wide row of lanes idle.
  const wgX = Math.min(WG, Math.max(8, 2 ** Math.ceil(Math.log2(lanes))));
  const spec = {
    WG_X: wgX,
    KH: g.kh,
    KW: g.kw,
    STRIDE_H: g.stride[0],
    STRIDE_W: g.stride[1],
    DIL_H: g.dil[0],
    DIL_W: g.dil[1],
    TRANSPOSED: transposed,
    HAS_BIAS: bias !== null,
    ACT: act,
  };
  const grid = [g.groups * Math.ceil(rows / 8), Math.ceil(lanes / wgX), g.n];
  dispatch(KERNELS[version], spec, uniforms, [src.buffer, weight.buffer, (bias ?? weight).buffer, out.buffer], grid);
}

// ---- im2col + matmul (the previous algorithm) ----

// ---- gradients of the implicit version ----

/** dW = sum over (n, p) of dy[n, co, p] x[n, ci, tap(p, kh, kw)], by the kernels of shaders/conv2d/backward_weight/. */
function weightGrad(dy: Tensor, x: Tensor, weightShape: readonly number[], g: Geometry): Tensor {
  const dw = Tensor.empty(weightShape);
  const [coutG, cg] = [g.cout / g.groups, g.c / g.groups];
  const uniforms = {
    n: g.n,
    h: g.h,
    w: g.w,
    oh: g.oh,
    ow: g.ow,
    rows: coutG,
    cg,
    groups: g.groups,
    kh: g.kh,
    kw: g.kw,
    stride_h: g.stride[0],
    stride_w: g.stride[1],
    pad_h: g.pad[0],
    pad_w: g.pad[1],
    dil_h: g.dil[0],
    dil_w: g.dil[1],
  };
  const buffers = [x.buffer, dy.buffer, dw.buffer];
  const sub = subgroupsOf8() && forcedConvVersion() !== '02_implicit_uniform_rows'; // 02: no subgroups anywhere
  const rowBlocks = g.groups * Math.ceil(coutG / 8);
  if (sub && g.stride[1] === 1 && g.dil[1] === 1 && g.kw >= 2 && g.kw <= 3) {
    // One lane per (ci, kh), sliding along the rows.
    const wgX = Math.min(WG, Math.max(8, 2 ** Math.ceil(Math.log2(cg * g.kh))));
    dispatch(K.conv2d_backward_weight_03_subgroup_row_window, { WG_X: wgX }, uniforms, buffers, [
      rowBlocks,
      Math.ceil((cg * g.kh) / wgX),
      1,
    ]);
    return dw;
  }
  // One workgroup per tap, 4 input channels per lane.
  const wgX = Math.min(WG, Math.max(8, 2 ** Math.ceil(Math.log2(Math.ceil(cg / 4)))));
  const kernel = sub ? K.conv2d_backward_weight_01_subgroup : K.conv2d_backward_weight_02_uniform_rows;
  dispatch(kernel, { WG_X: wgX }, uniforms, buffers, [rowBlocks, g.kh * g.kw, Math.ceil(cg / (4 * wgX))]);
  return dw;
}

/**
 * The implicit-GEMM convolution as an op, y = act(conv + bias). With an activation the backward
 * first turns dy into dz = dy act'(z) from the saved output (relu and relu6 only: their
 * derivative is a function of y; ops/fused_conv.ts never records silu or hardswish here).
 */
export function conv2dImplicit(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  g: Geometry,
  act: ConvActivation = 'none',
): Tensor {
  const out = Tensor.empty([g.n, g.cout, g.oh, g.ow]);
  launchImplicit(x, weight, bias, out, g, false, act);
  const saved = act === 'none' ? null : out.detach(); // the output, alive as long as the node
  const name = act === 'none' ? 'conv2d' : `conv2d_${act}`;
  return record(
    out,
    name,
    bias ? [x, weight, bias] : [x, weight],
    (dyIn, needs) => {
      if (act === 'silu' || act === 'hardswish') throw new Error(`${name}: no backward from the output`);
      const dy = act === 'none' ? dyIn : activationGradFromOutput(act, dyIn, saved!);
      const routes = backwardRoutes(g);
      let dx: Tensor | null = null;
      if (needs[0] && routes.dx === 'col2im') dx = inputGradIm2col(dy, weight, g);
      else if (needs[0]) {
        dx = Tensor.empty(x.shape);
        launchImplicit(dy, weight, null, dx, g, true);
      }
      let dw: Tensor | null = null;
      if (needs[1])
        dw = routes.dw === 'im2col' ? weightGradIm2col(dy, x, weight.shape, g) : weightGrad(dy, x, weight.shape, g);
      const db = needs[2] ? reshape(sumToShape(dy, [1, g.cout, 1, 1]), [g.cout]) : null;
      if (dy !== dyIn) dy.dispose();
      return [dx, dw, db];
    },
    saved ? [saved] : [],
  );
}

// ---- the op ----

/**
 * y[n, co] = b[co] + Σ_{ci, kh, kw} W[co, ci, kh, kw] x[n, ci, oy S + kh D - P, ox S + kw D - P],
 * with x [N, C, H, W], weight [Cout, C / groups, KH, KW], bias [Cout] or null;
 * `F.conv2d(x, weight, bias, stride, padding, dilation, groups)`. Errors name both shapes
 * before any GPU work.
 */
export function conv2d(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  options: Conv2dOptions = {},
  layer = 'conv2d',
): Tensor {
  checkOptions(layer, options, { stride: PAIR, padding: PAIR, dilation: PAIR, groups: 'integer' });
  const g = conv2dGeometry(x, weight, bias, options, layer);
  const split = splitBatch(layer, x, g.cout * g.oh * g.ow, (part) => conv2d(part, weight, bias, options, layer));
  if (split) return split;
  const path = convPath(g);
  if (path === 'depthwise') return depthwiseConv2d(x, weight, bias, g);
  return path === 'im2col' ? conv2dIm2col(x, weight, bias, g) : conv2dImplicit(x, weight, bias, g);
}
