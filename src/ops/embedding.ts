/**
 * Embedding lookup (`shaders/embedding_forward.wgsl`) and its deterministic scatter-add backward
 * (`shaders/embedding_backward.wgsl`), for tables of any size: XLM-R's token table (250,002 x
 * 768 floats, 733 MiB) is bigger than one storage binding, so the table and its gradient are
 * bound in aligned runs of rows (gpu/chunks.ts), one launch per run.
 */
import { assertLaunch } from '../gpu/asserts.js';
import { forEachChunk, range } from '../gpu/chunks.js';
import { gpuDevice } from '../gpu/device.js';
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { zeros } from './create.js';
import { fillInPlace } from './elementwise.js';
import { cat } from './shape.js';
import { addRowGrad, type RowGrad } from './row_grad.js';
import { formatShape, requireDtype } from './util.js';

const WG = 256;

/** PyTorch's IndexError for an id outside the table. */
const indexOutOfRange = (id: number, num: number) => `index out of range in self (id ${id}, num_embeddings ${num})`;

/** Options of `embedding`, as the keyword arguments of `F.embedding`. */
export interface EmbeddingOptions {
  /** The row whose gradient stays zero (PyTorch's `padding_idx`); negative counts from the end. */
  paddingIdx?: number | null;
  /**
   * The table's gradient as its touched rows only (PyTorch's `sparse=True`; src/ops/row_grad.ts):
   * `weight.grad` stays null and Adam/AdamW update those rows (SparseAdam's rule). Default false.
   */
  sparse?: boolean;
}

function check(ids: Tensor, weight: Tensor, paddingIdx: number | null): void {
  requireDtype('embedding', ids, 'int32');
  requireDtype('embedding', weight, 'float32');
  if (weight.ndim !== 2) throw new Error(`embedding: weight must be 2-D [num, dim], got ${formatShape(weight.shape)}`);
  const num = weight.shape[0];
  if (paddingIdx !== null && !(Number.isInteger(paddingIdx) && paddingIdx >= 0 && paddingIdx < num))
    throw new Error(`embedding: padding_idx ${paddingIdx} must be within num_embeddings ${num}`);
  const r = ids.valueRange;
  if (r && ids.size > 0 && (r[0] < 0 || r[1] >= num))
    throw new Error(`embedding: index out of range in self (ids in [${r[0]}, ${r[1]}], table of ${num} rows)`);
}

/**
 * out[..., :] = weight[ids[...], :], as `torch.nn.functional.embedding(ids, weight, padding_idx)`:
 * ids int32 of any shape, weight [num, dim] -> [...ids.shape, dim]. Backward: dweight[r] = the sum
 * of g over the positions holding r (summed in position order, no atomics), zero for the padding
 * row and for rows no position uses. Ids known on the CPU are checked against the table; an id
 * out of range that is only on the GPU (argmax, `.int()`) writes NaN and raises a device-side
 * assert: reading the output, or anything computed from it, throws "index out of range in self"
 * naming the id (src/gpu/asserts.ts).
 */
export function embedding(ids: Tensor, weight: Tensor, options: EmbeddingOptions = {}): Tensor {
  const num = weight.shape[0];
  let paddingIdx = options.paddingIdx ?? null;
  if (paddingIdx !== null && paddingIdx < 0) paddingIdx += num;
  check(ids, weight, paddingIdx);
  const dim = weight.shape[1];
  const n = ids.size;
  const out = Tensor.empty([...ids.shape, dim]);
  if (out.size > 0) {
    const check = assertLaunch(gpuDevice(), 'embedding', indexOutOfRange);
    forEachChunk('embedding', num, [{ buffer: weight.buffer, rowBytes: 4 * dim }], (start, count, [w]) =>
      dispatch(
        K.embedding_forward,
        { WG },
        { n, dim, num, row_start: start, row_count: count, site: check.site },
        [ids.buffer, w, out.buffer, check.buffer],
        gridFor(n * dim, WG),
      ),
    );
  }
  if (options.sparse && weight.gradFn)
    throw new Error('embedding: sparse gradients need the table to be a leaf tensor (a Parameter)');
  return record(out, 'embedding', [weight], (g) => {
    if (!options.sparse) return [embeddingBackward(ids, g, num, dim, paddingIdx)];
    addRowGrad(weight, embeddingRowGrad(ids, g, dim, paddingIdx));
    return [null];
  });
}

/**
 * Chains of equal ids (`links`): chains[t] = the next token with ids[t] (n if none), chains[n + t]
 * = 1 where t is the first token with its id. `rowBinding` is any buffer of >= 4 dim bytes: links
 * binds one row of the output, never touching it.
 */
function linkChains(ids: Tensor, g: Tensor, dim: number, paddingIdx: number | null, rowBinding: GPUBuffer): Tensor {
  const n = ids.size;
  const chains = Tensor.empty([2 * n], 'int32');
  dispatch(
    K.embedding_backward,
    { WG, entryPoint: 'links' },
    { n, dim, padding_idx: paddingIdx ?? -1, row_start: 0, row_count: 0 },
    [ids.buffer, g.buffer, chains.buffer, range(rowBinding, 0, 4 * dim)],
    gridFor(n, WG),
  );
  return chains;
}

/**
 * The table's gradient as touched rows (`shaders/embedding_backward_rows.wgsl`): for the first
 * token of each id (not the padding id), indices = the id and values = the sum of g over the
 * tokens with that id; -1 and zeros for the other tokens. `ids` [...] int32 (-1 entries are
 * skipped), g [..., dim]. Work and memory follow the number of tokens, not the table's rows.
 */
export function embeddingRowGrad(ids: Tensor, g: Tensor, dim: number, paddingIdx: number | null): RowGrad {
  const n = ids.size;
  const values = Tensor.empty([n, dim]);
  const indices = Tensor.empty([n], 'int32');
  if (n === 0) return { indices, values };
  if (dim === 0) return { indices: fillInPlace(indices, -1), values };
  const chains = linkChains(ids, g, dim, paddingIdx, values.buffer);
  dispatch(
    K.embedding_backward_rows,
    { WG },
    { n, dim, padding_idx: paddingIdx ?? -1 },
    [ids.buffer, g.buffer, chains.buffer, values.buffer, indices.buffer],
    gridFor(n * dim, WG),
  );
  chains.dispose();
  return { indices, values };
}

/** Several row gradients of one table as one (each row listed once): the same kernels over their concatenation. */
export function coalesceRowGrads(parts: RowGrad[]): RowGrad {
  const dim = parts[0].values.shape[1];
  const ids = cat(parts.map((p) => p.indices));
  const values = cat(parts.map((p) => p.values));
  const merged = embeddingRowGrad(ids, values, dim, null);
  ids.dispose();
  values.dispose();
  return merged;
}

/** The table's gradient [num, dim]: zeros, then one chain-following sum per (distinct id, d). */
function embeddingBackward(ids: Tensor, g: Tensor, num: number, dim: number, paddingIdx: number | null): Tensor {
  const n = ids.size;
  const dweight = zeros([num, dim]);
  if (n === 0 || dim === 0) return dweight;
  const chains = linkChains(ids, g, dim, paddingIdx, dweight.buffer);
  const base = { n, dim, padding_idx: paddingIdx ?? -1 };
  forEachChunk('embedding backward', num, [{ buffer: dweight.buffer, rowBytes: 4 * dim }], (start, count, [dw]) =>
    dispatch(
      K.embedding_backward,
      { WG, entryPoint: 'scatter' },
      { ...base, row_start: start, row_count: count },
      [ids.buffer, g.buffer, chains.buffer, dw],
      gridFor(n * dim, WG),
    ),
  );
  chains.dispose();
  return dweight;
}
