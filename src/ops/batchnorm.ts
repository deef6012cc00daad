/**
 * Batch normalisation, as `F.batch_norm`, for inputs [N, C], [N, C, L] or [N, C, H, W]:
 * y = (x - mean_c) / sqrt(var_c + eps) * gamma_c + beta_c. In training the statistics are the
 * batch's (and the running ones are updated on the GPU); in evaluation they are the running
 * ones. Kernels: `batchnorm_stats.wgsl`, `batchnorm_eval_stats.wgsl`, `batchnorm_forward.wgsl`,
 * `batchnorm_backward.wgsl`.
 */
import { dispatch } from '../gpu/commands.js';
import { Params } from '../gpu/params.js';
import { shaders } from '../shaders.js';
import { Tensor, numel } from '../tensor.js';
import { record } from '../autograd.js';
import { ones, zeros } from './create.js';
import { splitBatch } from './batch_split.js';
import { reshape, slice } from './shape.js';
import { formatShape, requireDtype } from './util.js';

export interface BatchNormOptions {
  training: boolean;
  momentum: number;
  eps: number;
}

export interface RunningStats {
  mean: Tensor;
  variance: Tensor;
  /** int32 [] counter, incremented on the GPU in training. */
  batchesTracked: Tensor | null;
}

const WG = 64;

function planesGrid(x: number, planes: number): number[] {
  const y = Math.min(planes, 65535);
  return [x, y, Math.ceil(planes / y)];
}

export function batchNorm(x: Tensor, running: RunningStats | null, weight: Tensor | null, bias: Tensor | null, options: BatchNormOptions, layer = 'batch_norm'): Tensor {
  requireDtype(layer, x, 'float32');
  if (x.ndim < 2) throw new Error(`${layer}: expected an input of at least 2 dimensions [N, C, ...], got ${formatShape(x.shape)}`);
  const [n, c] = x.shape;
  const s = numel(x.shape.slice(2));
  for (const [name, t] of [['weight', weight], ['bias', bias], ['running_mean', running?.mean], ['running_var', running?.variance]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== c)) throw new Error(`${layer}: ${name} of shape ${formatShape(t.shape)} does not match ${c} channels of input ${formatShape(x.shape)}`);
  }
  const batchStats = options.training || !running;
  if (batchStats && n * s <= 1) throw new Error(`${layer}: expected more than 1 value per channel when training, got input size ${formatShape(x.shape)}`);
  // With running statistics every sample is normalised on its own: large batches may be split.
  if (!batchStats) {
    const split = splitBatch(layer, x, c * s, (part) => batchNorm(part, running, weight, bias, options, layer));
    if (split) return split;
  }
  const params = new Params().u32(n).u32(c).u32(s).bytes();
  const temps: Tensor[] = [];
  const gamma = weight ?? (temps.push(ones([c])), temps[temps.length - 1]);
  const beta = bias ?? (temps.push(zeros([c])), temps[temps.length - 1]);
  const stats = Tensor.empty([c, 2]);
  if (batchStats) {
    const scratch = running ? null : Tensor.empty([c]);
    const counter = running?.batchesTracked ?? Tensor.empty([1], 'int32');
    const kernel = { name: 'batchnorm_stats', source: shaders.batchnorm_stats, bindings: ['read', 'write', 'write', 'write', 'write', 'uniform'] as const, constants: { WG: 256 } };
    const p = new Params().u32(n).u32(c).u32(s).f32(options.eps).f32(options.momentum).u32(running && options.training ? 1 : 0).bytes();
    const rm = running?.mean ?? scratch!;
    // Without running statistics, a scratch buffer stands in for both (the kernel does not write them).
    const rv = running?.variance ?? Tensor.empty([c]);
    dispatch(kernel, [x.buffer, stats.buffer, rm.buffer, rv.buffer, counter.buffer], p, [c]);
    if (!running) temps.push(scratch!, rv, counter);
    else if (!running.batchesTracked) temps.push(counter);
  } else {
    const kernel = { name: 'batchnorm_eval_stats', source: shaders.batchnorm_eval_stats, bindings: ['read', 'read', 'write', 'uniform'] as const, constants: { WG } };
    dispatch(kernel, [running!.mean.buffer, running!.variance.buffer, stats.buffer], new Params().u32(c).f32(options.eps).bytes(), [Math.ceil(c / WG)]);
  }
  const y = Tensor.empty(x.shape);
  const forward = { name: 'batchnorm_forward', source: shaders.batchnorm_forward, bindings: ['read', 'read', 'read', 'read', 'write', 'uniform'] as const, constants: { WG } };
  dispatch(forward, [x.buffer, stats.buffer, gamma.buffer, beta.buffer, y.buffer], params, planesGrid(Math.ceil(s / WG), n * c));
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(y, layer, inputs, (g, needs) => {
    const sums = Tensor.empty([c, 2]);
    const constants = { WG, TRAINING: batchStats ? 1 : 0 };
    const bindings = ['read', 'read', 'read', 'read', 'write', 'write', 'uniform'] as const;
    const dx = needs[0] ? Tensor.empty(x.shape) : Tensor.empty([1]);
    const reduceKernel = { name: 'batchnorm_backward', source: shaders.batchnorm_backward, bindings, entryPoint: 'reduce', constants };
    dispatch(reduceKernel, [g.buffer, x.buffer, stats.buffer, gamma.buffer, sums.buffer, dx.buffer], params, [c]);
    if (needs[0]) {
      const kernel = { name: 'batchnorm_backward', source: shaders.batchnorm_backward, bindings, entryPoint: 'main', constants };
      dispatch(kernel, [g.buffer, x.buffer, stats.buffer, gamma.buffer, sums.buffer, dx.buffer], params, planesGrid(Math.ceil(s / WG), n * c));
    }
    const column = (k: number) => {
      const col = slice(sums, 1, k, k + 1);
      const flat = reshape(col, [c]);
      col.dispose();
      return flat;
    };
    const grads: (Tensor | null)[] = [needs[0] ? dx : (dx.dispose(), null)];
    if (weight) grads.push(needs[grads.length] ? column(1) : null);
    if (bias) grads.push(needs[grads.length] ? column(0) : null);
    sums.dispose();
    return grads;
  }, [stats, ...temps]);
}
