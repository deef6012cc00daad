/**
 * Layer normalisation (`F.layer_norm`) over the last dims, and its channels-first form over dim 1
 * of NCHW (ConvNeXt's `LayerNorm2d`) without permuted copies. Both view the input as
 * [outer, D, inner] and normalise each of the outer * inner rows of D values:
 *   y = (x - mean) / sqrt(var + eps) * w + b,   var biased (divided by D), w and b of shape [D].
 * Kernels: `shaders/layernorm_forward.wgsl` (keeps mean and 1/std per row for the backward; version
 * 02, `layernorm/02_vec4_rows_forward.wgsl`, for rows of 4k values on CPU adapters),
 * `layernorm_backward.wgsl` (dx) and `layernorm_backward_affine.wgsl` (dw, db).
 */
import { gridFor } from '../gpu/commands.js';
import { deviceInfo } from '../gpu/device.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor, numel, type Shape } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape, requireDtype, sameShape } from './util.js';
import { splitBatch } from './batch_split.js';

const WG = 256;
/** x viewed as [outer, d, inner]: rows of d values, `inner` apart. */
interface Layout {
  outer: number;
  d: number;
  inner: number;
}

/** Rows narrower than this take one invocation each (the `columns` kernel with inner = 1). */
const NARROW = 32;

type RowKernel = 'rows' | 'columns' | 'vec4_rows';
let forcedRowKernel: RowKernel | null = null;

/**
 * Forces the kernel for contiguous rows (inner = 1): 'rows' (one workgroup per row),
 * 'columns' (one invocation per row) or 'vec4_rows' (one invocation per row loading vec4s,
 * `shaders/layernorm/02_vec4_rows_forward.wgsl`, where D divides by 4; its backward is
 * 'columns'); null goes back to the adapter's choice. For tests and benchmarks.
 */
export function setLayerNormKernel(kernel: RowKernel | null): void {
  forcedRowKernel = kernel;
}

/**
 * One workgroup per row on a GPU, where the row's values are read by neighbouring lanes. On a
 * CPU adapter (llvmpipe, SwiftShader) every workgroup barrier is a switch between the
 * invocations' coroutines, and one invocation per row is faster: [1576, 768] (ViT-B at batch 8)
 * takes 20 ms that way on llvmpipe (2 cores) against 49 ms (workgroups of 32) to 140 ms (256).
 */
function rowKernel(d: number): RowKernel {
  if (forcedRowKernel) return forcedRowKernel === 'vec4_rows' && d % 4 !== 0 ? 'columns' : forcedRowKernel;
  if (d < NARROW) return 'columns';
  if (!/llvmpipe|swiftshader/i.test(deviceInfo().adapterName)) return 'rows';
  return d % 4 === 0 ? 'vec4_rows' : 'columns';
}

/**
 * Entry point and grid: `rows` with a workgroup of about a quarter of the row (32 ... 256), or
 * `columns` (channels-first input, narrow rows, CPU adapters).
 */
function geometry(l: Layout): { entryPoint: 'rows' | 'columns'; grid: [number, number]; wg: number; vec4: boolean } {
  const kernel = l.inner === 1 ? rowKernel(l.d) : 'columns';
  if (kernel === 'rows') {
    const wg = Math.min(WG, Math.max(32, 2 ** Math.ceil(Math.log2(l.d / 4))));
    return { entryPoint: 'rows', grid: gridFor(l.outer, 1), wg, vec4: false };
  }
  return { entryPoint: 'columns', grid: gridFor(l.outer * l.inner, WG), wg: WG, vec4: kernel === 'vec4_rows' };
}

function normalize(op: string, x: Tensor, l: Layout, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor {
  const rows = l.outer * l.inner;
  const y = Tensor.empty(x.shape);
  const stats = Tensor.empty([rows, 2]);
  const uniforms = { outer: l.outer, d: l.d, inner: l.inner, eps };
  const affine = weight !== null;
  const { entryPoint, grid, wg, vec4 } = geometry(l);
  // Without weight and bias, x is bound in their places (read-only aliases, never read).
  const buffers = [x.buffer, (weight ?? x).buffer, (bias ?? x).buffer, y.buffer, stats.buffer];
  const switches = { WG: wg, AFFINE: affine, BIAS: bias !== null };
  if (x.size > 0 && vec4) dispatch(K.layernorm_02_vec4_rows, switches, uniforms, buffers, grid);
  else if (x.size > 0) dispatch(K.layernorm_forward, { entryPoint, ...switches }, uniforms, buffers, grid);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(
    y,
    op,
    inputs,
    (g, needs) => {
      const dx = needs[0] ? Tensor.empty(x.shape) : null;
      if (dx && x.size > 0) {
        dispatch(
          K.layernorm_backward,
          { entryPoint, WG: wg, AFFINE: affine },
          uniforms,
          [g.buffer, x.buffer, (weight ?? x).buffer, stats.buffer, dx.buffer],
          grid,
        );
      }
      if (!affine || !needs.slice(1).some(Boolean)) return [dx, null, null];
      const [dw, db] = [Tensor.empty(weight!.shape), Tensor.empty(weight!.shape)];
      dispatch(
        K.layernorm_backward_affine,
        { WG },
        uniforms,
        [g.buffer, x.buffer, stats.buffer, dw.buffer, db.buffer],
        gridFor(l.d, 1),
      );
      return [dx, needs[1] ? dw : null, bias && needs[2] ? db : null]; // autograd frees what is not returned
    },
    [stats],
  );
}

function checkAffine(op: string, x: Tensor, shape: Shape, weight: Tensor | null, bias: Tensor | null): void {
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    if (t === null) continue;
    requireDtype(op, t, 'float32');
    if (!sameShape(t.shape, shape))
      throw new Error(
        `${op}: ${name} of shape ${formatShape(t.shape)} does not match normalized shape ${formatShape(shape)} of input ${formatShape(x.shape)}`,
      );
  }
  if (weight === null && bias !== null)
    throw new Error(`${op}: a bias without a weight is not supported (pass a weight of ones)`);
}

/**
 * Layer normalisation over the trailing dims `normalizedShape` of `x` (`F.layer_norm(x,
 * normalized_shape, weight, bias, eps)`): y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias,
 * mean and biased variance over those dims for every leading index.
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  eps = 1e-5,
): Tensor {
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  requireDtype('layer_norm', x, 'float32');
  const tail = x.shape.slice(x.ndim - shape.length);
  if (shape.length === 0 || shape.length > x.ndim || !sameShape(tail, shape)) {
    throw new Error(
      `layer_norm: input of shape ${formatShape(x.shape)} does not end with normalized shape ${formatShape(shape)}`,
    );
  }
  checkAffine('layer_norm', x, shape, weight, bias);
  // Rows are independent: past the storage-binding limit, runs of leading indices go separately.
  if (x.ndim > shape.length) {
    const split = splitBatch('layer_norm', x, numel(x.shape.slice(1)), (part) =>
      layerNorm(part, shape, weight, bias, eps),
    );
    if (split) return split;
  }
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
  if (x.ndim !== 4)
    throw new Error(`layer_norm2d: expected a 4D input [N, C, H, W], got shape ${formatShape(x.shape)}`);
  const [n, c, h, w] = x.shape;
  checkAffine('layer_norm2d', x, [c], weight, bias);
  const split = splitBatch('layer_norm2d', x, c * h * w, (part) => layerNorm2d(part, weight, bias, eps));
  if (split) return split;
  return normalize('layer_norm2d', x, { outer: n, d: c, inner: h * w }, weight, bias, eps);
}
