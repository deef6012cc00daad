/**
 * A Linear layer's bias: y = x + b for x [..., N] and b [N], whose gradient db = Σ over rows of g
 * is a sum down the columns of g [R, N]. The general reduction (reduce.wgsl) walks each column
 * with a workgroup of strided loads and barriers, which on a CPU driver runs ~0.05 GB/s (half a
 * second per step for XLM-R base's layer on llvmpipe); here it is the product ones [1, R] @ g
 * [R, N], which the matmul kernels read row by row with vec4 loads (2RN FLOPs, memory-bound).
 */
import type { Tensor } from '../tensor.js';
import { numel } from '../tensor.js';
import { noGrad, record } from '../autograd.js';
import { add } from './elementwise.js';
import { full } from './create.js';
import { matmul } from './matmul.js';
import { reshape } from './shape.js';
import { sum } from './reduce.js';
import { formatShape } from './util.js';

/** Below this many rows the general reduction is as fast: the product is not worth a ones vector. */
const MIN_ROWS = 16;

/** Σ over the rows of g [..., N] -> [N]: ones [1, R] @ g [R, N] (same values as `sum(g, leading dims)`, other rounding). */
export function columnSums(g: Tensor): Tensor {
  const n = g.shape[g.ndim - 1];
  const rows = numel(g.shape) / Math.max(n, 1);
  if (rows < MIN_ROWS || n === 0) return sum(reshape(g, [rows, n]), 0);
  const ones = full([1, rows], 1);
  const sums = matmul(ones, reshape(g, [rows, n]));
  ones.dispose();
  return reshape(sums, [n]);
}

/**
 * out = x + bias over the last dimension of x, as the `+ b` of `F.linear`: the forward is the
 * broadcast add; dx = g, dbias = `columnSums(g)`.
 */
export function addBias(x: Tensor, bias: Tensor): Tensor {
  if (bias.ndim !== 1 || x.ndim === 0 || x.shape[x.ndim - 1] !== bias.shape[0])
    throw new Error(`add_bias: bias ${formatShape(bias.shape)} does not fit input ${formatShape(x.shape)}`);
  const out = noGrad(() => add(x, bias));
  return record(out, 'add_bias', [x, bias], (g, needs) => [
    needs[0] ? g.detach() : null,
    needs[1] ? columnSums(g) : null,
  ]);
}
