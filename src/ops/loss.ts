/**
 * Loss functions, as `torch.nn.functional`'s: cross-entropy on logits and class indices (fused,
 * stable kernels `cross_entropy_*.wgsl`), and MSE, L1 and binary cross-entropy on logits,
 * written with the elementwise kernels.
 */
import { gridFor } from '../gpu/commands.js';
import { gpuDevice } from '../gpu/device.js';
import { assertLaunch } from '../gpu/asserts.js';
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor, numel } from '../tensor.js';
import { record } from '../autograd.js';
import { abs, add, div, exp, log, mul, neg, relu, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';
import { formatShape, requireDtype, sameShape } from './util.js';
import { checkOptions } from '../args.js';

const REDUCTIONS = ['mean', 'sum', 'none'] as const;

/** How a loss combines its per-element values: their mean, their sum, or none (one value per element), as PyTorch's `reduction`. */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options of `crossEntropy`, as the keyword arguments of `torch.nn.functional.cross_entropy`. */
export interface CrossEntropyOptions {
  /** 'mean' (default: over the targets not ignored), 'sum' or 'none'. */
  reduction?: Reduction;
  /** Targets equal to this are skipped (no loss, no gradient, not counted in the mean). */
  ignoreIndex?: number;
  /** eps: the target distribution is (1 - eps) one-hot + eps / C uniform. */
  labelSmoothing?: number;
}

const WG = 256;

/** PyTorch's wording of a bad class index (CUDA's device-side assert in nll_loss). */
const targetOutOfBounds = (target: number, classes: number) =>
  `Target ${target} is out of bounds (classes: ${classes})`;

/**
 * Cross-entropy -log softmax(logits)[target], averaged, between logits [N, C] (or [N, C, d1, ...])
 * and int32 class indices [N] (or [N, d1, ...]), as `F.cross_entropy` (ignoreIndex, labelSmoothing). Out-of-range targets known on the CPU are an error
 * before any GPU work; ones computed on the GPU (argmax, `.int()`) raise a device-side assert:
 * reading the loss (or anything computed from it) throws "Target 7 is out of bounds", as
 * PyTorch does (src/gpu/asserts.ts).
 */
export function crossEntropy(
  logits: Tensor,
  target: Tensor,
  options: CrossEntropyOptions = {},
  layer = 'cross_entropy',
): Tensor {
  checkOptions(layer, options, { reduction: REDUCTIONS, ignoreIndex: 'integer', labelSmoothing: 'number' });
  requireDtype(layer, logits, 'float32');
  requireDtype(`${layer} (target)`, target, 'int32');
  const ignore = options.ignoreIndex ?? -100;
  const smoothing = options.labelSmoothing ?? 0;
  if (logits.ndim < 2)
    throw new Error(`${layer}: expected logits of shape [N, C] (or [N, C, ...]), got ${formatShape(logits.shape)}`);
  const [n, classes, ...rest] = logits.shape;
  const expected = [n, ...rest];
  if (!sameShape(target.shape, expected)) {
    throw new Error(
      `${layer}: target shape ${formatShape(target.shape)} does not match logits ${formatShape(logits.shape)} (expected ${formatShape(expected)})`,
    );
  }
  const range = target.valueRange;
  if (range && ((range[0] < 0 && range[0] !== ignore) || (range[1] >= classes && range[1] !== ignore))) {
    throw new Error(
      `${layer}: target values must be in [0, ${classes - 1}] for logits ${formatShape(logits.shape)}, got values from ${range[0]} to ${range[1]} (target ${formatShape(target.shape)})`,
    );
  }
  if (smoothing < 0 || smoothing > 1)
    throw new Error(`${layer}: labelSmoothing must be between 0 and 1, got ${smoothing}`);
  const inner = numel(rest);
  const samples = n * inner;
  const uniforms = { samples, classes, inner, ignore, smoothing };
  const losses = Tensor.empty(expected);
  const valid = Tensor.empty(expected);
  const check = assertLaunch(gpuDevice(), layer, targetOutOfBounds);
  dispatch(
    K.cross_entropy_forward,
    { WG },
    { ...uniforms, site: check.site },
    [logits.buffer, target.buffer, losses.buffer, valid.buffer, check.buffer],
    gridFor(samples, WG),
  );
  const perSample = record(losses, 'cross_entropy', [logits], (g) => {
    const dx = Tensor.empty(logits.shape);
    dispatch(
      K.cross_entropy_backward,
      { WG },
      uniforms,
      [g.buffer, logits.buffer, target.buffer, dx.buffer],
      gridFor(samples, WG),
    );
    return [dx];
  });
  const reduction = options.reduction ?? 'mean';
  if (reduction === 'none') {
    valid.dispose();
    return perSample;
  }
  if (reduction === 'sum') {
    valid.dispose();
    return sum(perSample);
  }
  // Mean over the samples that were not ignored.
  return div(sum(perSample), sum(valid));
}

function reduce(x: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? mean(x) : reduction === 'sum' ? sum(x) : x;
}

function checkSameShape(layer: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(
      `${layer}: input ${formatShape(input.shape)} and target ${formatShape(target.shape)} must have the same shape`,
    );
  }
}

/** mean((input - target)²) (or sum, or none), as `F.mse_loss`. */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkOptions('mse_loss', options, { reduction: REDUCTIONS });
  checkSameShape('mse_loss', input, target);
  const d = sub(input, target);
  return reduce(mul(d, d), options.reduction ?? 'mean');
}

/** mean(|input - target|) (or sum, or none), as `F.l1_loss`. */
export function l1Loss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  checkOptions('l1_loss', options, { reduction: REDUCTIONS });
  checkSameShape('l1_loss', input, target);
  return reduce(abs(sub(input, target)), options.reduction ?? 'mean');
}

/**
 * Binary cross-entropy on logits z with targets y in [0, 1], as
 * `F.binary_cross_entropy_with_logits`: max(z, 0) - z y + log(1 + exp(-|z|)), which never
 * overflows.
 */
export function binaryCrossEntropyWithLogits(
  logits: Tensor,
  target: Tensor,
  options: { reduction?: Reduction } = {},
): Tensor {
  checkOptions('binary_cross_entropy_with_logits', options, { reduction: REDUCTIONS });
  checkSameShape('binary_cross_entropy_with_logits', logits, target);
  const softplus = add(relu(logits), log(add(exp(neg(abs(logits))), 1)));
  return reduce(sub(softplus, mul(logits, target)), options.reduction ?? 'mean');
}
