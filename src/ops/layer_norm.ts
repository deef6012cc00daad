/**
 * Layer normalisation (`F.layer_norm`) over the last dims, and its channels-first form over dim 1
 * of NCHW (ConvNeXt's `LayerNorm2d`) without permuted copies. Both view the input as
 * [outer, D, inner] and normalise each of the outer * inner rows of D values:
 *   y = (x - mean) / sqrt(var + eps) * w + b,   var biased (divided by D), w and b of shape [D].
 * Kernels: `shaders/layernorm_forward.wgsl` (keeps mean and 1/std per row for the backward),
 * `layernorm_backward.wgsl` (dx) and `layernorm_backward_affine.wgsl` (dw, db).
 */
import { dispatch, gridFor } from '../gpu/commands.js';
import { Params } from '../gpu/params.js';
import type { Kernel } from '../gpu/pipelines.js';
import { Tensor, numel, type Shape } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, requireDtype, sameShape } from './util.js';
import layernormForward from '../../shaders/layernorm_forward.wgsl';
import layernormBackward from '../../shaders/layernorm_backward.wgsl';
import layernormBackwardAffine from '../../shaders/layernorm_backward_affine.wgsl';

const WG = 256;
/** Rows of up to this many values use one workgroup per row; ConvNeXt's channels-first input never does. */
const ROW_WG = 128;

interface Layout {
  outer: number;
  d: number;
  inner: number;
}

/** Workgroups for the row kernel (one per row) or the column kernel (one invocation per row). */
function geometry(l: Layout): { entryPoint: string; grid: [number, number]; wg: number } {
  if (l.inner === 1) return { entryPoint: 'rows', grid: gridFor(l.outer, 1), wg: l.d >= 256 ? WG : ROW_WG };
  return { entryPoint: 'columns', grid: gridFor(l.outer * l.inner, WG), wg: WG };
}

function normalize(op: string, x: Tensor, l: Layout, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const rows = l.outer * l.inner;
  const y = Tensor.empty(x.shape);
  const stats = Tensor.empty([rows, 2]);
  const params = new Params().u32(l.outer).u32(l.d).u32(l.inner).f32(eps).bytes();
  const affine = weight !== null;
  const { entryPoint, grid, wg } = geometry(l);
  const constants = { WG: wg, AFFINE: affine ? 1 : 0 };
  const forward: Kernel = { name: 'layernorm_forward', source: layernormForward, entryPoint, bindings: ['read', 'read', 'read', 'write', 'write', 'uniform'], constants };
  // Without weight and bias, x is bound in their places (read-only aliases, never read).
  if (x.size > 0) dispatch(forward, [x.buffer, (weight ?? x).buffer, (bias ?? x).buffer, y.buffer, stats.buffer], params, grid);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(y, op, inputs, (g, needs) => {
    const dx = needs[0] ? Tensor.empty(x.shape) : null;
    if (dx && x.size > 0) {
      const backward: Kernel = { name: 'layernorm_backward', source: layernormBackward, entryPoint, bindings: ['read', 'read', 'read', 'read', 'write', 'uniform'], constants };
      dispatch(backward, [g.buffer, x.buffer, (weight ?? x).buffer, stats.buffer, dx.buffer], params, grid);
    }
    if (!affine || !needs.slice(1).some(Boolean)) return [dx, null, null];
    const [dw, db] = [Tensor.empty(weight!.shape), Tensor.empty(weight!.shape)];
    const kernel: Kernel = { name: 'layernorm_backward_affine', source: layernormBackwardAffine, bindings: ['read', 'read', 'read', 'write', 'write', 'uniform'], constants: { WG } };
    dispatch(kernel, [g.buffer, x.buffer, stats.buffer, dw.buffer, db.buffer], params, gridFor(l.d, 1));
    return [dx, needs[1] ? dw : (dw.dispose(), null), bias && needs[2] ? db : (db.dispose(), null)];
  }, [stats]);
}

function checkAffine(op: string, x: Tensor, shape: Shape, weight: Tensor | null, bias: Tensor | null): void {
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t === null) continue;
    requireDtype(op, t, 'float32');
    if (!sameShape(t.shape, shape)) throw new Error(`${op}: ${name} of shape ${formatShape(t.shape)} does not match normalized shape ${formatShape(shape)} of input ${formatShape(x.shape)}`);
  }
  if (weight === null && bias !== null) throw new Error(`${op}: a bias without a weight is not supported (pass a weight of ones)`);
}

/**
 * Layer normalisation over the trailing dims `normalizedShape` of `x` (`F.layer_norm(x,
 * normalized_shape, weight, bias, eps)`): y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias,
 * mean and biased variance over those dims for every leading index.
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  requireDtype('layer_norm', x, 'float32');
  const tail = x.shape.slice(x.ndim - shape.length);
  if (shape.length === 0 || shape.length > x.ndim || !sameShape(tail, shape)) {
    throw new Error(`layer_norm: input of shape ${formatShape(x.shape)} does not end with normalized shape ${formatShape(shape)}`);
  }
  checkAffine('layer_norm', x, shape, weight, bias);
  const d = numel(shape);
  return normalize('layer_norm', x, { outer: d === 0 ? 0 : x.size / d, d, inner: 1 }, weight, bias, eps);
}

/**
 * Layer normalisation over the channels of an NCHW tensor (dim 1), as torchvision's ConvNeXt
 * `LayerNorm2d` computes it with `permute(0, 2, 3, 1)`, `F.layer_norm(x, [C], w, b, eps)` and
 * the inverse permute; here the kernel reads the channels `H * W` apart instead, no copies.
 */
export function layerNorm2d(x: Tensor, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-6): Tensor {
  requireDtype('layer_norm2d', x, 'float32');
  if (x.ndim !== 4) throw new Error(`layer_norm2d: expected a 4D input [N, C, H, W], got shape ${formatShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  checkAffine('layer_norm2d', x, [c], weight, bias);
  return normalize('layer_norm2d', x, { outer: n, d: c, inner: h * w }, weight, bias, eps);
}
