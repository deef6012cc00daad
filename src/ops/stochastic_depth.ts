/**
 * Stochastic depth (`torchvision.ops.stochastic_depth`): in training, each sample ('row') or the
 * whole batch ('batch') of a residual branch is zeroed with probability p and the survivors are
 * scaled by 1 / (1 - p); in evaluation it is the identity. The noise tensor, [N, 1, ..., 1] or
 * [1, ..., 1], is the dropout kernel run on ones (bernoulli(1 - p) / (1 - p), exactly
 * torchvision's), and the product broadcasts it: two small launches and one multiply (the noise
 * is kept by the graph for the backward, g * noise).
 */
import type { Tensor } from '../tensor.js';
import { noGrad, record } from '../autograd.js';
import { ones } from './create.js';
import { dropout } from './dropout.js';
import { mul } from './elementwise.js';
import { reshape } from './shape.js';
import { requireDtype } from './util.js';

/** Whether `stochasticDepth` drops each sample of the batch independently ('row') or the whole batch at once ('batch'), as torchvision's `mode`. */
export type StochasticDepthMode = 'row' | 'batch';

/** y = x * noise, noise = bernoulli(1 - p) / (1 - p) per sample ('row') or once ('batch'); identity unless training; `torchvision.ops.stochastic_depth`. */
export function stochasticDepth(x: Tensor, p: number, mode: StochasticDepthMode, training = true): Tensor {
  requireDtype('stochastic_depth', x, 'float32');
  if (!(p >= 0 && p <= 1))
    throw new Error(`stochastic_depth: drop probability has to be between 0 and 1, but got ${p}`);
  if (mode !== 'row' && mode !== 'batch')
    throw new Error(`stochastic_depth: mode has to be either 'batch' or 'row', but got ${mode}`);
  if (!training || p === 0) return reshape(x, x.shape);
  const size = x.shape.map((n, d) => (mode === 'row' && d === 0 ? n : 1));
  const unit = ones(size);
  // NOTE: with p = 1 the kernel keeps nothing and never divides by 1 - p = 0: the noise is all 0.
  const noise = dropout(unit, p, true);
  unit.dispose();
  const out = noGrad(() => mul(x, noise));
  // d/dx (x * noise) = noise; the node owns the noise and frees it with the graph.
  return record(out, 'stochastic_depth', [x], (g) => [mul(g, noise)], [noise]);
}
