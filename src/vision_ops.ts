/**
 * `sg.ops`: mirrors `torchvision.ops` for the blocks torchvision's models import from there
 * (`from torchvision.ops import StochasticDepth, Conv2dNormActivation, SqueezeExcitation`;
 * `torchvision.ops.misc.Permute`). The same classes are also in `sg.nn`.
 */
export { Permute, StochasticDepth, SqueezeExcitation, Conv2dNormActivation } from './nn/layers/torchvision_ops.js';
export { stochasticDepth } from './ops/stochastic_depth.js';
