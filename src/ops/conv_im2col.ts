/**
 * Convolution as im2col then matmul (version 'im2col_matmul' of `conv2d`): `shaders/im2col.wgsl`
 * unrolls the receptive fields into columns, one matmul per group multiplies them by the weights;
 * the gradient of the unrolling is `shaders/col2im.wgsl`. A pointwise convolution (1x1, stride 1,
 * no padding, one group) skips the unrolling: its input already is the columns. With subgroups it still wins where no
 * row window fits (strides or dilations along the width), so `conv.ts` chooses it per shape.
 */
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';
import { isGradEnabled, record } from '../autograd.js';
import { add } from './elementwise.js';
import { matmul } from './matmul.js';
import { reshape, transpose } from './shape.js';
import { sumToShape } from './reduce.js';
import type { Geometry } from './conv_geometry.js';

const WG = 64;

/**
 * A 1x1 convolution with stride 1, no padding and one group: y[n] = W [Cout, C] @ x[n] [C, H W],
 * a plain product whose right operand is the input as it lies in memory (no im2col pass).
 */
export function isPointwise(g: Geometry): boolean {
  const [s, p] = [g.stride, g.pad];
  return g.kh === 1 && g.kw === 1 && s[0] === 1 && s[1] === 1 && p[0] === 0 && p[1] === 0 && g.groups === 1;
}

/** im2col's and col2im's uniforms. */
function geometryUniforms(g: Geometry) {
  return {
    n: g.n,
    c: g.c,
    h: g.h,
    w: g.w,
    groups: g.groups,
    oh: g.oh,
    ow: g.ow,
    kh: g.kh,
    kw: g.kw,
    stride_h: g.stride[0],
    stride_w: g.stride[1],
    pad_h: g.pad[0],
    pad_w: g.pad[1],
    dil_h: g.dil[0],
    dil_w: g.dil[1],
  };
}

/** Workgroups (x, rows) with the rows folded into y and z past the 65535 limit. */
function rowsGrid(x: number, rows: number): number[] {
  const y = Math.min(rows, 65535);
  return [x, y, Math.ceil(rows / y)];
}

/** [N, G, Cg*KH*KW, OH*OW]: receptive fields as columns. */
function unroll(x: Tensor, g: Geometry): Tensor {
  const cols = Tensor.empty([g.n, g.groups, (g.c / g.groups) * g.kh * g.kw, g.oh * g.ow]);
  dispatch(
    K.im2col,
    { WG },
    geometryUniforms(g),
    [x.buffer, cols.buffer],
    rowsGrid(Math.ceil((g.oh * g.ow) / WG), g.n * g.c),
  );
  return cols;
}

/** col2im: the input's gradient [N, C, H, W] from its columns' [N, G, Kg, OH*OW] (sums over the taps reading each pixel). */
function fold(dcols: Tensor, g: Geometry): Tensor {
  const dx = Tensor.empty([g.n, g.c, g.h, g.w]);
  dispatch(
    K.col2im,
    { WG },
    geometryUniforms(g),
    [dcols.buffer, dx.buffer],
    rowsGrid(Math.ceil((g.h * g.w) / WG), g.n * g.c),
  );
  return dx;
}

/** im2col as a differentiable op (gradient col2im). */
function im2col(x: Tensor, g: Geometry): Tensor {
  return record(unroll(x, g), 'im2col', [x], (dcols) => [fold(dcols, g)]);
}

/**
 * dx of a one-group convolution as a product, then col2im (strided convolutions, where the
 * transposed implicit kernel visits every tap and keeps one in stride^2):
 *   dcols[n] = W^T [Kg, Cout] @ dy[n] [Cout, OH OW],
 * computed as (dy[n]^T W)^T where only that orientation has the vec4 matmul's multiples of 4.
 */
export function inputGradIm2col(dy: Tensor, weight: Tensor, g: Geometry): Tensor {
  const [kg, p] = [g.c * g.kh * g.kw, g.oh * g.ow];
  const w2 = reshape(weight, [g.cout, kg]);
  const dy3 = reshape(dy, [g.n, g.cout, p]);
  const dcols =
    p % 4 !== 0 && kg % 4 === 0 ? transpose(matmul(transpose(dy3, 1, 2), w2), 1, 2) : matmul(transpose(w2, 0, 1), dy3);
  return fold(dcols, g);
}

/**
 * dW of a one-group convolution as a product over im2col columns (few input channels, as ResNet's
 * stem, where the tap-per-workgroup kernel leaves most of its lanes idle):
 *   dW = sum over n of dy[n] [Cout, OH OW] @ cols[n]^T = (sum over n of cols[n] @ dy[n]^T)^T,
 * the second form because its columns (Cout) and reduction (OH OW) are multiples of 4 more often than Kg.
 */
export function weightGradIm2col(dy: Tensor, x: Tensor, weightShape: readonly number[], g: Geometry): Tensor {
  const [kg, p] = [g.c * g.kh * g.kw, g.oh * g.ow];
  const cols = reshape(unroll(x, g), [g.n, kg, p]);
  const perSample = matmul(cols, transpose(reshape(dy, [g.n, g.cout, p]), 1, 2)); // [N, Kg, Cout]
  const summed = reshape(sumToShape(perSample, [1, kg, g.cout]), [kg, g.cout]);
  return reshape(transpose(summed, 0, 1), weightShape);
}

/** out[n, g] = W[g] @ cols[n, g] with autograd through im2col and the matmul (version 'im2col_matmul'). */
export function conv2dIm2col(x: Tensor, weight: Tensor, bias: Tensor | null, g: Geometry): Tensor {
  const [coutG, kg] = [g.cout / g.groups, (g.c / g.groups) * g.kh * g.kw];
  const keep = isGradEnabled() && (x.requiresGrad || weight.requiresGrad || !!bias?.requiresGrad);
  const temps: Tensor[] = [];
  const temp = (t: Tensor) => (temps.push(t), t);
  // A pointwise convolution's columns are its input: [N, C, H, W] read as [N, 1, C, H*W].
  const cols = temp(isPointwise(g) ? reshape(x, [g.n, 1, g.c, g.h * g.w]) : im2col(x, g)); // [N, G, Kg, OH*OW]
  const w3 = temp(reshape(weight, [g.groups, coutG, kg])); //              [G, Cout/G, Kg]
  const prod = temp(
    g.groups === 1
      ? matmul(temp(reshape(w3, [coutG, kg])), temp(reshape(cols, [g.n, kg, g.oh * g.ow])))
      : matmul(w3, cols),
  );
  let out = reshape(prod, [g.n, g.cout, g.oh, g.ow]);
  if (bias) {
    const withBias = add(out, temp(reshape(bias, [1, g.cout, 1, 1])));
    temps.push(out);
    out = withBias;
  }
  if (!keep) for (const t of temps) t.dispose();
  return out;
}
