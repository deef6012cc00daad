/**
 * The (values, indices) pair that `max(dim)` and `min(dim)` return, as PyTorch's
 * `torch.return_types.max`: destructures as an array (`const [values, indices] = x.max(1)`) or
 * an object (`const { values, indices } = x.max(1)`), and indexes as `x.max(1)[0]`.
 */
import type { Tensor } from './tensor.js';

/** The values and their int32 indices along the reduced dim, as PyTorch's `torch.return_types.max`/`min`. */
export class ValuesIndices {
  /** 2, as the named tuple's `len()`. */
  readonly length = 2;

  /**
   * @param values The selected values (float32; the gradient flows through them).
   * @param indices Where each value was along the reduced dim (int32; PyTorch: int64).
   */
  constructor(
    readonly values: Tensor,
    readonly indices: Tensor,
  ) {}

  /** `values`, as `result[0]` in PyTorch. */
  get 0(): Tensor {
    return this.values;
  }

  /** `indices`, as `result[1]` in PyTorch. */
  get 1(): Tensor {
    return this.indices;
  }

  /** Yields `values` then `indices`: `const [values, indices] = x.max(1)`. */
  *[Symbol.iterator](): IterableIterator<Tensor> {
    yield this.values;
    yield this.indices;
  }

  /** Frees both tensors. */
  dispose(): void {
    this.values.dispose();
    this.indices.dispose();
  }

  /** `ValuesIndices(values=Tensor(shape=[2], dtype=float32), indices=Tensor(shape=[2], dtype=int32))` (no GPU read). */
  toString(): string {
    return `ValuesIndices(values=${String(this.values)}, indices=${String(this.indices)})`;
  }
}
