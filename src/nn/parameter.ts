/**
 * A Parameter is a tensor that a Module owns and an optimiser updates. It requires gradients
 * by default and is never disposed by `tidy` (it lives as long as its module).
 */
import { Tensor } from '../tensor.js';
import { keep } from '../memory.js';

/** A Tensor that a Module owns and trains (`requiresGrad` by default; kept out of `tidy`), as `torch.nn.Parameter`. */
export class Parameter extends Tensor {
  /** Wraps `data`'s storage (shared, not copied); `data` itself may be disposed afterwards. */
  constructor(data: Tensor, requiresGrad = true) {
    super(data.shape, data.dtype, data.storage.retain());
    keep(this);
    this.requiresGrad = requiresGrad && data.dtype === 'float32';
  }

  /** `Parameter(shape=[...], requiresGrad=...)` (no GPU read). */
  override toString(): string {
    return `Parameter(shape=[${this.shape.join(', ')}], requiresGrad=${this.requiresGrad})`;
  }
}

/** Turns a freshly made tensor into a Parameter and frees the temporary wrapper. */
export function parameter(data: Tensor, requiresGrad = true): Parameter {
  const p = new Parameter(data, requiresGrad);
  data.dispose();
  return p;
}
