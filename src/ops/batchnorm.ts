/**
 * Batch normalisation, as `F.batch_norm`, for inputs [N, C], [N, C, L] or [N, C, H, W]:
 * y = (x - mean_c) / sqrt(var_c + eps) * gamma_c + beta_c. In training the statistics are the
 * batch's (and the running ones are updated on the GPU); in evaluation they are the running
 * ones. Kernels: `batchnorm_stats.wgsl`, `batchnorm_eval_stats.wgsl`, `batchnorm_forward.wgsl`,
 * `batchnorm_backward.wgsl`.
 *
 * With `channels`, only the channel prefix x[:, :channels] is normalised, read in place (the
 * kernels take x's channel count as a stride): DenseNet's layers read their input this way from
 * the block's feature store (`ops/feature_store.ts`), whose shared gradient the backward adds to.
 */
import { dispatch } from '../gpu/kernel.js';
import { K } from '../kernels.js';
import { Tensor, numel } from '../tensor.js';
import { record } from '../autograd.js';
import { ones, zeros } from './create.js';
import { splitBatch } from './batch_split.js';
import { reshape, slice } from './shape.js';
import { formatShape, requireDtype } from './util.js';
import { sharedGradient } from './feature_store.js';
import { checkOptions } from '../args.js';
import { batchNormKernels } from './batchnorm_kernels.js';

/** Options of `batchNorm`: batch statistics (training) or running ones, the running-statistics momentum, and eps; as `torch.nn.functional.batch_norm`. */
export interface BatchNormOptions {
  /** Normalise with the batch's statistics (and update the running ones), or with the running ones. */
  training: boolean;
  /** running = (1 - momentum) running + momentum batch statistic (unbiased variance), as PyTorch. */
  momentum: number;
  /** Added to the variance before the square root. */
  eps: number;
  /**
   * Normalise only channels [0, channels) of x, read in place (no copy); the output has
   * `channels` channels and the gradient of x is zero beyond them. Default: all of x's.
   */
  channels?: number;
}

export interface RunningStats {
  mean: Tensor;
  variance: Tensor;
  /** int32 [] counter, incremented on the GPU in training. */
  batchesTracked: Tensor | null;
}

const WG = 64;

/**
 * y = (x - E[x]) / √(Var[x] + eps) γ + β per channel (dim 1), with batch statistics when training
 * (updating `running` with `momentum`) or the running ones; `F.batch_norm`.
 */
export function batchNorm(
  x: Tensor,
  running: RunningStats | null,
  weight: Tensor | null,
  bias: Tensor | null,
  options: BatchNormOptions,
  layer = 'batch_norm',
): Tensor {
  checkOptions(layer, options, { training: 'boolean', momentum: 'number', eps: 'number', channels: 'number' });
  requireDtype(layer, x, 'float32');
  if (x.ndim < 2)
    throw new Error(`${layer}: expected an input of at least 2 dimensions [N, C, ...], got ${formatShape(x.shape)}`);
  const [n, xc] = x.shape;
  const c = options.channels ?? xc;
  if (!Number.isInteger(c) || c < 1 || c > xc)
    throw new Error(`${layer}: channels must be an integer in [1, ${xc}] for input ${formatShape(x.shape)}, got ${c}`);
  const s = numel(x.shape.slice(2));
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
    ['running_mean', running?.mean],
    ['running_var', running?.variance],
  ] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== c))
      throw new Error(
        `${layer}: ${name} of shape ${formatShape(t.shape)} does not match ${c} channels of input ${formatShape(x.shape)}`,
      );
  }
  const batchStats = options.training || !running;
  if (batchStats && n * s <= 1)
    throw new Error(
      `${layer}: expected more than 1 value per channel when training, got input size ${formatShape(x.shape)}`,
    );
  // With running statistics every sample is normalised on its own: large batches may be split.
  if (!batchStats && c === xc) {
    const split = splitBatch(layer, x, c * s, (part) => batchNorm(part, running, weight, bias, options, layer));
    if (split) return split;
  }
  const kernels = batchNormKernels({ n, c, s, xc });
  const temps: Tensor[] = [];
  const gamma = weight ?? (temps.push(ones([c])), temps[temps.length - 1]);
  const beta = bias ?? (temps.push(zeros([c])), temps[temps.length - 1]);
  const stats = Tensor.empty([c, 2]);
  if (batchStats) {
    const scratch = running ? null : Tensor.empty([c]);
    const counter = running?.batchesTracked ?? Tensor.empty([1], 'int32');
    const uniforms = {
      eps: options.eps,
      momentum: options.momentum,
      update_running: running && options.training ? 1 : 0,
    };
    const rm = running?.mean ?? scratch!;
    // Without running statistics, a scratch buffer stands in for both (the kernel does not write them).
    const rv = running?.variance ?? Tensor.empty([c]);
    kernels.stats(uniforms, [x.buffer, stats.buffer, rm.buffer, rv.buffer, counter.buffer]);
    if (running && options.training) {
      running.mean.storage.version++;
      running.variance.storage.version++;
    }
    if (!running) temps.push(scratch!, rv, counter);
    else if (!running.batchesTracked) temps.push(counter);
  } else {
    dispatch(
      K.batchnorm_eval_stats,
      { WG },
      { c, eps: options.eps },
      [running!.mean.buffer, running!.variance.buffer, stats.buffer],
      [Math.ceil(c / WG)],
    );
  }
  const y = Tensor.empty([n, c, ...x.shape.slice(2)]);
  kernels.forward([x.buffer, stats.buffer, gamma.buffer, beta.buffer, y.buffer]);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(
    y,
    layer,
    inputs,
    (g, needs) => {
      const sums = Tensor.empty([c, 2]);
      // A feature store's prefix adds to the store's shared gradient (and returns none for x);
      // any other prefix gets a zero gradient beyond its channels.
      const shared = needs[0] && options.channels !== undefined ? sharedGradient(x) : null;
      const dx = shared ?? (!needs[0] ? Tensor.empty([4]) : c < xc ? zeros(x.shape) : Tensor.empty(x.shape));
      const buffers = [g.buffer, x.buffer, stats.buffer, gamma.buffer, sums.buffer, dx.buffer];
      kernels.backward(batchStats, needs[0], shared !== null, buffers);
      // sums[:, 0] = sum of g (the bias gradient), sums[:, 1] = sum of g * x_hat (gamma's).
      const column = (k: number) => reshape(slice(sums, 1, k, k + 1), [c]);
      const grads: (Tensor | null)[] = [needs[0] && !shared ? dx : null];
      if (weight) grads.push(needs[grads.length] ? column(1) : null);
      if (bias) grads.push(needs[grads.length] ? column(0) : null);
      return grads;
    },
    [stats, ...temps],
  );
}
