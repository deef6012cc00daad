/**
 * Row-sparse gradients, as PyTorch's `nn.Embedding(..., sparse=True)` gives its table: instead of
 * a dense [num, dim] gradient (733 MiB for XLM-R's token table, then an optimiser pass over all
 * of it), the backward leaves the touched rows only: `indices` [U] int32 (-1: no row) and their
 * summed gradients `values` [U, dim], each row listed once (coalesced). `param.grad` stays null;
 * Adam and AdamW apply torch.optim.SparseAdam's update to these rows (src/optim/sparse_rows.ts),
 * and `zeroGrad` drops them. Several backward passes before a step add up (re-coalesced on read).
 */
import type { Tensor } from '../tensor.js';
import { keep } from '../memory.js';

/** The touched rows of a table and their gradient. */
export interface RowGrad {
  /** [U] int32: the row of each entry of `values`, or -1 for an entry to skip. */
  indices: Tensor;
  /** [U, dim]: the summed gradient of each row. */
  values: Tensor;
}

const pending = new WeakMap<Tensor, RowGrad[]>();

/** Adds a row gradient of `param` (the tensors are kept past the backward's tidy scope, and owned here). */
export function addRowGrad(param: Tensor, grad: RowGrad): void {
  const list = pending.get(param) ?? [];
  list.push({ indices: keep(grad.indices), values: keep(grad.values) });
  pending.set(param, list);
}

/** Whether `param` has a row gradient waiting for the optimiser. */
export const hasRowGrad = (param: Tensor): boolean => (pending.get(param)?.length ?? 0) > 0;

/**
 * The row gradient of `param` as one coalesced list (several backward passes merged with
 * `coalesce`), or null; it stays owned here until `clearRowGrad`.
 */
export function rowGradOf(param: Tensor, coalesce: (parts: RowGrad[]) => RowGrad): RowGrad | null {
  const list = pending.get(param);
  if (!list || list.length === 0) return null;
  if (list.length > 1) {
    const merged = coalesce(list);
    for (const g of list) disposeRows(g);
    list.splice(0, list.length, { indices: keep(merged.indices), values: keep(merged.values) });
  }
  return list[0];
}

/** Drops (and frees) the row gradient of `param`, as `zero_grad` drops a sparse `.grad`. */
export function clearRowGrad(param: Tensor): void {
  const list = pending.get(param);
  if (!list) return;
  for (const g of list) disposeRows(g);
  pending.delete(param);
}

function disposeRows(g: RowGrad): void {
  g.indices.dispose();
  g.values.dispose();
}
