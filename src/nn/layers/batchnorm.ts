/** BatchNorm1d and BatchNorm2d, as torch.nn's (running statistics, momentum, num_batches_tracked). */
import type { Tensor } from '../../tensor.js';
import { batchNorm } from '../../ops/batchnorm.js';
import { ones, zeros, full } from '../../ops/create.js';
import { keep } from '../../memory.js';
import { Module } from '../module.js';
import { Parameter, parameter } from '../parameter.js';
import { parseArgs } from '../args.js';
import { pyBool, pyFloat } from '../repr.js';

/** Keyword arguments of the batch norm layers, as `torch.nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True)`. */
export interface BatchNormArgs {
  /** Added to the variance for numerical stability (default 1e-5). */
  eps?: number;
  /** running = (1 - momentum) running + momentum batch statistic (default 0.1). */
  momentum?: number;
  /** Learnable per-channel `weight` and `bias` (default true). */
  affine?: boolean;
  /** Keep running mean and variance for eval mode (default true); without them, batch statistics are used in both modes. */
  trackRunningStats?: boolean;
}

abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor;
  declare running_var: Tensor;
  declare num_batches_tracked: Tensor;

  constructor(numFeatures: number, rest: Array<number | boolean | BatchNormArgs | undefined>) {
    super();
    const o = parseArgs(this.constructor.name, ['eps', 'momentum', 'affine', 'trackRunningStats'], rest, {
      eps: 1e-5,
      momentum: 0.1,
      affine: true,
      trackRunningStats: true,
    });
    this.numFeatures = numFeatures;
    this.eps = o.eps;
    this.momentum = o.momentum;
    this.affine = o.affine;
    this.trackRunningStats = o.trackRunningStats;
    this.weight = o.affine ? parameter(ones([numFeatures])) : null;
    this.bias = o.affine ? parameter(zeros([numFeatures])) : null;
    if (o.trackRunningStats) {
      this.registerBuffer('running_mean', keep(zeros([numFeatures])));
      this.registerBuffer('running_var', keep(ones([numFeatures])));
      this.registerBuffer('num_batches_tracked', keep(full([], 0, { dtype: 'int32' })));
    }
  }

  /** The input ranks this layer accepts, for its error message. */
  protected abstract checkInput(x: Tensor): void;

  /**
   * Normalises x; with `channels` (= numFeatures), only the channel prefix x[:, :channels] of a
   * wider x, read in place (no copy): DenseNet's layers read their input so from the block's
   * feature store (`ops/feature_store.ts`).
   */
  forward(x: Tensor, channels?: number): Tensor {
    this.checkInput(x);
    if (channels !== undefined && channels !== this.numFeatures)
      throw new Error(
        `${this.constructor.name}: a channel prefix must have ${this.numFeatures} channels, got ${channels}`,
      );
    return this.normalize(x, channels);
  }

  private normalize(x: Tensor, channels?: number): Tensor {
    const running = this.trackRunningStats
      ? { mean: this.running_mean, variance: this.running_var, batchesTracked: this.num_batches_tracked }
      : null;
    return batchNorm(
      x,
      running,
      this.weight,
      this.bias,
      { training: this.training, momentum: this.momentum, eps: this.eps, channels },
      this.constructor.name,
    );
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** Batch norm over [N, C, H, W], per channel C. */
export class BatchNorm2d extends BatchNorm {
  /** `new BatchNorm2d(C)`, then eps, momentum, affine, trackRunningStats positionally or as options: `new BatchNorm2d(64, {momentum: 0.01})`. */
  constructor(numFeatures: number, ...rest: Array<number | boolean | BatchNormArgs | undefined>) {
    super(numFeatures, rest);
  }

  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4)
      throw new Error(`BatchNorm2d: expected 4D input (got ${x.ndim}D input of shape [${x.shape.join(', ')}])`);
  }
}

/** Batch norm over [N, C] or [N, C, L], per channel C. */
export class BatchNorm1d extends BatchNorm {
  /** `new BatchNorm1d(C)`, then eps, momentum, affine, trackRunningStats positionally or as options. */
  constructor(numFeatures: number, ...rest: Array<number | boolean | BatchNormArgs | undefined>) {
    super(numFeatures, rest);
  }

  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3)
      throw new Error(`BatchNorm1d: expected 2D or 3D input (got ${x.ndim}D input of shape [${x.shape.join(', ')}])`);
  }
}
