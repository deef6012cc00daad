/** `sg.nn.utils`: gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_, on the GPU (no
 * readback): total = sqrt(sum over parameters of sum(g^2)), the 2-norm of all gradients
 * together; every gradient is scaled by min(1, maxNorm / (total + 1e-6)).
 */
import type { Tensor } from '../tensor.js';
import type { Parameter } from './parameter.js';
import { noGrad } from '../autograd.js';
import { add, div, maximum, minimum, mul, sqrt } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { zeros } from '../ops/create.js';
import { tidy } from '../memory.js';

/** Scales gradients in place so that their total 2-norm is at most `maxNorm`; returns the norm before clipping (0-d tensor). */
export function clipGradNorm_(parameters: Iterable<Parameter>, maxNorm: number): Tensor {
  const grads = [...parameters].map((p) => p.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return zeros([]);
  return noGrad(() => {
    const total = tidy(() => sqrt(grads.map((g) => sum(mul(g, g))).reduce((a, b) => add(a, b))));
    tidy(() => {
      const coef = minimum(div(maxNorm, add(total, 1e-6)), 1);
      for (const g of grads) g.mul_(coef);
    });
    return total;
  });
}

/** Clamps every gradient element to [-clipValue, clipValue], in place. */
export function clipGradValue_(parameters: Iterable<Parameter>, clipValue: number): void {
  noGrad(() => {
    for (const p of parameters) {
      const g = p.grad;
      if (g) tidy(() => g.copy_(maximum(minimum(g, clipValue), -clipValue)));
    }
  });
}
