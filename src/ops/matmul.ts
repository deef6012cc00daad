/**
 * Matrix multiplication, as `torch.matmul`: 2-D, batched with broadcast batch dimensions, and
 * 1-D operands as vectors. The kernel versions live in `shaders/matmul/`, numbered, each with
 * its measured speed; `matmul_tuning.ts` picks the fastest on this adapter.
 *
 * Backward: dA = g @ B^T and dB = A^T @ g (the transposes are materialised with one strided
 * copy, O(n^2) beside the O(n^3) product), summed over batch dims that were broadcast.
 */
import { dispatch } from '../gpu/commands.js';
import { Params } from '../gpu/params.js';
import { Tensor, numel } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape as fmt, requireDtype } from './util.js';
import { expand, reshape, transpose, squeeze, unsqueeze } from './shape.js';
import { sumToShape } from './reduce.js';
import { chooseVersion, type MatmulVersion } from './matmul_tuning.js';


/** Launches C[b] = A[b] @ B[b] with the given version; batch strides in elements (0 = shared). */
export function launchMatmul(version: MatmulVersion, a: Tensor, b: Tensor, c: Tensor, m: number, n: number, k: number,
  batch: number, aBatchStride: number, bBatchStride: number): void {
  const [unitA, unitB] = version.strideUnits; // vec4 arrays are indexed in vec4s
  const params = new Params().u32(m).u32(n).u32(k).u32(aBatchStride / unitA).u32(bBatchStride / unitB).bytes();
  const [tx, ty] = version.tile;
  let [wx, wy] = version.workgroup;
  // Narrow products (N of 64, say) would leave most lanes of a wide row of invocations idle:
  // shrink the row to the columns there are (at least 8 lanes, one subgroup on a CPU driver).
  if (wy === 1) wx = Math.min(wx, Math.max(8, 2 ** Math.ceil(Math.log2(Math.ceil(n / tx)))));
  const kernel = {
    name: `matmul_${version.name}`,
    source: version.source,
    bindings: ['read', 'read', 'write', 'uniform'] as const,
    constants: { WG_X: wx, WG_Y: wy },
  };
  const columns = Math.ceil(n / (tx * wx));
  const rows = Math.ceil(m / (ty * wy));
  dispatch(kernel, [a.buffer, b.buffer, c.buffer], params, version.rowsFirst ? [rows, columns, batch] : [columns, rows, batch]);
}

/** C = A @ B for [batch?, M, K] x [batch?, K, N] where each batch is 1 or the same `batch`. */
function bmm(a: Tensor, b: Tensor, batch: number): Tensor {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.ndim - 1];
  const out = Tensor.empty(batch > 1 || a.ndim === 3 || b.ndim === 3 ? [batch, m, n] : [m, n]);
  if (out.size === 0) return out;
  const aStride = a.ndim === 3 && a.shape[0] > 1 ? m * k : 0;
  const bStride = b.ndim === 3 && b.shape[0] > 1 ? k * n : 0;
  if (k === 0) {
    out.zero_();
  } else {
    launchMatmul(chooseVersion(n, k), a, b, out, m, n, k, batch, aStride, bStride);
  }
  return record(out, 'matmul', [a, b], (g, needs) => [
    needs[0] ? productGrad(g, b, 'right', batch, a.shape) : null,
    needs[1] ? productGrad(g, a, 'left', batch, b.shape) : null,
  ]);
}

/**
 * The gradient of one operand: g @ B^T for A (`other` = B on the right), A^T @ g for B, summed
 * over the batch if the operand was shared across it. When `other` is the big matrix (a
 * convolution's unrolled input), the same product is computed transposed, (B g^T)^T or
 * (g^T A)^T, which transposes g and the result instead of `other`.
 */
function productGrad(g: Tensor, other: Tensor, side: 'left' | 'right', batch: number, shape: readonly number[]): Tensor {
  const smallerTransposed = other.size > g.size + numel(shape);
  let grad: Tensor;
  if (!smallerTransposed) {
    const otherT = transpose(other, -1, -2);
    grad = side === 'right' ? bmm(g, otherT, batch) : bmm(otherT, g, batch);
    otherT.dispose();
  } else {
    const gT = transpose(g, -1, -2);
    const gradT = side === 'right' ? bmm(other, gT, batch) : bmm(gT, other, batch);
    grad = transpose(gradT, -1, -2);
    gT.dispose();
    gradT.dispose();
  }
  const summed = numel(grad.shape) === numel(shape) ? grad : sumToShape(grad, [1, ...shape.slice(-2)]);
  const out = reshape(summed, shape);
  if (summed !== grad) summed.dispose();
  grad.dispose();
  return out;
}

/** Matrix product with PyTorch's rules for 1-D, 2-D and batched operands. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  requireDtype('matmul', a, 'float32');
  requireDtype('matmul', b, 'float32');
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`matmul: both arguments need at least 1 dimension, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const k1 = a.shape[a.ndim - 1];
  const k2 = b.shape[b.ndim === 1 ? 0 : b.ndim - 2];
  if (k1 !== k2) throw new Error(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied (${k1} != ${k2})`);
  // Vectors: [K] is [1, K] on the left and [K, 1] on the right, and that dim is dropped after.
  if (a.ndim === 1 && b.ndim === 1) return reshape(matmul(unsqueeze(a, 0), unsqueeze(b, 1)), []);
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batchShape = broadcastBatch(a, b, batchA, batchB);
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.ndim - 1];
  if (batchShape.length === 0) return bmm(a, b, 1);
  // A batched A times a plain matrix B is one big 2-D product.
  if (batchB.length === 0) return reshape(bmm(reshape(a, [numel(batchA) * m, k]), b, 1), [...batchShape, m, n]);
  const batch = numel(batchShape);
  const flat = (t: Tensor, own: readonly number[], rows: number, cols: number) => {
    if (own.length === 0) return reshape(t, [1, rows, cols]);
    const full = own.join() === batchShape.join() ? t : expand(t, [...batchShape, rows, cols]);
    return reshape(full, [batch, rows, cols]);
  };
  return reshape(bmm(flat(a, batchA, m, k), flat(b, batchB, k, n), batch), [...batchShape, m, n]);
}

function broadcastBatch(a: Tensor, b: Tensor, batchA: readonly number[], batchB: readonly number[]): number[] {
  const rank = Math.max(batchA.length, batchB.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = batchA[batchA.length - rank + i] ?? 1;
    const db = batchB[batchB.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`matmul: batch dimensions of shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be broadcast (${da} vs ${db})`);
    }
    out.push(Math.max(da, db));
  }
  return out;
}

