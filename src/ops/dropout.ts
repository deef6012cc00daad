/**
 * Inverted dropout (`dropout_forward.wgsl`): in training, each element is zeroed with
 * probability p and the rest scaled by 1 / (1 - p); in evaluation it is the identity.
 * The random numbers come from the seeded generator (`sg.manualSeed`).
 */
import { gridFor } from '../gpu/commands.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor } from '../tensor.js';
import { record } from '../autograd.js';
import { nextRandomStream } from './create.js';
import { mul } from './elementwise.js';
import { reshape } from './shape.js';
import { requireDtype } from './util.js';

const WG = 256;

/** y = x m / (1 - p), m ~ Bernoulli(1 - p) per element, when training (else y = x); `F.dropout`. dx = g m / (1 - p). */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  requireDtype('dropout', x, 'float32');
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return reshape(x, x.shape);
  const y = Tensor.empty(x.shape);
  const mask = Tensor.empty(x.shape);
  const { seed, stream } = nextRandomStream();
  dispatch(
    K.dropout_forward,
    { WG },
    { n: x.size, seed, stream, p },
    [x.buffer, y.buffer, mask.buffer],
    gridFor(x.size, WG),
  );
  // d/dx (x * mask) = mask
  return record(y, 'dropout', [x], (g) => [mul(g, mask)], [mask]);
}
