/** Placeholder replaced by the matmul work. */
import { Tensor } from '../tensor.js';
export function matmul(a: Tensor, b: Tensor): Tensor {
  throw new Error(`matmul ${a.describe()} ${b.describe()}`);
}
