/**
 * Matrix multiplication, as `torch.matmul`: 2-D, batched with broadcast batch dimensions, and
 * 1-D operands as vectors. The kernel versions live in `shaders/matmul/`, numbered, each with
 * its measured speed; `matmul_tuning.ts` picks the fastest on this adapter.
 *
 * Backward: dA = g @ B^T and dB = A^T @ g (the transposes are materialised with one strided
 * copy, O(n^2) beside the O(n^3) product), summed over batch dims that were broadcast.
 *
 * `matmulNT` (a @ b^T, for Linear) reads b in its own [N, K] layout, and, like 2-D products
 * here, works on operands larger than one storage binding: they are split into blocks of rows
 * bound as byte ranges (gpu/chunks.ts); blocks of the reduction dimension are summed.
 */
import { deviceBindingLimit, fitsBinding, range, rowsPerChunk } from '../gpu/chunks.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor, numel } from '../tensor.js';
import { record } from '../autograd.js';
import { formatShape as fmt, requireDtype } from './util.js';
import { expand, reshape, slice, transpose, squeeze, unsqueeze } from './shape.js';
import { add } from './elementwise.js';
import { sumToShape } from './reduce.js';
import { chooseVersion, launchMatmul, launchMatmulOn } from './matmul_versions.js';

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
  } else if (batch === 1 && !(fitsBinding(a.buffer) && fitsBinding(b.buffer) && fitsBinding(out.buffer))) {
    blockedProduct(a, b, out);
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
function productGrad(
  g: Tensor,
  other: Tensor,
  side: 'left' | 'right',
  batch: number,
  shape: readonly number[],
): Tensor {
  const T = (t: Tensor) => transpose(t, -1, -2);
  const smallerTransposed = other.size > g.size + numel(shape);
  let grad: Tensor;
  if (side === 'right')
    grad = smallerTransposed ? T(bmm(other, T(g), batch)) : bmm(g, T(other), batch); // dA = g @ Bᵀ = (B @ gᵀ)ᵀ
  else grad = smallerTransposed ? T(bmm(T(g), other, batch)) : bmm(T(other), g, batch); //                   dB = Aᵀ @ g = (gᵀ @ A)ᵀ
  // Summed over the batch where the operand was shared across it.
  return reshape(numel(grad.shape) === numel(shape) ? grad : sumToShape(grad, [1, ...shape.slice(-2)]), shape);
}

/**
 * out [M, N] = a [M, K] @ b [K, N] with operands larger than a storage binding: blocks of rows
 * of a and out, times blocks of rows of b (the reduction dimension) whose partial products are
 * summed. a's matching block of columns is a small strided copy.
 */
function blockedProduct(a: Tensor, b: Tensor, out: Tensor): void {
  const [m, k] = a.shape.slice(-2);
  const n = out.shape[out.ndim - 1];
  const kRows = rowsPerChunk('matmul', [n * 4], k);
  let total: Tensor | null = null;
  for (let k0 = 0; k0 < k; k0 += kRows) {
    const kc = Math.min(kRows, k - k0);
    const aBlock = kc === k ? reshape(a, [m, k]) : slice(reshape(a, [m, k]), 1, k0, k0 + kc);
    const part = total || kc < k ? Tensor.empty(out.shape) : out;
    const mRows =
      fitsBinding(aBlock.buffer) && fitsBinding(part.buffer) ? m : rowsPerChunk('matmul', [kc * 4, n * 4], m);
    for (let m0 = 0; m0 < m; m0 += mRows) {
      const mc = Math.min(mRows, m - m0);
      const whole = mc === m;
      launchMatmulOn(
        chooseVersion(n, kc),
        whole ? aBlock.buffer : range(aBlock.buffer, m0 * kc * 4, mc * kc * 4),
        kc === k ? b.buffer : range(b.buffer, k0 * n * 4, kc * n * 4),
        whole ? part.buffer : range(part.buffer, m0 * n * 4, mc * n * 4),
        mc,
        n,
        kc,
        1,
        0,
        0,
      );
    }
    aBlock.dispose();
    if (part === out) return;
    const next: Tensor = total ? add(total, part) : part;
    if (total) {
      total.dispose();
      part.dispose();
    }
    total = next;
  }
  out.copy_(total!);
  total!.dispose();
}

/**
 * a @ b^T for a [M, K] and b [N, K], reading b in place (versions 11-13, `shaders/matmul/1*_nt_*`):
 * a Linear layer's y = x W^T without a transposed copy of W. Backward: da = g @ b (a plain
 * product with b as it is) and db = g^T @ a (g is small: only it is transposed).
 */
export function matmulNT(a: Tensor, b: Tensor): Tensor {
  requireDtype('matmulNT', a, 'float32');
  requireDtype('matmulNT', b, 'float32');
  if (a.ndim !== 2 || b.ndim !== 2 || a.shape[1] !== b.shape[1]) {
    throw new Error(`matmulNT: expected a [M, K] and b [N, K], got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  }
  const [m, k] = a.shape;
  const n = b.shape[0];
  const out = Tensor.empty([m, n]);
  if (out.size > 0 && k === 0) out.zero_();
  else if (out.size > 0) launchNT(a, b, out);
  return record(out, 'matmulNT', [a, b], (g, needs) => [
    needs[0] ? (n === 0 ? zerosOf([m, k]) : bmm(g, b, 1)) : null,
    needs[1] ? (m === 0 ? zerosOf([n, k]) : gradOfB(g, a)) : null,
  ]);
}

const zerosOf = (shape: number[]) => Tensor.empty(shape).zero_();

/**
 * The NT kernel for a reduction of length k: 13 (subgroup broadcasts) where this adapter runs a
 * verified subgroup version of the plain product, else 12 (vec4 loads), else 11 (any K).
 */
function ntKernel(k: number): typeof K.matmul_11_nt_rows | typeof K.matmul_12_nt_vec4 | typeof K.matmul_13_nt_subgroup {
  if (k % 4 !== 0) return K.matmul_11_nt_rows;
  if (chooseVersion(4, 4).requires === 'subgroups') return K.matmul_13_nt_subgroup;
  return K.matmul_12_nt_vec4;
}

/** Versions 11-13 over blocks of rows of a and out and of rows of b (each block a range of columns of out). */
function launchNT(a: Tensor, b: Tensor, out: Tensor): void {
  const [m, k] = a.shape;
  const n = b.shape[0];
  // Operands that fit are bound whole; the others in blocks of rows.
  const mRows = fitsBinding(a.buffer) && fitsBinding(out.buffer) ? m : rowsPerChunk('matmulNT', [k * 4, n * 4], m);
  const nRows = fitsBinding(b.buffer) ? n : rowsPerChunk('matmulNT', [k * 4], n);
  const nt = ntKernel(k);
  for (let m0 = 0; m0 < m; m0 += mRows) {
    for (let n0 = 0; n0 < n; n0 += nRows) {
      const [mc, nc] = [Math.min(mRows, m - m0), Math.min(nRows, n - n0)];
      // Narrow products: no wider a row of invocations than there are columns (at least 8 lanes).
      const wx = Math.min(64, Math.max(8, 2 ** Math.ceil(Math.log2(Math.ceil(nc / 4)))));
      const bindings = [
        mc === m ? a.buffer : range(a.buffer, m0 * k * 4, mc * k * 4),
        nc === n ? b.buffer : range(b.buffer, n0 * k * 4, nc * k * 4),
        mc === m ? out.buffer : range(out.buffer, m0 * n * 4, mc * n * 4),
      ];
      dispatch(nt, { WG_X: wx }, { m: mc, n: nc, k, ldc: n, c_col: n0 }, bindings, [
        Math.ceil(mc / 8),
        Math.ceil(nc / (4 * wx)),
      ]);
    }
  }
}

/** g^T @ a for g [M, N] and a [M, K]: the [N, K] gradient of b, in blocks of its rows when large. */
function gradOfB(g: Tensor, a: Tensor): Tensor {
  const [m, n] = g.shape;
  const k = a.shape[1];
  if (a.buffer.size > deviceBindingLimit())
    throw new Error(
      `matmulNT backward: the input ${fmt(a.shape)} is larger than one storage binding; use smaller batches`,
    );
  const out = Tensor.empty([n, k]);
  const nRows = fitsBinding(out.buffer) ? n : rowsPerChunk('matmulNT backward', [k * 4], n);
  for (let n0 = 0; n0 < n; n0 += nRows) {
    const nc = Math.min(nRows, n - n0);
    const gT = transpose(nc === n ? g : slice(g, 1, n0, n0 + nc), 0, 1); // [nc, M], small
    const c = nc === n ? out.buffer : range(out.buffer, n0 * k * 4, nc * k * 4);
    launchMatmulOn(chooseVersion(k, m), gT.buffer, a.buffer, c, nc, k, m, 1, 0, 0);
  }
  return out;
}

/**
 * C = A @ B, C[i, j] = Σ_k A[i, k] B[k, j], with PyTorch's rules for 1-D, 2-D and batched
 * (broadcast) operands; `torch.matmul`. dA = g @ Bᵀ, dB = Aᵀ @ g.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  requireDtype('matmul', a, 'float32');
  requireDtype('matmul', b, 'float32');
  if (a.ndim === 0 || b.ndim === 0)
    throw new Error(`matmul: both arguments need at least 1 dimension, got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  const k1 = a.shape[a.ndim - 1];
  const k2 = b.shape[b.ndim === 1 ? 0 : b.ndim - 2];
  if (k1 !== k2)
    throw new Error(`matmul: shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be multiplied (${k1} != ${k2})`);
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
      throw new Error(
        `matmul: batch dimensions of shapes ${fmt(a.shape)} and ${fmt(b.shape)} cannot be broadcast (${da} vs ${db})`,
      );
    }
    out.push(Math.max(da, db));
  }
  return out;
}
