/**
 * The optimiser step for row-sparse gradients (an Embedding with `sparse: true`,
 * src/ops/row_grad.ts): torch.optim.SparseAdam's update of the touched rows of the table
 * (`shaders/sparse_adam_rows.wgsl`), so a step over XLM-R's 250,002 x 768 token table costs the
 * batch's rows, not 192M values. Adam and AdamW call it for such a parameter; as SparseAdam, it
 * has no weight decay and no amsgrad, and rows not in the batch keep their moments (lazy).
 */
import { forEachChunk } from '../gpu/chunks.js';
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import type { Tensor } from '../tensor.js';
import type { RowGrad } from '../ops/row_grad.js';

const WG = 256;

/** Options the sparse step reads (those of SparseAdam: lr, betas, eps). */
export interface SparseAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
}

/**
 * One SparseAdam step of `param` [num, dim] over the rows of `grad`, with moments `m`, `v` [num,
 * dim] and the parameter's step count `step` (already incremented):
 *   step_size = lr sqrt(1 - β2^step) / (1 - β1^step), then per row as sparse_adam_rows.wgsl.
 */
export function sparseAdamRows(
  param: Tensor,
  grad: RowGrad,
  m: Tensor,
  v: Tensor,
  step: number,
  o: SparseAdamOptions,
): void {
  const [num, dim] = [param.shape[0], param.size / Math.max(param.shape[0], 1)];
  const n = grad.indices.size;
  if (n === 0 || dim === 0) return;
  if (grad.values.size !== n * dim)
    throw new Error(`SparseAdam: row gradient of ${grad.values.size} values for ${n} rows of ${dim}`);
  const [b1, b2] = o.betas;
  const uniforms = {
    n,
    dim,
    beta1: b1,
    beta2: b2,
    eps: o.eps,
    step_size: (o.lr * Math.sqrt(1 - b2 ** step)) / (1 - b1 ** step),
  };
  const table = [param, m, v].map((t) => ({ buffer: t.buffer, rowBytes: 4 * dim }));
  forEachChunk('SparseAdam', num, table, (start, count, [p, mb, vb]) =>
    dispatch(
      K.sparse_adam_rows,
      { WG },
      { ...uniforms, row_start: start, row_count: count },
      [grad.indices.buffer, grad.values.buffer, p, mb, vb],
      gridFor(n * dim, WG),
    ),
  );
}
